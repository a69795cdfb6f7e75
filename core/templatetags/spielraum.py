"""Template helpers shared by all apps: labels in the active language, numbers in its format."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language

from core import numbers

register = template.Library()


@register.filter
def lang(obj, field: str) -> str:
    """Pick ``obj.<field>_en`` or ``obj.<field>_de`` by the active language (German as the fallback).

    The pure engines carry their labels in both languages (``name_de``/``name_en``) instead of
    gettext, so that they stay free of Django; templates choose with ``{{ preset|lang:"name" }}``.
    """
    code = (get_language() or "de")[:2]
    value = getattr(obj, f"{field}_{code}", None)
    if value in (None, ""):
        value = getattr(obj, f"{field}_de", "")
    return value


def _round_half_up(exact: Decimal, decimals: int) -> Decimal:
    """Commercial rounding (kaufmännisch: halves away from zero) to ``decimals`` places. Django's
    ``number_format`` would cut the digits off."""
    with localcontext() as context:
        context.prec = max(28, exact.adjusted() + decimals + 2)
        rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # no "-0"


@register.filter
def num(value: Decimal | float | int | None, decimals: int = 0) -> str:
    """1234567.891 -> "1.234.568" (German grouping, rounded half up), "" for None. Machine strings
    ("85000.00", as JSON payloads carry decimals) are read as such."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except InvalidOperation:
            return value
    try:  # a float as it prints (2.675), not as it is stored (2.67499...)
        exact = value if isinstance(value, Decimal | int) else Decimal(str(value))
        exact = Decimal(exact)
    except InvalidOperation:
        return str(value)
    if not exact.is_finite():
        return "–"
    decimals = int(decimals)
    return number_format(_round_half_up(exact, decimals), decimals, use_l10n=True, force_grouping=True)


@register.filter
def eur(value: Decimal | float | int | None, decimals: int = 2) -> str:
    """1234567.891 -> "1.234.567,89 €" in German (grouping always on), "" for None."""
    formatted = num(value, decimals)
    return f"{formatted}\u00a0€" if formatted else ""


@register.filter
def eur0(value: Decimal | float | int | None) -> str:
    """Whole euros, rounded half up: 1234567.5 -> "1.234.568 €", -0.5 -> "-1 €"."""
    return eur(value, 0)


@register.filter
def pct(value: Decimal | float | None, decimals: int = 1) -> str:
    """A fraction as percent: 0.02 -> "2,0 %"."""
    if value is None or value == "":
        return "–"
    return f"{number_format(float(value) * 100, int(decimals), use_l10n=True)}\u00a0%"


@register.filter
def signed_pct(value: Decimal | float | None) -> str:
    """A percent value with sign: 12.34 -> "+12,3 %"."""
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
def day(value: dt.date | dt.datetime | str | None) -> str:
    """A date (or ISO text, as JSON payloads carry it) in the active language: "06.12.2026"."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return numbers.format_date(value, language=get_language() or "de")


@register.filter
def moment(value: dt.datetime | str | None) -> str:
    """A point in time in local time and the active language: "06.12.2026, 14:05"."""
    if isinstance(value, str) and value:
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return numbers.format_datetime(value, language=get_language() or "de")


@register.filter
def audit_action(entry) -> str:
    """The readable label of an audit entry's action key."""
    from core import audit

    return audit.action_label(entry.action)


@register.filter
def audit_changes(entry) -> list[str]:
    from core import audit

    return audit.change_lines(entry)


@register.inclusion_tag("components/explain.html")
def explain(key: str, label: str = "") -> dict:
    """A small "?" disclosure next to a label with the glossary's short text and a link to the entry.

    A <details> element: opens with Enter/Space and by tapping, not only on hover."""
    from core.glossary import BY_KEY

    term = BY_KEY[key]
    return {"term": term, "label": label}
