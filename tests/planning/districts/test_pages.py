"""Pages of the Sozialräume: imports answer 400 with the reasons, permissions, map and district page,
needs against offers, a fixed number of queries whatever the number of districts."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import District, Role
from planning.districts import services
from planning.districts.demo import demo_geojson, demo_indicator_csv, jittered_grid, load_districts_demo
from planning.districts.models import Offer

pytestmark = pytest.mark.django_db


def url(name, municipality, **kwargs):
    return reverse(f"planning:{name}", kwargs={"slug": municipality.slug, **kwargs})


@pytest.fixture
def demo(municipality):
    load_districts_demo(municipality)
    return municipality


def test_boundary_upload_with_errors_answers_400_and_names_them(client, municipality, planner):
    client.force_login(planner)
    data = demo_geojson()
    data["features"][1]["geometry"] = data["features"][0]["geometry"]  # 02 lies on 01
    upload = SimpleUploadedFile("grenzen.geojson", json.dumps(data).encode())
    response = client.post(
        url("districts-import-boundaries", municipality),
        {"file": upload, "format": "geojson", "level": "sozialraum"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Die Datei wurde nicht importiert" in body
    assert "Feature 1 (01 „Innenstadt“): Überschneidet sich mit 02 „Schlossviertel“ (Feature 2)" in body
    assert not District.objects.exists()


def test_indicator_upload_then_map_and_district_page(client, municipality, planner):
    client.force_login(planner)
    geo = SimpleUploadedFile("grenzen.geojson", json.dumps(demo_geojson()).encode())
    response = client.post(
        url("districts-import-boundaries", municipality),
        {"file": geo, "format": "geojson", "level": "sozialraum"},
    )
    assert response.status_code == 302
    csv = SimpleUploadedFile("werte.csv", demo_indicator_csv())
    response = client.post(url("districts-import-indicators", municipality), {"file": csv})
    assert response.status_code == 302

    page = client.get(url("districts-map", municipality))
    assert page.status_code == 200
    data = page.context["data"]
    assert [d["code"] for d in data["districts"]] == ["01", "02", "03", "04", "05", "06", "07", "08"]
    assert data["years"] == [2020, 2021, 2022, 2023, 2024] and page.context["features"] == 8
    assert data["rank"]["2024"][0] == 1
    rows = page.context["rows"]
    assert rows[0]["code"] == "01" and rows[0]["rank"] == 1
    assert 'id="district-map-data"' in page.content.decode()

    inner = District.objects.get(code="01")
    detail = client.get(inner.get_absolute_url())
    body = detail.content.decode()
    assert detail.status_code == 200
    assert "Rang 1 von 8" in body and "SGB-II-Quote" in body
    assert detail.context["pyramid"]["groups"][0] == "0-5"
    sgb2 = next(s for s in detail.context["series"] if s["key"] == "sgb2_rate")
    assert sgb2["years"] == [2020, 2021, 2022, 2023, 2024]
    # the municipality's SGB II quota is weighted by population: between the districts' extremes
    assert min(sgb2["district"]) > sgb2["municipality"][-1] > 5
    assert "Keine Akteure in diesem Bezirk verortet" in body and "Noch kein Workshop zu diesem Bezirk" in body


def test_a_viewer_sees_but_cannot_import_or_edit(client, demo, member_factory):
    viewer = member_factory(demo, Role.VIEWER, username="leser")
    client.force_login(viewer)
    assert client.get(url("districts-map", demo)).status_code == 200
    assert client.get(url("district-offers", demo)).status_code == 200
    assert client.get(url("districts-import", demo)).status_code == 403
    upload = SimpleUploadedFile("werte.csv", demo_indicator_csv())
    assert client.post(url("districts-import-indicators", demo), {"file": upload}).status_code == 403
    assert client.post(url("district-indicators", demo), {"weight-1": "3"}).status_code == 403


def test_offer_form_places_by_german_coordinates(client, demo, planner):
    client.force_login(planner)
    inner = District.objects.get(code="01")
    lon, lat = (f"{v:.6f}".replace(".", ",") for v in (inner.label_lon, inner.label_lat))
    response = client.post(
        url("district-offer-create", demo),
        {
            "name": "Sprachcafé",
            "kind": "begegnung",
            "provider_name": "AWO",
            "lon": lon,
            "lat": lat,
            "volunteer_hours": "1.200,5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    offer = Offer.objects.get(name="Sprachcafé")
    assert offer.district == inner and float(offer.volunteer_hours) == 1200.5
    response = client.post(
        url("district-offer-create", demo),
        {"name": "Nirgends", "kind": "sonstiges", "lon": "9,5", "lat": "50,1"},
    )
    assert response.status_code == 400 and "liegt in keinem Bezirk" in response.content.decode()


def test_weights_form_recomputes_the_index(client, demo, planner):
    client.force_login(planner)
    indicators = {i.key: i for i in demo.indicators.all()}
    data = {f"weight-{i.pk}": "0" for i in indicators.values()}
    data[f"weight-{indicators['living_space'].pk}"] = "2,5"
    response = client.post(url("district-indicators", demo), data)
    assert response.status_code == 302
    indicators["living_space"].refresh_from_db()
    assert float(indicators["living_space"].weight) == 2.5
    bad = client.post(url("district-indicators", demo), {f"weight-{indicators['sgb2_rate'].pk}": "viel"})
    assert bad.status_code == 400 and "ist keine Zahl" in bad.content.decode()


def test_needs_page_marks_high_need_with_thin_offers(client, demo, planner):
    client.force_login(planner)
    response = client.get(url("districts-needs", demo))
    assert response.status_code == 200
    rows = {r["district"].code: r for r in response.context["result"]["rows"]}
    assert rows["01"]["offers"] == 6 and not rows["01"]["thin"]  # the inner city has many offers
    assert rows["04"]["thin"]  # Zechensiedlung: high need, one offer for 9,100 inhabitants
    assert "Bedarf hoch, Angebot dünn" in response.content.decode()
    by_indicator = client.get(url("districts-needs", demo) + "?need=unemployment_rate&year=2020")
    assert by_indicator.context["result"]["year"] == 2020


def _map_queries(client, municipality, columns: int) -> tuple[int, int]:
    """Import ``columns`` x 6 districts, open the map; (number of districts shown, queries of the page)."""
    cells = jittered_grid(10, 6, width=0.3, height=0.12)
    features = [
        {"type": "Feature", "properties": {"code": f"{c:02d}{r:02d}", "name": f"Bezirk {c}-{r}"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for (c, r), ring in cells.items() if c < columns
    ]  # fmt: skip
    services.districts_import_geojson(
        municipality=municipality, data=json.dumps({"type": "FeatureCollection", "features": features})
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("districts-map", municipality))
    return len(response.context["data"]["districts"]), len(queries)


def test_map_queries_do_not_grow_with_the_districts(client, municipality, planner):
    # Given a planner, when the map is opened with 6 districts and again with 60
    client.force_login(planner)
    few, few_queries = _map_queries(client, municipality, 1)
    many, many_queries = _map_queries(client, municipality, 10)
    # then the same number of queries draws ten times as many districts (and stays small)
    assert (few, many) == (6, 60)
    assert many_queries == few_queries <= 16


def test_builtin_indicator_names_and_group_labels_follow_the_ui_language(demo):
    from django.utils import translation

    from planning.districts import selectors as district_selectors

    with translation.override("en"):
        data = district_selectors.map_data(demo, "sozialraum")
    names = {i["key"]: i["name"] for i in data["indicators"]}
    assert names["population"] == "Population total"
    assert names["living_space"] == "Living space per inhabitant"
    labels = " ".join(lab for by_group in data["group_labels"].values() for lab in by_group.values())
    assert "Einwohner" not in labels and "SGB-II-Quote" not in labels
    with translation.override("de"):
        data = district_selectors.map_data(demo, "sozialraum")
    assert {i["key"]: i["name"] for i in data["indicators"]}["population"] == "Einwohner insgesamt"
