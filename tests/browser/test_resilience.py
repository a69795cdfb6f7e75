"""The resilience page in headless Chromium: fan charts, trigger probabilities, a run from the form."""

import os

import pytest

from core.models import Role
from planning.resilience.models import ResilienceRun
from planning.resilience.services import resilience_demo_load
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.planning.resilience.test_resilience_support import ACTUAL, PLAN, make_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_like(municipality, member_factory):
    """Like the demo: actuals and a medium-term plan, then the resilience demo loader (balance sheet
    and one stored Monte Carlo run with 10,000 paths)."""
    member_factory(municipality, Role.PLANNER, username="planung")
    make_version(municipality, actual=ACTUAL, dataset="Jahresabschluss")
    make_version(municipality, plan=PLAN, label="Beschlossen 2025")
    resilience_demo_load(municipality)
    return municipality


def _shot(page, tmp_path, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR", str(tmp_path))
    page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_demo_resilience_page_shows_fan_charts_and_trigger_probabilities(
    page, live_server, demo_like, tmp_path
):
    # Given a planner of the demo-like municipality, logged in
    login(page, live_server.url, "planung", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    # The overview says it in plain words (demo sheet: 20 M + 180 M reserves absorb the plan's deficits)
    panel = page.locator("[data-panel=resilience]").inner_text()
    assert "Kein HSK-Auslöser im Hauptszenario; Wahrscheinlichkeit " in panel
    assert "% innerhalb von 4 Jahren bei zufälligen Schocks" in panel
    # When they open the resilience page
    page.goto(f"{live_server.url}/kommunen/musterstadt/planung/resilienz/")
    # Then plotly has drawn the fan charts and the probability chart
    for chart in ("#chart-result", "#chart-equity", "#chart-triggers"):
        page.wait_for_selector(f"{chart} svg.main-svg")
    assert page.locator("#chart-result .scatterlayer .trace").count() == 5  # 10/90, 25/75 bands + median
    # ... the deterministic table shows the reserve path and the status in words
    table = page.locator("[data-testid=deterministic-table]").inner_text()
    assert "-30.000.000,00 €" in table and "154.000.000,00 €" in table  # 2027: 26 M from 180 M
    assert "Inanspruchnahme der allgemeinen Rücklage, genehmigungspflichtig" in table
    # ... and the probability table has one row per plan year with German percentages
    rows = page.locator("[data-testid=probability-table] tbody tr")
    assert rows.count() == 4
    cells = rows.nth(3).locator("td").all_inner_texts()
    assert cells[0] == "2028" and all(c.endswith(" %") for c in cells[1:6])
    assert "Größter Risikotreiber" in page.locator("[data-testid=main-driver]").inner_text()
    _shot(page, tmp_path, "resilience.png")


def test_stress_button_and_monte_carlo_run_from_the_form(page, live_server, demo_like, tmp_path):
    login(page, live_server.url, "planung", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    page.goto(f"{live_server.url}/kommunen/musterstadt/planung/resilienz/")
    # A stress preset recomputes the path at once
    page.locator("[data-preset=social_transfers]").click()
    page.wait_for_url("**stress=social_transfers")
    assert "-15.000.000,00 €" in page.locator("[data-testid=deterministic-table]").inner_text()
    # A Monte Carlo run under that stress: the job runs, the run page shows its charts
    page.fill("input[name=paths]", "2000")
    page.fill("input[name=seed]", "9")
    page.get_by_role("button", name="Simulation starten").click()
    page.wait_for_url("**/resilienz/laeufe/*/")
    page.wait_for_selector("#chart-triggers svg.main-svg")
    run = ResilienceRun.objects.filter(n_paths=2000).get()
    assert run.status == ResilienceRun.Status.SUCCEEDED and run.stress_preset == "social_transfers"
    assert "Anstieg der Sozialtransfers" in page.locator("h1 + p").inner_text()
    _shot(page, tmp_path, "resilience-run.png")
