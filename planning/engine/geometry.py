"""District boundaries from GeoJSON: reading, checking and placing points, with shapely (no Django).

``read_districts(data, ...)`` turns a GeoJSON FeatureCollection into ``DistrictShape`` rows or a list
of ``GeoIssue`` (all or nothing: the caller stores nothing if there is one error). Checks, in order:

1. the file is JSON and a FeatureCollection (or a single Feature);
2. coordinate system: a ``crs`` member that names anything but WGS84 (``EPSG:4326``, ``OGC:CRS84``) is
   refused; so are coordinates outside longitude -180..180 / latitude -90..90 (projected metres, such as
   ETRS89 / UTM 32N, EPSG:25832, the usual format of a German surveying office) and coordinates that
   look like latitude/longitude swapped for Germany;
3. every feature has a code and a name (properties detected from usual names or given), codes unique;
4. geometry is a Polygon or MultiPolygon, not empty, and valid (shapely's ``is_valid_reason`` names the
   reason and the place, e.g. "Self-intersection[7.12 51.6]");
5. districts of the file do not overlap (an intersection larger than ``OVERLAP_TOLERANCE_M2``; smaller
   slivers are digitising noise) and, when ``expected_codes`` is given (districts known from a plain
   list), none of them is missing;
6. gaps (holes in the union of all districts that are not holes of a single district) larger than
   ``GAP_TOLERANCE_M2`` are reported as warnings: many cities have unassigned areas (a lake, a forest).

Areas are computed in a local equirectangular approximation around the file's centre (metres; accurate
to well under 1 % at the scale of a city), which is enough for tolerances and the km² shown.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

OVERLAP_TOLERANCE_M2 = 1.0
GAP_TOLERANCE_M2 = 100.0
# Germany, generously: to recognise swapped axes.
_DE_LON = (5.0, 16.0)
_DE_LAT = (47.0, 56.0)
_WGS84_CRS = re.compile(r"(EPSG:*4326|CRS84|CRS:84|WGS ?84)$", re.IGNORECASE)
_CODE_KEYS = ("code", "kennziffer", "nr", "nummer", "id", "schluessel", "schlüssel", "key", "bezirk_nr")
_NAME_KEYS = ("name", "bezeichnung", "bezirk", "stadtteil", "sozialraum", "label", "title")
_PARENT_KEYS = ("parent", "parent_code", "uebergeordnet", "übergeordnet", "stadtteil_nr")


@dataclass(frozen=True)
class GeoIssue:
    """One problem of a boundary file. ``code`` is stable (tests, messages); ``feature`` is the 1-based
    position in the file; ``label`` names the feature as the user knows it (code and name)."""

    code: str
    feature: int | None = None
    label: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    warning: bool = False


@dataclass
class DistrictShape:
    """One checked district: code, name, optional parent code, geometry (GeoJSON dict, WGS84) and
    what maps need cached: bounding box, a point inside the district, area in km²."""

    code: str
    name: str
    parent_code: str | None
    geometry: dict[str, Any]
    bbox: list[float]
    label_point: tuple[float, float]
    area_km2: float


@dataclass
class GeoResult:
    districts: list[DistrictShape]
    issues: list[GeoIssue]

    @property
    def errors(self) -> list[GeoIssue]:
        return [i for i in self.issues if not i.warning]

    @property
    def warnings(self) -> list[GeoIssue]:
        return [i for i in self.issues if i.warning]

    @property
    def ok(self) -> bool:
        return not self.errors


def _metric(geometry: BaseGeometry, lat0: float) -> BaseGeometry:
    """The geometry in metres (local equirectangular projection around latitude ``lat0``)."""
    kx = 111_320.0 * math.cos(math.radians(lat0))
    ky = 110_574.0
    return shapely.transform(geometry, lambda xy: xy * [kx, ky])


def _pick(properties: dict[str, Any], wanted: str | None, candidates: Sequence[str]) -> str | None:
    """The property to use: the one asked for, else the first usual name present (case-insensitive)."""
    keys = {str(k).strip().lower(): k for k in properties}
    if wanted:
        return keys.get(wanted.strip().lower())
    return next((keys[c] for c in candidates if c in keys), None)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _all_coordinates(geometry: dict[str, Any]) -> Iterable[Sequence[float]]:
    def walk(node: Any) -> Iterable[Sequence[float]]:
        if isinstance(node, list | tuple) and node and isinstance(node[0], int | float):
            yield node
        elif isinstance(node, list | tuple):
            for child in node:
                yield from walk(child)

    return walk(geometry.get("coordinates"))


def _crs_issue(collection: dict[str, Any]) -> GeoIssue | None:
    crs = collection.get("crs")
    if not isinstance(crs, dict):
        return None
    name = _text((crs.get("properties") or {}).get("name"))
    if name and not _WGS84_CRS.search(name.replace("::", ":")):
        return GeoIssue("crs_not_wgs84", params={"crs": name})
    return None


def _coordinate_issue(features: list[tuple[int, str, dict[str, Any]]]) -> GeoIssue | None:
    """Projected metres or swapped axes, judged from the first coordinates of every feature."""
    swapped = 0
    for position, label, geometry in features:
        for x, y, *_ in _all_coordinates(geometry):
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                hint = "EPSG:25832" if 200_000 <= x <= 900_000 and 5_200_000 <= y <= 6_200_000 else ""
                return GeoIssue("projected_coordinates", position, label, {"x": x, "y": y, "hint": hint})
            if _DE_LAT[0] <= x <= _DE_LAT[1] and _DE_LON[0] <= y <= _DE_LON[1]:
                swapped += 1
            break
    if features and swapped == len(features):
        position, label, geometry = features[0]
        x, y, *_ = next(iter(_all_coordinates(geometry)))
        return GeoIssue("swapped_axes", position, label, {"x": x, "y": y})
    return None


def load_geojson(data: bytes | str | dict[str, Any]) -> tuple[list[dict[str, Any]], GeoIssue | None]:
    """The features of a GeoJSON text, or an issue saying why it is not one."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], GeoIssue("not_utf8")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            return [], GeoIssue("not_json", params={"line": exc.lineno, "column": exc.colno, "msg": exc.msg})
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        return [], GeoIssue("not_feature_collection")
    if crs_issue := _crs_issue(data):
        return [], crs_issue
    features = [data] if data["type"] == "Feature" else data.get("features")
    if not isinstance(features, list) or not features:
        return [], GeoIssue("no_features")
    return features, None


