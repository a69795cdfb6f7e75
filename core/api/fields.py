"""Serializer fields and query helpers that every app's API uses for numbers, ids and years.

Numbers may arrive as text: JSON numbers are taken as they are, strings the German way ("85.000" is
85000 and "85.000,50" is 85000.5 here too, as in every form; ``core.numbers``).

Model parameters (factors, rates, shocks, weights, seconds, amounts) are bounded to a plausible range:
``bounded_float``/``bounded_int``/``bounded_decimal`` take the bounds as required keywords, so a field
without bounds cannot be written by accident, and drf-spectacular states them in the schema
(``minimum``/``maximum``). ``tests/core/test_api_edges.py`` fails for any numeric request field of the
schema without both bounds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.numbers import NumberFormatError, parse_decimal
from core.params import ID_MAX, YEAR_MAX, YEAR_MIN, InvalidParameter, parse_id, parse_year

# Money in EUR: the DecimalField(max_digits=17, decimal_places=2) of the models.
MONEY_MAX = Decimal("999999999999999.99")


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
            if len(data) > self.MAX_STRING_LENGTH:
                self.fail("max_string_length")
            data = _parse(self, data)
        return super().to_internal_value(data)


class LocalizedFloatField(serializers.FloatField):
    """A FloatField that also accepts "2,5" and "1.250" (German text); finite values only."""

    default_error_messages = {"invalid": _('Bitte eine Zahl angeben, z. B. 2.5 oder "2,5".')}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, str):
            if len(data) > self.MAX_STRING_LENGTH:
                self.fail("max_string_length")
            data = float(_parse(self, data))
        return super().to_internal_value(data)  # refuses NaN and Infinity (also 1e400 as text)


def bounded_float(*, min_value: float, max_value: float, **kwargs) -> serializers.FloatField:
    """A finite float within ``min_value..max_value``, as a JSON number or German text ("2,5")."""
    return LocalizedFloatField(min_value=min_value, max_value=max_value, **kwargs)


def bounded_decimal(
    *, min_value: Decimal | int | str, max_value: Decimal | int | str, **kwargs
) -> serializers.DecimalField:
    """A decimal within ``min_value..max_value``, as a JSON number or German text ("85.000,50")."""
    kwargs.setdefault("max_digits", None)
    kwargs.setdefault("decimal_places", None)
    return LocalizedDecimalField(min_value=Decimal(min_value), max_value=Decimal(max_value), **kwargs)


def bounded_int(*, min_value: int, max_value: int, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=min_value, max_value=max_value, **kwargs)


def year_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def money_field(**kwargs) -> serializers.DecimalField:
    """EUR with cents, within what a ``DecimalField(max_digits=17, decimal_places=2)`` column holds;
    German text ("85.000,50") is accepted too."""
    kwargs.setdefault("max_digits", 17)
    kwargs.setdefault("decimal_places", 2)
    kwargs.setdefault("min_value", -MONEY_MAX)
    kwargs.setdefault("max_value", MONEY_MAX)
    return LocalizedDecimalField(**kwargs)


def query_id(request, name: str) -> int | None:
    """The id in query parameter ``name`` (``None`` if absent); 400 if it is not a valid id."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return parse_id(value, name=name)
    except InvalidParameter as exc:
        raise ValidationError({name: [str(exc)]}) from exc


def query_year(request, name: str = "year") -> int | None:
    """The year in query parameter ``name`` (``None`` if absent); 400 if it is not a plausible year."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return parse_year(value, name=name)
    except InvalidParameter as exc:
        raise ValidationError({name: [str(exc)]}) from exc


def query_choice(request, name: str, choices, default: str | None = None) -> str | None:
    """An enum query parameter: one of ``choices`` or absent (``default``); 400 for anything else."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return default
    allowed = [str(c) for c in choices]
    if value not in allowed:
        raise ValidationError({name: [f"„{value[:40]}“ ist keiner von: {', '.join(allowed)}."]})
    return value
