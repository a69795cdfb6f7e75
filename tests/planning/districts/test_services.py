"""Imports (all or nothing, errors with feature or line/column/reason), re-import stability, offers
placed by coordinates, links of workshops and measures."""

import json

import pytest
from django.core.exceptions import ValidationError

from core.models import District
from planning.districts import services
from planning.districts.demo import demo_geojson, demo_indicator_csv, load_districts_demo
from planning.districts.models import Indicator, IndicatorImport, IndicatorValue, Offer, SocialIndexValue
from swot.models import Board, Measure

pytestmark = pytest.mark.django_db


def boundaries(**changes) -> str:
    data = demo_geojson()
    for feature in data["features"]:
        feature["properties"].update(changes.get(feature["properties"]["code"], {}))
    return json.dumps(data)


@pytest.fixture
def districts(municipality):
    services.districts_import_geojson(municipality=municipality, data=boundaries())
    return {d.code: d for d in District.objects.filter(municipality=municipality)}


def test_geojson_import_stores_districts_with_cached_map_data(municipality):
    result = services.districts_import_geojson(municipality=municipality, data=boundaries())
    assert (result["created"], result["updated"]) == (8, 0)
    inner = District.objects.get(municipality=municipality, code="01")
    assert inner.name == "Innenstadt" and inner.level == District.Level.SOZIALRAUM
    assert inner.geometry["type"] == "Polygon" and len(inner.bbox) == 4
    assert inner.bbox[0] < inner.label_lon < inner.bbox[2] and inner.bbox[1] < inner.label_lat < inner.bbox[3]
    assert 1 < inner.area_km2 < 10
    assert (
        Indicator.objects.filter(municipality=municipality, builtin=True).count() == 17
    )  # 1 + 8 age groups + 8


def test_a_broken_district_refuses_the_whole_file(municipality, districts):
    # Given known districts, a file with new names and one self-intersecting boundary
    data = demo_geojson()
    for feature in data["features"]:
        feature["properties"]["name"] += " (neu)"
    west, south, east, north = 7.10, 51.60, 7.11, 51.61
    bowtie = [[west, south], [east, north], [east, south], [west, north], [west, south]]
    data["features"][2]["geometry"]["coordinates"] = [bowtie]
    with pytest.raises(services.DistrictImportError) as refused:
        services.districts_import_geojson(municipality=municipality, data=json.dumps(data))
    # Then the message names the feature and the reason, and nothing changed
    assert any(
        m.startswith("Feature 3 (03 „Nordstadt (neu)“): Die Geometrie ist ungültig")
        for m in refused.value.messages
    )
    assert not District.objects.filter(name__endswith="(neu)").exists()


def test_reimport_keeps_district_ids_and_refuses_missing_districts(municipality, districts):
    data = json.loads(boundaries(**{"05": {"name": "Bruchfeld-Süd"}}))
    services.districts_import_geojson(municipality=municipality, data=json.dumps(data))
    again = {d.code: d for d in District.objects.filter(municipality=municipality)}
    assert {c: d.pk for c, d in again.items()} == {c: d.pk for c, d in districts.items()}
    assert again["05"].name == "Bruchfeld-Süd"

    data["features"] = [f for f in data["features"] if f["properties"]["code"] not in ("07", "08")]
    with pytest.raises(services.DistrictImportError) as refused:
        services.districts_import_geojson(municipality=municipality, data=json.dumps(data))
    assert refused.value.messages == ["2 bekannte Bezirke fehlen in der Datei: 07, 08."]


def test_a_plain_list_then_boundaries_that_miss_one_of_it(municipality):
    listing = "Kennziffer;Name\r\n01;Innenstadt\r\n02;Schlossviertel\r\n09;Hafen\r\n".encode("cp1252")
    assert services.districts_import_list(municipality=municipality, source=listing)["created"] == 3
    assert District.objects.get(code="09").geometry is None
    with pytest.raises(services.DistrictImportError) as refused:
        services.districts_import_geojson(municipality=municipality, data=boundaries())
    assert refused.value.messages == ["1 bekannte Bezirke fehlen in der Datei: 09."]


def test_plain_list_errors_name_the_line(municipality):
    listing = b"Kennziffer;Name\n01;Innenstadt\n01;Doppelt\n02;\n"
    with pytest.raises(services.DistrictImportError) as refused:
        services.districts_import_list(municipality=municipality, source=listing)
    assert refused.value.messages == [
        "Zeile 3: Die Kennziffer kommt schon in Zeile 2 vor.",
        "Zeile 4: Kennziffer oder Name fehlt.",
    ]
    assert not District.objects.exists()


