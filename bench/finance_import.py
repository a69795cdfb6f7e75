"""Benchmark: importing a 1,000,000-row budget CSV into PostgreSQL vs. a plain COPY of the same lines.

Run: ``DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DBNAME .venv/bin/python bench/finance_import.py
[--rows N]`` (migrations are applied to that database; a municipality ``bench-import`` is created and its
budget data replaced).

The file: ``--rows`` data rows (default 1,000,000) in the German SAP style of the real exports (Windows-1252,
``;``, ``1.234,56``, revenue negative), wide layout with the value columns ``Ist 2024;Plan 2025``; each row
has one non-zero amount (the other cell is ``0,00``, as in Wesel's sparse export), so 1,000,000 rows give
1,000,000 budget lines. 612 products in the 17 NRW areas x 320 NKF accounts (groups 40-57).

Prints
* ``import_seconds``: ``finance.services.budget_import`` in a child process (checksum, copy of the source
  file into storage, mapping proposal, parse, COPY of the lines, products/accounts/rollup, commit), timed
  inside the child so that Python and Django start-up are not counted;
* ``copy_seconds``: a plain ``COPY ... FROM STDIN`` (psycopg 3 ``write_row``) of the same 1,000,000 lines,
  already normalised in memory, into a table created ``LIKE finance_budgetline INCLUDING ALL`` (same
  columns, defaults and indexes), committed; same run, same database;
* ``ratio`` = median import / median copy over ``--repeat`` alternating pairs (target <= 2), and per run;
* ``peak_rss_mb``: high-water mark of the child's resident memory (``os.wait4`` rusage; target < 600 MB);
* a check that the stored totals equal the totals computed while generating the file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SLUG = "bench-import"
HEADER = "Profitcenter;Profitcenter-Bezeichnung;Kostenart;Kostenart Beschreibung;Ist 2024;Plan 2025\r\n"
# Issue 10's figure: four value columns, every cell filled (1,000,000 rows -> 4,000,000 lines).
VALUE_COLUMNS = ((2023, "actual", "Ist 2023"), (2024, "actual", "Ist 2024"), (2025, "plan", "Plan 2025"),
                 (2026, "plan", "Plan 2026"))  # fmt: skip
ACCOUNT_GROUPS = (40, 41, 42, 43, 44, 45, 46, 48, 50, 51, 52, 53, 54, 55, 57, 58)


def _german(cents: int) -> str:
    text = f"{abs(cents) // 100:,}".replace(",", ".") + f",{abs(cents) % 100:02d}"
    return "-" + text if cents < 0 else text


def catalogue(seed: int = 1) -> tuple[list[str], list[str]]:
    """Product codes (NRW areas 01-17, 6 groups x 6 products) and 8-digit NKF accounts."""
    rng = random.Random(seed)
    products = [f"{a:02d}{g:02d}{p:02d}" for a in range(1, 18) for g in range(1, 7) for p in range(1, 7)]
    accounts = [f"{group}{rng.randint(100000, 999999)}" for group in ACCOUNT_GROUPS for _ in range(20)]
    return products, accounts


def rows(n: int, seed: int = 1):
    """(line, product, account, year, phase, direction, cents) for every data row, deterministic."""
    rng = random.Random(seed)
    products, accounts = catalogue(seed)
    for i in range(n):
        product = products[i % len(products)]
        account = accounts[(i * 7) % len(accounts)]
        cents = rng.randint(1, 5_000_000)
        year, phase = (2024, "actual") if i % 2 else (2025, "plan")
        yield i + 2, product, account, year, phase, "revenue" if account[0] == "4" else "expense", cents


def wide_rows(n: int, seed: int = 1):
    """(line, product, account, direction, [cents per value column]) for the four-column file."""
    rng = random.Random(seed)
    products, accounts = catalogue(seed)
    for i in range(n):
        product = products[i % len(products)]
        account = accounts[(i * 7) % len(accounts)]
        direction = "revenue" if account[0] == "4" else "expense"
        yield i + 2, product, account, direction, [rng.randint(1, 5_000_000) for _ in VALUE_COLUMNS]


def generate_wide(path: Path, n: int) -> dict[tuple[int, str, str], int]:
    """The four-column file; expected totals in cents per (year, phase, direction)."""
    totals: dict[tuple[int, str, str], int] = {}
    header = HEADER.rsplit(";", 2)[0] + ";" + ";".join(c for _, _, c in VALUE_COLUMNS) + "\r\n"
    with open(path, "w", encoding="cp1252", newline="") as handle:
        handle.write(header)
        for _line, product, account, direction, cents in wide_rows(n):
            sign = -1 if direction == "revenue" else 1
            cells = ";".join(_german(sign * c) for c in cents)
            handle.write(
                f"{product};Produkt {product} Bezeichnung;{account};Konto {account} Bezeichnung;{cells}\r\n"
            )
            for (year, phase, _), c in zip(VALUE_COLUMNS, cents, strict=True):
                totals[(year, phase, direction)] = totals.get((year, phase, direction), 0) + c
    return totals


def normalised_lines_file(path: Path, n: int, version_id: int) -> None:
    """The normalised lines of the four-column file as COPY text (what psql \\copy reads)."""
    from finance.bulkload import account_group_of
    from finance.importing import derive_product_path

    paths = {p: derive_product_path(p, "NW") for p in catalogue()[0]}
    with open(path, "w", encoding="utf-8") as out:
        for line, product, account, direction, cents in wide_rows(n):
            area, group = paths[product].area or "", paths[product].group or ""
            prefix = (
                f"{version_id}\t{line}\t{product}\t{area}\t{group}\t{account}\t{account_group_of(account)}\t"
            )
            for (year, phase, _), c in zip(VALUE_COLUMNS, cents, strict=True):
                out.write(f"{prefix}{year}\t{phase}\tresults\t{direction}\t{c // 100}.{c % 100:02d}\n")


def baseline_psql(lines_path: Path, *, indexed: bool = True) -> float:
    """The server's own COPY through ``psql \\copy`` of the normalised lines; seconds incl. commit.

    ``indexed``: into a table ``LIKE finance_budgetline INCLUDING ALL`` (primary key and the
    (version_id, product_code) index: the same work the import has); else into a table with the same
    columns and no index or constraint (the strongest floor: pure parsing and heap writing)."""
    from finance.models import BudgetLine

    url = os.environ["DATABASE_URL"]
    table = BudgetLine._meta.db_table
    columns = ", ".join(BudgetLine.COPY_COLUMNS)
    like = f"LIKE {table} INCLUDING ALL" if indexed else f"LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY"
    subprocess.run(
        ["psql", url, "-q", "-c", "DROP TABLE IF EXISTS bench_finance_copy",
         "-c", f"CREATE TABLE bench_finance_copy ({like})"],
        check=True,
    )  # fmt: skip
    started = time.perf_counter()
    subprocess.run(
        ["psql", url, "-q", "-c", f"\\copy bench_finance_copy ({columns}) FROM '{lines_path}'"], check=True
    )
    elapsed = time.perf_counter() - started
    subprocess.run(["psql", url, "-q", "-c", "DROP TABLE bench_finance_copy"], check=True)
    return elapsed


def generate(path: Path, n: int) -> dict[tuple[int, str, str], int]:
    """Write the CSV; return the expected totals in cents per (year, phase, direction)."""
    totals: dict[tuple[int, str, str], int] = {}
    with open(path, "w", encoding="cp1252", newline="") as handle:
        handle.write(HEADER)
        for _line, product, account, year, phase, direction, cents in rows(n):
            signed = -cents if direction == "revenue" else cents  # SAP: revenue negative
            cells = (_german(signed), "0,00") if phase == "actual" else ("0,00", _german(signed))
            handle.write(
                f"{product};Produkt {product} Bezeichnung;{account};Konto {account} Bezeichnung;"
                f"{cells[0]};{cells[1]}\r\n"
            )
            key = (year, phase, direction)
            totals[key] = totals.get(key, 0) + cents
    return totals


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def child(path: str) -> None:
    """In the child process: import the file through the real service and report the time."""
    _setup_django()
    from core.models import Municipality
    from finance.services import ImportSpec, budget_import

    municipality = Municipality.objects.get(slug=SLUG)
    started = time.perf_counter()
    outcome = budget_import(
        municipality=municipality, source=Path(path), spec=ImportSpec(dataset_name="Bench", label="1M")
    )
    elapsed = time.perf_counter() - started
    status = Path("/proc/self/status")
    lines = status.read_text().splitlines() if status.exists() else []
    hwm = next((line.split()[1] for line in lines if line.startswith("VmHWM")), None)
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "vm_hwm_kb": int(hwm) if hwm else None,
                "timings": outcome.timings,
                **outcome.to_json(),
            }
        )
    )


def baseline_copy(n: int, version_id: int) -> float:
    """COPY the same lines, already normalised, into a table of the same shape; seconds incl. commit."""
    from django.db import connection

    from finance.bulkload import account_group_of
    from finance.importing import derive_product_path
    from finance.models import BudgetLine

    paths = {p: derive_product_path(p, "NW") for p in catalogue()[0]}
    lines = [
        (version_id, line, product, paths[product].area, paths[product].group, account,
         account_group_of(account), year, phase, "results", direction, Decimal(cents).scaleb(-2))
        for line, product, account, year, phase, direction, cents in rows(n)
    ]  # fmt: skip
    table = BudgetLine._meta.db_table
    columns = ", ".join(BudgetLine.COPY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_finance_copy")
        cursor.execute(f"CREATE TABLE bench_finance_copy (LIKE {table} INCLUDING ALL)")
    started = time.perf_counter()
    sql = f"COPY bench_finance_copy ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in lines:
            copy.write_row(row)
    elapsed = time.perf_counter() - started  # autocommit: the COPY is committed when it returns
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_finance_copy")
    return elapsed


PROFILE_PARTS = {
    # part of the import: timing keys of ImportOutcome.timings (columnar path; the row path has one)
    "read_parse": ("scan", "read", "amounts"),  # line scan, pyarrow blocks, amounts to cents
    "normalise": ("rows",),  # classification, codes to ids, lines per block
    "encode": ("encode",),  # binary COPY tuples from the columns
    "copy_budgetline": ("copy",),  # waiting for the server: COPY with its index maintenance
    "rollup": ("rollup",),  # rollup sums per block
    "dimensions_rollup_write": ("finish",),  # products, accounts, rollup rows
    "checks_summary": ("summary",),  # totals from the rollup, version row
    "commit": ("commit",),
    "row_path": ("rows_path", "columnar_attempt"),  # only when the file needed the row reader
}


def profile(result: dict) -> dict[str, float]:
    """The child's timings grouped into the parts of the import; ``before_lines`` is the rest (checksum,
    copy of the file into storage, detection and mapping proposal)."""
    timings = result["timings"]
    parts = {
        name: sum(timings.get(key, 0.0) for key in keys if isinstance(timings.get(key, 0.0), float))
        for name, keys in PROFILE_PARTS.items()
    }
    parts["lines_total"] = timings.get("lines_total", 0.0)  # wall time of all the columnar parts above
    parts["before_lines"] = (
        result["seconds"]
        - parts["lines_total"]
        - parts["checks_summary"]
        - parts["commit"]
        - parts["row_path"]
    )
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--layout",
        choices=["four", "two"],
        default="four",
        help="four: issue 10's file (four filled value columns) vs psql \\copy; two: the older sparse file "
        "vs psycopg write_row",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the imported data (for finance_explorer)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="import + COPY pairs, alternating; medians are reported"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database")
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from core.services import municipality_create_or_update
    from finance import selectors, services

    call_command("migrate", verbosity=0)
    municipality, _ = municipality_create_or_update(
        slug=SLUG, name="Benchstadt", ags="05999099", land="NW", population=61000
    )
    for version in selectors.versions_of(municipality):
        services.version_delete(version=version)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "haushalt_1m.csv"
        lines_path = Path(tmp) / "lines.copy"
        started = time.perf_counter()
        four = args.layout == "four"
        expected = generate_wide(path, args.rows) if four else generate(path, args.rows)
        if four:
            normalised_lines_file(lines_path, args.rows, version_id=0)
        size = path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows ({size:.0f} MB) in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        # The import child first, while this process is still small: a child's peak RSS (wait4) also
        # counts the memory it shared with this process when it was spawned. Import and COPY alternate,
        # so that background work of the server (checkpoints, autovacuum) hits both alike.
        env = {"MEDIA_ROOT": str(ROOT / "var" / "bench-media"), **os.environ}
        imports, copies, bare, peaks, hwms, profiles = [], [], [], [], [], []
        load_before = os.getloadavg()
        for repetition in range(args.repeat):
            for version in selectors.versions_of(municipality):
                services.version_delete(version=version)
            process = subprocess.Popen(
                [sys.executable, __file__, "--child", str(path)], stdout=subprocess.PIPE, env=env, cwd=ROOT
            )
            output = process.stdout.read()
            _pid, status, usage = os.wait4(process.pid, 0)
            if status != 0:
                sys.exit(f"import failed: {output!r}")
            result = json.loads(output)
            imports.append(result["seconds"])
            peaks.append(usage.ru_maxrss)
            hwms.append(result["vm_hwm_kb"] or 0)
            profiles.append(profile(result))
            copies.append(baseline_psql(lines_path) if four else baseline_copy(args.rows, version_id=0))
            if four:
                bare.append(baseline_psql(lines_path, indexed=False))
            print(
                f"run {repetition + 1}: import {imports[-1]:.2f} s ({result['timings'].get('reader')}), "
                f"psql \\copy indexed {copies[-1]:.2f} s"
                + (f", without indexes {bare[-1]:.2f} s" if bare else ""),
                flush=True,
            )
        version = selectors.versions_of(municipality).first()
        stored = {(r["year"], r["phase"]): r for r in selectors.version_totals(version)}
        for (year, phase, direction), cents in expected.items():
            assert stored[(year, phase)][direction] == Decimal(cents).scaleb(-2), (year, phase, direction)
        if not args.keep:
            services.version_delete(version=version)
    figures = {
        "layout": args.layout,
        "rows": result["rows"],
        "lines": result["lines"],
        "status": result["status"],
        "repeat": args.repeat,
        "import_seconds": round(statistics.median(imports), 2),
        "copy_seconds": round(statistics.median(copies), 2),
        "ratio": round(statistics.median(imports) / statistics.median(copies), 2),
        "ratio_per_run": [round(i / c, 2) for i, c in zip(imports, copies, strict=True)],
        # the strongest floor: the same \\copy into a table without primary key and index
        "copy_bare_seconds": round(statistics.median(bare), 2) if bare else None,
        "ratio_bare": round(statistics.median(imports) / statistics.median(bare), 2) if bare else None,
        "ratio_bare_per_run": [round(i / c, 2) for i, c in zip(imports, bare, strict=True)],
        # what the two indexes cost the plain COPY (indexed floor minus bare floor)
        "index_cost_seconds": round(statistics.median(copies) - statistics.median(bare), 2) if bare else None,
        "reader": result["timings"].get("reader"),
        "fallback": result["timings"].get("fallback"),
        "profile_seconds": {
            key: round(statistics.median(p[key] for p in profiles), 2) for key in profiles[0]
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        # VmHWM is read inside the child after exec; wait4's figure would also count the pages the
        # child shared with this (by then larger) process before exec, so it is shown for run 1 only.
        "peak_rss_mb": round(max(hwms) / 1024) if any(hwms) else None,
        "peak_rss_mb_wait4_run1": round(peaks[0] / 1024),  # Linux: kilobytes
        "totals_match": True,
        "database": settings.DATABASES["default"]["NAME"],
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
