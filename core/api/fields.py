"""Serializer fields and query helpers that every app's API uses for numbers, ids and years.

Model parameters (factors, rates, shocks, weights, seconds, amounts) are bounded to a plausible range:
``bounded_float``/``bounded_int``/``bounded_decimal`` take the bounds as required keywords, so a field
without bounds cannot be written by accident, and drf-spectacular states them in the schema
(``minimum``/``maximum``). ``tests/core/test_api_edges.py`` fails for any numeric request field of the
schema without both bounds.
"""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.params import ID_MAX, YEAR_MAX, YEAR_MIN, InvalidParameter, parse_id, parse_year

# Money in EUR: the DecimalField(max_digits=17, decimal_places=2) of the models.
MONEY_MAX = Decimal("999999999999999.99")


def bounded_float(*, min_value: float, max_value: float, **kwargs) -> serializers.FloatField:
    """A finite float within ``min_value..max_value`` (DRF refuses NaN and Infinity itself)."""
    return serializers.FloatField(min_value=min_value, max_value=max_value, **kwargs)


def bounded_int(*, min_value: int, max_value: int, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=min_value, max_value=max_value, **kwargs)


def year_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def money_field(**kwargs) -> serializers.DecimalField:
    """EUR with cents, within what a ``DecimalField(max_digits=17, decimal_places=2)`` column holds."""
    kwargs.setdefault("max_digits", 17)
    kwargs.setdefault("decimal_places", 2)
    kwargs.setdefault("min_value", -MONEY_MAX)
    kwargs.setdefault("max_value", MONEY_MAX)
    return serializers.DecimalField(**kwargs)


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
