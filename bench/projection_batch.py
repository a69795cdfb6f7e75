r"""Benchmark: the whole NRW-scale batch projection through PostgreSQL (issue #4).

396 municipalities x 300 budget items x 20 age groups x 30 years (+ base year). The script generates
the inputs in PostgreSQL (municipalities ``bench-NNN``, one budget version each with 300 Ergebnisplan
lines and their rollup, an official population variant 2024-2054 in the 20 GENESIS age groups, one
scenario), then runs the batch service ``planning.projection.services.projection_batch`` over those
scenarios and prints its wall time split into load / compute / store. Results are stored with
PostgreSQL binary ``COPY ... FROM STDIN`` built from the engine's arrays (``planning.projection.
binary_copy``), one transaction per municipality: 3.7 million results, stored as 118,800 rows (one per
scenario and item, every year as arrays of exact cents and ratios, ``ProjectionItem``). The second run
replaces the first run's results (the idempotent re-run: delete + COPY).

Floor, measured after each run in the same process: a plain ``psql \copy`` (text) of the same item rows,
exported from the table after the first run, into an empty table ``LIKE planning_projectionitem
INCLUDING ALL`` (same index), one transaction. The script prints store / floor (target <= 2x) and the
wall with its parts (target < 10 s). For context it also times a ``psql \copy`` of the same results in
the old layout (one row per item and year, 3.7 million rows, with the old (scenario, year) index): the
floor the per-year storage could not get under.

Run: ``DATABASE_URL=postgresql://... .venv/bin/python bench/projection_batch.py [--runs 2] [--keep]``
The bench municipalities are deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

M, J, T = 396, 300, 30
BASE_YEAR = 2024
PREFIX = "bench-"


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point to PostgreSQL (the figure includes loading and storing there)")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def _copy(table: str, columns: tuple[str, ...], rows) -> None:
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def generate(seed: int = 0) -> list:
    """Create the bench inputs; returns the scenarios."""
    from django.db import connection, transaction

    from core.models import Municipality
    from finance.bulkload import rollup_build
    from finance.models import BudgetDataset, BudgetLine, BudgetVersion
    from planning.models import PopulationCount, PopulationSeries, Scenario
    from planning.population.services import GENESIS_BANDS

    rng = np.random.default_rng(seed)
    # 300 items: product (area 01-16, group, product) x one account; a third revenue
    items = []
    for j in range(J):
        area = 1 + j % 16
        product = f"{area:02d}{1 + (j // 16) % 9:02d}{1 + j // 144:02d}"
        account = (
            ("4011", "4111", "4321")[j % 3] if j % 4 == 0 else ("5011", "5211", "5311", "5411", "5511")[j % 5]
        )
        items.append((product, f"{area:02d}", f"{area:02d}.{1 + (j // 16) % 9:02d}", account))
    years = list(range(BASE_YEAR, BASE_YEAR + T + 1))
    with transaction.atomic():
        municipalities = Municipality.objects.bulk_create(
            Municipality(name=f"Bench {i:03d}", slug=f"{PREFIX}{i:03d}", ags=f"059{i:05d}", land="NW")
            for i in range(M)
        )
        datasets = BudgetDataset.objects.bulk_create(
            BudgetDataset(municipality=m, name="Haushalt") for m in municipalities
        )
        versions = BudgetVersion.objects.bulk_create(
            BudgetVersion(
                dataset=d,
                municipality=d.municipality,
                number=1,
                source_file="bench.csv",
                source_name="bench.csv",
                checksum=f"bench-{d.municipality.slug}",
                mapping={"land": "NW"},
            )
            for d in datasets
        )
        amounts = rng.uniform(1e4, 5e6, (M, J)).round(2)
        _copy(
            BudgetLine._meta.db_table,
            BudgetLine.COPY_COLUMNS,
            (
                (v.pk, j + 2, p, area, group, account, account[:2], BASE_YEAR, "plan", "results",
                 "revenue" if account[0] == "4" else "expense", f"{amounts[k, j]:.2f}")
                for k, v in enumerate(versions)
                for j, (p, area, group, account) in enumerate(items)
            ),
        )  # fmt: skip
        for v in versions:
            rollup_build(v)
        series = PopulationSeries.objects.bulk_create(
            PopulationSeries(municipality=m, kind="official", variant="bench", base_year=BASE_YEAR)
            for m in municipalities
        )
        base = rng.uniform(200, 4000, (M, len(GENESIS_BANDS)))
        trend = np.cumprod(rng.normal(1.0, 0.012, (M, len(GENESIS_BANDS), T + 1)), axis=2)
        counts = base[:, :, None] * trend
        _copy(
            PopulationCount._meta.db_table,
            ("series_id", "year", "age_lo", "age_hi", "count"),
            (
                (s.pk, year, band.lo, band.hi, float(counts[k, a, t]))
                for k, s in enumerate(series)
                for t, year in enumerate(years)
                for a, band in enumerate(GENESIS_BANDS)
            ),
        )
        scenarios = Scenario.objects.bulk_create(
            Scenario(
                municipality=m, name="Basis", budget_version=v, base_year=BASE_YEAR, population=s, horizon=T
            )
            for m, v, s in zip(municipalities, versions, series, strict=True)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return list(Scenario.objects.filter(pk__in=[s.pk for s in scenarios]).select_related("municipality"))


def cleanup() -> None:
    from django.db import connection

    from core.models import Municipality
    from planning.models import ProjectionItem

    ids = list(Municipality.objects.filter(slug__startswith=PREFIX).values_list("pk", flat=True))
    if not ids:
        return
    with connection.cursor() as cursor:  # the result rows first, in one statement (cascade is row by row)
        cursor.execute(
            f"DELETE FROM {ProjectionItem._meta.db_table} WHERE scenario_id IN "  # noqa: S608 - fixed names
            "(SELECT id FROM planning_scenario WHERE municipality_id = ANY(%s))",
            [ids],
        )
    Municipality.objects.filter(pk__in=ids).delete()


FLOOR_TABLE = "bench_projection_copy_floor"  # LIKE planning_projectionitem: the rows the store writes
ROWS_TABLE = "bench_projection_rows_floor"  # the old layout, one row per item and year (context)
ROWS_COLUMNS = (
    "scenario_id", "year", "area", "product_group", "product_code", "account_group", "direction", "amount",
    "demographic_ratio", "driver",
)  # fmt: skip
ROWS_DDL = f"""CREATE TABLE {ROWS_TABLE} (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, scenario_id bigint NOT NULL,
    year smallint NOT NULL, area varchar(2) NOT NULL, product_group varchar(5) NOT NULL,
    product_code varchar(40) NOT NULL, account_group varchar(2) NOT NULL, direction varchar(10) NOT NULL,
    amount numeric(20, 2) NOT NULL, demographic_ratio double precision NOT NULL, driver varchar(20) NOT NULL);
