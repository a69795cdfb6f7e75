"""Template filters of the projection pages (number formats: core/templatetags/spielraum.py)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None
