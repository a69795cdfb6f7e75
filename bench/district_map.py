"""Benchmark: the Sozialräume map page with 200 districts, server time.

Run: ``DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DBNAME .venv/bin/python bench/district_map.py
[--districts 200] [--detail 40] [--repeat 30]``.

Creates (once; ``--fresh`` rebuilds) the municipality ``bench-districts`` with a 20 x 10 grid of
irregular districts (``planning.districts.demo.jittered_grid``; ``--detail`` wavy points per edge, 40
gives about 160 vertices per boundary, 33,000 coordinates in all), imported through the real GeoJSON
import, and 5 years of the built-in indicators (17 per district and year) through the real indicator
import, which also computes the social index and the profile groups.

Then requests the map page in-process (Django's test client, session of a viewer: routing, middleware,
permission check, queries, JSON of geometry and values, template) ``--repeat`` times after a warm-up
and prints the median and p95 server time. Floor, measured in the same run: the planning hub page (same
middleware, login, permission check and base template, no district data). Target: median < 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SLUG = "bench-districts"


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_districts: int, detail: int, fresh: bool):
    from core.models import District, Municipality, Role
    from core.services import membership_set, municipality_create_or_update
    from planning.districts import services
    from planning.districts.catalogue import AGE_GROUPS
    from planning.districts.demo import jittered_grid

    municipality, _ = municipality_create_or_update(
        slug=SLUG, name="Benchstadt", ags="05999099", land="NW", kind=Municipality.Kind.KREISFREIE_STADT
    )
    membership = membership_set(
        municipality=municipality,
        username="bench-districts-viewer",
        role=Role.VIEWER,
        password="bench-pass-1",
    )
    user = membership.user
    if fresh:
        District.objects.filter(municipality=municipality).delete()
    if District.objects.filter(municipality=municipality).count() == n_districts:
        return municipality, user
    District.objects.filter(municipality=municipality).delete()
    cols = 20
    rows = max(1, n_districts // cols)
    cells = jittered_grid(cols, rows, lon0=6.85, lat0=51.40, width=0.45, height=0.18, detail=detail, seed=3)
    features = [
        {
            "type": "Feature",
            "properties": {"code": f"{c:02d}{r:02d}", "name": f"Bezirk {c + 1}-{r + 1}"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for (c, r), ring in sorted(cells.items())
    ]
    started = time.perf_counter()
    services.districts_import_geojson(
        municipality=municipality, data=json.dumps({"type": "FeatureCollection", "features": features})
    )
    print(f"boundary import: {len(features)} districts in {time.perf_counter() - started:.2f} s")
    rng = random.Random(5)
    header = ["Kennziffer", "Jahr", "Einwohner insgesamt", *(f"Einwohner {g} Jahre" for g in AGE_GROUPS)]
    header += ["SGB-II-Quote", "SGB XII", "Kinderarmut", "Alleinerziehende", "Arbeitslosenquote"]
    header += ["Migrationshintergrund", "Wohnfläche", "Sozialwohnungen"]
    lines = [";".join(header)]
    for feature in features:
        base = [
            rng.uniform(3, 25),
            rng.uniform(1, 9),
            rng.uniform(5, 40),
            rng.uniform(12, 32),
            rng.uniform(3, 14),
        ]
        for year in range(2020, 2025):
            people = rng.randint(1500, 9000)
            ages = [str(round(people * s)) for s in (0.06, 0.09, 0.03, 0.08, 0.27, 0.27, 0.14, 0.06)]
            shares = [f"{b + rng.uniform(-0.5, 0.5):.1f}".replace(".", ",") for b in base]
            extra = [f"{rng.uniform(10, 50):.1f}", f"{rng.uniform(30, 50):.1f}", f"{rng.uniform(0, 20):.1f}"]
            code = feature["properties"]["code"]
            lines.append(
                ";".join(
                    [code, str(year), str(people), *ages, *shares, *(e.replace(".", ",") for e in extra)]
                )
            )
    started = time.perf_counter()
    record = services.indicator_values_import(
        municipality=municipality, source="\n".join(lines).encode(), filename="bench.csv"
    )
    print(f"indicator import + index: {record.values} values in {time.perf_counter() - started:.2f} s")
    return municipality, user


def measure(client, url: str, repeat: int) -> list[float]:
    for _ in range(3):  # warm-up: templates, translations, plotly static lookups
        assert client.get(url).status_code == 200
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=200)
    parser.add_argument("--detail", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    municipality, user = build(args.districts, args.detail, args.fresh)
    client = Client()
    client.force_login(user)
    map_url = reverse("planning:districts-map", kwargs={"slug": municipality.slug})
    floor_url = reverse("planning:index", kwargs={"slug": municipality.slug})
    size = len(client.get(map_url).content)
    page = measure(client, map_url, args.repeat)
    floor = measure(client, floor_url, args.repeat)
    median, p95 = statistics.median(page), sorted(page)[int(0.95 * (len(page) - 1))]
    floor_median = statistics.median(floor)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"map page, {args.districts} districts: {size / 1e6:.2f} MB HTML")
    print(f"map_page_median_ms: {median:.1f}  p95: {p95:.1f}  (target < 300)")
    print(f"floor (planning hub page) median_ms: {floor_median:.1f}")
    print(f"map_vs_floor_ratio: {median / floor_median:.1f}x")


if __name__ == "__main__":
    main()