CREATE INDEX {ROWS_TABLE}_scenario_year ON {ROWS_TABLE} (scenario_id, year)"""


def _bench_items_select(columns: str) -> str:
    from planning.models import ProjectionItem

    return (
        f"SELECT {columns} FROM {ProjectionItem._meta.db_table} WHERE scenario_id IN "  # noqa: S608
        "(SELECT s.id FROM planning_scenario s JOIN core_municipality m ON m.id = s.municipality_id "
        f"WHERE m.slug LIKE '{PREFIX}%')"
    )


def floor_export(path: str) -> int:
    """Write the bench's stored item rows as COPY text to ``path``; returns the row count."""
    from django.db import connection

    from planning.models import ProjectionItem
    from planning.projection.binary_copy import COLUMNS

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cursor.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE {ProjectionItem._meta.db_table} INCLUDING ALL)")
        rows = 0
        with (
            open(path, "wb") as out,
            cursor.cursor.copy(f"COPY ({_bench_items_select(', '.join(COLUMNS))}) TO STDOUT") as copy,
        ):
            for block in copy:
                out.write(block)
                rows += bytes(block).count(b"\n")
    return rows


def _amount_text(cents: int) -> str:
    sign, whole, part = "-" if cents < 0 else "", abs(cents) // 100, abs(cents) % 100
    return f"{sign}{whole}.{part:02d}"


