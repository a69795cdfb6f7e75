"""Measures (Maßnahmen) and their yearly effect on the annual result, as arrays per year.

Why this module exists: a measure relieves or burdens the budget (extra revenue, lower or higher
expenses), once or every year from a start year. The projection adds these effects as extra budget items
(so that every aggregation sees them), the resilience checks add them to the annual result of the status
quo and compare both paths. The rule is kept in one place so that "activating a measure changes the
projected annual result by exactly the sum of its effects" holds everywhere (tests check it).

Amounts are whole cents (int64) so that the sums are exact. Sign convention of :func:`effect_cents`:
positive = the annual result improves (extra revenue, lower expenses), negative = it worsens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import numpy as np

from planning.engine.resilience import (
    TRIGGER_ORDER,
    OpeningBalances,
    run_reserve_path,
    trigger_probabilities,
)

#: ``driver`` of the projection rows that carry a measure's effect (the status quo excludes them).
MEASURE_DRIVER = "massnahme"
REVENUE, EXPENSE = "revenue", "expense"
CENT = Decimal("0.01")


class EffectKind(StrEnum):
    """What a measure does to the budget."""

    EXTRA_REVENUE = "extra_revenue"  # Mehreinnahme
    LOWER_EXPENSE = "lower_expense"  # Minderausgabe
    HIGHER_EXPENSE = "higher_expense"  # Mehrausgabe (e.g. the measure's own running cost)


@dataclass(frozen=True)
class Effect:
    """One yearly effect of a measure. ``amount`` is positive EUR; the kind gives the direction.

    One-off (``recurring=False``): only in ``start_year``. Recurring: every year from ``start_year`` up
    to ``end_year`` (inclusive; None = open-ended).
    """

    kind: EffectKind
    amount: Decimal
    start_year: int
    recurring: bool = True
    end_year: int | None = None
    area: str = ""
    product_group: str = ""
    product_code: str = ""
    account_group: str = ""

    def active_in(self, year: int) -> bool:
        if not self.recurring:
            return year == self.start_year
        return year >= self.start_year and (self.end_year is None or year <= self.end_year)

    @property
    def cents(self) -> int:
        return int((Decimal(self.amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def sign(self) -> int:
        """+1 when the effect improves the annual result, -1 when it worsens it."""
        return -1 if self.kind is EffectKind.HIGHER_EXPENSE else 1

    @property
    def direction(self) -> str:
        return REVENUE if self.kind is EffectKind.EXTRA_REVENUE else EXPENSE

    @property
    def item_sign(self) -> int:
        """Sign of the amount on its budget item: lower expenses are a negative expense amount."""
        return -1 if self.kind is EffectKind.LOWER_EXPENSE else 1


def effect_cents(measures: Sequence[Sequence[Effect]], years: Sequence[int]) -> np.ndarray:
    """(M, T) int64: each measure's effect on the annual result per year, in cents (see module doc)."""
    out = np.zeros((len(measures), len(years)), dtype=np.int64)
    for m, effects in enumerate(measures):
        for effect in effects:
            for t, year in enumerate(years):
                if effect.active_in(year):
                    out[m, t] += effect.sign * effect.cents
    return out


def effect_items(
    measures: Sequence[Sequence[Effect]], years: Sequence[int]
) -> tuple[list[tuple[str, str, str, str, str]], np.ndarray]:
    """The effects as budget items for the projection: (items, (K, T) int64 cents on the item).

    One item per effect (area, product group, product, account group, direction); revenue items add,
    expense items subtract from the result, so the result changes by exactly :func:`effect_cents`.
    """
    items: list[tuple[str, str, str, str, str]] = []
    rows: list[np.ndarray] = []
    for effects in measures:
        for effect in effects:
            row = np.array(
                [effect.item_sign * effect.cents if effect.active_in(y) else 0 for y in years], dtype=np.int64
            )
            items.append(
                (
                    effect.area,
                    effect.product_group,
                    effect.product_code,
                    effect.account_group,
                    effect.direction,
                )
            )
            rows.append(row)
    cents = np.vstack(rows) if rows else np.zeros((0, len(years)), dtype=np.int64)
    return items, cents


def with_measure_items(output, measures: Sequence[Sequence[Effect]]):
    """A projection output (:class:`planning.engine.scenarios.ScenarioOutput`) with the measures' effects
    appended as items (driver :data:`MEASURE_DRIVER`, demographic ratio 1)."""
    if not any(measures):
        return output
    e = output.inputs
    items, cents = effect_items(measures, e.years)
    k = len(items)
    inputs = replace(
        e,
        items=[*e.items, *items],
        drivers=[*e.drivers, *([MEASURE_DRIVER] * k)],
        direction=np.concatenate([e.direction, np.array([1 if i[4] == REVENUE else -1 for i in items])]),
        base=np.concatenate([e.base, cents[:, 0] / 100]),
    )
    return replace(
        output,
        inputs=inputs,
        cents=np.vstack([output.cents, cents]),
        ratio=np.vstack([output.ratio, np.ones((k, len(e.years)))]),
    )