def read_districts(
    data: bytes | str | dict[str, Any],
    *,
    code_property: str | None = None,
    name_property: str | None = None,
    parent_property: str | None = None,
    expected_codes: Iterable[str] = (),
) -> GeoResult:
    """Check a boundary file and return its districts, or every problem found (see module docstring)."""
    features, issue = load_geojson(data)
    if issue:
        return GeoResult([], [issue])

    issues: list[GeoIssue] = []
    rows: list[tuple[int, str, str, str | None, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for position, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            issues.append(GeoIssue("not_a_feature", position))
            continue
        props = feature.get("properties") or {}
        code_key = _pick(props, code_property, _CODE_KEYS)
        name_key = _pick(props, name_property, _NAME_KEYS)
        parent_key = _pick(props, parent_property, _PARENT_KEYS) if parent_property else None
        code = _text(props.get(code_key)) if code_key else _text(feature.get("id"))
        name = _text(props.get(name_key)) if name_key else ""
        label = " ".join(p for p in (code, f"„{name}“" if name else "") if p)
        if not code:
            issues.append(GeoIssue("no_code", position, label, {"property": code_property or "code"}))
        if not name:
            issues.append(GeoIssue("no_name", position, label, {"property": name_property or "name"}))
        if code and code in seen:
            issues.append(GeoIssue("duplicate_code", position, label, {"first": seen[code]}))
        elif code:
            seen[code] = position
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            kind = geometry.get("type") if isinstance(geometry, dict) else None
            issues.append(GeoIssue("not_a_polygon", position, label, {"kind": kind or "null"}))
            continue
        parent = _text(props.get(parent_key)) if parent_key else ""
        rows.append((position, code, name, parent or None, geometry))
    if issues:
        return GeoResult([], issues)
    if coordinate_issue := _coordinate_issue([(p, f"{c} „{n}“", g) for p, c, n, _, g in rows]):
        return GeoResult([], [coordinate_issue])

    shapes: list[BaseGeometry] = []
    for position, code, name, _parent, geometry in rows:
        label = f"{code} „{name}“"
        try:
            geom = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
            issues.append(GeoIssue("broken_geometry", position, label, {"reason": str(exc)}))
            shapes.append(shapely.Polygon())
            continue
        if geom.is_empty:
            issues.append(GeoIssue("empty_geometry", position, label))
        elif not geom.is_valid:
            issues.append(
                GeoIssue("invalid_geometry", position, label, {"reason": shapely.is_valid_reason(geom)})
            )
        shapes.append(geom)
    if issues:
        return GeoResult([], issues)

    lat0 = (min(g.bounds[1] for g in shapes) + max(g.bounds[3] for g in shapes)) / 2
    metric = [_metric(g, lat0) for g in shapes]
    issues += _overlaps(rows, metric)
    missing = sorted(set(expected_codes) - {code for _, code, *_ in rows})
    if missing:
        issues.append(
            GeoIssue("missing_districts", params={"codes": ", ".join(missing), "count": len(missing)})
        )
    issues += _gaps(metric, lat0)

    districts = [
        DistrictShape(
            code=code,
            name=name,
            parent_code=parent,
            geometry=_stored(geom),
            bbox=[round(v, 7) for v in geom.bounds],
            label_point=_round_point(geom.point_on_surface()),
            area_km2=round(m.area / 1e6, 4),
        )
        for (_, code, name, parent, _), geom, m in zip(rows, shapes, metric, strict=True)
    ]
    result = GeoResult(districts, issues)
    return result if result.ok else GeoResult([], issues)


def _stored(geom: BaseGeometry) -> dict[str, Any]:
    """The geometry as stored: coordinates on a 1e-7° grid (about 1 cm; shared edges stay shared), which
    keeps the map page small; the unrounded geometry if snapping should ever make it invalid."""
    snapped = shapely.set_precision(geom, 1e-7)
    if snapped.is_empty or not snapped.is_valid or snapped.geom_type not in ("Polygon", "MultiPolygon"):
        snapped = geom
    return json.loads(json.dumps(mapping(snapped)))  # tuples -> lists


def _round_point(point: BaseGeometry) -> tuple[float, float]:
    return round(point.x, 6), round(point.y, 6)


def _overlaps(rows: list[tuple], metric: list[BaseGeometry]) -> list[GeoIssue]:
    tree = STRtree(metric)
    issues = []
    left, right = tree.query(metric, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        area = metric[i].intersection(metric[j]).area
        if area > OVERLAP_TOLERANCE_M2:
            a, b = rows[i], rows[j]
            issues.append(
                GeoIssue(
                    "overlap",
                    a[0],
                    f"{a[1]} „{a[2]}“",
                    {"other": f"{b[1]} „{b[2]}“", "other_feature": b[0], "area_m2": round(area)},
                )
            )
    return issues


def _gaps(metric: list[BaseGeometry], lat0: float) -> list[GeoIssue]:
    """Holes of the union that no district has as its own hole, as warnings."""
    union = shapely.union_all(metric, grid_size=0.01)  # 1 cm: shared edges written with float noise
    own_holes = shapely.union_all(
        [shapely.Polygon(ring) for g in metric for p in getattr(g, "geoms", [g]) for ring in p.interiors]
    )
    issues = []
    for polygon in getattr(union, "geoms", [union]):
        for ring in polygon.interiors:
            hole = shapely.Polygon(ring).difference(own_holes)
            if hole.area > GAP_TOLERANCE_M2:
                centre = hole.representative_point()
                kx = 111_320.0 * math.cos(math.radians(lat0))
                issues.append(
                    GeoIssue(
                        "gap",
                        params={
                            "area_m2": round(hole.area),
                            "lon": round(centre.x / kx, 5),
                            "lat": round(centre.y / 110_574.0, 5),
                        },
                        warning=True,
                    )
                )
    return issues
