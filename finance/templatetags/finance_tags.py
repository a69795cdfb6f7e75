"""Template filters of the finance pages (number formats: core/templatetags/spielraum.py)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


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
