"""Demo districts of Musterstadt: eight Sozialräume with made-up but plausible boundaries around a
real-looking place in the Ruhr (about 7.13° E, 51.60° N), indicator series 2020-2024 and offers.

The "Innenstadt" has the problem mix of Herten's inner city in the seed report (Abbildung 1): a
concentration of benefit recipients, children in benefit households, single parents and unemployment,
cheap and small flats, many social offers of many providers; the "Zechensiedlung" has high needs and
few offers, which the needs/offers overlay shows. The boundary and indicator files are built as a
planner would upload them and go through the real import services.

``jittered_grid`` builds irregular polygons that share their edges exactly (no overlaps, no gaps); the
benchmark uses it for 200 districts.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import random
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from core.models import District, Municipality
from planning.districts import services
from planning.districts.catalogue import AGE_GROUPS
from planning.districts.models import Offer
from stakeholders.services import stakeholder_districts_match

LON0, LAT0 = 7.095, 51.578  # south-west corner of the town
WIDTH, HEIGHT = 0.075, 0.048  # degrees: about 5.2 km x 5.3 km
YEARS = (2020, 2021, 2022, 2023, 2024)

# (code, name, grid cells (col, row) of a 3x3 grid); the centre is the inner city.
DEMO_DISTRICTS = (
    ("01", "Innenstadt", [(1, 1)]),
    ("02", "Schlossviertel", [(1, 2)]),
    ("03", "Nordstadt", [(0, 2)]),
    ("04", "Zechensiedlung", [(2, 2), (2, 1)]),
    ("05", "Bruchfeld", [(0, 1)]),
    ("06", "Ostheide", [(2, 0)]),
    ("07", "Südpark", [(1, 0)]),
    ("08", "Westerfeld", [(0, 0)]),
)

# Profiles in 2024: population, SGB II %, SGB XII 65+ %, children in benefit households %, single
# parents %, unemployment %, migration background %, living space m², subsidised flats %, and the
# yearly drift of the need indicators (percentage points) since 2020.
PROFILES = {
    "01": (9800, 24.5, 9.1, 38.0, 31.0, 14.2, 52.0, 33.5, 18.0, 0.5),
    "02": (6900, 6.1, 2.4, 9.5, 17.0, 5.0, 21.0, 47.0, 4.0, -0.1),
    "03": (8400, 12.8, 4.9, 21.0, 23.0, 8.6, 35.0, 40.0, 9.0, 0.1),
    "04": (9100, 19.7, 7.2, 31.0, 27.5, 12.1, 44.0, 35.5, 14.0, 0.4),
    "05": (7300, 9.4, 3.6, 15.0, 20.0, 6.8, 27.0, 43.0, 6.0, 0.0),
    "06": (6600, 5.2, 2.1, 7.8, 15.5, 4.3, 16.0, 50.0, 2.0, -0.1),
    "07": (6500, 7.5, 3.0, 11.0, 18.0, 5.6, 22.0, 45.5, 5.0, 0.0),
    "08": (6640, 10.6, 4.0, 17.5, 21.0, 7.4, 30.0, 41.0, 8.0, 0.2),
}
# Share of the age groups 0-5 ... 80+ (young inner city, older villa quarters).
AGE_MIX = {
    "young": (0.068, 0.095, 0.032, 0.095, 0.300, 0.240, 0.120, 0.050),
    "mixed": (0.055, 0.085, 0.030, 0.075, 0.250, 0.285, 0.160, 0.060),
    "old": (0.042, 0.075, 0.028, 0.060, 0.205, 0.300, 0.200, 0.090),
}
AGE_PROFILE = {"01": "young", "04": "young", "03": "mixed", "05": "mixed", "08": "mixed"}

# (name, kind, provider, capacity, volunteer hours a year, district code, offset of the point)
DEMO_OFFERS = (
    ("Stadtteilzentrum Innenstadt", "begegnung", "AWO Unterbezirk", 120, 2400, "01", (0.002, 0.001)),
    ("Familienzentrum am Ring", "kita", "Caritasverband", 85, 300, "01", (-0.003, 0.002)),
    ("Schuldnerberatung", "beratung", "Diakonisches Werk", 40, 0, "01", (0.001, -0.002)),
    ("Jugendtreff Altes Rathaus", "jugend", "Stadt Musterstadt", 60, 800, "01", (-0.001, -0.001)),
    ("Tafel Musterstadt", "sonstiges", "Tafel Musterstadt e. V.", 250, 5200, "01", (0.003, -0.001)),
    ("Migrationsberatung", "beratung", "Caritasverband", 30, 150, "01", (0.0, 0.003)),
    ("Seniorentreff Schlosspark", "senioren", "DRK-Ortsverein", 45, 1100, "02", (0.0, 0.0)),
    ("Kita Nordstadt", "kita", "Stadt Musterstadt", 75, 0, "03", (0.0, 0.0)),
    ("Offene Ganztagsschule Nord", "bildung", "AWO Unterbezirk", 110, 200, "03", (0.002, 0.001)),
    ("Sportverein Zeche 1921", "sport_kultur", "SV Zeche 1921 e. V.", 180, 3100, "04", (0.0, 0.0)),
    ("Kita Bruchfeld", "kita", "Evangelische Kirchengemeinde", 60, 0, "05", (0.0, 0.0)),
    ("Bürgerhaus Südpark", "begegnung", "Bürgerverein Südpark e. V.", 150, 1900, "07", (0.0, 0.0)),
    ("Hausarztpraxis und Pflegeberatung", "gesundheit", "DRK-Ortsverein", 50, 0, "08", (0.0, 0.0)),
)


def jittered_grid(
    cols: int,
    rows: int,
    *,
    lon0: float = LON0,
    lat0: float = LAT0,
    width: float = WIDTH,
    height: float = HEIGHT,
    seed: int = 7,
    detail: int = 4,
) -> dict[tuple[int, int], list[list[float]]]:
    """Irregular cells of a cols x rows grid as closed rings of [lon, lat]; neighbouring cells share
    their edge coordinates exactly (every edge is built once, with ``detail`` wavy points)."""
    rng = random.Random(seed)
    dx, dy = width / cols, height / rows
    corners = {}
    for i in range(cols + 1):
        for j in range(rows + 1):
            inner = 0 < i < cols and 0 < j < rows
            spread = 0.28 if inner else 0.12  # the town's outline is irregular too
            jx = rng.uniform(-spread, spread) * dx
            jy = rng.uniform(-spread, spread) * dy
            corners[(i, j)] = (lon0 + i * dx + jx, lat0 + j * dy + jy)
    edges: dict[tuple, list[tuple[float, float]]] = {}

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[float, float]]:
        key = (a, b) if a <= b else (b, a)
        if key not in edges:
            (x1, y1), (x2, y2) = corners[key[0]], corners[key[1]]
            length = math.hypot(x2 - x1, y2 - y1)
            nx, ny = -(y2 - y1) / length, (x2 - x1) / length
            # a smooth wave that vanishes at both corners, so that edges never cross each other
            bend, ripple = rng.uniform(-0.08, 0.08), rng.uniform(-0.04, 0.04)
            points = [(x1, y1)]
            for k in range(1, detail + 1):
                t = k / (detail + 1)
                wave = length * math.sin(math.pi * t) * (bend + ripple * math.sin(3 * math.pi * t))
                points.append((x1 + t * (x2 - x1) + wave * nx, y1 + t * (y2 - y1) + wave * ny))
            points.append((x2, y2))
            edges[key] = points
        points = edges[key]
        return points if key[0] == a else points[::-1]

    cells = {}
    for i in range(cols):
        for j in range(rows):
            loop = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)]
            ring: list[tuple[float, float]] = []
            for a, b in itertools.pairwise(loop):
                ring += edge(a, b)[:-1]
            ring.append(ring[0])
            cells[(i, j)] = [[round(x, 6), round(y, 6)] for x, y in ring]
    return cells


def _union(rings: Iterable[list[list[float]]]) -> dict[str, Any]:
    import shapely
    from shapely.geometry import mapping

    polygons = [shapely.Polygon(ring) for ring in rings]
    merged = shapely.union_all(polygons, grid_size=1e-6) if len(polygons) > 1 else polygons[0]
    return json.loads(json.dumps(mapping(merged)))


def demo_geojson() -> dict[str, Any]:
    cells = jittered_grid(3, 3)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": _union(cells[c] for c in members),
            }
            for code, name, members in DEMO_DISTRICTS
        ],
    }


def _german(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def demo_indicator_csv() -> bytes:
    """The indicator file as a social planner exports it: semicolons, German numbers, Windows-1252."""
    rng = random.Random(11)
    header = [
        "Kennziffer", "Name", "Jahr", "Einwohner insgesamt", *(f"Einwohner {g} Jahre" for g in AGE_GROUPS),
        "SGB-II-Quote", "Grundsicherung im Alter (SGB XII), Quote 65+", "Kinder in Bedarfsgemeinschaften",
        "Alleinerziehende Haushalte", "Arbeitslosenquote", "Einwohner mit Migrationshintergrund",
        "Wohnfläche je Einwohner", "Anteil geförderter Wohnungen",
    ]  # fmt: skip
    lines = [";".join(header)]
    for code, name, _cells in DEMO_DISTRICTS:
        pop, sgb2, sgb12, kids, single, unemp, migr, space, social, drift = PROFILES[code]
        mix = AGE_MIX[AGE_PROFILE.get(code, "old")]
        for year in YEARS:
            back = 2024 - year
            noise = rng.uniform(-0.3, 0.3)
            # 2020/21: the pandemic raised unemployment everywhere
            covid = {2020: 0.9, 2021: 0.6}.get(year, 0.0)
            people = round(pop * (1 - 0.003 * back * (1 if code != "01" else -1)))
            ages = [round(people * share) for share in mix]
            ages[4] += people - sum(ages)
            values = [
                f"{people}",
                *(str(a) for a in ages),
                _german(max(0.5, sgb2 - drift * back + noise)),
                _german(max(0.3, sgb12 - 0.4 * drift * back)),
                _german(max(1.0, kids - 1.5 * drift * back + noise)),
                _german(single - 0.5 * drift * back),
                _german(max(1.0, unemp - drift * back + covid + noise / 2)),
                _german(migr - 0.6 * back),
                _german(space + 0.1 * back),
                _german(social + 0.2 * back),
            ]
            lines.append(";".join([code, name, str(year), *values]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


@transaction.atomic
def load_districts_demo(municipality: Municipality) -> None:
    """Idempotent: the districts, values and offers are created once; the workshop link is kept."""
    if not District.objects.filter(municipality=municipality).exists():
        services.districts_import_geojson(
            municipality=municipality, data=json.dumps(demo_geojson()), level=District.Level.SOZIALRAUM
        )
        services.indicator_values_import(
            municipality=municipality,
            source=io.BytesIO(demo_indicator_csv()).getvalue(),
            filename="sozialbericht-2024.csv",
        )
        by_code = {d.code: d for d in District.objects.filter(municipality=municipality)}
        for name, kind, provider, capacity, hours, code, (ox, oy) in DEMO_OFFERS:
            district = by_code[code]
            services.offer_save(
                municipality=municipality,
                offer=Offer(
                    name=name,
                    kind=kind,
                    provider_name=provider,
                    capacity=capacity,
                    volunteer_hours=hours or None,
                    lon=round(district.label_lon + ox, 6),
                    lat=round(district.label_lat + oy, 6),
                ),
            )
    _link_inner_city_workshop(municipality)
    # the demo stakeholders (loaded before) name their Sozialraum: place them in the districts
    stakeholder_districts_match(municipality=municipality)


def _link_inner_city_workshop(municipality: Municipality) -> None:
    from swot.demo import DEMO_TITLE
    from swot.models import Board

    inner_city = District.objects.filter(municipality=municipality, code="01").first()
    if inner_city is not None:
        Board.objects.filter(municipality=municipality, title=DEMO_TITLE, district__isnull=True).update(
            district=inner_city
        )
