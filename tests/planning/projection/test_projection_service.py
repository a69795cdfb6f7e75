"""The status-quo projection service: a hand-checked case to the cent, idempotent re-runs, the batch,
the selectors the resilience checks use, and query counts that do not grow with the data."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planning.models import ProjectionYear, Scenario
from planning.projection.selectors import (
    scenario_annual_results,
    scenario_drivers,
    scenario_group_paths,
    scenario_item_rows,
    scenario_results_json,
)
from planning.projection.services import (
    ProjectionError,
    ScenarioConflict,
    age_profile_set,
    projection_batch,
    projection_run,
    scenario_create,
    scenario_update,
)
from tests.factories import MunicipalityFactory
from tests.planning.factories import budget_version, population_variant, synthetic_budget_lines
from tests.planning.projection.stored import result_count

pytestmark = pytest.mark.django_db

YEARS = [2024, 2025, 2026, 2027, 2028]
# bands 0-5, 6-17, 18-64, 65+ (rows: years)
COUNTS = [
    [100, 200, 600, 100],
    [90, 200, 600, 110],
    [80, 210, 600, 120],
    [70, 220, 600, 130],
    [60, 230, 600, 140],
]
HAND_LINES = [
    ("060101", "5311", 2024, "plan", "100000.00"),  # Kita transfers: target group kita, persistence 25 %
    ("050201", "5012", 2024, "plan", "40000.00"),  # personnel for older people: senioren, wages 3 %
    ("160101", "4011", 2024, "plan", "200000.00"),  # taxes: default of area 16 (18-64), +3 % a year
    ("160101", "4011", 2023, "actual", "190000.00"),  # another year and phase: not the base
]
# Worked by hand (docs/projection-method.md):
#  kita:     ratio 0.9, 0.8, 0.7, 0.6 -> eff = 0.25 + 0.75 ratio = 0.925, 0.85, 0.775, 0.7; x 1.02^t
#  senioren: ratio 1.1, 1.2, 1.3, 1.4 (growing: no persistence); x 1.03^t (wages)
#  taxes:    ratio 1 (600 people of 18-64 every year); x 1.03^t
EXPECTED = {
    ("060101", "53"): ["100000.00", "94350.00", "88434.00", "82243.62", "75770.25"],
    ("050201", "50"): ["40000.00", "45320.00", "50923.20", "56821.80", "63028.49"],
    ("160101", "40"): ["200000.00", "206000.00", "212180.00", "218545.40", "225101.76"],
}


@pytest.fixture
def hand_scenario(municipality) -> Scenario:
    version = budget_version(municipality, HAND_LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    age_profile_set(
        municipality=municipality,
        level="product",
        code="060101",
        target_group="kita",
        persistence=Decimal("0.25"),
    )
    age_profile_set(municipality=municipality, level="product_group", code="05.02", target_group="senioren")
    return scenario_create(
        municipality=municipality, name="Hand", budget_version=version, population=series, horizon=4
    )


def _stored(scenario: Scenario) -> dict[tuple[str, str], list[Decimal]]:
    result: dict[tuple[str, str], list[Decimal]] = {}
    for row in scenario_item_rows(scenario):  # per item, ordered by year
        result.setdefault((row.product_code, row.account_group), []).append(row.amount)
    return result


def test_hand_checked_case_matches_stored_results_to_the_cent(hand_scenario):
    # Given 3 items, 4 age groups and 5 years, with the base year taken from the budget's first plan year
    assert hand_scenario.base_year == 2024
    # When the service computes the scenario
    scenario = projection_run(scenario=hand_scenario)
    # Then every stored amount equals the hand calculation to the cent
    assert _stored(scenario) == {k: [Decimal(v) for v in values] for k, values in EXPECTED.items()}
    # and the yearly totals add up the stored cents
    years = {y.year: y for y in ProjectionYear.objects.filter(scenario=scenario)}
    for t, year in enumerate(YEARS):
        revenue = Decimal(EXPECTED[("160101", "40")][t])
        expense = Decimal(EXPECTED[("060101", "53")][t]) + Decimal(EXPECTED[("050201", "50")][t])
        assert (years[year].revenue, years[year].expense, years[year].balance) == (
            revenue,
            expense,
            revenue - expense,
        )
        assert years[year].population == sum(COUNTS[t])
    assert years[2028].price_index == pytest.approx(1.02**4)


def test_drivers_explain_the_growth(hand_scenario):
    scenario = projection_run(scenario=hand_scenario)
    rows = {(r.area, r.account_group): r for r in scenario_drivers(scenario)}
    assert rows[("06", "53")].driver == "kita"
    assert rows[("06", "53")].ratio == pytest.approx(0.6)
    assert rows[("05", "50")].driver == "senioren"
    assert rows[("05", "50")].ratio == pytest.approx(1.4)
    assert rows[("16", "40")].driver == "erwerbsfaehig"  # the engine's default for area 16
    assert rows[("16", "40")].final == Decimal("225101.76")


def test_rerun_is_idempotent(hand_scenario):
    first = projection_run(scenario=hand_scenario)
    before = _stored(first), result_count(), ProjectionYear.objects.count()
    again = projection_run(scenario=first)
    assert (_stored(again), result_count(), ProjectionYear.objects.count()) == before
    assert result_count() == 3 * 5


def test_selectors_for_resilience(hand_scenario, django_assert_num_queries):
    scenario = projection_run(scenario=hand_scenario)
    with django_assert_num_queries(1):
        annual = scenario_annual_results(scenario)
    with django_assert_num_queries(1):
        years, groups, amounts = scenario_group_paths(scenario)
    assert years == YEARS
    assert groups == [("40", "revenue"), ("50", "expense"), ("53", "expense")]
    assert amounts.shape == (3, 5)
    assert amounts[0, -1] == pytest.approx(225101.76)
    signs = np.array([1.0 if kind == "revenue" else -1.0 for _code, kind in groups])
    balance = signs @ amounts
    assert [Decimal(f"{b:.2f}") for b in balance] == [annual[y] for y in years]
    assert annual[2024] == Decimal("60000.00")


def test_selectors_of_an_uncomputed_scenario_are_empty(hand_scenario):
    assert scenario_annual_results(hand_scenario) == {}
    years, groups, amounts = scenario_group_paths(hand_scenario)
    assert (years, groups, amounts.shape) == ([], [], (0, 0))


def test_query_count_does_not_grow_with_items(municipality):
    counts = []
    for n, name in ((3, "klein"), (60, "gross")):
        version = budget_version(municipality, synthetic_budget_lines(2024, n, seed=n), dataset=name)
        series = population_variant(municipality, YEARS, COUNTS, variant=name)
        scenario = scenario_create(
            municipality=municipality, name=name, budget_version=version, population=series, horizon=4
        )
        with CaptureQueriesContext(connection) as load:
            projection_run(scenario=scenario)
        with CaptureQueriesContext(connection) as read:
            scenario_results_json(scenario)
            scenario_drivers(scenario)
            scenario_group_paths(scenario)
        counts.append((len(load), len(read)))
    assert counts[0] == counts[1]


def test_missing_population_years_are_reported(municipality):
    version = budget_version(municipality, HAND_LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    scenario = scenario_create(
        municipality=municipality, name="Zu lang", budget_version=version, population=series, horizon=10
    )
    with pytest.raises(ProjectionError, match="2029"):
        projection_run(scenario=scenario)


def test_changing_settings_removes_old_results(hand_scenario):
    scenario = projection_run(scenario=hand_scenario)
    changed = scenario_update(scenario=scenario, inflation=Decimal("0.04"))
    assert changed.computed_at is None
    assert not scenario_item_rows(scenario)
    recomputed = projection_run(scenario=changed)
    assert _stored(recomputed)[("060101", "53")][1] == Decimal("96200.00")  # 100000 x 0.925 x 1.04


def test_scenario_from_another_municipality_is_refused(municipality, other_municipality):
    version = budget_version(other_municipality, HAND_LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    with pytest.raises(ProjectionError):
        scenario_create(municipality=municipality, name="X", budget_version=version, population=series)


def test_results_json_has_years_and_areas(hand_scenario):
    data = scenario_results_json(projection_run(scenario=hand_scenario))
    assert [row["year"] for row in data["years"]] == YEARS
    assert data["years"][-1]["balance"] == "86303.02"  # 225101.76 - 75770.25 - 63028.49
    areas = {a["area"]: a for a in data["by_area"]}
    assert set(areas) == {"05", "06", "16"}
    assert areas["06"]["years"][1]["expense"] == "94350.00"
    assert areas["06"]["name"]


def test_batch_computes_every_scenario_and_reports_progress(municipality):
    other = MunicipalityFactory(slug="zweite", ags="05999003")
    for m in (municipality, other):
        version = budget_version(m, HAND_LINES)
        series = population_variant(m, YEARS, COUNTS)
        scenario_create(municipality=m, name="Basis", budget_version=version, population=series, horizon=4)
    calls = []
    report = projection_batch(progress=lambda done, total, m: calls.append((done, total, m.slug)))
    assert report.scenarios == 2 and report.municipalities == 2 and not report.errors
    assert report.rows == 2 * 3 * 5
    assert [c[:2] for c in calls] == [(1, 2), (2, 2)]
    assert set(report.seconds) == {"load", "compute", "store"}
    first, second = Scenario.objects.order_by("pk")
    assert first.computed_at is not None and second.computed_at is not None
    batch = _stored(first)
    assert batch == _stored(second)  # same inputs, same results in both municipalities
    assert _stored(projection_run(scenario=first)) == batch  # the batch equals the single run


def test_odd_product_codes_survive_the_store(municipality):
    # binary COPY carries any text as is (PostgreSQL); bulk_create elsewhere
    odd = "A\\B\tC"
    version = budget_version(municipality, [(odd, "5211", 2024, "plan", "10.00"), *HAND_LINES[:1]])
    series = population_variant(municipality, YEARS, COUNTS)
    scenario = projection_run(
        scenario=scenario_create(
            municipality=municipality, name="Odd", budget_version=version, population=series, horizon=1
        )
    )
    codes = {row.product_code for row in scenario_item_rows(scenario)}
    assert codes == {odd, "060101"}


def test_an_edit_based_on_an_old_revision_is_refused_and_changes_nothing(hand_scenario):
    start = hand_scenario.revision
    first = scenario_update(scenario=hand_scenario, expected_revision=start, inflation=Decimal("0.04"))
    assert first.revision == start + 1
    with pytest.raises(ScenarioConflict) as conflict:  # the second planner loaded the same revision
        scenario_update(scenario=hand_scenario, expected_revision=start, inflation=Decimal("0.05"))
    assert conflict.value.current.revision == start + 1
    stored = Scenario.objects.get(pk=hand_scenario.pk)
    assert stored.inflation == Decimal("0.04") and stored.revision == start + 1
    # Resubmitting against the revision the conflict reported applies it knowingly.
    again = scenario_update(scenario=hand_scenario, expected_revision=start + 1, inflation=Decimal("0.05"))
    assert again.inflation == Decimal("0.05") and again.revision == start + 2


def test_saving_without_changes_keeps_the_revision(hand_scenario):
    same = scenario_update(
        scenario=hand_scenario, expected_revision=hand_scenario.revision, name=hand_scenario.name
    )
    assert same.revision == hand_scenario.revision
