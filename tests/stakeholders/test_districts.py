"""Stakeholders placed in districts: the foreign key to core.District (same municipality only), placement
by coordinates, the migration from free-text names, form, import/export, API, demo, and the district
page and its API listing them with the registry's visibility of persons."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import District, Role
from stakeholders import selectors, services
from stakeholders.forms import StakeholderForm
from stakeholders.models import Stakeholder
from tests.stakeholders.factories import PersonFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def square(lon: float, lat: float, size: float = 0.1) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def places(municipality):
    """Nord (7.0-7.1 E, 51.6-51.7 N) above Süd (51.5-51.6 N)."""
    return {
        "nord": District.objects.create(
            municipality=municipality, code="01", name="Nord", geometry=square(7.0, 51.6)
        ),
        "sued": District.objects.create(
            municipality=municipality, code="02", name="Süd", geometry=square(7.0, 51.5)
        ),
    }


@pytest.fixture
def foreign_district(other_municipality):
    return District.objects.create(
        municipality=other_municipality, code="01", name="Nord", geometry=square(7.0, 51.6)
    )


# -- service ---------------------------------------------------------------------------------------
def test_coordinates_place_a_stakeholder_in_the_district_that_contains_them(municipality, places):
    tafel = services.stakeholder_create(
        municipality=municipality, name="Tafel", sector="third", lon=7.05, lat=51.55
    )
    assert tafel.district == places["sued"]
    # the coordinates decide, also against a chosen district; moving the point moves the stakeholder
    services.stakeholder_update(stakeholder=tafel, district=places["sued"], lon=7.05, lat=51.65)
    tafel.refresh_from_db()
    assert tafel.district == places["nord"] and tafel.revision == 2


def test_a_point_outside_every_district_or_half_a_point_is_refused(municipality, places):
    with pytest.raises(ValidationError) as outside:
        services.stakeholder_create(municipality=municipality, name="A", sector="third", lon=8.5, lat=51.55)
    assert "liegt in keinem Sozialraum" in str(outside.value.message_dict["lon"])
    with pytest.raises(ValidationError) as half:
        services.stakeholder_create(municipality=municipality, name="B", sector="third", lon=7.05)
    assert "lat" in half.value.message_dict
    assert not Stakeholder.objects.exists()


def test_a_district_of_another_municipality_is_refused(municipality, places, foreign_district):
    with pytest.raises(ValidationError) as exc:
        services.stakeholder_create(
            municipality=municipality, name="AWO", sector="third", district=foreign_district
        )
    assert "gehört nicht zu dieser Kommune" in str(exc.value.message_dict["district"])
    awo = services.stakeholder_create(
        municipality=municipality, name="AWO", sector="third", district=places["nord"]
    )
    with pytest.raises(ValidationError):
        services.stakeholder_update(stakeholder=awo, district=foreign_district)
    awo.refresh_from_db()
    assert awo.district == places["nord"]


def test_choosing_a_district_replaces_the_unmatched_place_name(municipality, places):
    old = StakeholderFactory(municipality=municipality, district_note="Ringviertel")
    services.stakeholder_update(stakeholder=old, district=places["nord"])
    old.refresh_from_db()
    assert (old.district, old.district_note) == (places["nord"], "")


def test_the_form_offers_only_the_municipalitys_districts(municipality, places, foreign_district):
    base = {"entity": "organisation", "name": "AWO", "sector": "third", "kind": "welfare"}
    base |= {"attitude": "neutral", "volunteer_hours": 0, "money": "0", "staff": "0"}
    form = StakeholderForm({**base, "district": foreign_district.pk}, municipality=municipality)
    assert not form.is_valid() and "district" in form.errors
    form = StakeholderForm({**base, "lon": "7,05", "lat": "51,65"}, municipality=municipality)
    assert form.is_valid(), form.errors
    created = services.stakeholder_create(municipality=municipality, **form.values())
    assert created.district == places["nord"] and created.lon == pytest.approx(7.05)


# -- migration from free text, matching, relocation ------------------------------------------------
def test_the_migration_matches_names_case_insensitively_and_keeps_unmatched_ones(
    municipality, other_municipality, places, capsys
):
    migration = importlib.import_module("stakeholders.migrations.0003_stakeholder_district_foreign_key")
    District.objects.create(municipality=other_municipality, code="09", name="Ringviertel")
    a = StakeholderFactory(municipality=municipality, district_note="  nord ")
    b = StakeholderFactory(municipality=municipality, district_note="02")  # by code
    c = StakeholderFactory(municipality=municipality, district_note="Ringviertel")  # other town's only
    d = StakeholderFactory(municipality=municipality, district_note="")
    migration.match_names(apps, None)
    for s in (a, b, c, d):
        s.refresh_from_db()
    assert (a.district, a.district_note) == (places["nord"], "")
    assert b.district == places["sued"]
    assert (c.district, c.district_note) == (None, "Ringviertel")  # kept, never lost
    assert d.district is None
    assert "„Ringviertel“ (1 Akteure)" in capsys.readouterr().out
    # reversed: the name goes back into the text
    migration.names_back(apps, None)
    a.refresh_from_db()
    assert a.district_note == "Nord"


def test_an_unmatched_place_name_stays_visible_on_the_stakeholder_page(client, municipality, planner):
    s = StakeholderFactory(municipality=municipality, district_note="Ringviertel")
    client.force_login(planner)
    html = client.get(s.get_absolute_url()).content.decode()
    assert "Ringviertel" in html and "keinem Sozialraum der Kommune zugeordnet" in html


def test_matching_notes_and_relocating_after_new_boundaries(municipality, places):
    named = StakeholderFactory(municipality=municipality, district_note="SÜD")
    lost = StakeholderFactory(municipality=municipality, district_note="Irgendwo")
    assert services.stakeholder_districts_match(municipality=municipality) == (1, {"Irgendwo": 1})
    named.refresh_from_db()
    assert named.district == places["sued"]
    placed = services.stakeholder_create(
        municipality=municipality, name="Verein", sector="third", lon=7.05, lat=51.55
    )
    District.objects.filter(pk=places["nord"].pk).update(geometry=square(7.0, 51.5, 0.2))  # now covers it
    District.objects.filter(pk=places["sued"].pk).update(geometry=square(8.0, 51.5))
    assert services.stakeholders_relocate(municipality=municipality) == 1
    placed.refresh_from_db()
    lost.refresh_from_db()
    assert placed.district == places["nord"] and lost.district is None


# -- import and export -------------------------------------------------------------------------------
def test_import_places_by_name_code_or_coordinates_and_keeps_unknown_names(
    client, municipality, places, planner
):
    data = (
        "Name;Sektor;Sozialraum;Längengrad;Breitengrad\n"
        "AWO;Dritter Sektor;nord;;\n"
        "Tafel;Dritter Sektor;02;;\n"
        "Kirche;Dritter Sektor;;7,05;51,65\n"
        "Treff;Dritter Sektor;Ringviertel;;\n"
    ).encode()
    batch = services.import_check(municipality=municipality, data=data, filename="a.csv")
    assert batch.problems == []
    client.force_login(planner)
    preview = client.get(
        reverse("stakeholders:import-preview", kwargs={"slug": municipality.slug, "batch_id": batch.pk})
    ).content.decode()
    assert "Ringviertel" in preview and "bleibt als Ortsangabe erhalten" in preview
    assert services.import_apply(batch=batch) == 4
    placed = {s.name: (s.district and s.district.name, s.district_note) for s in Stakeholder.objects.all()}
    assert placed == {
        "AWO": ("Nord", ""),
        "Tafel": ("Süd", ""),
        "Kirche": ("Nord", ""),
        "Treff": (None, "Ringviertel"),
    }


def test_import_names_a_point_outside_every_district_by_line_and_column(municipality, places):
    data = (
        "Name;Sektor;Längengrad;Breitengrad\nAWO;Dritter Sektor;9,5;51,65\nB;Dritter Sektor;x;51\n".encode()
    )
    batch = services.import_check(municipality=municipality, data=data, filename="a.csv")
    problems = {(p["line"], p["column"]) for p in batch.problems}
    assert (2, "Längengrad") in problems and (3, "Längengrad") in problems
    with pytest.raises(ValueError):
        services.import_apply(batch=batch)
    assert not Stakeholder.objects.exists()


def test_export_gives_the_district_name_and_coordinates_that_import_again(
    client, municipality, places, planner
):
    services.stakeholder_create(municipality=municipality, name="AWO", sector="third", lon=7.05, lat=51.55)
    client.force_login(planner)
    url = reverse("stakeholders:export", kwargs={"slug": municipality.slug}) + "?format=csv"
    body = client.get(url).content.decode("utf-8-sig")
    header, row = body.splitlines()[:2]
    cells = dict(zip(header.split(";"), row.split(";"), strict=True))
    assert (cells["Sozialraum"], cells["Längengrad"], cells["Breitengrad"]) == ("Süd", "7,05", "51,55")
    Stakeholder.objects.all().delete()
    batch = services.import_check(municipality=municipality, data=body.encode(), filename="x.csv")
    assert batch.problems == []
    services.import_apply(batch=batch)
    assert Stakeholder.objects.get().district == places["sued"]


# -- API -----------------------------------------------------------------------------------------------
def test_api_takes_a_district_by_id_or_name_and_refuses_another_towns(
    api_client, municipality, places, planner, foreign_district
):
    api_client.force_authenticate(planner)
    url = reverse("stakeholder-list", kwargs={"slug": municipality.slug})
    by_id = api_client.post(
        url, {"name": "A", "sector": "third", "district": places["nord"].pk}, format="json"
    )
    assert by_id.status_code == 201 and by_id.json()["district_name"] == "Nord"
    by_name = api_client.post(url, {"name": "B", "sector": "third", "district": "süd"}, format="json")
    assert by_name.status_code == 201 and by_name.json()["district"] == places["sued"].pk
    by_point = api_client.post(
        url, {"name": "C", "sector": "third", "lon": 7.05, "lat": 51.55}, format="json"
    )
    assert by_point.json()["district"] == places["sued"].pk
    for bad in (foreign_district.pk, "Atlantis"):
        refused = api_client.post(url, {"name": "D", "sector": "third", "district": bad}, format="json")
        assert refused.status_code == 400 and "district" in refused.json()
    outside = api_client.post(url, {"name": "E", "sector": "third", "lon": 9.0, "lat": 51.0}, format="json")
    assert outside.status_code == 400 and "lon" in outside.json()
    assert api_client.get(url + f"?district={places['sued'].pk}").json()["count"] == 2


# -- district page and its API: the registry's visibility ----------------------------------------------
@pytest.fixture
def placed_people(municipality, places):
    org = StakeholderFactory(
        municipality=municipality, name="Caritas", district=places["nord"], district_note=""
    )
    person = PersonFactory(
        municipality=municipality, name="Erika Mustermann", district=places["nord"], lon=7.05, lat=51.65
    )
    StakeholderFactory(municipality=municipality, name="Sparkasse", district=places["sued"])
    return org, person


@pytest.mark.parametrize(("role", "sees_names"), [(Role.PLANNER, True), (Role.VIEWER, False)])
def test_district_page_and_api_list_its_stakeholders_hiding_persons_from_viewers(
    client, api_client, municipality, places, placed_people, member_factory, role, sees_names
):
    _org, person = placed_people
    user = member_factory(municipality, role, username=f"u-{role}")
    client.force_login(user)
    page = reverse(
        "planning:district-detail", kwargs={"slug": municipality.slug, "district_id": places["nord"].pk}
    )
    html = client.get(page).content.decode()
    assert "Caritas" in html and "Sparkasse" not in html
    assert ("Erika Mustermann" in html) is sees_names
    assert (f"Person #{person.pk}" in html) is not sees_names
    api_client.force_authenticate(user)
    detail = api_client.get(
        reverse("district-api-detail", kwargs={"slug": municipality.slug, "pk": places["nord"].pk})
    ).json()
    names = sorted(s["name"] for s in detail["stakeholders"])
    assert names == sorted(["Caritas", "Erika Mustermann" if sees_names else f"Person #{person.pk}"])
    # the registry itself hides the person's point from the same roles
    one = api_client.get(reverse("stakeholder-detail", kwargs={"slug": municipality.slug, "pk": person.pk}))
    assert (one.json()["lon"] is not None) is sees_names


def test_a_stadtteil_lists_the_stakeholders_of_its_sozialraeume(municipality, places, placed_people):
    town = District.objects.create(
        municipality=municipality, code="S1", name="Stadtteil", level=District.Level.STADTTEIL
    )
    District.objects.filter(pk__in=[d.pk for d in places.values()]).update(parent=town)
    rows = selectors.stakeholders_in_district(town, personal=True)
    assert {r["name"] for r in rows} == {"Caritas", "Erika Mustermann", "Sparkasse"}


# -- demo ------------------------------------------------------------------------------------------------
def test_demo_stakeholders_are_placed_in_the_demo_districts(municipality):
    from planning.districts.demo import load_districts_demo
    from stakeholders.demo import load

    load(municipality)
    load_districts_demo(municipality)
    inner = District.objects.get(municipality=municipality, code="01")
    assert Stakeholder.objects.filter(district=inner).count() >= 20
    placed = Stakeholder.objects.filter(municipality=municipality, district__isnull=False)
    assert set(placed.values_list("district__name", flat=True)) >= {"Innenstadt", "Nordstadt", "Südpark"}
    # organisations without a place (the council, the town-wide foundation) stay without one
    assert not Stakeholder.objects.filter(municipality=municipality).exclude(district_note="").exists()


def test_cli_lists_places_and_matches_notes(municipality, places):
    import io
    import json

    from django.core.management import call_command

    StakeholderFactory(municipality=municipality, district=places["nord"], district_note="")
    StakeholderFactory(municipality=municipality, district_note="süd")
    StakeholderFactory(municipality=municipality, district_note="Ringviertel")
    StakeholderFactory(municipality=municipality, district_note="")

    def run(*extra):
        out = io.StringIO()
        call_command(
            "stakeholder_districts", "--municipality", municipality.slug, "--json", *extra, stdout=out
        )
        return json.loads(out.getvalue())

    before = run()
    assert before["districts"] == [{"code": "01", "name": "Nord", "stakeholders": 1}]
    assert {u["name"] for u in before["unmatched"]} == {"süd", "Ringviertel"}
    after = run("--match")
    assert after["matched"] == 1 and after["unmatched"] == [{"name": "Ringviertel", "stakeholders": 1}]
    assert len(after["districts"]) == 2 and after["without_place"] == 1


def test_an_erased_persons_point_is_cleared_and_cannot_be_set_again(municipality, places, planner):
    person = PersonFactory(municipality=municipality, district=places["nord"], lon=7.05, lat=51.65)
    services.person_erase(stakeholder=person, user=planner)
    person.refresh_from_db()
    assert (person.lon, person.lat, person.district) == (None, None, places["nord"])
    services.stakeholder_update(stakeholder=person, lon=7.05, lat=51.55)
    person.refresh_from_db()
    assert (person.lon, person.lat) == (None, None)