def test_utm_boundaries_are_refused_with_a_clear_message(municipality):
    data = demo_geojson()
    for feature in data["features"]:
        feature["geometry"]["coordinates"] = [
            [[363_000 + (x - 7.1) * 69_000, 5_720_000 + (y - 51.6) * 111_000] for x, y in ring]
            for ring in feature["geometry"]["coordinates"]
        ]
    with pytest.raises(services.DistrictImportError) as refused:
        services.districts_import_geojson(municipality=municipality, data=json.dumps(data))
    (message,) = refused.value.messages
    assert "projizierte Meter (vermutlich ETRS89 / UTM 32N, EPSG:25832)" in message
    assert message.startswith("Feature 1 (01 „Innenstadt“)")


def test_nested_levels_refer_to_their_parent(municipality, districts):
    listing = b"Kennziffer;Name\nA;Stadtmitte\nB;Land\n"
    services.districts_import_list(municipality=municipality, source=listing, level=District.Level.STADTTEIL)
    data = json.loads(boundaries(**{c: {"stadtteil": "A" if c in ("01", "02") else "B"} for c in districts}))
    services.districts_import_geojson(
        municipality=municipality, data=json.dumps(data), parent_property="stadtteil"
    )
    assert District.objects.get(code="01", level="sozialraum").parent.name == "Stadtmitte"
    data["features"][0]["properties"]["stadtteil"] = "Z"
    with pytest.raises(services.DistrictImportError) as refused:
        services.districts_import_geojson(
            municipality=municipality, data=json.dumps(data), parent_property="stadtteil"
        )
    assert refused.value.messages == [
        "Feature 1 (01 „Innenstadt“): Der übergeordnete Bezirk Z ist nicht bekannt."
    ]


# -- indicator values ------------------------------------------------------------------------------
def test_indicator_import_windows_1252_german_numbers(municipality, districts):
    record = services.indicator_values_import(
        municipality=municipality, source=demo_indicator_csv(), filename="sozialbericht.csv"
    )
    assert (record.rows, record.values, record.years) == (40, 680, [2020, 2021, 2022, 2023, 2024])
    value = IndicatorValue.objects.get(district=districts["01"], indicator__key="sgb2_rate", year=2024)
    assert value.value == pytest.approx(24.5, abs=0.31)
    assert SocialIndexValue.objects.filter(district__municipality=municipality).count() == 40
    top = SocialIndexValue.objects.get(year=2024, rank=1)
    assert top.district.code == "01" and top.group == 1


def test_bad_rows_refuse_the_whole_file_with_line_column_and_reason(municipality, districts):
    good = "Kennziffer;Jahr;SGB-II-Quote;Arbeitslosenquote;Einwohner insgesamt\n01;2024;24,5;14,2;9800\n"
    bad = (
        good
        + "02;2024;abc;5,0;6900\n"
        + "99;2024;5,0;5,0;100\n"
        + "03;20x4;5,0;5,0;100\n"
        + "04;2024;120;5,0;100\n"
        + "05;2024;5,0;5,0;-3\n"
        + "01;2024;1,0;1,0;1\n"
        + "06;2024;-;.;\n"
    )
    with pytest.raises(services.DistrictImportError) as refused:
        services.indicator_values_import(municipality=municipality, source=bad.encode(), filename="x.csv")
    assert refused.value.messages == [
        "Zeile 3, Spalte „SGB-II-Quote“: „abc“ ist keine Zahl.",
        "Zeile 4, Spalte „Kennziffer“: Unbekannter Bezirk „99“.",
        "Zeile 5, Spalte „Jahr“: „20x4“ ist kein Jahr.",
        "Zeile 6, Spalte „SGB-II-Quote“: Der Anteil 120 liegt nicht zwischen 0 und 100 %.",
        "Zeile 7, Spalte „Einwohner insgesamt“: Eine Anzahl kann nicht negativ sein (-3).",
        "Zeile 8, Spalte „Kennziffer“: Bezirk und Jahr 2024 stehen schon in Zeile 2.",
    ]
    assert not IndicatorValue.objects.exists() and not IndicatorImport.objects.exists()
    # the good part alone goes in; "-" and "." are missing values, not zero
    services.indicator_values_import(
        municipality=municipality, source=(good + "06;2024;-;.;\n").encode(), filename="ok.csv"
    )
    assert IndicatorValue.objects.count() == 3


def test_unknown_columns_must_be_defined_first(municipality, districts):
    table = b"Kennziffer;Jahr;Spielplatzflaeche\n01;2024;3,5\n"
    with pytest.raises(services.DistrictImportError) as refused:
        services.indicator_values_import(municipality=municipality, source=table, filename="x.csv")
    assert refused.value.messages[0].startswith("Zeile 1, Spalte „Spielplatzflaeche“: Unbekannter Indikator")
    services.indicator_save(
        municipality=municipality,
        indicator=Indicator(
            key="spielplatzflaeche", name="Spielplatzfläche je Kind", unit="m²", kind="value",
            direction="better", weight=1, source="Grünflächenamt",
        ),
    )  # fmt: skip
    services.indicator_values_import(municipality=municipality, source=table, filename="x.csv")
    assert IndicatorValue.objects.get(indicator__key="spielplatzflaeche").value == 3.5


