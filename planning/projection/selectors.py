"""Read queries for population, scenarios, projection results and the room to act.

Projection results are stored one row per budget item with the whole horizon as arrays of exact cents
(``ProjectionItem``): a reader fetches a scenario's item rows in one query (a few hundred rows), decodes
them with numpy (``scenario_item_paths``) and sums there, exactly, in integer cents. The number of queries
of a page does not depend on the number of items, years or age groups.

For the resilience checks: ``scenario_annual_results`` (annual result per year) and
``scenario_group_paths`` (projected amounts per NKF account group and year).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Max, QuerySet

from core.models import Municipality
from finance import selectors as finance_selectors
from finance.vocabulary import product_area_name
from planning.engine.measures import MEASURE_DRIVER
from planning.models import (
    AgeProfile,
    ProjectionItem,
    ProjectionYear,
    Scenario,
    TaskTypeAssignment,
)

ZERO = Decimal("0.00")
REVENUE, EXPENSE = "revenue", "expense"


# -- scenario results -----------------------------------------------------------------------------------
def scenarios_of(municipality: Municipality) -> QuerySet[Scenario]:
    return (
        Scenario.objects.for_municipality(municipality)
        .select_related("population", "budget_version__dataset")
        .order_by("name")
    )


def scenario_annual_results(scenario: Scenario) -> dict[int, Decimal]:
    """Projected annual result (Jahresergebnis = revenue - expense, nominal EUR) per year, base year
    included; empty when the scenario has not been computed. One query."""
    return dict(
        ProjectionYear.objects.filter(scenario=scenario).order_by("year").values_list("year", "balance")
    )


# -- stored item paths (one row per item: ProjectionItem) ------------------------------------------------
ITEM_ORDER = ("area", "product_code", "account_group", "direction", "product_group", "pk")


@dataclass(frozen=True)
class ItemPaths:
    """A scenario's stored results decoded into arrays: ``items`` (area, product group, product, account
    group, direction) and ``drivers`` per item, ``cents`` int64 [J, T] (exact) and ``ratios`` float64
    [J, T], for ``years`` (base year first). Items in ``ITEM_ORDER``."""

    years: list[int]
    items: list[tuple[str, str, str, str, str]]
    drivers: list[str]
    cents: np.ndarray
    ratios: np.ndarray

    def column(self, year: int) -> int:
        return year - self.years[0]

    def group_sums(self, key_of) -> tuple[list[Any], np.ndarray]:
        """Exact sums of the cents per key (``key_of(item, driver)``), keys sorted: (keys, [K, T] ints).
        int64 while no sum can overflow it, Python ints otherwise."""
        index: dict[Any, int] = {}
        pairs = zip(self.items, self.drivers, strict=True)
        keys = (index.setdefault(key_of(i, d), len(index)) for i, d in pairs)
        rows = np.fromiter(keys, dtype=np.int64, count=len(self.items))
        largest = int(np.abs(self.cents).max(initial=0))
        dtype = np.int64 if largest * max(len(self.items), 1) < 2**63 else object
        sums = np.zeros((len(index), len(self.years)), dtype=dtype)
        np.add.at(sums, rows, self.cents.astype(dtype))
        keys = sorted(index)
        return keys, sums[[index[k] for k in keys]] if keys else sums


def _cents(value) -> Decimal:
    """Exact cents as the EUR amount the pages, API and exports show (two decimals)."""
    return Decimal(int(value)).scaleb(-2)


def scenario_item_paths(scenario: Scenario, **filters: Any) -> ItemPaths:
    """The scenario's stored item rows (optionally filtered on item fields, e.g. ``direction``,
    ``driver``, ``product_code``) decoded with numpy (one query). Empty arrays when nothing is stored."""
    rows = list(
        ProjectionItem.objects.filter(scenario=scenario, **filters)
        .order_by(*ITEM_ORDER)
        .values_list(
            "area", "product_group", "product_code", "account_group", "direction", "driver",
            "first_year", "cents", "ratios",
        )
    )  # fmt: skip
    if not rows:
        return ItemPaths([], [], [], np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0)))
    first_years = {row[6] for row in rows}
    cents = np.frombuffer(b"".join(row[7] for row in rows), dtype=ProjectionItem.CENTS_DTYPE)
    ratios = np.frombuffer(b"".join(row[8] for row in rows), dtype=ProjectionItem.RATIO_DTYPE)
    n_years = len(rows[0][7]) // ProjectionItem.CENTS_DTYPE.itemsize
    if len(first_years) != 1 or cents.size != len(rows) * n_years or ratios.size != cents.size:
        raise ValueError(f"stored projection of scenario {scenario.pk} has items of different years")
    first = first_years.pop()
    return ItemPaths(
        years=list(range(first, first + n_years)),
        items=[row[:5] for row in rows],
        drivers=[row[5] for row in rows],
        cents=cents.reshape(len(rows), n_years).astype(np.int64),
        ratios=ratios.reshape(len(rows), n_years).astype(np.float64),
    )


@dataclass(frozen=True)
class ResultRow:
    """One stored result: an item's projected amount (exact, EUR) and demographic ratio in one year."""

    year: int
    area: str
    product_group: str
    product_code: str
    account_group: str
    direction: str
    amount: Decimal
    demographic_ratio: float
    driver: str


