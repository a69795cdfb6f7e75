"""Boundary files: broken geometry, overlaps, gaps, missing districts, coordinate systems; point placement."""

import json

import pytest

from core.geo import DistrictLocator
from planning.engine.geometry import read_districts

LON, LAT = 7.10, 51.60
STEP = 0.01


def square(col: int, row: int, size: float = STEP) -> list:
    x, y = LON + col * STEP, LAT + row * STEP
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def feature(code: str, name: str, coordinates: list, kind: str = "Polygon", **props) -> dict:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, **props},
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def collection(*features: dict, **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode()


def grid() -> list[dict]:
    return [
        feature("01", "Altstadt", square(0, 0)),
        feature("02", "Nord", square(0, 1)),
        feature("03", "Ost", square(1, 0)),
        feature("04", "Nordost", square(1, 1)),
    ]


def test_a_clean_grid_is_read_with_cached_bbox_point_and_area():
    result = read_districts(collection(*grid()))
    assert result.ok and result.issues == []
    first = result.districts[0]
    assert (first.code, first.name) == ("01", "Altstadt")
    assert first.bbox == pytest.approx([LON, LAT, LON + STEP, LAT + STEP])
    lon, lat = first.label_point
    assert LON < lon < LON + STEP and LAT < lat < LAT + STEP
    # 0.01° x 0.01° at 51.6° N: about 692 m x 1106 m
    assert first.area_km2 == pytest.approx(0.765, rel=0.01)


def test_a_self_intersecting_polygon_is_refused_with_feature_and_reason():
    bowtie = [[[LON, LAT], [LON + STEP, LAT + STEP], [LON + STEP, LAT], [LON, LAT + STEP], [LON, LAT]]]
    features = [*grid()[:3], feature("04", "Nordost", bowtie)]
    result = read_districts(collection(*features))
    assert not result.ok and result.districts == []
    (issue,) = result.errors
    assert (issue.code, issue.feature, issue.label) == ("invalid_geometry", 4, "04 „Nordost“")
    assert "Self-intersection" in issue.params["reason"]


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        ({"type": "Point", "coordinates": [LON, LAT]}, "not_a_polygon"),
        (None, "not_a_polygon"),
        ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 1, LAT]]]}, "broken_geometry"),
        ({"type": "Polygon", "coordinates": []}, "empty_geometry"),
    ],
)
def test_other_broken_geometries_name_the_feature(geometry, code):
    broken = {"type": "Feature", "properties": {"code": "09", "name": "Kaputt"}, "geometry": geometry}
    result = read_districts(collection(*grid(), broken))
    assert [(i.code, i.feature) for i in result.errors] == [(code, 5)]


def test_overlapping_districts_are_refused_naming_both():
    shifted = feature("04", "Nordost", square(0.5, 1))  # half of it lies on 02 "Nord"
    result = read_districts(collection(*grid()[:3], shifted))
    assert not result.ok
    (issue,) = result.errors
    assert issue.code == "overlap"
    assert {issue.label, issue.params["other"]} == {"02 „Nord“", "04 „Nordost“"}
    assert 300_000 < issue.params["area_m2"] < 400_000


def test_touching_districts_do_not_overlap_and_a_gap_is_only_a_warning():
    # a 3x3 ring of districts around an unassigned centre
    ring = [
        feature(f"{c}{r}", f"B{c}{r}", square(c, r)) for c in range(3) for r in range(3) if (c, r) != (1, 1)
    ]
    result = read_districts(collection(*ring))
    assert result.ok
    (gap,) = result.warnings
    assert gap.code == "gap" and 700_000 < gap.params["area_m2"] < 800_000
    assert gap.params["lat"] == pytest.approx(LAT + 1.5 * STEP, abs=0.002)


def test_missing_districts_of_a_known_list_are_refused():
    result = read_districts(collection(*grid()[:3]), expected_codes=["01", "02", "03", "04", "05"])
    (issue,) = result.errors
    assert issue.code == "missing_districts" and issue.params["codes"] == "04, 05"


def test_projected_coordinates_are_refused_as_utm():
    utm = [[[363000, 5720000], [364000, 5720000], [364000, 5721000], [363000, 5720000]]]
    result = read_districts(collection(feature("01", "Altstadt", utm)))
    (issue,) = result.errors
    assert issue.code == "projected_coordinates" and issue.params["hint"] == "EPSG:25832"


def test_a_crs_member_other_than_wgs84_is_refused():
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    result = read_districts(collection(*grid(), crs=crs))
    (issue,) = result.errors
    assert issue.code == "crs_not_wgs84" and "25832" in issue.params["crs"]
    wgs84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    assert read_districts(collection(*grid(), crs=wgs84)).ok


def test_swapped_axes_are_recognised():
    swapped = [[[y, x] for x, y in ring] for ring in square(0, 0)]
    result = read_districts(collection(feature("01", "Altstadt", swapped)))
    assert [i.code for i in result.errors] == ["swapped_axes"]


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"{not json", "not_json"), (b'{"type": "Point"}', "not_feature_collection"), (b"\xff\xfe", "not_utf8")],
)
def test_files_that_are_not_geojson(data, code):
    assert [i.code for i in read_districts(data).errors] == [code]


def test_duplicate_codes_and_missing_names():
    features = [*grid(), feature("01", "", square(2, 0))]
    codes = sorted(i.code for i in read_districts(collection(*features)).errors)
    assert codes == ["duplicate_code", "no_name"]


def test_properties_are_found_under_other_names_or_as_asked():
    renamed = [
        {"type": "Feature", "properties": {"Kennziffer": 7, "Bezeichnung": "Süd"}, "geometry": f["geometry"]}
        for f in grid()[:1]
    ]
    assert read_districts(collection(*renamed)).districts[0].code == "7"
    custom = [
        {
            "type": "Feature",
            "properties": {"SR_NR": "A1", "SR_NAME": "Mitte"},
            "geometry": grid()[0]["geometry"],
        }
    ]
    (district,) = read_districts(
        collection(*custom), code_property="sr_nr", name_property="SR_NAME"
    ).districts
    assert (district.code, district.name) == ("A1", "Mitte")


def test_point_in_district():
    shapes = read_districts(collection(*grid())).districts
    locator = DistrictLocator([(s.code, s.geometry) for s in shapes])
    assert locator.locate(LON + 0.005, LAT + 0.005) == "01"
    assert locator.locate(LON + 0.015, LAT + 0.015) == "04"
    assert locator.locate(LON + 0.010, LAT + 0.005) == "01"  # on the shared edge: the first by key
    assert locator.locate(LON - 0.005, LAT) is None
    assert DistrictLocator([]).locate(LON, LAT) is None
