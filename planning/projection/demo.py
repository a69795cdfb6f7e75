"""Demo data of the projections for Musterstadt: population 2015-2024 (synthetic, about 61,000 people in
the 20 GENESIS age groups), births/deaths/migration, a cohort projection (low / main / high) and two
computed scenarios ("Basis" and "Hohe Inflation") on the finance demo budget's newest version.

Idempotent (registered with order 60, after finance's demo budget): unchanged data are left alone, a
scenario is recomputed only when it is missing, not computed or its budget version changed. Without a
budget (finance demo missing) the scenarios are skipped and the log says why.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import numpy as np

from core.models import Municipality
from planning.engine.population import (
    PopulationTable,
)
from planning.models import PopulationSeries, Scenario
from planning.population.selectors import actual_series, population_table
from planning.population.services import (
    GENESIS_BANDS,
    ProjectionSettings,
    population_project,
    population_store,
)
from planning.projection.services import ProjectionError, default_base_year, projection_run, scenario_create

logger = logging.getLogger(__name__)

DEMO_YEARS = tuple(range(2015, 2025))
#: Persons per single year of age in 2024 at ages 0, 10, ..., 100 (a German-like pyramid: baby boomers
#: around 60, few children), interpolated in between; scaled to 61,240 inhabitants.
_SHAPE_NODES = {
    0: 520,
    10: 560,
    20: 640,
    30: 760,
    40: 720,
    50: 800,
    60: 990,
    70: 720,
    80: 520,
    90: 140,
    100: 4,
}
DEMO_TOTAL_2024 = 61_240
#: Synthetic movements per year: births, deaths, Zuzüge, Fortzüge.
DEMO_MOVEMENTS = {
    year: (560 - 4 * i, 690 + 6 * i, 3150 + 20 * i, 3020 + 15 * i) for i, year in enumerate(DEMO_YEARS)
}
SCENARIOS = {
    "Basis": {
        "description": "Status quo mit den dokumentierten Vorgaben (2 % Preise, 3 % Löhne, 3 % Steuern)."
    },
    "Hohe Inflation": {
        "description": "Preise 4 %, Löhne 5 % jährlich; Steuern wachsen nur um 3 %.",
        "inflation": Decimal("0.04"),
        "wage_growth": Decimal("0.05"),
        "revenue_growth": {"40": 0.03},
    },
}


def demo_population() -> PopulationTable:
    """Ten years of population in the 20 GENESIS age groups, whole persons (deterministic)."""
    ages = np.arange(101)
    nodes = np.array(sorted(_SHAPE_NODES))
    single = np.interp(ages, nodes, [_SHAPE_NODES[int(a)] for a in nodes])
    single[-1] = 0  # nobody in the open class 100+ separately
    rows = []
    for i in range(len(DEMO_YEARS)):
        back = len(DEMO_YEARS) - 1 - i
        # earlier years: the cohorts i years younger, slightly fewer old people, total grows ~0.15 % a year
        shifted = np.concatenate([single[back:], np.repeat(single[-2], back)]) if back else single
        scale = DEMO_TOTAL_2024 * (1 - 0.0015 * back) / shifted.sum()
        counts = []
        for band in GENESIS_BANDS:
            hi = 101 if band.hi is None else band.hi
            counts.append(shifted[band.lo : hi].sum() * scale)
        whole = np.floor(counts)
        short = round(sum(counts)) - int(whole.sum())
        whole[np.argsort(-(np.array(counts) - whole))[:short]] += 1
        rows.append(whole)
    return PopulationTable(DEMO_YEARS, GENESIS_BANDS, np.array(rows))


def _movements(municipality: Municipality) -> None:
    from planning.models import PopulationMovement

    for year, (births, deaths, moved_in, moved_out) in DEMO_MOVEMENTS.items():
        PopulationMovement.objects.update_or_create(
            municipality=municipality,
            year=year,
            defaults={
                "births": births,
                "deaths": deaths,
                "in_migration": moved_in,
                "out_migration": moved_out,
                "source_name": "Demodaten",
            },
        )


def load_projection_demo(municipality: Municipality) -> None:
    """Population, movements, cohort projection and two computed scenarios for the demo municipality."""
    population_store(
        municipality=municipality, table=demo_population(), source_name="Demodaten (synthetisch)"
    )
    _movements(municipality)
    actual = actual_series(municipality)
    table = population_table(actual) if actual else None
    main = PopulationSeries.objects.filter(
        municipality=municipality, kind=PopulationSeries.Kind.COHORT, variant="main"
    ).first()
    if table is not None and (main is None or main.base_year != table.years[-1]):
        population_project(municipality=municipality, settings=ProjectionSettings(horizon=30))
        main = PopulationSeries.objects.get(
            municipality=municipality, kind=PopulationSeries.Kind.COHORT, variant="main"
        )
    _scenarios(municipality, main)


def _scenarios(municipality: Municipality, population: PopulationSeries | None) -> None:
    from finance.selectors import versions_by_import

    version = versions_by_import(municipality).first()
    if version is None or population is None:
        logger.info("projection demo: no budget version or population yet, scenarios skipped")
        return
    base_year = default_base_year(version)
    if base_year is None:
        logger.info("projection demo: the budget version has no Ergebnisplan, scenarios skipped")
        return
    horizon = max(1, min(15, population.base_year + 30 - base_year))
    for name, values in SCENARIOS.items():
        scenario = Scenario.objects.filter(municipality=municipality, name=name).first()
        if scenario is None:
            scenario = scenario_create(
                municipality=municipality,
                name=name,
                budget_version=version,
                base_year=base_year,
                population=population,
                horizon=horizon,
                **values,
            )
        elif scenario.budget_version_id != version.pk or scenario.population_id != population.pk:
            Scenario.objects.filter(pk=scenario.pk).update(
                budget_version=version,
                population=population,
                base_year=base_year,
                horizon=horizon,
                computed_at=None,
            )
            scenario.refresh_from_db()
        if scenario.computed_at is None:
            try:
                projection_run(scenario=scenario)
            except ProjectionError as exc:
                logger.warning("projection demo: scenario %s not computed: %s", name, exc)