def scenario_item_rows(
    scenario: Scenario, years: Sequence[int] | None = None, **filters: Any
) -> list[ResultRow]:
    """Stored results per item and year (exports, single values), ordered by item then year; ``years``
    and item ``filters`` (``product_code``, ``direction``, ...) narrow them (one query)."""
    paths = scenario_item_paths(scenario, **filters)
    chosen = None if years is None else set(years)
    wanted = [t for t, y in enumerate(paths.years) if chosen is None or y in chosen]
    return [
        ResultRow(
            year=paths.years[t],
            area=item[0],
            product_group=item[1],
            product_code=item[2],
            account_group=item[3],
            direction=item[4],
            amount=_cents(paths.cents[j, t]),
            demographic_ratio=float(paths.ratios[j, t]),
            driver=paths.drivers[j],
        )
        for j, item in enumerate(paths.items)
        for t in wanted
    ]


def scenario_result_count(scenario: Scenario) -> int:
    """Number of stored results (items x years) of a scenario (one query)."""
    return scenario_item_paths(scenario).cents.size


def scenario_measure_effects(scenario: Scenario) -> dict[int, Decimal]:
    """The included measures' effect on the annual result per year (EUR; + relieves), from the stored
    items with driver ``massnahme``: the status quo is the stored balance minus this. One query."""
    paths = scenario_item_paths(scenario, driver=MEASURE_DRIVER)
    if not paths.items:
        return {}
    keys, sums = paths.group_sums(lambda item, _driver: item[4])
    effect = sum(sums[k] if key == REVENUE else -sums[k] for k, key in enumerate(keys))
    return {year: _cents(effect[t]) for t, year in enumerate(paths.years)}


def scenario_group_paths(
    scenario: Scenario, *, exclude_measures: bool = False
) -> tuple[list[int], list[tuple[str, str]], np.ndarray]:
    """Projected amounts per NKF account group and year (one query).

    Returns ``years`` (base year first), ``groups`` as (account group code, "revenue" | "expense"),
    sorted by code then kind, and ``amounts`` float64 [G, T] in nominal EUR, positive in the group's
    direction (an expense of 100 is +100). Revenue minus expense summed over groups is the annual result
    of ``scenario_annual_results``. Empty lists and a (0, 0) array when nothing is computed.
    ``exclude_measures``: the status quo's groups (without the items of included measures).
    """
    paths = scenario_item_paths(scenario)
    if exclude_measures and paths.items:
        keep = [j for j, d in enumerate(paths.drivers) if d != MEASURE_DRIVER]
        paths = ItemPaths(
            paths.years,
            [paths.items[j] for j in keep],
            [paths.drivers[j] for j in keep],
            paths.cents[keep],
            paths.ratios[keep],
        )
    if not paths.items:
        return [], [], np.zeros((0, 0))
    groups, sums = paths.group_sums(lambda item, _driver: (item[3], item[4]))
    # exact cents, rounded to a float once (as float(Decimal sum) did)
    amounts = np.array([[int(c) / 100 for c in row] for row in sums], dtype=np.float64)
    return paths.years, groups, amounts


def projection_years(scenario: Scenario) -> list[ProjectionYear]:
    return list(ProjectionYear.objects.filter(scenario=scenario).order_by("year"))


