"""Measures and workshops about a district: the measure's district foreign key (form, API, CLI, same
municipality only, migration from the old code), the links shown on the measure, board and district
pages."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import District
from planning.districts import services as district_services
from planning.districts.demo import demo_geojson
from planning.measures import services
from planning.measures.models import Measure
from swot.models import Board

pytestmark = pytest.mark.django_db


@pytest.fixture
def districts(municipality):
    import json

    district_services.districts_import_geojson(municipality=municipality, data=json.dumps(demo_geojson()))
    return {d.code: d for d in District.objects.filter(municipality=municipality)}


@pytest.fixture
def foreign_district(other_municipality):
    return District.objects.create(municipality=other_municipality, code="01", name="Fremdviertel")


def url(name, municipality, **kwargs):
    return reverse(f"planning:{name}", kwargs={"slug": municipality.slug, **kwargs})


def test_measure_service_refuses_another_municipalitys_district(municipality, districts, foreign_district):
    with pytest.raises(services.MeasureError, match="gehört nicht zu dieser Kommune"):
        services.measure_create(municipality=municipality, title="Zentrum", district=foreign_district)
    measure = services.measure_create(municipality=municipality, title="Zentrum", district=districts["01"])
    with pytest.raises(services.MeasureError):
        services.measure_update(measure=measure, district=foreign_district)
    measure.refresh_from_db()
    assert measure.district == districts["01"]


def test_measure_form_page_and_district_page(client, municipality, planner, districts, foreign_district):
    client.force_login(planner)
    refused = client.post(
        url("measure-create", municipality),
        {"title": "Zentrum", "status": "planned", "district": foreign_district.pk},
    )
    assert refused.status_code == 200 and not Measure.objects.exists()
    created = client.post(
        url("measure-create", municipality),
        {"title": "Zentrum", "status": "planned", "district": districts["01"].pk},
    )
    assert created.status_code == 302
    measure = Measure.objects.get()
    assert measure.district == districts["01"]
    detail = client.get(url("measure-detail", municipality, measure_id=measure.pk)).content.decode()
    district_url = url("district-detail", municipality, district_id=districts["01"].pk)
    assert f'href="{district_url}">Innenstadt</a>' in detail
    page = client.get(district_url).content.decode()
    assert url("measure-detail", municipality, measure_id=measure.pk) in page and "Zentrum" in page
    other = client.get(url("district-detail", municipality, district_id=districts["02"].pk)).content.decode()
    assert 'data-testid="district-measures"' not in other


def test_measure_api_sets_the_district_by_id_within_the_municipality(
    api_client, municipality, planner, districts, foreign_district
):
    api_client.force_authenticate(planner)
    base = f"/api/v1/municipalities/{municipality.slug}/measures/"
    created = api_client.post(base, {"title": "Zentrum", "district": districts["01"].pk}, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["district"], created.json()["district_name"]) == (districts["01"].pk, "Innenstadt")
    refused = api_client.post(base, {"title": "X", "district": foreign_district.pk}, format="json")
    assert refused.status_code == 400 and "district" in refused.json()
    cleared = api_client.patch(f"{base}{created.json()['id']}/", {"district": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["district"] is None


def test_measure_cli_sets_and_clears_the_district(municipality, districts):
    def run(*args):
        out = io.StringIO()
        call_command("measures", "--municipality", municipality.slug, *args, stdout=out)
        return out.getvalue()

    run("create", "Zentrum", "--district", "01")
    assert Measure.objects.get().district == districts["01"]
    assert "02 Schlossviertel (revision 2)" in run("district", "Zentrum", "schlossviertel")
    assert "Zentrum: - (revision 3)" in run("district", "Zentrum")
    with pytest.raises(CommandError, match="no district"):
        run("district", "Zentrum", "99")
    with pytest.raises(CommandError, match="inzwischen"):
        run("district", "Zentrum", "01", "--revision", "1")


def test_migration_turns_codes_into_districts_and_keeps_unknown_codes_in_the_goal(
    municipality, districts, capsys
):
    migration = importlib.import_module("planning.migrations.0008_measure_district_foreign_key")

    class Row:  # the historical model still had the text field: emulate it on the current one
        pass

    known = Measure.objects.create(municipality=municipality, title="A")
    unknown = Measure.objects.create(municipality=municipality, title="B", goal="Treffpunkt")
    codes = {known.pk: "01", unknown.pk: "77"}

    class FakeQuerySet(list):
        def only(self, *args):
            return self

    rows = []
    for m in (known, unknown):
        row = Row()
        row.pk, row.municipality_id, row.goal, row.district_code = (
            m.pk,
            m.municipality_id,
            m.goal,
            codes[m.pk],
        )
        rows.append(row)

    class FakeManager:
        def exclude(self, **kwargs):
            return FakeQuerySet(rows)

        def filter(self, **kwargs):
            return Measure.objects.filter(**kwargs)

    class FakeMeasure:
        objects = FakeManager()

    class FakeApps:
        def get_model(self, app, name):
            return FakeMeasure if name == "Measure" else apps.get_model(app, name)

    migration.codes_to_districts(FakeApps(), None)
    known.refresh_from_db()
    unknown.refresh_from_db()
    assert known.district == districts["01"]
    assert unknown.district is None and unknown.goal == "Treffpunkt\n\nSozialraum (ohne Bezirk): 77"
    assert "„77“" in capsys.readouterr().out


def test_board_page_links_its_district_and_the_district_page_lists_the_workshop(
    client, municipality, planner, districts
):
    board = Board.objects.create(municipality=municipality, title="Innenstadtwerkstatt")
    district_services.district_link_set(district=districts["01"], board_id=board.pk)
    client.force_login(planner)
    html = client.get(board.get_absolute_url()).content.decode()
    district_url = url("district-detail", municipality, district_id=districts["01"].pk)
    assert 'id="swot-district"' in html and f'href="{district_url}">Innenstadt</a>' in html
    page = client.get(district_url).content.decode()
    assert board.get_absolute_url() in page and "Innenstadtwerkstatt" in page
