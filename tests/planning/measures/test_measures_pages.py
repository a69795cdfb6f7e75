"""Measure pages and API: a planner creates, edits (revision conflicts kept visible), changes status,
adds effects, indicators and actuals; viewers read only; bad input answers 4xx with a message; the goals
export; scenario page includes measures."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from core.models import Role
from planning.measures import services
from planning.measures.models import Measure
from planning.projection.services import projection_run, scenario_create
from tests.planning.factories import budget_version, population_variant
from tests.planning.projection.test_projection_pages import COUNTS, LINES, YEARS

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"planning:{name}", kwargs={"slug": municipality.slug, **kwargs})


def test_planner_creates_edits_and_changes_status(client, municipality, planner):
    client.force_login(planner)
    response = client.post(
        url("measure-create", municipality),
        {
            "title": "Soziokulturelles Zentrum",
            "owner": "Amt 51",
            "status": "planned",
            "product_code": "060101",
        },
    )
    measure = Measure.objects.get(municipality=municipality)
    assert response.status_code == 302 and response["Location"].endswith(f"/massnahmen/{measure.pk}/")
    # an edit based on revision 1 after someone else saved: refused, input kept, message shown
    services.measure_update(measure=measure, owner="Amt 50")
    response = client.post(
        url("measure-edit", municipality, measure_id=measure.pk),
        {"title": "Soziokulturelles Zentrum", "owner": "Amt 52", "status": "planned", "revision": "1"},
    )
    assert response.status_code == 200
    assert "inzwischen geändert" in response.content.decode()
    measure.refresh_from_db()
    assert measure.owner == "Amt 50"
    # status change
    response = client.post(
        url("measure-status", municipality, measure_id=measure.pk), {"status": "running", "revision": "2"}
    )
    measure.refresh_from_db()
    assert (response.status_code, measure.status, measure.revision) == (302, "running", 3)
    # effect with a German decimal comma, indicator with targets, an actual
    client.post(
        url("measure-effect-add", municipality, measure_id=measure.pk),
        {"kind": "lower_expense", "amount": "12.345,67", "start_year": "2026", "recurring": "on"},
    )
    assert str(measure.effects.get().amount) == "12345.67"
    client.post(
        url("measure-indicator-add", municipality, measure_id=measure.pk),
        {"name": "Besuche", "kind": "output", "direction": "higher", "targets": f"{date.today().year}=1.000"},
    )
    indicator = measure.indicators.get()
    assert indicator.targets == {str(date.today().year): "1000"}
    client.post(
        url("measure-actual-add", municipality, measure_id=measure.pk, indicator_id=indicator.pk),
        {"date": date.today().isoformat(), "value": "950"},
    )
    page = client.get(url("measure-detail", municipality, measure_id=measure.pk)).content.decode()
    assert 'data-light="yellow"' in page and "12.346\u00a0€" in page  # 12.345,67 in whole euros, rounded
    index = client.get(url("measure-index", municipality)).content.decode()
    assert "Soziokulturelles Zentrum" in index


def test_bad_effect_input_gives_a_message_not_a_500(client, municipality, planner):
    client.force_login(planner)
    measure = services.measure_create(municipality=municipality, title="X-Maßnahme")
    response = client.post(
        url("measure-effect-add", municipality, measure_id=measure.pk),
        {"kind": "lower_expense", "amount": "viel", "start_year": "2026"},
        follow=True,
    )
    assert response.status_code == 200 and "amount" in response.content.decode()
    assert not measure.effects.exists()


def test_viewer_reads_but_cannot_change(client, municipality, member_factory):
    viewer = member_factory(municipality, Role.VIEWER)
    measure = services.measure_create(municipality=municipality, title="Lesbar")
    client.force_login(viewer)
    assert client.get(url("measure-detail", municipality, measure_id=measure.pk)).status_code == 200
    assert (
        client.post(
            url("measure-status", municipality, measure_id=measure.pk), {"status": "done"}
        ).status_code
        == 403
    )


def test_api_conflict_and_effects(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    base = f"/api/v1/municipalities/{municipality.slug}/measures/"
    created = api_client.post(base, {"title": "API-Maßnahme", "status": "planned"}, format="json")
    assert created.status_code == 201, created.content
    mid = created.json()["id"]
    ok = api_client.patch(f"{base}{mid}/", {"status": "running", "revision": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["revision"] == 2
    conflict = api_client.patch(f"{base}{mid}/", {"status": "done", "revision": 1}, format="json")
    assert conflict.status_code == 409 and conflict.json()["current_revision"] == 2
    bad = api_client.post(
        f"{base}{mid}/effects/", {"kind": "lower_expense", "amount": "-5", "start_year": 2026}, format="json"
    )
    assert bad.status_code == 400
    good = api_client.post(
        f"{base}{mid}/effects/",
        {"kind": "extra_revenue", "amount": "500.00", "start_year": 2026},
        format="json",
    )
    assert good.status_code == 201
    assert api_client.get(f"{base}{mid}/").json()["effects"][0]["amount"] == "500.00"


def test_goals_export_csv(client, municipality, planner):
    client.force_login(planner)
    m = services.measure_create(municipality=municipality, title="=HYPERLINK(1)", product_code="060101")
    services.indicator_create(measure=m, name="Besuche", targets={"2027": "1200"})
    response = client.get(url("measure-goals-export", municipality, fmt="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:5] == ["Produktbereich", "Produkt", "Maßnahme", "Ziel", "Kennzahl"]
    assert rows[2][2] == "'=HYPERLINK(1)"  # formula injection neutralised
    assert client.get(url("measure-goals-export", municipality, fmt="xlsx")).status_code == 200
    assert client.get(url("measure-goals-export", municipality, fmt="pdf")).status_code == 200
    assert client.get(url("measure-goals-export", municipality, fmt="doc")).status_code == 404


def test_scenario_page_includes_measures_and_shows_status_quo(client, municipality, planner):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    scenario = scenario_create(
        municipality=municipality, name="Basis", budget_version=version, population=series, horizon=2
    )
    measure = services.measure_create(municipality=municipality, title="Zentrum")
    services.effect_add(measure=measure, kind="lower_expense", amount="1000", start_year=2025)
    client.force_login(planner)
    response = client.post(
        url("scenario-measures", municipality, scenario_id=scenario.pk),
        {"measure": [str(measure.pk)], "revision": str(scenario.revision)},
    )
    assert response.status_code == 302
    projection_run(scenario=scenario)
    page = client.get(url("scenario-detail", municipality, scenario_id=scenario.pk)).content.decode()
    assert 'data-table="measure-effects"' in page and "1.000" in page
    # a foreign measure id is refused
    other = Measure.objects.create(municipality=Measure.objects.get().municipality, title="Y")
    other.delete()
    response = client.post(
        url("scenario-measures", municipality, scenario_id=scenario.pk), {"measure": ["999999"]}
    )
    assert response.status_code == 404