def scenario_area_paths(scenario: Scenario) -> dict[tuple[str, str], dict[int, Decimal]]:
    """(product area, direction) -> {year: amount} (one query)."""
    paths = scenario_item_paths(scenario)
    keys, sums = paths.group_sums(lambda item, _driver: (item[0], item[4]))
    years = paths.years
    return {key: {year: _cents(sums[k, t]) for t, year in enumerate(years)} for k, key in enumerate(keys)}


@dataclass(frozen=True)
class DriverRow:
    """One line of the "why does this grow?" table: a product area's items of one account group,
    direction and driver, with base and final amount, the driver's ratio and the growth split."""

    area: str
    account_group: str
    direction: str
    driver: str
    base: Decimal
    final: Decimal
    ratio: float

    @property
    def change_percent(self) -> float | None:
        return None if not self.base else float((self.final - self.base) / self.base * 100)


def scenario_drivers(scenario: Scenario) -> list[DriverRow]:
    """Base-year and last-year amounts per area, account group, direction and driver, with the mean
    demographic ratio of the group's items in the last year (one query)."""
    if scenario.computed_at is None:
        return []
    paths = scenario_item_paths(scenario)
    if not paths.items or not {scenario.base_year, scenario.last_year} <= set(paths.years):
        return []
    first, last = paths.column(scenario.base_year), paths.column(scenario.last_year)
    keys, sums = paths.group_sums(lambda item, driver: (item[0], item[4], item[3], driver))
    index = {key: k for k, key in enumerate(keys)}
    ratio_sum, count = np.zeros(len(keys)), np.zeros(len(keys))
    pairs = zip(paths.items, paths.drivers, strict=True)
    rows = [index[(item[0], item[4], item[3], driver)] for item, driver in pairs]
    np.add.at(ratio_sum, rows, paths.ratios[:, last])
    np.add.at(count, rows, 1)
    return [
        DriverRow(
            area=area,
            account_group=account_group,
            direction=direction,
            driver=driver,
            base=_cents(sums[k, first]),
            final=_cents(sums[k, last]),
            ratio=float(ratio_sum[k] / count[k]),
        )
        for k, (area, direction, account_group, driver) in enumerate(keys)
    ]


def scenarios_comparison(scenarios: Sequence[Scenario]) -> dict[str, Any]:
    """Years, balances and totals of several scenarios side by side and each one's difference to the
    first (one query for all).

    Returns {"years": [...], "rows": [{"scenario", "values": {year: ProjectionYear}, "delta": {year:
    Decimal}}]}.
    """
    ids = [s.pk for s in scenarios]
    by_scenario: dict[int, dict[int, ProjectionYear]] = defaultdict(dict)
    for row in ProjectionYear.objects.filter(scenario_id__in=ids).order_by("year"):
        by_scenario[row.scenario_id][row.year] = row
    years = sorted({y for values in by_scenario.values() for y in values})
    reference = by_scenario.get(ids[0], {}) if ids else {}
    rows = []
    for scenario in scenarios:
        values = by_scenario.get(scenario.pk, {})
        delta = {y: values[y].balance - reference[y].balance for y in years if y in values and y in reference}
        rows.append({"scenario": scenario, "values": values, "delta": delta})
    return {"years": years, "rows": rows}


def latest_projection_summary(municipality: Municipality) -> dict[str, Any] | None:
    """For the overview panel: the most recently computed scenario and its last projected year (2 queries)."""
    scenario = (
        Scenario.objects.filter(municipality=municipality).computed().order_by("-computed_at", "-pk").first()
    )
    if scenario is None:
        return None
    last = ProjectionYear.objects.filter(scenario=scenario).order_by("-year").first()
    return {"scenario": scenario, "last": last}


# -- assignments ---------------------------------------------------------------------------------------
def age_profiles_of(municipality: Municipality) -> QuerySet[AgeProfile]:
    return AgeProfile.objects.filter(municipality=municipality).order_by("level", "code")


def task_types_of(municipality: Municipality) -> QuerySet[TaskTypeAssignment]:
    return TaskTypeAssignment.objects.filter(municipality=municipality).order_by("level", "code")


def last_computed_year(municipality: Municipality) -> int | None:
    return ProjectionYear.objects.filter(scenario__municipality=municipality).aggregate(y=Max("year"))["y"]


def _money(value: Decimal | None) -> str:
    return f"{(value or ZERO):.2f}"


