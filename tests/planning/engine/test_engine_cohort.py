"""Cohort-component projection: defaults, accounting identities, calibration on Reilingen, variants."""

import numpy as np
import pytest

from planning.engine.cohort import (
    DEFAULT_TFR,
    MAX_HORIZON,
    N_AGES,
    VARIANTS,
    CohortAssumptions,
    default_assumptions,
    default_fertility,
    default_mortality,
    estimate_assumptions,
    expand_base_population,
    life_table_person_years,
    population_at,
    project_cohort,
    project_population_table,
    project_variants,
)
from planning.engine.population import (
    as_bands,
)
from planning.engine.population_files import (
    parse_genesis_migration_by_age,
    parse_genesis_population,
    parse_genesis_vital_statistics,
)
from tests.planning import real_file


def test_default_life_table_is_plausible_for_germany():
    q = default_mortality()
    assert q.shape == (N_AGES,)
    assert np.all(np.diff(q[10:]) > 0)  # mortality rises with age after childhood
    life_expectancy = life_table_person_years(q).sum()  # e0 = sum of L(x) for a radix of 1
    assert 79.5 < life_expectancy < 81.5  # Germany early 2020s: about 78 (men) and 83 (women)


def test_default_fertility_sums_to_tfr_within_fertile_ages():
    f = default_fertility()
    assert f.sum() == pytest.approx(DEFAULT_TFR)
    assert f[:15].sum() == 0 and f[50:].sum() == 0
    assert 29 <= int(np.argmax(f)) <= 33


def test_pure_ageing_without_births_deaths_or_migration():
    # Given nobody dies, nobody is born, nobody moves
    a = CohortAssumptions(np.zeros(N_AGES), np.zeros(N_AGES), np.zeros(N_AGES))
    base = np.arange(N_AGES, dtype=float)
    result = project_cohort(base, a, horizon=3, base_year=2024)
    # Then every cohort moves up one year of age per year, the open class 100+ collects
    np.testing.assert_array_equal(result.population[3:100, 3], base[:97])
    np.testing.assert_array_equal(result.population[:3, 3], 0.0)
    assert result.population[100, 3] == base[97:].sum()
    assert result.years == (2024, 2025, 2026, 2027)


def test_balancing_equation_holds_every_year():
    rng = np.random.default_rng(0)
    base = rng.uniform(50, 150, N_AGES)
    a = default_assumptions()
    a = CohortAssumptions(a.mortality, a.fertility, rng.normal(0, 3, N_AGES))
    result = project_cohort(base, a, horizon=10)
    totals = result.totals()
    np.testing.assert_allclose(
        np.diff(totals), result.births - result.deaths + result.net_migration, rtol=1e-12, atol=1e-9
    )


def test_negative_migration_never_makes_negative_people():
    a = default_assumptions()
    a = CohortAssumptions(a.mortality, a.fertility, np.full(N_AGES, -50.0))
    result = project_cohort(np.full(N_AGES, 10.0), a, horizon=5)
    assert result.population.min() == 0.0
    assert np.all(result.net_migration > -50.0 * N_AGES)  # clipped: reports what was applied


def test_batch_equals_single_runs():
    rng = np.random.default_rng(1)
    bases = rng.uniform(0, 100, (3, N_AGES))
    batch = project_cohort(bases, horizon=8)
    for i in range(3):
        single = project_cohort(bases[i], horizon=8)
        np.testing.assert_allclose(batch.population[i], single.population, rtol=1e-14)


def test_horizon_is_limited():
    with pytest.raises(ValueError, match="horizon"):
        project_cohort(np.ones(N_AGES), horizon=MAX_HORIZON + 1)


def test_by_bands_preserves_totals():
    result = project_cohort(np.full(N_AGES, 10.0), horizon=5)
    bands = as_bands(["0-5", "6-17", "18-64", "65+"])
    np.testing.assert_allclose(result.by_bands(bands).sum(axis=0), result.totals())
    assert list(result.to_frame(bands).columns) == ["0-5", "6-17", "18-64", "65+"]


@pytest.fixture
def reilingen():
    population = parse_genesis_population(real_file("reilingen_demo_20_y_brackets.csv"))
    vital = parse_genesis_vital_statistics(real_file("reilingen_birth_death.csv"))
    zuzuege = parse_genesis_migration_by_age(real_file("reilingen_zuzuege.csv"))
    fortzuege = parse_genesis_migration_by_age(real_file("reilingen_fortzuege.csv"))
    assert population.ok and vital.ok and zuzuege.ok and fortzuege.ok
    return population.data, vital.data, zuzuege.data, fortzuege.data


def test_calibration_reproduces_observed_births_and_deaths(reilingen):
    table, vital, zuzuege, fortzuege = reilingen
    assumptions, report = estimate_assumptions(
        table, vital, migration_in=zuzuege, migration_out=fortzuege, last_years=5
    )
    assert report.years == (2020, 2021, 2022, 2023, 2024)
    assert report.observed_births == pytest.approx(np.mean([80, 72, 82, 71, 71]))
    assert report.fertility_factor * report.modelled_births == pytest.approx(report.observed_births)
    assert report.mortality_factor * report.modelled_deaths == pytest.approx(report.observed_deaths)
    assert 0.7 < report.fertility_factor < 1.6 and 0.7 < report.mortality_factor < 1.3
    # net migration by age = mean(Zuzüge - Fortzüge) 2020-2024 = (138 + 258 + 68 + 214 + 103) / 5
    assert assumptions.net_migration.sum() == pytest.approx(156.2)
    assert report.migration_by_age


def test_reilingen_first_projected_year_matches_the_calibrated_flows(reilingen):
    table, vital, zuzuege, fortzuege = reilingen
    assumptions, report = estimate_assumptions(table, vital, migration_in=zuzuege, migration_out=fortzuege)
    result = project_population_table(table, assumptions, horizon=10)
    assert result.base_year == 2024
    assert result.totals()[0] == pytest.approx(8404)
    assert result.births[0] == pytest.approx(report.observed_births, rel=0.1)
    assert result.deaths[0] == pytest.approx(report.observed_deaths, rel=0.25)
    assert result.net_migration[0] == pytest.approx(156.2)


def test_variants_are_ordered(reilingen):
    table, vital, *_ = reilingen
    assumptions, _ = estimate_assumptions(table, vital)
    base = expand_base_population(table.for_year(2024), table.bands, assumptions.mortality)
    results = project_variants(base, assumptions, horizon=20, base_year=2024)
    assert set(results) == set(VARIANTS)
    end = {name: r.totals()[-1] for name, r in results.items()}
    assert end["low"] < end["main"] < end["high"]


def test_population_between_reference_dates_is_interpolated(reilingen):
    table, *_ = reilingen
    mid = population_at(table, 2018)
    np.testing.assert_allclose(
        mid, table.for_year(2015) + 0.6 * (table.for_year(2020) - table.for_year(2015))
    )
