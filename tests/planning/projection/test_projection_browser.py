"""The projection page in a real headless Chromium: the plotly chart draws and the switches re-scale it."""

from __future__ import annotations

import pytest

from planning.projection.services import projection_run, scenario_create
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.planning.factories import budget_version, population_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINES = [("060101", "5311", 2024, "plan", "100000.00"), ("160101", "4011", 2024, "plan", "250000.00")]
COUNTS = [[100, 200, 600, 100], [90, 200, 600, 110], [80, 210, 600, 120]]


def test_chart_switches_to_per_inhabitant_and_real(page, live_server, municipality, planner):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, [2024, 2025, 2026], COUNTS)
    scenario = projection_run(
        scenario=scenario_create(
            municipality=municipality, name="Basis", budget_version=version, population=series, horizon=2
        )
    )
    login(page, live_server.url, planner.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    page.goto(f"{live_server.url}/kommunen/musterstadt/planung/szenarien/{scenario.pk}/")
    page.wait_for_selector("[data-projection-chart=scenario][data-ready=true]")
    balance = "() => { const d = document.querySelector('[data-chart]').data; return d[d.length - 1].y; }"
    absolute = page.evaluate(balance)
    assert absolute[0] == pytest.approx(0.15)  # absolute amounts are drawn in millions of euros
    page.select_option("[data-chart-mode]", "per_capita")
    assert page.evaluate(balance)[0] == pytest.approx(150000.0 / 1000)
    page.select_option("[data-chart-price]", "real")
    per_head_real = page.evaluate(balance)
    assert per_head_real[2] == pytest.approx(absolute[2] * 1e6 / 1010 / 1.02**2)
    assert page.locator("[data-table=years] tbody tr").count() == 3
