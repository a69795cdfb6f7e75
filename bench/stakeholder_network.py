"""Stakeholder network benchmark (issue 11).

1. Network measures (degree, betweenness, closeness, eigenvector) and Gould-Fernandez brokerage on a
   random 500-node, 5,000-edge graph in four sectors, against networkx's ``betweenness_centrality``
   alone on the same graph in the same run (the floor the issue names). Target: < 2 s.
2. With ``--pages``: the grid and network pages with 500 stakeholders (2 assessments each, 5,000 ties,
   a stored snapshot) rendered in-process by Django's test client: server time (median and best of
   ``--repeat``) and query count. Target: < 300 ms, a constant query count. Needs a throw-away database::

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/spielraum_bench \\
    .venv/bin/python bench/stakeholder_network.py --pages

Without ``--pages`` nothing touches a database. ``--nodes``/``--edges`` shrink the graph on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECTORS = ("public", "third", "informal", "market")


def random_network(nodes: int, edges: int, seed: int = 11) -> tuple[dict[int, str], list[tuple[int, int]]]:
    """Nodes with a sector each and ``edges`` distinct ties, 70 % mutual (two arcs), 30 % directed."""
    rng = random.Random(seed)
    groups = {n: rng.choice(SECTORS) for n in range(nodes)}
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edges:
        a, b = rng.sample(range(nodes), 2)
        pairs.add((min(a, b), max(a, b)))
    arcs = []
    for a, b in sorted(pairs):
        arcs.append((a, b))
        if rng.random() < 0.7:
            arcs.append((b, a))
    return groups, arcs


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_measures(nodes: int, edges: int, repeat: int) -> None:
    import networkx as nx

    from stakeholders.methods import network

    groups, arcs = random_network(nodes, edges)
    start = time.perf_counter()
    network.analyse(dict(list(groups.items())[:10]), [a for a in arcs if a[0] < 10 and a[1] < 10])
    warm = time.perf_counter() - start
    result = network.analyse(groups, arcs)
    graph = network.undirected(groups, arcs)
    ours = best(lambda: network.analyse(groups, arcs), repeat)
    floor = best(lambda: nx.betweenness_centrality(graph), max(1, repeat // 2))
    print(f"graph: {result.nodes} nodes, {result.edges} edges, {len(arcs)} arcs, 4 sectors")
    print(f"first call (numba compile or on-disk cache load): {warm:.2f} s")
    print(f"measures + brokerage (analyse): {ours * 1000:.0f} ms  (best of {repeat})")
    print(f"networkx betweenness_centrality alone: {floor * 1000:.0f} ms  (best of {max(1, repeat // 2)})")
    print(f"ratio analyse / networkx betweenness: {ours / floor:.3f}")
    print(f"brokerage totals: {result.brokerage_totals}")
    print(f"target < 2 s: {'met' if ours < 2 else 'MISSED'}")


def bench_pages(nodes: int, edges: int, repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core.models import District, Role
    from core.services import membership_set, municipality_create_or_update
    from stakeholders import services
    from stakeholders.models import Assessment, Relationship, Stakeholder

    setup_test_environment()  # allows testserver as a host
    call_command("migrate", verbosity=0)
    municipality, _ = municipality_create_or_update(
        slug="bench-akteure", name="Bench", ags="05999099", land="NW"
    )
    membership_set(
        municipality=municipality, username="bench-planer", role=Role.PLANNER, password="bench-pw-12345"
    )

    def load(n: int, m: int) -> None:
        Stakeholder.objects.filter(municipality=municipality).delete()
        groups, arcs = random_network(n, m)
        districts = [
            District.objects.get_or_create(
                municipality=municipality, code=f"B{k}", defaults={"name": f"Bezirk {k}"}
            )[0]
            for k in range(7)
        ]
        rows = Stakeholder.objects.bulk_create(
            Stakeholder(
                municipality=municipality,
                name=f"Akteur {i:04d}",
                sector=groups[i],
                district=districts[i % 7],
            )
            for i in range(n)
        )
        ids = [s.pk for s in rows]
        rng = random.Random(3)
        Assessment.objects.bulk_create(
            Assessment(
                stakeholder_id=pk, assessed_on=day, influence=rng.randint(1, 5), interest=rng.randint(1, 5),
                strategy="monitor",
            )
            for pk in ids
            for day in (dt.date(2025, 6, 1), dt.date(2026, 6, 1))
        )  # fmt: skip
        pairs = {(min(a, b), max(a, b)) for a, b in arcs}
        Relationship.objects.bulk_create(
            Relationship(
                municipality=municipality, source_id=ids[a], target_id=ids[b], valid_from=dt.date(2025, 1, 1)
            )
            for a, b in sorted(pairs)
        )
        services.network_snapshot_create(municipality=municipality, on=dt.date(2026, 7, 1))

    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-planer"))
    pages = {
        "grid": "/kommunen/bench-akteure/akteure/raster/?date=2026-07-01&compare=2025-07-01",
        "network": "/kommunen/bench-akteure/akteure/netzwerk/?date=2026-07-01",
    }
    counts: dict[str, list[int]] = {name: [] for name in pages}
    for n, m in ((nodes // 10, edges // 10), (nodes, edges)):
        load(n, m)
        for name, url in pages.items():
            client.get(url)  # warm up
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[name].append(len(queries))
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200
            if n == nodes:
                median = statistics.median(times) * 1000
                print(
                    f"{name} page, {n} stakeholders, {m} ties: median {median:.0f} ms, "
                    f"best {min(times) * 1000:.0f} ms (of {repeat}), {counts[name][-1]} queries, "
                    f"{len(response.content) / 1024:.0f} KiB"
                )
    for name, values in counts.items():
        print(f"{name}: queries with {nodes // 10} vs {nodes} stakeholders: {values[0]} vs {values[1]}"
              f" ({'constant' if values[0] == values[1] else 'GROWS'})")  # fmt: skip
    Stakeholder.objects.filter(municipality=municipality).delete()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--edges", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--pages", action="store_true", help="also time the grid and network pages (database)"
    )
    args = parser.parse_args()
    bench_measures(args.nodes, args.edges, args.repeat)
    if args.pages:
        bench_pages(args.nodes, args.edges, max(args.repeat, 10))


if __name__ == "__main__":
    main()
