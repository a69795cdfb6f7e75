"""Serializer fields for numbers that may arrive as text: JSON numbers as they are, strings the German way.

"85.000" is 85000 and "85.000,50" is 85000.5 here too, as in every form (``core.numbers``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.numbers import NumberFormatError, parse_decimal


def _parse(field: serializers.Field, data: Any) -> Decimal:
    try:
        value = parse_decimal(data)
    except (NumberFormatError, TypeError):
        field.fail("invalid")
    if value is None:
        field.fail("invalid")
    return value


class LocalizedDecimalField(serializers.DecimalField):
    """A DecimalField that also accepts "85.000,50" (German text)."""

    default_error_messages = {"invalid": _('Bitte eine Zahl angeben, z. B. 85000 oder "85.000,50".')}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, str):
            data = _parse(self, data)
        return super().to_internal_value(data)


class LocalizedFloatField(serializers.FloatField):
    """A FloatField that also accepts "2,5" and "1.250" (German text)."""

    default_error_messages = {"invalid": _('Bitte eine Zahl angeben, z. B. 2.5 oder "2,5".')}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, str):
            data = float(_parse(self, data))
        return super().to_internal_value(data)
