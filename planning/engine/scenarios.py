"""From the loaded plain values of many scenarios to their projected amounts in cents.

Pure computation, no Django: ``planning.projection.services`` loads a ``ScenarioData`` per scenario
(budget items with their base amounts, population, the planner's driver assignments, price assumptions),
``project_scenarios`` applies every rule (demographic driver per item, cost persistence, the growth rule
``item_growth_rates``), runs the engine over all scenarios at once and returns cents, which the service
stores. bench/projection_batch.py measures this path end to end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planning.engine.population import AgeBand
from planning.engine.projection import (
    default_driver,
    is_nkf,
    item_growth_rates,
    profile_from_shares,
    project_status_quo_batch,
    round_cents,
)

Item = tuple[str, str, str, str, str]  # area, product group, product code, account group, direction
#: Assignment levels, the most specific first (values of ``planning.projection.models.ProfileLevel``).
LEVELS = ("product", "product_group", "account_group", "area")


@dataclass(frozen=True)
class DriverChoice:
    """The planner's driver of a product, product group, account group or area (an ``AgeProfile``):
    a target group, a mix of target groups, or per-capita weights on age bands; optional persistence."""

    target_group: str = ""
    shares: Mapping[str, float] | None = None
    weights: Mapping[str, float] | None = None
    persistence: float | None = None


@dataclass
class ScenarioData:
    """What the service loads for one scenario, as plain values (``scenario`` is handed back untouched)."""

    scenario: Any
    land: str
    years: list[int]
    bands: tuple[AgeBand, ...]
    population: np.ndarray  # (A, T+1)
    items: list[Item]
    base: np.ndarray  # (J,) base-year amounts
    direction: np.ndarray  # (J,) +1 revenue, -1 expense
    assigned: Mapping[tuple[str, str], DriverChoice]  # (level, code) -> choice
    inflation: float
    wage_growth: float
    revenue_growth: Mapping[str, float]
    cost_persistence: float | None = None  # overrides every expense item's persistence


@dataclass
class ScenarioInputs:
    """Everything the engine needs for one scenario, as arrays."""

    scenario: Any
    years: list[int]
    bands: tuple[AgeBand, ...]
    population: np.ndarray  # (A, T+1)
    items: list[Item]
    base: np.ndarray  # (J,)
    profiles: np.ndarray  # (J, A)
    drivers: list[str]
    growth: np.ndarray  # (J,)
    persistence: np.ndarray  # (J,)
    direction: np.ndarray  # (J,)
    price_index: np.ndarray  # (T+1,) general inflation, for real values
    warnings: list[str] = field(default_factory=list)


@dataclass
class ScenarioOutput:
    """Amounts in cents (int64, (J, T+1)) and demographic ratios of one scenario."""

    inputs: ScenarioInputs
    cents: np.ndarray
    ratio: np.ndarray


# -- drivers --------------------------------------------------------------------------------------------
def band_weights(table: Mapping[str, float], bands: Sequence[AgeBand]) -> np.ndarray:
    """Per-capita weights given on other age bands -> the population's bands (mean over each band's
    years, the open band counted as 15 years like everywhere else)."""
    source = [(AgeBand.parse(label), float(w)) for label, w in table.items()]
    return np.array(
        [sum(w * b.overlap_years(s.lo, s.hi) for s, w in source) / b.split_width for b in bands], dtype=float
    )


def resolve_driver(
    item: Item, assigned: Mapping[tuple[str, str], DriverChoice]
) -> tuple[DriverChoice | None, Any, float]:
    """The planner's assignment (product > product group > account group > area) or the engine default;
    returns (assignment or None, default shares, default persistence)."""
    area, group, product, account_group, _direction = item
    for level, code in zip(LEVELS, (product, group, account_group, area), strict=True):
        if code and (level, code) in assigned:
            try:
                fallback = default_driver(area, account_group).persistence
            except (KeyError, ValueError):
                fallback = 0.0
            return assigned[(level, code)], None, fallback
    try:
        default = default_driver(area, account_group)
    except (KeyError, ValueError):  # no NRW product area (other Land, or unassigned lines)
        return None, "keine", 0.0
    return None, default.shares, default.persistence


def profile_vector(
    choice: DriverChoice | None, shares: Any, bands: Sequence[AgeBand], base_pop: np.ndarray
) -> tuple[np.ndarray, str]:
    """The item's profile over the bands and the name of its driver (target group, "mix" or "table")."""
    if choice is not None:
        if choice.target_group:
            shares = choice.target_group
        elif choice.shares:
            shares = {k: float(v) for k, v in choice.shares.items()}
        elif choice.weights:
            return band_weights(choice.weights, bands), "table"
        else:
            shares = "keine"
    if isinstance(shares, str):
        return profile_from_shares(shares, bands, base_pop), shares
    return profile_from_shares(shares, bands, base_pop), "mix"


