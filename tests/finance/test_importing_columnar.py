"""The column-wise import path (pyarrow blocks, int64 cents, binary COPY) against the row reader.

Every test imports the same bytes twice through the real service, once column-wise and once with the
column-wise reader switched off, and requires the same stored lines, products, accounts, rollup, counters,
warnings and totals (or the same rejection, word for word). The column-wise path runs on PostgreSQL only.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance import selectors, services
from finance.importing import columnar
from finance.models import BudgetAccount, BudgetLine, BudgetProduct, BudgetRollup, BudgetVersion
from tests.conftest import require_postgres
from tests.finance.factories import HEADER, ROWS, csv_bytes, generated_csv, import_bytes, real_path

pytestmark = pytest.mark.django_db


def _snapshot(version: BudgetVersion) -> dict:
    return {
        "lines": list(
            BudgetLine.objects.filter(version=version)
            .order_by("id")
            .values_list(
                "line",
                "product_code",
                "area",
                "product_group",
                "account_code",
                "account_group",
                "year",
                "phase",
                "statement",
                "direction",
                "amount",
            )
        ),
        "products": sorted(
            BudgetProduct.objects.filter(version=version).values_list("code", "name", "area", "group", "path")
        ),
        "accounts": sorted(
            BudgetAccount.objects.filter(version=version).values_list(
                "code", "name", "group", "account_class"
            )
        ),
        "rollup": sorted(
            BudgetRollup.objects.filter(version=version).values_list(
                "area",
                "product_group",
                "product_code",
                "account_group",
                "year",
                "phase",
                "statement",
                "direction",
                "amount",
                "line_count",
            )
        ),
        "rows": version.rows,
        "line_count": version.line_count,
        "warnings": version.warnings,
        "summary": version.summary,
    }


def _both(municipality, data: bytes, monkeypatch, **kwargs):
    """(column-wise outcome, row outcome, column-wise snapshot, row snapshot); nothing kept in between."""
    require_postgres()
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(columnar, "ENABLED", enabled)
        outcome = import_bytes(municipality, data, **kwargs)
        snapshot = _snapshot(outcome.version) if outcome.version else None
        for version in selectors.versions_of(municipality):
            services.version_delete(version=version)
        results.append((outcome, snapshot))
    (fast, fast_data), (rows, rows_data) = results
    assert rows.timings["reader"] == "rows"
    assert fast.to_json() | {"version": None} == rows.to_json() | {"version": None}
    assert fast_data == rows_data
    return fast, rows, fast_data


def test_generated_file_is_read_column_wise_and_stored_identically(municipality, monkeypatch):
    fast, _rows, data = _both(municipality, generated_csv(80), monkeypatch)
    assert fast.timings["reader"] == "columnar", fast.timings.get("fallback")
    assert data["line_count"] == 80 * 6 * 3 and data["rows"] == 80 * 6


def test_every_accepted_number_form_gives_the_same_cents(municipality, monkeypatch):
    cells = [
        ("-1.234,56", "1234,56-", "0,00"),
        ("nan", "1,5", "1.5E+03"),
        ("29.026.000", " 12,00 ", ""),
        ("7", "-0,00", "2,5e3"),
        ("1.000.000.000,01", "-", "00012,50"),
    ]
    rows = [
        [f"0{i % 9 + 1}0101", f"Produkt {i}", account, f"Konto {account}", *cells[i % len(cells)]]
        for i, account in enumerate(["44110000", "50120000", "42110000", "53310000", "54310000"] * 4)
    ]
    fast, _rows, data = _both(municipality, csv_bytes(rows), monkeypatch)
    assert fast.timings["reader"] == "columnar", fast.timings.get("fallback")
    amounts = {abs(line[-1]) for line in data["lines"]}
    assert {Decimal("1234.56"), Decimal("1.50"), Decimal("1500.00"), Decimal("29026000.00")} <= amounts
    assert Decimal("1000000000.01") in amounts and Decimal("12.50") in amounts


def test_skipped_classes_are_counted_like_the_row_reader(municipality, monkeypatch):
    rows = [list(r) for r in ROWS]
    rows.insert(2, ["010101", "Rat", "91110000", "Kalkulatorische Kosten", "5,00", "6,00", "7,00"])
    rows.append(["050101", "Grundsicherung", "92110000", "Verrechnung", "1,00", "0,00", "0,00"])
    fast, _rows, data = _both(municipality, csv_bytes(rows), monkeypatch)
    assert fast.timings["reader"] == "columnar"
    assert [w["code"] for w in data["warnings"]] == ["skipped_accounts"]
    assert "2" in data["warnings"][0]["message_en"]


def test_decimal_point_file(municipality, monkeypatch):
    rows = [
        ["010101", "Rat", "44110000", "Mieten", "-1,234.56", "-1,100.00", "7"],
        ["010101", "Rat", "50120000", "Personal", "10,000.00", "11,000.05", "0.00"],
    ]
    lines = [",".join(HEADER)] + [",".join(f'"{c}"' if "," in c else c for c in row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    fast, _rows, snapshot = _both(municipality, text.encode(), monkeypatch)
    assert fast.timings["reader"] == "columnar", fast.timings.get("fallback")
    assert Decimal("1234.56") in {line[-1] for line in snapshot["lines"]}


def test_title_rows_keep_physical_line_numbers(municipality, monkeypatch):
    data = b"Haushaltsplan 2024\r\nStand: 01.12.2023\r\n" + csv_bytes(ROWS)
    fast, _rows, snapshot = _both(municipality, data, monkeypatch)
    assert fast.timings["reader"] == "columnar", fast.timings.get("fallback")
    assert snapshot["lines"][0][0] == 4  # two title rows, the header on line 3


def test_an_invalid_cell_is_worded_as_before_and_nothing_is_stored(municipality, monkeypatch):
    rows = [list(r) for r in ROWS]
    rows[3][5] = "12,3,4"
    fast, _rows, _data = _both(municipality, csv_bytes(rows), monkeypatch)
    assert fast.status == "rejected"
    assert fast.errors[0].message_de == "Zeile 5, Spalte „Plan 2024“: „12,3,4“ ist keine Zahl"
    assert not BudgetLine.objects.exists() and not BudgetVersion.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda rows: rows[1].__setitem__(1, "Personal\nund Versorgung"), "quotes"),  # quoted line break
        (lambda rows: rows.insert(2, []), "empty line"),
        (lambda rows: rows[2].append("x"), "pyarrow"),  # a row with an extra field
        (
            lambda rows: rows.append(["", "", "", "", "28.300,75", "26.400,00", "27.200,00"]),
            "does not add up",
        ),
        (lambda rows: rows.insert(2, ["", "Summe", "", "", "1,00", "0,00", "0,00"]), "without account"),
        (lambda rows: rows[0].__setitem__(0, "1" * 41), "too long"),
        (lambda rows: rows[0].__setitem__(5, "99.999.999.999.999,00"), "too large"),
    ],
)
def test_files_the_columns_cannot_read_exactly_fall_back_to_the_row_reader(
    municipality, monkeypatch, change, reason
):
    rows = [list(r) for r in ROWS]
    change(rows)
    fast, rows_outcome, _data = _both(municipality, csv_bytes(rows), monkeypatch)
    assert fast.timings["reader"] == "rows"
    assert reason in fast.timings["fallback"]
    assert [e.message_de for e in fast.errors] == [e.message_de for e in rows_outcome.errors]


def test_a_total_row_that_adds_up_is_left_out_column_wise(municipality, monkeypatch):
    rows = [list(r) for r in ROWS]
    rows.insert(
        2, ["010101", "Rat", "91110000", "Kalkulatorisch", "5,00", "0,00", "0,00"]
    )  # skipped, counted
    rows.append(["", "", "", "", "24.304,75", "25.400,00", "27.200,00"])
    fast, _rows, data = _both(municipality, csv_bytes(rows), monkeypatch)
    assert fast.status == "imported"
    assert fast.timings["reader"] == "columnar", fast.timings.get("fallback")
    assert [w["code"] for w in data["warnings"]] == ["total_row_ok", "skipped_accounts"]


def test_small_blocks_give_the_same_result(municipality, monkeypatch):
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 4096)  # about 60 rows per block
    fast, _rows, data = _both(municipality, generated_csv(120), monkeypatch)
    assert fast.timings["reader"] == "columnar"
    assert data["line_count"] == 120 * 6 * 3


def test_moers_real_export_column_wise(municipality, monkeypatch):
    data = real_path("moers_haushalt_2015-2017.csv").read_bytes()
    fast, _rows, _snapshot = _both(municipality, data, monkeypatch)
    assert fast.timings["reader"] == "columnar", fast.timings.get("fallback")


def test_header_only_columns_and_encodings(municipality, monkeypatch):
    data = csv_bytes(ROWS, encoding="utf-8")
    fast, _rows, _data = _both(municipality, b"\xef\xbb\xbf" + data, monkeypatch)
    assert fast.timings["reader"] == "columnar"
    utf16 = csv_bytes(ROWS).decode("cp1252").encode("utf-16")
    fast, _rows, _data = _both(municipality, utf16, monkeypatch)
    assert fast.timings["fallback"] == "encoding utf-16"
    assert HEADER[0] == "Profitcenter"


def _reader_peak(data: bytes, block_bytes: int) -> tuple[int, int]:
    """(lines, peak bytes) of reading ``data`` column-wise: Python/numpy objects (tracemalloc) plus
    pyarrow's memory pool, sampled after every block; the blocks are dropped as a writer would."""
    import tracemalloc
    from itertools import islice

    import pyarrow as pa

    from finance.importing import ParseResult, open_table, propose_mapping

    with open_table(data) as table:
        sample = [cells for _line, cells in islice(table.rows(), 200)]
        mapping = propose_mapping(table.header, sample, "NW", delimiter=table.info.delimiter)
        reader = columnar.ColumnarReader(ParseResult(table, mapping), table, block_bytes=block_bytes)
        tracemalloc.start()
        base = pa.total_allocated_bytes()
        peak = lines = 0
        try:
            for block in reader.blocks():
                lines += len(block.cents)
                current, _ = tracemalloc.get_traced_memory()
                peak = max(peak, current + pa.total_allocated_bytes() - base)
                del block
        finally:
            tracemalloc.stop()
    return lines, peak


