"""The projection continues the adopted medium-term plan instead of ignoring it.

Why this module exists: a council adopts the budget year and three plan years (mittelfristige
Ergebnisplanung). Projecting everything from the base year alone replaced those adopted figures with the
status-quo rule (the demo's 2026 showed +247,296 EUR where the adopted plan says -8,955,434 EUR). Here
the plan years are taken as given and the status-quo rule continues from the last plan year:

    amount[j, t] = plan[t][j]                                     for t <= L (the last plan year)
    amount[j, t] = plan[L][j] * engine[j, t] / engine[j, L]       for t > L, item j in the engine
    amount[j, t] = plan[L][j] * price_index[t] / price_index[L]   for t > L, item j only in the plan

``engine`` is the status-quo projection from the base year (its demographic, wage and price growth and
Kostenremanenz); only its growth from L on is used. Items only in plan years (new products) grow with
general inflation. Amounts are whole cents (int64), rounded half away from zero per cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

import numpy as np

PLAN_DRIVER = "plan"  # driver of items that exist only in plan years


def plan_years_of(years: Sequence[int], available: Sequence[int]) -> list[int]:
    """The plan years the projection takes as given: the base year and the years after it that the
    plan covers without a gap (an adopted plan has no holes; a later stray year is not continued)."""
    have = set(available)
    out = [years[0]]
    for year in years[1:]:
        if year not in have:
            break
        out.append(year)
    return out


def continue_plan(output, plan: Mapping[int, Mapping[tuple, Decimal]]):
    """A projection output (``planning.engine.scenarios.ScenarioOutput``) whose years up to the last plan
    year are the plan's amounts and whose later years continue from there (module docstring).

    ``plan`` maps plan years after the base year to {item: amount EUR}; the base year stays the engine's
    base. Returns (output, plan years incl. the base year)."""
    e = output.inputs
    years = list(e.years)
    plan_years = plan_years_of(years, [y for y in plan if plan[y]])
    if len(plan_years) == 1:
        return output, plan_years
    last = len(plan_years) - 1  # index of L
    index = {item: j for j, item in enumerate(e.items)}
    extra = sorted({item for y in plan_years[1:] for item in plan[y] if item not in index})
    items = [*e.items, *extra]
    n_old = len(e.items)
    cents = np.zeros((len(items), len(years)), dtype=np.int64)
    ratio = np.ones((len(items), len(years)))
    cents[:n_old, 0] = output.cents[:, 0]
    ratio[:n_old] = output.ratio
    row_of = {**index, **{item: n_old + k for k, item in enumerate(extra)}}
    for t in range(1, last + 1):
        for item, amount in plan[years[t]].items():
            cents[row_of[item], t] = _cents(amount)
    engine = output.cents.astype(np.float64)
    at_last = engine[:, last]
    for t in range(last + 1, len(years)):
        growth = np.divide(engine[:, t], at_last, out=np.zeros(n_old), where=at_last != 0)
        fallback = e.price_index[t] / e.price_index[last]
        growth = np.where(at_last != 0, growth, fallback)
        cents[:n_old, t] = np.round(cents[:n_old, last] * growth)
        cents[n_old:, t] = np.round(cents[n_old:, last] * fallback)
        ratio[:n_old, t] = np.divide(
            output.ratio[:, t], output.ratio[:, last], out=np.ones(n_old), where=output.ratio[:, last] != 0
        )
    for t in range(1, last + 1):
        ratio[:, t] = 1.0
    inputs = replace(
        e,
        items=items,
        drivers=[*e.drivers, *([PLAN_DRIVER] * len(extra))],
        direction=np.concatenate([e.direction, np.array([1 if i[4] == "revenue" else -1 for i in extra])]),
        base=np.concatenate([e.base, np.zeros(len(extra))]),
    )
    return replace(output, inputs=inputs, cents=cents, ratio=ratio, plan_years=plan_years), plan_years


def _cents(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())
