"""In headless Chromium: upload a CSV, see the preview, confirm, follow the progress bar, see the totals."""

import re
import threading

import pytest
from django.conf import settings

from core.models import Role
from finance import tasks
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.finance.factories import sample_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held_import(monkeypatch):
    """Run jobs in a background thread (as the embedded server does) and hold the import until released,
    so the test sees the progress bar while the job is still running."""
    monkeypatch.setattr(settings, "TASK_MODE", "thread")
    release = threading.Event()
    original = tasks.budget_upload_import

    def held(**kwargs):
        release.wait(timeout=30)
        return original(**kwargs)

    monkeypatch.setattr(tasks, "budget_upload_import", held)
    yield release
    release.set()


def test_upload_preview_confirm_progress_explorer(
    page,
    live_server,
    municipality,
    member_factory,
    held_import,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    member_factory(municipality, Role.FINANCE, username="kaemmerin")
    login(page, live_server.url, "kaemmerin", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    # Upload
    page.goto(f"{live_server.url}/kommunen/musterstadt/haushalt/import/")
    page.set_input_files(
        "input[type=file]", {"name": "haushalt.csv", "mimeType": "text/csv", "buffer": sample_csv()}
    )
    page.get_by_role("button", name="Hochladen und prüfen").click()
    page.wait_for_url(re.compile(r".*/haushalt/import/\d+/$"))
    # Preview: detection, totals, first lines
    preview = page.get_by_test_id("preview")
    assert "cp1252" in preview.inner_text()
    assert page.get_by_test_id("preview-ok").is_visible()
    assert "6.600,00" in page.locator("#preview-totals").inner_text()
    # Confirm; the job is held, so the progress bar is shown while it waits
    page.fill("input[name=label]", "Entwurf")
    page.get_by_role("button", name="Importieren").click()
    bar = page.locator("[data-job-progress]")
    bar.wait_for()
    assert bar.get_attribute("data-status") in ("queued", "running")
    held_import.set()
    # The progress bar follows the job to success and opens the explorer
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/haushalt/", timeout=30000)
    assert "Plan 2025" in page.locator(".fin-kpis").inner_text()
    assert (
        page.get_by_test_id("total-balance").inner_text() == "-27.200,00\u00a0€"
    )  # 7.200 revenue - 34.400 expense
    page.locator("[data-drill='05']").click()
    page.wait_for_selector("text=Grundsicherung")
    page.wait_for_url("**level=product**")  # htmx pushes the address after the swap has settled


LONG_NRW = (
    "Produkt;Produktbezeichnung;Teilplan;Jahr;Art;Richtung;Betrag\r\n"
    "01.01;Politische Gremien;Innere Verwaltung;2023;Rechng.;Aufwendungen;1.000,00\r\n"
    "01.01;Politische Gremien;Innere Verwaltung;2023;Rechng.;Erträge;200,00\r\n"
    "05.01;Soziale Hilfen;Soziales;2023;Rechng.;Aufwendungen;5.000,00\r\n"
    "01.01;Politische Gremien;Innere Verwaltung;2024;Plan;Aufwendungen;1.100,00\r\n"
    "05.01;Soziale Hilfen;Soziales;2024;Plan;Aufwendungen;5.500,00\r\n"
    "05.01;Soziale Hilfen;Soziales;2024;Plan;Erträge;700,00\r\n"
).encode("cp1252")


def test_long_export_role_and_value_translation_corrected_on_the_mapping_page(
    page, live_server, municipality, member_factory, settings, tmp_path, monkeypatch
):
    # Given a finance user and a long NRW export whose phase column uses "Rechng." for actuals
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(settings, "TASK_MODE", "thread")
    member_factory(municipality, Role.FINANCE, username="kaemmerin")
    login(page, live_server.url, "kaemmerin", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    page.goto(f"{live_server.url}/kommunen/musterstadt/haushalt/import/")
    page.set_input_files("input[type=file]", {"name": "lang.csv", "mimeType": "text/csv", "buffer": LONG_NRW})
    page.get_by_role("button", name="Hochladen und prüfen").click()
    page.wait_for_url(re.compile(r".*/haushalt/import/\d+/$"))
    # The mapping page shows every column with samples, detected role and why a column did not qualify
    detection = page.get_by_test_id("detection").inner_text()
    assert "Rechng." in detection and "90 %" in detection
    assert not page.get_by_test_id("preview-ok").is_visible()
    # When the user sets the phase role to "Art" and translates "Rechng." to actual, then re-previews
    page.select_option("select[name=role_phase]", label="Art")
    page.fill("textarea[name=value_maps]", "phase: Rechng. = actual")
    page.get_by_role("button", name="Vorschau aktualisieren").click()
    page.get_by_test_id("preview-ok").wait_for()
    totals = page.locator("#preview-totals").inner_text()
    assert "6.000,00" in totals and "6.600,00" in totals
    # And imports
    page.get_by_role("button", name="Importieren").click()
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/haushalt/", timeout=30000)
    # Then the explorer shows the imported totals (plan 2024: 700 revenue - 6.600 expense)
    assert page.get_by_test_id("total-balance").inner_text() == "-5.900,00\u00a0€"
