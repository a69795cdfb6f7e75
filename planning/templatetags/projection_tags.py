"""Template filters of the projection pages: amounts and ratios in the active locale's number format."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value: Decimal | float | int | None, decimals: int = 0) -> str:
    """1234567.891 -> "1.234.568 €" (German grouping), "" for None."""
    if value is None or value == "":
        return ""
    return f"{number_format(value, int(decimals), use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def num(value: Decimal | float | int | None, decimals: int = 0) -> str:
    if value is None or value == "":
        return ""
    return number_format(value, int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def pct(value: Decimal | float | None, decimals: int = 1) -> str:
    """A fraction as percent: 0.02 -> "2,0 %"."""
    if value is None or value == "":
        return "–"
    return f"{number_format(float(value) * 100, int(decimals), use_l10n=True)}\u00a0%"


@register.filter
def signed_pct(value: float | None) -> str:
    """A percent value with sign: 12.34 -> "+12,3 %"."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(value, 1, use_l10n=True)}\u00a0%"


@register.filter
def signclass(value: Decimal | float | None) -> str:
    if not value:
        return ""
    return "neg" if value < 0 else "pos"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None
