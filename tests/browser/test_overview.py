import os

import pytest

from core.models import Role
from tests.browser.conftest import login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_shows_municipality_overview(page, live_server, municipality, member_factory, tmp_path):
    member_factory(municipality, Role.ADMIN, username="chefin")
    login(page, live_server.url, "chefin", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    assert page.locator("h1").inner_text() == "Musterstadt"
    assert page.locator("nav.sections").get_by_text("Haushalt").is_visible()
    shot = os.environ.get("SCREENSHOT_DIR", str(tmp_path))
    page.screenshot(path=os.path.join(shot, "overview.png"), full_page=True)


def test_selftest_progress_bar_reaches_success(page, live_server, municipality, member_factory):
    member_factory(municipality, Role.ADMIN, username="chefin")
    login(page, live_server.url, "chefin", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    page.get_by_role("button", name="Hintergrundverarbeitung testen").click()
    page.wait_for_url("**/auftraege/*/")
    status = page.locator("[data-job-progress] [data-role=status]")
    assert status.inner_text() == "Erfolgreich"  # eager mode: finished before the page renders
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"


def test_wrong_password_shows_error(page, live_server, municipality, member_factory):
    member_factory(municipality, Role.ADMIN, username="chefin")
    login(page, live_server.url, "chefin", "falsch-falsch")
    assert "Bitte Benutzername und Passwort eingeben" in page.get_by_role("alert").inner_text()