def test_reading_memory_is_bounded_by_the_block_not_the_file():
    header, _, rows = generated_csv(300).partition(b"\r\n")  # 1,800 rows, 0.5 MB
    small = header + b"\r\n" + rows * 8  # 14,400 rows
    large = header + b"\r\n" + rows * 32  # 57,600 rows: the same products and accounts, four times the rows
    _reader_peak(small, 65_536)  # first use: imports and the compiled reader are not the file's memory
    small_lines, small_peak = _reader_peak(small, 65_536)
    large_lines, large_peak = _reader_peak(large, 65_536)
    assert large_lines == 4 * small_lines
    # four times the file, the same blocks: pyarrow's read-ahead and one block's arrays, not the file
    assert large_peak < 1.3 * small_peak, (small_peak, large_peak)
    assert large_peak < len(large) / 4, (large_peak, len(large))


FORMS = [
    "-1.234,56", "1234,56-", "0,00", "nan", "1,5", "1.5E+03", "29.026.000", " 12,00 ", "", "7", "-0,00",
    "2,5e3", "1.000.000.000,01", "-", "00012,50", "12,3,4", "1.23,4", "1,234", "-1,00-", "1.2345",
    "12.34,56", "1234567890123456,00", "1,234.56", "1234.56", "+5,00", "5,00 €", ",50", "1.234.", "--1",
    "9.999.999.999.999,99", "99.999.999.999.999,99", "1 234,56", "١٢٣", "12a,00", "0", "-0",
]  # fmt: skip


