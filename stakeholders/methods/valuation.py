"""Valuing what partners could contribute: volunteer hours at a dated shadow wage.

A shadow wage has no market price; the usual one is the statutory minimum wage of the date (see
docs/stakeholders.md). Rates are dated parameters passed in, never constants here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal


def rate_on(rates: Iterable[tuple[dt.date, Decimal]], on: dt.date) -> tuple[dt.date, Decimal] | None:
    """The rate valid on ``on``: the one with the latest ``valid_from`` not after it."""
    valid = [(start, value) for start, value in rates if start <= on]
    return max(valid, key=lambda item: item[0]) if valid else None


def hours_value(hours: int, rate: Decimal) -> Decimal:
    """Volunteer hours x the shadow wage, rounded to the cent."""
    return (Decimal(hours) * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
