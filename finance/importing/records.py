"""The normalised budget line that every accepted file turns into, and totals over such lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .reference import EXPENSE, FINANCIAL, RESULTS, REVENUE
from .vocabulary import ACTUAL, COMMITMENT, PLAN

_PHASE_ORDER = {ACTUAL: 0, PLAN: 1, COMMITMENT: 2}
_STATEMENT_ORDER = {RESULTS: 0, FINANCIAL: 1}


@dataclass(slots=True)
class BudgetRecord:
    """One budget line: product x account x year x phase, amount positive in its direction.

    ``line`` is the 1-based physical line of the source row (where a multi-line CSV record starts).
    ``amount`` follows the direction: an expense of 100 is ``direction="expense", amount=100``; a
    revenue reduction (a positive revenue cell in an SAP file) is ``direction="revenue", amount=-5``.
    ``statement`` is ``results`` (Ergebnisplan: revenue/expense) or ``financial`` (Finanzplan: cash).
    """

    line: int
    product_code: str
    product_name: str
    account_code: str
    account_name: str
    year: int
    phase: str
    statement: str
    direction: str
    amount: Decimal


TotalsKey = tuple[int, str, str, str]  # year, phase, statement, direction


def totals_from_sums(sums: dict[TotalsKey, Decimal]) -> list[dict[str, Any]]:
    """Turn per-(year, phase, statement, direction) sums into the ``totals`` rows."""
    rows: dict[tuple[int, str, str], dict[str, Any]] = {}
    for (year, phase, statement, direction), amount in sums.items():
        row = rows.setdefault(
            (year, phase, statement),
            {
                "year": year,
                "phase": phase,
                "statement": statement,
                "revenue": Decimal("0.00"),
                "expense": Decimal("0.00"),
            },
        )
        row[REVENUE if direction == REVENUE else EXPENSE] += amount
    return sorted(
        rows.values(),
        key=lambda r: (
            r["year"],
            _PHASE_ORDER.get(r["phase"], 9),
            r["phase"],
            _STATEMENT_ORDER.get(r["statement"], 9),
        ),
    )


def totals(records: Iterable[BudgetRecord]) -> list[dict[str, Any]]:
    """Revenue and expense per year, phase and statement, exact Decimals.

    Sorted by year, then phase in the order actual, plan, commitment, then statement (results before
    financial): the order a Kämmerei report reads in. This is what a user compares with the totals of
    the accounting system, so it is computed from the records themselves, not from the file.
    """
    sums: dict[TotalsKey, Decimal] = {}
    for record in records:
        key = (record.year, record.phase, record.statement, record.direction)
        sums[key] = sums.get(key, Decimal("0.00")) + record.amount
    return totals_from_sums(sums)
