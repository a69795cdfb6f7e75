"""Template helpers shared by all apps."""

from django import template
from django.utils.translation import get_language

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
