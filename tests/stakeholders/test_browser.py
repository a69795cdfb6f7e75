"""The registry in a real headless Chromium: a planner adds a stakeholder, assesses it twice, sees it move
on the grid, links it to another, then exports and erases a person."""

import json
import re
from pathlib import Path

import pytest

from stakeholders.models import PersonAccess, Relationship, Stakeholder
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.stakeholders.factories import PersonFactory, StakeholderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assess(page, date: str, influence: int, interest: int) -> None:
    form = page.locator("#assess-form")
    if not form.is_visible():
        page.click("#einschaetzungen summary")
    page.fill("#assess-form [name=assessed_on]", date)
    page.fill("#assess-form [name=influence]", str(influence))
    page.fill("#assess-form [name=interest]", str(interest))
    page.click("#assess-form button[type=submit]")
    page.wait_for_selector("#assessment-table")


def test_planner_adds_assesses_links_exports_and_erases(page, live_server, municipality, planner):
    base = live_server.url
    partner = StakeholderFactory(municipality=municipality, name="Diakonisches Werk", sector="third")
    person = PersonFactory(
        municipality=municipality, name="Erika Beispielfrau", email="erika@beispiel.example"
    )
    login(page, base, planner.username, PASSWORD)
    page.wait_for_url(re.compile(r".*/kommunen/musterstadt/"))

    # adds a stakeholder
    page.goto(f"{base}/kommunen/musterstadt/akteure/")
    page.click("text=Akteur anlegen")
    page.fill("#id_name", "Quartiersmanagement Innenstadt")
    page.select_option("#id_sector", "public")
    page.select_option("#id_kind", "neighbourhood")
    page.fill("#id_district_note", "Innenstadt")
    page.click("#stakeholder-form button[type=submit]")
    page.wait_for_selector("#stakeholder-name")
    assert page.inner_text("#stakeholder-name") == "Quartiersmanagement Innenstadt"
    qm = Stakeholder.objects.get(name="Quartiersmanagement Innenstadt")

    # assesses it at two dates
    _assess(page, "2025-03-01", 2, 4)
    _assess(page, "2026-03-01", 5, 5)
    assert page.locator("#assessment-table tbody tr").count() == 2

    # sees it move on the grid: one arrow from (4, 2) to (5, 5), its dot links to its page
    page.goto(f"{base}/kommunen/musterstadt/akteure/raster/?date=2026-06-01&compare=2025-06-01")
    page.wait_for_selector("#grid-chart[data-ready=true]")
    arrows = page.evaluate(
        "() => document.getElementById('grid-chart').layout.annotations.filter(a => a.showarrow)"
    )
    assert len(arrows) == 1 and round(arrows[0]["ax"]) == 4 and round(arrows[0]["x"]) == 5
    links = page.evaluate("() => document.getElementById('grid-chart').data.flatMap(t => t.customdata)")
    assert links == [qm.get_absolute_url()]
    assert page.locator("#grid-chart .point").count() == 1  # drawn by plotly.js

    # links it to another stakeholder
    page.goto(base + qm.get_absolute_url())
    page.click("#beziehungen summary")
    page.select_option("#link-form [name=target]", str(partner.pk))
    page.select_option("#link-form [name=kind]", "cooperation")
    page.click("#link-form button[type=submit]")
    page.wait_for_selector("#relationship-table")
    assert "Diakonisches Werk" in page.inner_text("#relationship-table")
    assert Relationship.objects.filter(source=qm, target=partner).exists()

    # exports a person's record, then erases the person
    page.goto(base + person.get_absolute_url())
    with page.expect_download() as download:
        page.click("#export-json")
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert record["person"]["email"] == "erika@beispiel.example"
    page.click("#erase-link")
    page.click("#confirm-erase")
    page.wait_for_selector("#stakeholder-name")
    assert page.inner_text("#stakeholder-name").startswith(f"Person #{person.pk}")
    assert "erika@beispiel.example" not in page.content() and "Beispielfrau" not in page.content()
    person.refresh_from_db()
    assert person.is_erased and person.email == ""
    assert {"export_json", "erase"} <= set(
        PersonAccess.objects.filter(stakeholder=person).values_list("action", flat=True)
    )
