"""Sozialräume in headless Chromium: a planner imports boundaries and indicators, opens the map (drawn
from the boundaries alone, no internet), switches the year, clicks a district and sees its page."""

import json
import os

import pytest

from core.models import District, Role
from planning.districts.demo import demo_geojson, demo_indicator_csv, load_districts_demo
from planning.districts.models import IndicatorValue, Offer
from stakeholders.models import Stakeholder
from stakeholders.services import stakeholder_create
from swot.models import Board
from tests.browser.conftest import login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, tmp_path, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR", str(tmp_path))
    page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_planner_imports_districts_and_indicators_then_uses_the_map(
    page, live_server, municipality, member_factory, tmp_path
):
    # Given a planner and a workshop about the inner city
    member_factory(municipality, Role.PLANNER, username="planung")
    board = Board.objects.create(municipality=municipality, title="Werkstatt Innenstadt")
    boundaries = tmp_path / "sozialraeume.geojson"
    boundaries.write_text(json.dumps(demo_geojson()))
    indicators = tmp_path / "indikatoren.csv"
    indicators.write_bytes(demo_indicator_csv())
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    console = []
    page.on("console", lambda m: console.append(m.text))
    page.on("pageerror", lambda e: console.append(str(e)))
    login(page, live_server.url, "planung", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")

    # When they import the boundaries and then the indicators
    base = f"{live_server.url}/kommunen/musterstadt/planung/sozialraeume"
    page.goto(f"{base}/import/")
    page.set_input_files("[data-testid=boundary-form] input[type=file]", str(boundaries))
    page.locator("[data-testid=boundary-form] button[type=submit]").click()
    page.wait_for_url(f"{base}/?level=sozialraum")
    assert District.objects.filter(municipality=municipality).count() == 8
    page.goto(f"{base}/import/")
    page.set_input_files("[data-testid=indicator-form] input[type=file]", str(indicators))
    page.locator("[data-testid=indicator-form] button[type=submit]").click()
    page.wait_for_url(f"{base}/**")
    assert "680 Werte für 40 Bezirke und Jahre importiert" in page.locator(".messages").inner_text()

    # Then the map is drawn from the boundaries: eight district shapes, the table beside it
    assert not console, console  # no failed request, no script error
    page.wait_for_selector("#district-map .choroplethlayer path")
    assert page.locator("#district-map .choroplethlayer path").count() == 8
    rows = page.locator("[data-testid=district-table] tbody tr")
    assert rows.count() == 8
    assert rows.first.inner_text().startswith("1\t01 Innenstadt")
    assert page.locator("[data-testid=map-year-label]").inner_text() == "2024"
    _shot(page, tmp_path, "districts-map.png")

    # When they switch to the unemployment rate and move the slider to 2020
    page.select_option("[data-testid=map-indicator]", "unemployment_rate")
    page.locator("[data-testid=map-year]").fill("2020")
    # Then the table shows 2020's values in German notation
    assert page.locator("[data-testid=map-year-label]").inner_text() == "2020"
    assert page.locator("#map-table-title").inner_text() == "Arbeitslosenquote 2020"
    value = IndicatorValue.objects.get(
        district__code="01", indicator__key="unemployment_rate", year=2020
    ).value
    german = f"{value:.2f}".replace(".", ",")
    assert rows.first.inner_text() == f"1\t01 Innenstadt\t{german} %\t1"  # rank 1 in the index, group 1
    assert "year=2020" in page.url
    _shot(page, tmp_path, "districts-map-2020.png")

    # When they click the inner city on the map
    inner = District.objects.get(municipality=municipality, code="01")
    Board.objects.filter(pk=board.pk).update(district=inner)
    # (and the registry has placed a welfare association and a citizen there, another club elsewhere)
    stakeholder_create(municipality=municipality, name="Caritas Innenstadt", sector="third", district=inner)
    stakeholder_create(
        municipality=municipality,
        entity="person",
        name="Erika Quartier",
        sector="informal",
        legal_basis="e",
        purpose="Beteiligung",
        lon=inner.label_lon,
        lat=inner.label_lat,
    )
    stakeholder_create(
        municipality=municipality,
        name="Sportverein Süd",
        sector="third",
        district=District.objects.get(municipality=municipality, code="07"),
    )
    box = page.locator("#district-map").bounding_box()
    # the label point is inside the district: click where plotly drew the inner city's label
    label = page.locator("#district-map .scattergeo text", has_text="Innenstadt")
    lb = label.bounding_box()
    assert lb and box
    page.mouse.click(lb["x"] + lb["width"] / 2, lb["y"] + lb["height"] + 4)
    page.wait_for_url(f"{base}/{inner.pk}/")

    # Then the district page shows its indicators against the municipality, the age structure,
    # the offers (none yet), the stakeholders placed there (a planner sees the person's name) and the workshop
    assert page.locator("[data-testid=district-name]").inner_text().startswith("Innenstadt")
    table = page.locator("[data-testid=district-indicators]").inner_text()
    assert "SGB-II-Quote" in table and "Musterstadt" in table
    assert "Rang 1 von 8" in page.locator("[data-testid=district-index]").inner_text()
    page.wait_for_selector("#district-pyramid svg.main-svg")
    page.wait_for_selector("#district-series svg.main-svg")
    placed = page.locator("[data-testid=district-stakeholders]").inner_text()
    assert "Caritas Innenstadt" in placed and "Erika Quartier" in placed and "Sportverein" not in placed
    assert "Werkstatt Innenstadt" in page.locator("[data-testid=district-boards]").inner_text()
    _shot(page, tmp_path, "district-detail.png")

    # And nothing was fetched from outside the app (no tiles, no topojson, no CDN)
    foreign = [url for url in requests if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert foreign == []


def test_needs_against_offers_on_the_demo(page, live_server, municipality, member_factory, tmp_path):
    # Given the demo districts with their offers
    load_districts_demo(municipality)
    member_factory(municipality, Role.VIEWER, username="gast")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, live_server.url, "gast", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    # When a viewer opens the needs/offers overlay
    page.goto(f"{live_server.url}/kommunen/musterstadt/planung/sozialraeume/bedarf-und-angebot/")
    # Then the need is coloured and the offers are circles with their count; the Zechensiedlung is marked
    page.wait_for_selector("#needs-map .choroplethlayer path")
    assert page.locator("#needs-map .choroplethlayer path").count() == 8
    assert page.locator("#needs-map .scattergeo .point").count() == 8
    marked = page.locator("[data-testid=needs-table] tr.thin").all_inner_texts()
    assert any("Zechensiedlung" in row for row in marked)
    assert not any("Innenstadt" in row for row in marked)
    _shot(page, tmp_path, "districts-needs.png")
    assert [url for url in requests if not url.startswith(live_server.url)] == []


def _click_inside(page, selector: str, index: int) -> None:
    """Click the middle of a district as drawn (the jittered demo cells are convex enough for it)."""
    page.wait_for_selector(f"{selector} .choroplethlayer path")
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(f"{selector} .choroplethlayer path").nth(index).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_click_on_the_small_map_fills_coordinates_that_place_offer_and_stakeholder(
    page, live_server, municipality, member_factory, tmp_path
):
    # Given the demo districts and a planner on the offer form
    load_districts_demo(municipality)
    member_factory(municipality, Role.PLANNER, username="planung")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, live_server.url, "planung", PASSWORD)
    page.wait_for_url(f"{live_server.url}/kommunen/musterstadt/")
    base = f"{live_server.url}/kommunen/musterstadt"
    page.goto(f"{base}/planung/sozialraeume/angebote/neu/")
    page.wait_for_selector("[data-testid=district-picker][data-ready='1']")
    # (the small map draws the eight districts, in the order of their codes: 04 is the Zechensiedlung)
    assert page.locator("[data-testid=district-picker] .choroplethlayer path").count() == 8

    # When they click into the Zechensiedlung
    _click_inside(page, "[data-testid=district-picker]", 3)
    # Then longitude and latitude are filled in German notation, inside the town
    lon, lat = page.input_value("#id_lon"), page.input_value("#id_lat")
    assert "," in lon and "," in lat
    assert 7.09 < float(lon.replace(",", ".")) < 7.18 and 51.57 < float(lat.replace(",", ".")) < 51.63
    assert "Gewählt:" in page.inner_text("[data-district-picker]")
    _shot(page, tmp_path, "offer-picker.png")
    # And the server places the offer in that district
    page.fill("#id_name", "Nachbarschaftstreff Zeche")
    page.click("[data-testid=offer-form] button[type=submit]")
    page.wait_for_url(f"{base}/planung/sozialraeume/angebote/")
    offer = Offer.objects.get(name="Nachbarschaftstreff Zeche")
    assert offer.district.code == "04" and offer.lon is not None

    # When they add a stakeholder and click into the Innenstadt (code 01, the first district)
    page.goto(f"{base}/akteure/neu/")
    page.wait_for_selector("[data-testid=district-picker][data-ready='1']")
    page.fill("#id_name", "Stadtteilverein Mitte")
    page.select_option("#id_sector", "third")
    _click_inside(page, "[data-testid=district-picker]", 0)
    page.click("#stakeholder-form button[type=submit]")
    page.wait_for_selector("#stakeholder-name")
    # Then it is placed in the Innenstadt, shown with a link to the district page
    placed = Stakeholder.objects.get(name="Stadtteilverein Mitte")
    assert placed.district.code == "01"
    assert page.inner_text("#stakeholder-district") == "Innenstadt"
    # and the map needed nothing from outside the app
    assert [
        url for url in requests if not url.startswith(live_server.url) and not url.startswith("data:")
    ] == []