def test_an_xlsx_file_is_read_too(municipality, districts):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kennziffer", "Jahr", "Arbeitslosenquote"])
    sheet.append(["01", 2024, 14.25])
    sheet.append([2, 2024, "bad"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(services.DistrictImportError) as refused:
        services.indicator_values_import(
            municipality=municipality, source=buffer.getvalue(), filename="x.xlsx"
        )
    assert refused.value.messages == ["Zeile 3, Spalte „Kennziffer“: Unbekannter Bezirk „2“."]


def test_the_index_is_stable_under_reimport(municipality, districts):
    services.indicator_values_import(municipality=municipality, source=demo_indicator_csv(), filename="a.csv")
    first = list(SocialIndexValue.objects.order_by("district__code", "year").values_list())
    first = [row[1:] for row in first]  # without the row id
    services.indicator_values_import(municipality=municipality, source=demo_indicator_csv(), filename="a.csv")
    again = [row[1:] for row in SocialIndexValue.objects.order_by("district__code", "year").values_list()]
    assert again == first


def test_weights_change_the_index(municipality, districts):
    services.indicator_values_import(municipality=municipality, source=demo_indicator_csv(), filename="a.csv")
    weights = {i.pk: 0 for i in Indicator.objects.filter(municipality=municipality)}
    living = Indicator.objects.get(municipality=municipality, key="living_space")
    weights[living.pk] = 1
    services.indicator_weights_set(municipality=municipality, weights=weights)
    # only living space counts now: the smallest flats (inner city, 33.5 m²) rank first
    assert SocialIndexValue.objects.get(year=2024, rank=1).district.code == "01"
    assert SocialIndexValue.objects.get(year=2024, rank=8).district.code == "06"  # 50 m²


# -- offers and links ------------------------------------------------------------------------------
def test_an_offer_is_placed_by_its_coordinates(municipality, districts):
    inner = districts["01"]
    offer = services.offer_save(
        municipality=municipality,
        offer=Offer(name="Nachbarschaftscafé", lon=inner.label_lon, lat=inner.label_lat),
    )
    assert offer.district == inner
    # coordinates win over a chosen district
    south = districts["07"]
    offer.district = inner
    offer.lon, offer.lat = south.label_lon, south.label_lat
    assert services.offer_save(municipality=municipality, offer=offer).district == south
    with pytest.raises(ValidationError, match="liegt in keinem Bezirk"):
        services.offer_save(municipality=municipality, offer=Offer(name="Weit weg", lon=8.5, lat=52.0))


def test_an_offer_of_another_municipalitys_district_is_refused(municipality, other_municipality, districts):
    with pytest.raises(ValidationError, match="gehört nicht zu dieser Kommune"):
        services.offer_save(
            municipality=other_municipality, offer=Offer(name="Fremd", district=districts["01"])
        )


def test_new_boundaries_move_offers_with_coordinates(municipality, districts):
    inner = districts["01"]
    offer = services.offer_save(
        municipality=municipality, offer=Offer(name="Treff", lon=inner.label_lon, lat=inner.label_lat)
    )
    Offer.objects.filter(pk=offer.pk).update(district=districts["06"])  # placed wrongly by hand
    services.districts_import_geojson(municipality=municipality, data=boundaries())
    offer.refresh_from_db()
    assert offer.district == inner


def test_workshops_and_measures_are_linked_within_the_municipality(
    municipality, other_municipality, districts
):
    board = Board.objects.create(municipality=municipality, title="Werkstatt")
    measure = Measure.objects.create(municipality=municipality, title="Quartiersbüro")
    foreign = Board.objects.create(municipality=other_municipality, title="Fremd")
    services.district_link_set(district=districts["01"], board_id=board.pk, measure_id=measure.pk)
    board.refresh_from_db()
    measure.refresh_from_db()
    assert board.district == districts["01"] and measure.district == districts["01"]
    with pytest.raises(ValidationError):
        services.district_link_set(district=districts["01"], board_id=foreign.pk)


def test_the_demo_loader_is_idempotent(municipality):
    load_districts_demo(municipality)
    load_districts_demo(municipality)
    assert District.objects.filter(municipality=municipality).count() == 8
    assert Offer.objects.filter(municipality=municipality).count() == 13
    # every demo offer lies in the district it was meant for (points near the district's label point)
    inner = Offer.objects.filter(municipality=municipality, district__code="01").count()
    assert inner == 6
