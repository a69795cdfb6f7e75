"""Template filters of the finance pages: amounts in the active locale's number format."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def eur(value: Decimal | float | int | None, decimals: int = 2) -> str:
    """1234567.891 -> "1.234.567,89 €" in German (grouping always on), "" for None."""
    if value is None or value == "":
        return ""
    return f"{number_format(value, int(decimals), use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def eur0(value: Decimal | float | int | None) -> str:
    """Whole euros, for charts' neighbours and overview cards."""
    return eur(value, 0)


@register.filter
def percent(value: Decimal | float | None) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(value, 1, use_l10n=True)}\u00a0%"


@register.filter
def signclass(value: Decimal | float | None) -> str:
    """CSS class for a balance: negative (deficit) or positive."""
    if not value:
        return ""
    return "neg" if value < 0 else "pos"


@register.filter
def div_population(value: Decimal | None, population: int | None) -> Decimal | None:
    """An amount per inhabitant (None without a population)."""
    if value is None or not population:
        return None
    return (Decimal(value) / population).quantize(Decimal("0.01"))


@register.filter
def phase_label(value: str) -> str:
    from finance.explorer import PHASE_LABELS

    return str(PHASE_LABELS.get(value, value))


@register.filter
def statement_label(value: str) -> str:
    from finance.explorer import STATEMENT_LABELS

    return str(STATEMENT_LABELS.get(value, value))


@register.filter
def sign_label(value: str) -> str:
    from finance.forms import SIGN_LABELS

    return str(SIGN_LABELS.get(value, value))


@register.filter
def direction_label(value: str) -> str:
    from django.utils.translation import gettext

    return {"revenue": gettext("Ertrag"), "expense": gettext("Aufwand")}.get(value, value)