def scenario_results_json(scenario: Scenario, *, with_areas: bool = True) -> dict[str, Any]:
    """The documented JSON of a computed scenario (CLI ``run_projection --json``, API): per year the
    projected revenue, expense and balance (nominal EUR as strings), and per product area (two queries)."""
    years = projection_years(scenario)
    data: dict[str, Any] = {
        "municipality": scenario.municipality.slug,
        "scenario": scenario.name,
        "scenario_id": scenario.pk,
        "base_year": scenario.base_year,
        "horizon": scenario.horizon,
        "computed_at": scenario.computed_at.isoformat() if scenario.computed_at else None,
        "years": [
            {
                "year": row.year,
                "population": round(row.population, 1),
                "price_index": round(row.price_index, 6),
                "revenue": _money(row.revenue),
                "expense": _money(row.expense),
                "balance": _money(row.balance),
            }
            for row in years
        ],
    }
    if with_areas:
        paths = scenario_area_paths(scenario)
        areas = sorted({area for area, _direction in paths})
        land = scenario.municipality.land
        data["by_area"] = [
            {
                "area": area,
                "name": product_area_name(area, land) or "",
                "years": [
                    {
                        "year": row.year,
                        "revenue": _money(paths.get((area, REVENUE), {}).get(row.year)),
                        "expense": _money(paths.get((area, EXPENSE), {}).get(row.year)),
                        "balance": _money(
                            (paths.get((area, REVENUE), {}).get(row.year) or ZERO)
                            - (paths.get((area, EXPENSE), {}).get(row.year) or ZERO)
                        ),
                    }
                    for row in years
                ],
            }
            for area in areas
        ]
    return data


# -- room to act (seed, Tabelle 1) ----------------------------------------------------------------------
def task_type_of(
    area: str, group: str, product: str, assigned: dict[tuple[str, str], str]
) -> tuple[str | None, str]:
    """Task type of a product: the municipality's assignment (product > product group > area), else the
    engine's NRW default; returns (task type or None, "assigned" | "default" | "unknown")."""
    from planning.engine.task_types import default_task_type

    for level, code in (("product", product), ("product_group", group), ("area", area)):
        if code and (level, code) in assigned:
            return assigned[(level, code)], "assigned"
    try:
        group_number = group.split(".")[-1] if group else None
        return default_task_type(area, group_number)[0].value, "default"
    except (KeyError, ValueError):
        return None, "unknown"


def room_to_act(municipality: Municipality, scenario: Scenario | None) -> dict[str, Any]:
    """Expenses of today (the scenario's base year) and of the last projected year per task type and
    per product, with the latitude of each type (two queries: amounts and assignments).

    Without a computed scenario, "today" is the latest plan year of the newest budget version and
    there is no projected column.
    """
    first = last = None
    if scenario is not None and scenario.computed_at is not None:
        first, last = scenario.base_year, scenario.last_year
        paths = scenario_item_paths(scenario, direction=EXPENSE)
        keys, sums = paths.group_sums(lambda item, _driver: item[:3])
        t_first, t_last = (paths.column(first), paths.column(last)) if keys else (0, 0)
        rows = [
            {
                "area": area,
                "product_group": group,
                "product_code": product,
                "today": _cents(sums[k, t_first]),
                "projected": _cents(sums[k, t_last]),
            }
            for k, (area, group, product) in enumerate(keys)
        ]
    else:
        version = finance_selectors.current_budget_version(municipality)
        year = finance_selectors.latest_year(version, phase="plan")
        first = year
        rows = (
            finance_selectors.product_sums(version, year=year, phase="plan", direction=EXPENSE)
            if version and year
            else []
        )
    assigned = {(a.level, a.code): a.task_type for a in task_types_of(municipality)}
    products = []
    totals: dict[str | None, dict[str, Decimal]] = defaultdict(lambda: {"today": ZERO, "projected": ZERO})
    for row in rows:
        task_type, source = task_type_of(row["area"], row["product_group"], row["product_code"], assigned)
        today, projected = row["today"] or ZERO, row.get("projected") or ZERO
        totals[task_type]["today"] += today
        totals[task_type]["projected"] += projected
        products.append(
            {**row, "today": today, "projected": projected, "task_type": task_type, "source": source}
        )
    return {"first": first, "last": last, "products": products, "totals": dict(totals)}
