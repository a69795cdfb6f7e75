"""Read queries for population, scenarios, projection results and the room to act.

Every aggregation runs in the database (``values().annotate(Sum(...))``) and the number of queries of
a page does not depend on the number of items, years or age groups.

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
from django.db.models import Count, Max, Q, QuerySet, Sum

from core.models import Municipality
from finance import selectors as finance_selectors
from finance.vocabulary import product_area_name
from planning.models import (
    AgeProfile,
    ProjectionResult,
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
        rows = (
            ProjectionResult.objects.filter(scenario=scenario, direction=EXPENSE, year__in=[first, last])
            .values("area", "product_group", "product_code")
            .annotate(today=Sum("amount", filter=Q(year=first)), projected=Sum("amount", filter=Q(year=last)))
            .order_by("area", "product_group", "product_code")
        )
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