@pytest.mark.parametrize("convention", ["de", "en"])
def test_the_compiled_cell_reader_agrees_with_the_row_parser(convention):
    import numpy as np
    import pyarrow as pa

    from finance.importing.numbers import NumberFormatError, make_amount_parser

    rng = np.random.default_rng(7)
    forms = FORMS + [
        f"{'-' if x % 3 else ''}{x // 100:,}.{x % 100:02d}" for x in rng.integers(0, 10**14, 300)
    ]
    forms += [f.translate(str.maketrans(",.", ".,")) for f in forms[len(FORMS) :]]
    column = pa.array(forms)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32, count=len(forms) + 1)
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8, count=int(offsets[-1]))
    cents, status = np.zeros(len(forms), dtype=np.int64), np.zeros(len(forms), dtype=np.int8)
    columnar._kernel()(data, offsets, convention == "de", cents, status)
    parse = make_amount_parser(convention)
    read = 0
    for text, value, state in zip(forms, cents.tolist(), status.tolist(), strict=True):
        if state == 2:
            continue  # left to the row parser
        read += 1
        try:
            expected = int(parse(text).scaleb(2))
        except NumberFormatError:
            pytest.fail(f"{text!r} read as {value} but the row parser refuses it")
        assert value == (0 if state == 1 else expected) == expected, text
    assert read > 300
