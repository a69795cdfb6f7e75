"""Form fields for numbers that every app's page forms use, the counterpart of ``core.api.fields``.

Django's number fields refuse NaN and Infinity, but without bounds they accept ``1e308`` and 30-digit
integers, which overflow ``Decimal`` columns and give nonsense projections. These helpers take the bounds
as required keywords (German number input through ``localize=True``).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from core.params import ID_MAX


def bounded_decimal(
    *, min_value: Decimal | int | str, max_value: Decimal | int | str, **kwargs
) -> forms.DecimalField:
    kwargs.setdefault("localize", True)
    return forms.DecimalField(min_value=Decimal(min_value), max_value=Decimal(max_value), **kwargs)


def bounded_int(*, min_value: int, max_value: int, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=min_value, max_value=max_value, **kwargs)


def revision_field() -> forms.IntegerField:
    """The revision an editor started from (hidden); 0 = "I saw none" (a new object)."""
    return forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)


def id_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)