def scenario_inputs(data: ScenarioData) -> ScenarioInputs:
    """Apply the rules to one scenario: driver and persistence per item, growth per item, price index.

    Outside the NKF the account-group drivers do not apply (the numbers mean other things there). An item
    whose target group has nobody in the base year gets no driver and a warning.
    """
    base_pop = data.population[:, 0]
    nkf = is_nkf(data.land)
    profiles, drivers, persistence, warnings = [], [], [], []
    for j, item in enumerate(data.items):
        expense = data.direction[j] < 0
        choice, shares, default_persist = resolve_driver(
            item if nkf else (*item[:3], "", item[4]), data.assigned
        )
        try:
            vector, driver = profile_vector(choice, shares, data.bands, base_pop)
        except ValueError as exc:  # e.g. nobody of the group in the base year
            warnings.append(f"{item[2] or item[0]}/{item[3]}: {exc}")
            vector, driver = np.zeros(len(data.bands)), "keine"
        profiles.append(vector)
        drivers.append(driver)
        if choice is not None and choice.persistence is not None:
            persist = float(choice.persistence)
        else:
            persist = default_persist if expense else 0.0
        if data.cost_persistence is not None and expense:
            persist = data.cost_persistence
        persistence.append(persist)
    growth = item_growth_rates(
        [item[3] for item in data.items],
        data.direction,
        inflation=data.inflation,
        wage_growth=data.wage_growth,
        revenue_growth=data.revenue_growth,
        land=data.land,
    )
    t = np.arange(len(data.years), dtype=float)
    return ScenarioInputs(
        scenario=data.scenario,
        years=data.years,
        bands=data.bands,
        population=data.population,
        items=data.items,
        base=data.base,
        profiles=np.vstack(profiles) if profiles else np.zeros((0, len(data.bands))),
        drivers=drivers,
        growth=growth,
        persistence=np.array(persistence),
        direction=data.direction,
        price_index=(1.0 + data.inflation) ** t,
        warnings=warnings,
    )


# -- compute --------------------------------------------------------------------------------------------
def to_cents(amounts: np.ndarray) -> np.ndarray:
    """EUR floats -> whole cents (int64), half-up on the shortest decimal like ``round_cents``; only the
    rare values within 1e-6 cent of a tie go through Decimal."""
    scaled = np.asarray(amounts, dtype=np.float64) * 100.0
    cents = np.rint(scaled)
    frac = np.abs(scaled - np.trunc(scaled))
    ties = np.abs(frac - 0.5) < 1e-6
    if ties.any():
        exact = round_cents(np.asarray(amounts)[ties])
        cents[ties] = [int(d * 100) for d in exact]
    return cents.astype(np.int64)


def projection_compute(inputs: Sequence[ScenarioInputs]) -> list[ScenarioOutput]:
    """Run the engine over all scenarios, grouped by (age bands, horizon); items padded with zeros."""
    groups: dict[tuple[tuple[AgeBand, ...], int], list[ScenarioInputs]] = defaultdict(list)
    for entry in inputs:
        groups[(entry.bands, len(entry.years))].append(entry)
    outputs: dict[int, ScenarioOutput] = {}
    for (bands, t1), members in groups.items():
        m, j = len(members), max(len(e.items) for e in members)
        base = np.zeros((m, j))
        profiles = np.zeros((m, j, len(bands)))
        growth, persistence = np.zeros((m, j)), np.zeros((m, j))
        population = np.empty((m, len(bands), t1))
        for k, e in enumerate(members):
            n = len(e.items)
            base[k, :n], profiles[k, :n], growth[k, :n], persistence[k, :n] = (
                e.base,
                e.profiles,
                e.growth,
                e.persistence,
            )
            population[k] = e.population
        result = project_status_quo_batch(
            base, profiles, population, growth_rates=growth, persistence=persistence
        )
        for k, e in enumerate(members):
            n = len(e.items)
            outputs[id(e)] = ScenarioOutput(
                e, to_cents(result.amounts[k, :n]), np.array(result.demographic_ratio[k, :n])
            )
    return [outputs[id(e)] for e in inputs]


def project_scenarios(data: Sequence[ScenarioData]) -> list[ScenarioOutput]:
    """The whole computation between load and store: rules per scenario, then one batched engine run."""
    return projection_compute([scenario_inputs(d) for d in data])
