"""Read queries for population, scenarios, projection results and the room to act.

Every aggregation runs in the database (``values().annotate(Sum(...))``) and the number of queries of
a page does not depend on the number of items, years or age groups.

For the resilience checks: ``scenario_annual_results`` (annual result per year) and
``scenario_group_paths`` (projected amounts per NKF account group and year).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count, Max, Q, QuerySet, Sum

from core.models import Municipality
from planning.engine.population import AgeBand, PopulationTable, reband
from planning.models import (
    AgeProfile,
    PopulationCount,
    PopulationMovement,
    PopulationSeries,
    ProjectionResult,
    ProjectionYear,
    Scenario,
    TaskTypeAssignment,
)

ZERO = Decimal("0.00")
REVENUE, EXPENSE = "revenue", "expense"


# -- population -----------------------------------------------------------------------------------------
def population_series_of(municipality: Municipality) -> QuerySet[PopulationSeries]:
    return PopulationSeries.objects.for_municipality(municipality).order_by("kind", "variant")


def actual_series(municipality: Municipality) -> PopulationSeries | None:
    return PopulationSeries.objects.filter(
        municipality=municipality, kind=PopulationSeries.Kind.ACTUAL, variant=""
    ).first()


def _table_from_rows(rows: Iterable[tuple[int, int, int | None, float]]) -> PopulationTable | None:
    """(year, age_lo, age_hi, count) rows -> table; years banded differently are re-banded to the finest
    banding present (most age groups; the latest year among equals), uniform within bands, so sources
    with other age groups still line up."""
    by_year: dict[int, dict[AgeBand, float]] = defaultdict(dict)
    for year, lo, hi, count in rows:
        by_year[year][AgeBand(lo, hi)] = count
    if not by_year:
        return None
    years = sorted(by_year)
    finest = max(reversed(years), key=lambda y: len(by_year[y]))
    bands = tuple(sorted(by_year[finest]))
    counts = []
    for year in years:
        cells = by_year[year]
        own = tuple(sorted(cells))
        values = np.array([cells[b] for b in own])
        counts.append(values if own == bands else reband(values, own, bands))
    return PopulationTable(tuple(years), bands, np.array(counts))


def population_table(series: PopulationSeries) -> PopulationTable | None:
    """The series as an engine table (one query); None when it holds no counts."""
    rows = PopulationCount.objects.filter(series=series).values_list("year", "age_lo", "age_hi", "count")
    return _table_from_rows(rows)


def population_tables(series_ids: Sequence[int]) -> dict[int, PopulationTable]:
    """Tables of many series in one query (for the batch projection)."""
    grouped: dict[int, list[tuple[int, int, int | None, float]]] = defaultdict(list)
    rows = PopulationCount.objects.filter(series_id__in=list(series_ids)).values_list(
        "series_id", "year", "age_lo", "age_hi", "count"
    )
    for series_id, *row in rows.iterator(chunk_size=20_000):
        grouped[series_id].append(tuple(row))  # type: ignore[arg-type]
    return {sid: table for sid, rows_ in grouped.items() if (table := _table_from_rows(rows_)) is not None}


def population_totals(series: PopulationSeries) -> dict[int, float]:
    """Total persons per year (one query)."""
    rows = (
        PopulationCount.objects.filter(series=series)
        .values("year")
        .annotate(total=Sum("count"))
        .order_by("year")
    )
    return {row["year"]: row["total"] for row in rows}


def population_overview(municipality: Municipality) -> list[dict[str, Any]]:
    """Every series with its years and totals per year (two queries)."""
    series = list(population_series_of(municipality))
    totals: dict[int, dict[int, float]] = defaultdict(dict)
    rows = (
        PopulationCount.objects.filter(series__municipality=municipality)
        .values("series_id", "year")
        .annotate(total=Sum("count"))
        .order_by("series_id", "year")
    )
    for row in rows:
        totals[row["series_id"]][row["year"]] = row["total"]
    result = []
    for s in series:
        values = totals.get(s.pk, {})
        years = sorted(values)
        result.append(
            {
                "series": s,
                "totals": values,
                "first": years[0] if years else None,
                "last": years[-1] if years else None,
                "last_total": values[years[-1]] if years else None,
            }
        )
    return result


def movements_of(municipality: Municipality) -> QuerySet[PopulationMovement]:
    return PopulationMovement.objects.filter(municipality=municipality).order_by("year")


def combined_population(
    projection: PopulationTable, actual: PopulationTable | None, years: Sequence[int]
) -> tuple[tuple[AgeBand, ...], np.ndarray]:
    """Population (A, len(years)) on the projection's bands: actual counts where the projection does not
    reach back (a budget base year before the projection's base year), projected counts otherwise.

    Raises ValueError naming the missing years.
    """
    bands = projection.bands
    columns: list[np.ndarray] = []
    missing: list[int] = []
    for year in years:
        if year in projection.years:
            columns.append(projection.for_year(year))
        elif actual is not None and year in actual.years:
            columns.append(reband(actual.for_year(year), actual.bands, bands))
        else:
            missing.append(year)
    if missing:
        raise ValueError(", ".join(str(y) for y in missing))
    return bands, np.column_stack(columns)


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


def scenario_group_paths(scenario: Scenario) -> tuple[list[int], list[tuple[str, str]], np.ndarray]:
    """Projected amounts per NKF account group and year (one query).

    Returns ``years`` (base year first), ``groups`` as (account group code, "revenue" | "expense"),
    sorted by code then kind, and ``amounts`` float64 [G, T] in nominal EUR, positive in the group's
    direction (an expense of 100 is +100). Revenue minus expense summed over groups is the annual result
    of ``scenario_annual_results``. Empty lists and a (0, 0) array when nothing is computed.
    """
    rows = list(
        ProjectionResult.objects.filter(scenario=scenario)
        .values("account_group", "direction", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    if not rows:
        return [], [], np.zeros((0, 0))
    years = sorted({row["year"] for row in rows})
    groups = sorted({(row["account_group"], row["direction"]) for row in rows})
    g_index = {g: i for i, g in enumerate(groups)}
    t_index = {y: i for i, y in enumerate(years)}
    amounts = np.zeros((len(groups), len(years)))
    for row in rows:
        amounts[g_index[(row["account_group"], row["direction"])], t_index[row["year"]]] = float(row["total"])
    return years, groups, amounts


def projection_years(scenario: Scenario) -> list[ProjectionYear]:
    return list(ProjectionYear.objects.filter(scenario=scenario).order_by("year"))


def scenario_area_paths(scenario: Scenario) -> dict[tuple[str, str], dict[int, Decimal]]:
    """(product area, direction) -> {year: amount} (one query)."""
    paths: dict[tuple[str, str], dict[int, Decimal]] = defaultdict(dict)
    rows = (
        ProjectionResult.objects.filter(scenario=scenario)
        .values("area", "direction", "year")
        .annotate(total=Sum("amount"))
        .order_by("area", "direction", "year")
    )
    for row in rows:
        paths[(row["area"], row["direction"])][row["year"]] = row["total"]
    return dict(paths)


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
    """Base-year and last-year amounts per area, account group, direction and driver, with the
    amount-weighted demographic ratio of the last year (one query)."""
    if scenario.computed_at is None:
        return []
    first, last = scenario.base_year, scenario.last_year
    rows = (
        ProjectionResult.objects.filter(scenario=scenario, year__in=[first, last])
        .values("area", "account_group", "direction", "driver")
        .annotate(
            base=Sum("amount", filter=Q(year=first)),
            final=Sum("amount", filter=Q(year=last)),
            ratio_x=Sum("demographic_ratio", filter=Q(year=last)),
            n=Count("id", filter=Q(year=last)),
        )
        .order_by("area", "direction", "account_group", "driver")
    )
    return [
        DriverRow(
            area=row["area"],
            account_group=row["account_group"],
            direction=row["direction"],
            driver=row["driver"],
            base=row["base"] or ZERO,
            final=row["final"] or ZERO,
            ratio=(row["ratio_x"] or 0.0) / (row["n"] or 1),
        )
        for row in rows
    ]


def scenario_item_rows(scenario: Scenario, years: Sequence[int] | None = None) -> QuerySet:
    """Stored result rows (for exports), ordered by item then year."""
    query = ProjectionResult.objects.filter(scenario=scenario)
    if years is not None:
        query = query.filter(year__in=list(years))
    return query.order_by("area", "product_code", "account_group", "direction", "year")


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
    from finance.importing.reference import product_area_name

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
    from finance import selectors as finance_selectors
    from finance.models import BudgetRollup

    first = last = None
    if scenario is not None and scenario.computed_at is not None:
        first, last = scenario.base_year, scenario.last_year
        rows = (
            ProjectionResult.objects.filter(scenario=scenario, direction=EXPENSE, year__in=[first, last])
            .values("area", "product_group", "product_code")
            .annotate(today=Sum("amount", filter=Q(year=first)), projected=Sum("amount", filter=Q(year=last)))
            .order_by("area", "product_group", "product_code")
        )
    else:
        version = finance_selectors.current_budget_version(municipality)
        year = (
            BudgetRollup.objects.filter(version=version, statement="results", phase="plan").aggregate(
                y=Max("year")
            )["y"]
            if version
            else None
        )
        first = year
        rows = (
            BudgetRollup.objects.filter(
                version=version, statement="results", phase="plan", year=year, direction=EXPENSE
            )
            .values("area", "product_group", "product_code")
            .annotate(today=Sum("amount"))
            .order_by("area", "product_group", "product_code")
            if year
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
