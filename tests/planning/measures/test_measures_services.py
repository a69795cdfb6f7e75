"""Measures through the database: concurrency, effects in the projection (exactly summed), resilience
status quo versus with measures, indicators and the overview flags, the goals table."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from planning.engine.measures import Light
from planning.measures import selectors, services
from planning.measures.models import Measure
from planning.models import ProjectionYear
from planning.projection.selectors import scenario_annual_results, scenario_measure_effects
from planning.projection.services import (
    ProjectionError,
    age_profile_set,
    projection_run,
    scenario_create,
    scenario_measures_set,
)
from planning.resilience.selectors import resilience_inputs
from planning.resilience.services import resilience_evaluate, resilience_run_create, resilience_run_execute
from tests.planning.factories import budget_version, population_variant
from tests.planning.projection.test_projection_service import COUNTS, HAND_LINES, YEARS
from tests.planning.resilience.test_resilience_support import make_balance_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def hand_scenario(municipality):
    """The projection tests' hand-checked scenario (2024-2028)."""
    version = budget_version(municipality, HAND_LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    age_profile_set(municipality=municipality, level="product", code="060101", target_group="kita")
    return scenario_create(
        municipality=municipality, name="Hand", budget_version=version, population=series, horizon=4
    )


def _measure(municipality, title="Soziokulturelles Zentrum", **values) -> Measure:
    return services.measure_create(municipality=municipality, title=title, product_code="060101", **values)


def test_optimistic_concurrency_refuses_an_edit_based_on_an_old_revision(municipality):
    measure = _measure(municipality)
    assert measure.revision == 1
    services.measure_update(measure=measure, expected_revision=1, owner="Amt 51")
    with pytest.raises(services.MeasureConflict) as exc:
        services.measure_update(measure=measure, expected_revision=1, owner="Amt 50")
    assert exc.value.current.revision == 2 and exc.value.current.owner == "Amt 51"
    m = services.measure_status_set(measure=measure, status="running", expected_revision=2)
    assert (m.status, m.revision) == ("running", 3)
    with pytest.raises(services.MeasureError):
        services.measure_status_set(measure=measure, status="vergessen")
    with pytest.raises(services.MeasureError):
        _measure(municipality)  # the same title twice


def test_effect_input_is_checked(municipality):
    measure = _measure(municipality)
    with pytest.raises(services.MeasureError, match="Zahl"):
        services.effect_add(measure=measure, kind="lower_expense", amount="viel", start_year=2026)
    with pytest.raises(services.MeasureError, match="Endjahr"):
        services.effect_add(measure=measure, kind="lower_expense", amount="1", start_year=2026, end_year=2025)
    services.effect_add(measure=measure, kind="lower_expense", amount="1", start_year=2026)
    measure.refresh_from_db()
    assert measure.revision == 2  # an effect is a change of the measure


def test_activating_a_measure_changes_the_projected_result_by_exactly_its_effects(
    municipality, hand_scenario
):
    before = scenario_annual_results(projection_run(scenario=hand_scenario))
    centre = _measure(municipality)
    services.effect_add(
        measure=centre, kind="lower_expense", amount="12345.67", start_year=2026, account_group="53"
    )
    services.effect_add(
        measure=centre, kind="higher_expense", amount="5000", start_year=2025, recurring=False
    )
    fees = _measure(municipality, title="Gebühren")
    services.effect_add(measure=fees, kind="extra_revenue", amount="1000.01", start_year=2027, end_year=2027)
    stopped = _measure(municipality, title="Gestoppt", status=Measure.Status.STOPPED)
    services.effect_add(measure=stopped, kind="extra_revenue", amount="999999", start_year=2024)

    scenario = scenario_measures_set(scenario=hand_scenario, measures=[centre, fees, stopped])
    assert scenario.computed_at is None
    after = scenario_annual_results(projection_run(scenario=scenario))
    delta = {y: after[y] - before[y] for y in before}
    assert delta == {
        2024: D("0.00"),
        2025: D("-5000.00"),
        2026: D("12345.67"),
        2027: D("13345.68"),
        2028: D("12345.67"),
    }
    assert scenario_measure_effects(scenario) == delta
    # revenue and expense totals carry the effects on their side
    y2027 = ProjectionYear.objects.get(scenario=scenario, year=2027)
    assert y2027.revenue - y2027.expense == y2027.balance
    # removing the measures restores the status quo
    scenario = scenario_measures_set(scenario=scenario, measures=[])
    assert scenario_annual_results(projection_run(scenario=scenario)) == before


def test_measures_of_another_municipality_are_refused(municipality, other_municipality, hand_scenario):
    foreign = _measure(other_municipality)
    with pytest.raises(ProjectionError):
        scenario_measures_set(scenario=hand_scenario, measures=[foreign])


def test_resilience_compares_status_quo_and_with_measures(municipality, hand_scenario):
    # The hand scenario runs a small surplus; a big recurring extra expense makes it trigger, the
    # measure relieves it again.
    burden = _measure(municipality, title="Neue Pflichtaufgabe")
    services.effect_add(measure=burden, kind="higher_expense", amount="150000", start_year=2025)
    relief = _measure(municipality, title="Koproduktion")
    services.effect_add(measure=relief, kind="lower_expense", amount="140000", start_year=2025)
    scenario = scenario_measures_set(scenario=hand_scenario, measures=[burden, relief])
    projection_run(scenario=scenario)
    make_balance_sheet(
        municipality,
        year=2024,
        equity=D("300000"),
        equalisation_reserve=D("50000"),
        general_reserve=D("200000"),
        balance_sheet_total=D("1000000"),
    )
    inputs = resilience_inputs(municipality=municipality, scenario=scenario.pk)
    assert inputs.measure_titles == ["Neue Pflichtaufgabe", "Koproduktion"]
    out, _base, path = resilience_evaluate(inputs)
    m = out["measures"]
    # status quo + effects = the stored results with measures, to the cent
    sq = {row["year"]: D(row["annual_result"]) for row in m["status_quo"]["years"]}
    with_m = {row.year: row.annual_result for row in path.years}
    assert {y: with_m[y] - sq[y] for y in sq} == {
        y: D(v) for y, v in zip(sq, m["effect_per_year"], strict=True)
    }
    assert [x["title"] for x in m["measures"]] == ["Neue Pflichtaufgabe", "Koproduktion"]
    assert m["measures"][0]["total"].startswith("-")
    # Monte Carlo with the same paths
    run = resilience_run_create(municipality=municipality, scenario=scenario.pk, n_paths=500, seed=3)
    run = resilience_run_execute(run_id=run.pk)
    mc = run.result["monte_carlo"]["measures"]
    assert len(mc["probability_with"]) == len(mc["probability_status_quo"]) == len(inputs.years)
    assert len(mc["probability_without"]) == 2


def test_indicator_lights_and_overview_flags(municipality):
    this_year = date.today().year
    late = _measure(municipality, title="Spät", deadline=date.today() - timedelta(days=1))
    done = _measure(municipality, title="Fertig", deadline=date.today() - timedelta(days=1), status="done")
    visitors = services.indicator_create(
        measure=done,
        name="Besuche",
        kind="output",
        unit="Personen",
        baseline="100",
        targets={this_year: "200"},
    )
    services.indicator_actual_set(indicator=visitors, day=date(this_year, 1, 15), value="150")
    state = selectors.indicator_state(visitors)
    assert (state.target, state.actual, state.light) == (D("200"), D("150"), Light.RED)
    services.indicator_actual_set(indicator=visitors, day=date(this_year, 2, 15), value="185")
    assert selectors.indicator_state(visitors).light is Light.YELLOW
    summary = selectors.overview_summary(municipality)
    assert summary["count"] == 2
    assert {r["measure"].title: (r["overdue"], r["off_target"]) for r in summary["flagged"]} == {
        "Spät": (True, False)
    }
    services.indicator_actual_set(indicator=visitors, day=date(this_year, 2, 15), value="120")
    flagged = {r["measure"].title for r in selectors.overview_summary(municipality)["flagged"]}
    assert flagged == {"Spät", "Fertig"}
    assert late.is_overdue and not done.is_overdue


def test_goals_table_per_product_area(municipality):
    m = _measure(municipality, goal="Begegnung im Quartier")
    services.indicator_create(
        measure=m, name="Besuche", targets={"2027": "1200", "2028": "1500"}, unit="Personen"
    )
    other = services.measure_create(municipality=municipality, title="Straßen", product_code="120101")
    services.indicator_create(measure=other, name="Schlaglöcher", targets={"2027": "10"})
    table = selectors.goals_table(municipality, "06")
    assert table[0][-4:] == ["Ziel 2027", "Ziel 2028", "Letzter Istwert", "Ampel"]
    assert (
        len(table) == 2
        and table[1][2] == "Soziokulturelles Zentrum"
        and table[1][3] == "Begegnung im Quartier"
    )
    assert table[1][-4:] == [D("1200"), D("1500"), None, "none"]
    assert len(selectors.goals_table(municipality)) == 3