def rows_export(path: str) -> int:
    """The same results in the old layout (one text line per item and year) as COPY text, decoded from the
    stored items (not timed; per-row Python is fine here); returns the line count."""
    from django.db import connection

    from planning.models import ProjectionItem

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ROWS_TABLE}")
        for statement in ROWS_DDL.split(";"):
            cursor.execute(statement)
        cursor.execute(
            _bench_items_select(
                "scenario_id, first_year, area, product_group, product_code, account_group, direction, "
                "driver, cents, ratios"
            )
        )
        lines = 0
        with open(path, "w", encoding="utf-8") as out:
            for sid, first, area, group, product, account, direction, driver, cents, ratios in cursor:
                amounts = np.frombuffer(cents, dtype=ProjectionItem.CENTS_DTYPE).tolist()
                factors = np.frombuffer(ratios, dtype=ProjectionItem.RATIO_DTYPE).tolist()
                middle = f"{area}\t{group}\t{product}\t{account}\t{direction}"
                out.writelines(
                    f"{sid}\t{first + t}\t{middle}\t{_amount_text(c)}\t{r!r}\t{driver}\n"
                    for t, (c, r) in enumerate(zip(amounts, factors, strict=True))
                )
                lines += len(amounts)
    return lines


def floor_copy(path: str, table: str, columns: tuple[str, ...]) -> float:
    """Seconds for ``psql \\copy`` of the exported rows into the empty floor table (a new psql process)."""
    url = os.environ["DATABASE_URL"]
    subprocess.run(["psql", url, "-qc", f"TRUNCATE {table}"], check=True)
    start = time.perf_counter()
    subprocess.run(["psql", url, "-qc", f"\\copy {table} ({', '.join(columns)}) FROM '{path}'"], check=True)
    return time.perf_counter() - start


def floor_drop() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {ROWS_TABLE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="batch runs (the 2nd+ replace results)")
    parser.add_argument("--keep", action="store_true", help="keep the bench municipalities")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--municipalities", type=int, default=M, help=f"default {M} (NRW); fewer on a shared machine"
    )
    args = parser.parse_args()
    globals()["M"] = args.municipalities
    setup_django()
    from planning.projection.services import projection_batch

    cleanup()
    start = time.perf_counter()
    scenarios = generate(args.seed)
    print(
        f"generated {M} municipalities x {J} items x 20 age groups x {T} years "
        f"in {time.perf_counter() - start:.1f} s"
    )
    export = tempfile.NamedTemporaryFile(prefix="projection-floor-", suffix=".tsv", delete=False)  # noqa: SIM115
    export.close()
    old_rows = tempfile.NamedTemporaryFile(prefix="projection-rows-", suffix=".tsv", delete=False)  # noqa: SIM115
    old_rows.close()
    from planning.projection.binary_copy import COLUMNS

    try:
        for run in range(1, args.runs + 1):
            start = time.perf_counter()
            report = projection_batch(scenarios=scenarios)
            wall = time.perf_counter() - start
            s = report.seconds
            assert not report.errors, report.errors
            if run == 1:
                exported = floor_export(export.name)
                assert exported == report.stored_rows, (exported, report.stored_rows)
                lines = rows_export(old_rows.name)
                assert lines == report.rows, (lines, report.rows)
            floor = floor_copy(export.name, FLOOR_TABLE, COLUMNS)
            old_floor = floor_copy(old_rows.name, ROWS_TABLE, ROWS_COLUMNS)
            print(
                f"run {run}: wall={wall:.2f}s = load {s['load']:.2f}s + compute {s['compute']:.2f}s + "
                f"store {s['store']:.2f}s; {report.rows:,} results in {report.stored_rows:,} item rows "
                f"(binary COPY) | psql \\copy of the same item rows={floor:.2f}s -> store/floor="
                f"{s['store'] / floor:.2f}x (target <= 2x), wall {'<' if wall < 10 else '>='} 10 s "
                f"(target < 10 s) | context: psql \\copy of the results as one row per item and year "
                f"(old layout)={old_floor:.2f}s",
                flush=True,
            )
    finally:
        os.unlink(export.name)
        os.unlink(old_rows.name)
        floor_drop()
        if not args.keep:
            cleanup()


if __name__ == "__main__":
    main()