# -- resilience: status quo versus with measures ----------------------------------------------------------
@dataclass(frozen=True)
class MeasureImpact:
    """What one measure does to the deterministic reserve path (leave-one-out against all measures)."""

    index: int
    total: Decimal  # sum of its effects over the horizon (EUR)
    first_trigger_without: int | None  # first trigger year with all measures except this one
    avoids_hsk: bool  # with all measures no trigger, without this one a trigger


def _decimal_results(results: dict[int, Decimal], delta_cents: np.ndarray) -> dict[int, Decimal]:
    return {
        y: (r + Decimal(int(d)).scaleb(-2)).quantize(CENT)
        for (y, r), d in zip(results.items(), delta_cents, strict=True)
    }


def compare_deterministic(opening: OpeningBalances, results: dict[int, Decimal], effects: np.ndarray):
    """Status quo and with-measures reserve paths and each measure's impact.

    ``results``: the status-quo annual results per year (EUR); ``effects``: (M, T) cents from
    :func:`effect_cents`. Returns (status quo path, with-measures path, impacts).
    """
    years = list(results)
    total = effects.sum(axis=0) if len(effects) else np.zeros(len(years), dtype=np.int64)
    status_quo = run_reserve_path(opening, dict(results))
    with_all = run_reserve_path(opening, _decimal_results(results, total))
    impacts = []
    for m in range(len(effects)):
        without = run_reserve_path(opening, _decimal_results(results, total - effects[m]))
        impacts.append(
            MeasureImpact(
                index=m,
                total=Decimal(int(effects[m].sum())).scaleb(-2),
                first_trigger_without=without.first_trigger_year,
                avoids_hsk=with_all.first_trigger_year is None and without.first_trigger_year is not None,
            )
        )
    return status_quo, with_all, impacts


@dataclass(frozen=True)
class MonteCarloComparison:
    """P(§76 trigger) per year for the status quo and with measures on the same simulated paths."""

    years: tuple[int, ...]
    probability_status_quo: np.ndarray  # (T,) any trigger in that year
    probability_with: np.ndarray  # (T,)
    cumulative_status_quo: np.ndarray  # (T,) any trigger within the first k years
    cumulative_with: np.ndarray  # (T,)
    #: per measure: P(any trigger within the horizon) with all measures except this one
    probability_without: np.ndarray  # (M,)

    def as_dict(self) -> dict:
        return {
            "years": list(self.years),
            "probability_status_quo": self.probability_status_quo.tolist(),
            "probability_with": self.probability_with.tolist(),
            "cumulative_status_quo": self.cumulative_status_quo.tolist(),
            "cumulative_with": self.cumulative_with.tolist(),
            "probability_without": self.probability_without.tolist(),
        }


def _trigger_probabilities(results: np.ndarray, opening: OpeningBalances, cap: float | None):
    return trigger_probabilities(
        results,
        float(opening.equalisation_reserve),
        float(opening.general_reserve),
        float(opening.other_equity),
        equalisation_cap=cap,
    )


def compare_monte_carlo(
    years: Sequence[int],
    status_quo_results: np.ndarray,
    opening: OpeningBalances,
    effects: np.ndarray,
    *,
    equalisation_cap: float | None = 1 / 3,
    leave_one_out: bool = True,
) -> MonteCarloComparison:
    """Trigger probabilities with and without measures on the same simulated paths (P, T) of annual
    results: measure effects are deterministic, they shift every path by the same EUR per year."""
    assert len(TRIGGER_ORDER) > 0
    total = (effects.sum(axis=0) if len(effects) else np.zeros(len(years))) / 100.0
    p_sq, c_sq = _trigger_probabilities(status_quo_results, opening, equalisation_cap)
    with_results = status_quo_results + total
    p_with, c_with = _trigger_probabilities(with_results, opening, equalisation_cap)
    without = np.empty(len(effects))
    if leave_one_out:
        for m in range(len(effects)):
            _p, cum = _trigger_probabilities(with_results - effects[m] / 100.0, opening, equalisation_cap)
            without[m] = cum[-1] if len(cum) else 0.0
    else:
        without[:] = np.nan
    return MonteCarloComparison(tuple(years), p_sq, p_with, c_sq, c_with, without)


# -- indicators -----------------------------------------------------------------------------------------
class Light(StrEnum):
    """Traffic light of an indicator in a year."""

    GREEN = "green"  # target reached
    YELLOW = "yellow"  # missed by at most TOLERANCE of the target
    RED = "red"  # missed by more
    NONE = "none"  # no target or no actual for that year


#: An indicator that misses its target by at most this share of the target is yellow, not red.
TOLERANCE = Decimal("0.10")


def traffic_light(target: Decimal | None, actual: Decimal | None, *, higher_is_better: bool = True) -> Light:
    """Green when the actual reaches the target, yellow when it misses by at most 10 % of the target's
    size, red otherwise; no light without target or actual."""
    if target is None or actual is None:
        return Light.NONE
    target, actual = Decimal(target), Decimal(actual)
    shortfall = (target - actual) if higher_is_better else (actual - target)
    if shortfall <= 0:
        return Light.GREEN
    if shortfall <= abs(target) * TOLERANCE:
        return Light.YELLOW
    return Light.RED
