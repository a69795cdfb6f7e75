"""The report's path in a real headless Chromium on the demo: the Herten TOWS strategy's facility with two
financing models compared (table + plotly chart) -> the chosen model as a measure with indicators -> the
scenario with that measure -> its resilience check with and without it (first trigger year, P(§76))."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_path_from_strategy_to_resilience(page, live_server):
    from core.demo import demo_load
    from planning.coproduction.demo import FACILITY_NAME, SCENARIO_NAME, STRATEGY_TITLE
    from planning.coproduction.models import Facility
    from planning.models import Scenario
    from planning.resilience.models import ResilienceRun

    municipality = demo_load()
    facility = Facility.objects.get(municipality=municipality, name=FACILITY_NAME)
    assert facility.source_strategy is not None and facility.source_strategy.title == STRATEGY_TITLE
    base = f"{live_server.url}/kommunen/{municipality.slug}/planung"
    login(page, live_server.url, "planung", "spielraum-demo")
    page.wait_for_url(f"{live_server.url}/kommunen/{municipality.slug}/")

    # two financing models side by side, with the chart drawn
    page.goto(f"{base}/koproduktion/{facility.pk}/")
    assert page.locator("[data-table=models] tbody tr").count() == 2
    page.wait_for_selector("[data-chart=coproduction] .main-svg")
    # the chosen model becomes (here: updates) the measure, with its indicators
    page.locator("[data-table=models] tbody tr").nth(1).locator("button").click()
    page.wait_for_selector("[data-role=indicators]")
    assert page.locator("[data-role=indicators] tbody tr").count() == 3
    # the scenario with that measure: status quo, effect and result with the measure per year
    scenario = Scenario.objects.get(municipality=municipality, name=SCENARIO_NAME)
    page.goto(f"{base}/szenarien/{scenario.pk}/")
    assert page.locator("[data-table=measure-effects] tbody tr").count() == scenario.horizon + 1
    # resilience with and without the measure
    run = ResilienceRun.objects.filter(scenario=scenario).latest("pk")
    page.goto(f"{base}/resilienz/laeufe/{run.pk}/")
    section = page.locator("[data-role=measures-comparison]")
    assert section.count() == 1
    measures = run.result["measures"]
    assert measures["first_trigger_status_quo"] != measures["first_trigger_with"]
    assert section.locator("[data-role=p-horizon]").count() == 1
