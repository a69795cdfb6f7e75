"""Parsing files into budget records: layouts, signs, validation and the streaming contract."""

import io
from decimal import Decimal

import pytest

from finance.importing import (
    ALL_POSITIVE,
    AS_IS_WITH_DIRECTION_COLUMN,
    EXPENSE_NEGATIVE,
    LONG,
    REVENUE_NEGATIVE,
    Mapping,
    ValueColumn,
    parse,
    preview,
    totals,
)

WIDE_HEADER = [
    "Produkt",
    "Bezeichnung",
    "Kostenart",
    "Kontengruppe-Nummer",
    "Ist 2015",
    "Plan 2017",
    "VE 2018",
]


def wide_mapping(**overrides) -> Mapping:
    values = dict(
        product_code="Produkt",
        product_name="Bezeichnung",
        account_code="Kostenart",
        account_code_fallback="Kontengruppe-Nummer",
        value_columns=[
            ValueColumn("Ist 2015", 2015, "actual"),
            ValueColumn("Plan 2017", 2017, "plan"),
            ValueColumn("VE 2018", 2018, "commitment"),
        ],
        sign_convention=REVENUE_NEGATIVE,
    )
    values.update(overrides)
    return Mapping(**values)


def run(data, mapping, **kwargs):
    result = parse(data, mapping, **kwargs)
    records = list(result)
    return result, records


def error_codes(result):
    return [issue.code for issue in result.errors]


def test_sap_style_wide_file_becomes_positive_amounts_in_their_direction(make_csv):
    # given revenue negative (SAP), one revenue reduction (+5), zeros and a VE column
    data = make_csv(
        [
            WIDE_HEADER,
            ["05.01.02", "Pflege", "41410000", "", "-22.000,00", "1.234,56-", "0,00"],
            ["05.01.02", "Pflege", "53110000", "", "1.000,00", "0", "500,00"],
            ["05.01.02", "Pflege", "", "44", "5,00", "", ""],  # Kostenart empty: group number places it
            ["16.01.01", "Steuern", "60110000", "", "-100,00", "0,00", "0,00"],
        ]
    )
    # when
    result, records = run(data, wide_mapping())
    # then
    assert result.ok
    got = [(r.line, r.account_code, r.year, r.phase, r.statement, r.direction, r.amount) for r in records]
    assert got == [
        (2, "41410000", 2015, "actual", "results", "revenue", Decimal("22000.00")),
        (2, "41410000", 2017, "plan", "results", "revenue", Decimal("1234.56")),
        (3, "53110000", 2015, "actual", "results", "expense", Decimal("1000.00")),
        (3, "53110000", 2018, "commitment", "results", "expense", Decimal("500.00")),
        (4, "44", 2015, "actual", "results", "revenue", Decimal("-5.00")),  # a reduction of revenue
        (5, "60110000", 2015, "actual", "financial", "revenue", Decimal("100.00")),
    ]
    assert result.stats.to_dict() == {
        "data_rows": 4, "records": 6, "zero_amounts": 6, "skipped_rows": 0, "total_rows": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("convention", "revenue_cell", "expense_cell", "revenue", "expense"),
    [
        (REVENUE_NEGATIVE, "-10,00", "20,00", "10.00", "20.00"),
        (EXPENSE_NEGATIVE, "10,00", "-20,00", "10.00", "20.00"),
        (ALL_POSITIVE, "10,00", "20,00", "10.00", "20.00"),
        (ALL_POSITIVE, "-10,00", "20,00", "-10.00", "20.00"),
    ],
)
def test_sign_conventions(make_csv, convention, revenue_cell, expense_cell, revenue, expense):
    data = make_csv(
        [
            WIDE_HEADER,
            ["01", "x", "40110000", "", revenue_cell, "", ""],
            ["01", "x", "50110000", "", expense_cell, "", ""],
        ]
    )
    _, records = run(data, wide_mapping(sign_convention=convention))
    assert [r.amount for r in records] == [Decimal(revenue), Decimal(expense)]


def test_error_messages_name_line_column_value_and_reason(make_csv):
    # given a bad number in line 3
    data = make_csv(
        [
            WIDE_HEADER,
            ["01", "x", "40110000", "", "1,00", "", ""],
            ["01", "x", "50110000", "", "", "12,3,4", ""],
        ]
    )
    # when
    result, _ = run(data, wide_mapping())
    # then
    assert not result.ok
    [issue] = result.errors
    assert issue.message_de == "Zeile 3, Spalte „Plan 2017“: „12,3,4“ ist keine Zahl"
    assert issue.message_en == 'Line 3, column "Plan 2017": "12,3,4" is not a number'
    assert (issue.line, issue.column, issue.value, issue.code) == (3, "Plan 2017", "12,3,4", "not_a_number")


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["01", "x", "40110000", "", "1,00", "", "", "überzählig"], "ragged_row"),
        (["01", "x", "40110000", "", "1,00"], "ragged_row"),
        (["01", "x", "", "", "1,00", "", ""], "no_account"),
        (["01", "x", "21100000", "", "1,00", "", ""], "account_not_budget"),
        (["01", "x", "ABC", "", "1,00", "", ""], "account_unknown"),
        (["01", "x", "40110000", "", "abc", "", ""], "not_a_number"),
        (["01", "x", "40110000", "", "1,234", "", ""], "too_many_decimals"),
    ],
)
def test_bad_rows_are_errors_and_the_import_is_not_ok(make_csv, row, code):
    data = make_csv([WIDE_HEADER, row])
    result, records = run(data, wide_mapping())
    assert error_codes(result) == [code]
    assert not result.ok
    assert records == []


def test_extra_empty_trailing_fields_are_tolerated(make_csv):
    data = make_csv([WIDE_HEADER, ["01", "x", "40110000", "", "-1,00", "", "", "", ""]])
    result, records = run(data, wide_mapping())
    assert result.ok
    assert len(records) == 1


def test_cost_accounting_rows_are_skipped_with_one_warning_and_total_row_is_checked(make_csv):
    # given class 9 rows (kalkulatorische Kosten) and a grand total row over all raw cells, as Wesel has
    rows = [
        WIDE_HEADER,
        ["01", "x", "40110000", "", "-100,00", "-10,00", "0,00"],
        ["01", "x", "97110000", "", "-1,00", "0,00", "0,00"],
        ["01", "x", "98110000", "", "3,00", "0,00", "0,00"],
        ["01", "x", "50110000", "", "40,00", "20,00", "0,00"],
        ["", "", "", "", "-58,00", "10,00", "0,00"],
    ]
    # when
    result, records = run(make_csv(rows), wide_mapping())
    # then
    assert result.ok
    assert len(records) == 4
    assert [(i.code, i.severity) for i in result.issues] == [
        ("total_row_ok", "warning"),
        ("skipped_accounts", "warning"),
    ]
    assert "2 Zeilen mit Konten der Klasse 9" in result.issues[1].message_de
    assert (result.stats.skipped_rows, result.stats.total_rows) == (2, 1)


def test_a_total_row_that_does_not_add_up_is_an_error(make_csv):
    rows = [WIDE_HEADER, ["01", "x", "40110000", "", "-100,00", "", ""], ["", "", "", "", "-99,00", "", ""]]
    result, _ = run(make_csv(rows), wide_mapping())
    [issue] = result.errors
    assert issue.code == "total_row_mismatch"
    assert "die Summe der Zeilen ist -100,00" in issue.message_de


@pytest.mark.parametrize(
    ("direction", "statement", "expected"),
    [
        ("Aufwand", "results", "expense"),
        ("Ertrag", "results", "revenue"),
        ("Auszahlung", "financial", "expense"),
        ("Einzahlung", "financial", "revenue"),
        ("expense", "results", "expense"),
        ("Revenue", "results", "revenue"),
    ],
)
def test_direction_column_without_account(make_csv, direction, statement, expected):
    # given a long file with a direction column and no account codes
    header = ["Produkt", "Jahr", "Betrag", "Aufwand/Ertrag"]
    data = make_csv([header, ["01.01.01", "2017", "1.500,00", direction]])
    mapping = Mapping(layout=LONG, product_code="Produkt", year="Jahr", amount="Betrag",
                      direction="Aufwand/Ertrag", default_phase="plan",
                      sign_convention=AS_IS_WITH_DIRECTION_COLUMN)  # fmt: skip
    # when
    result, [record] = run(data, mapping)
    # then
    assert result.ok
    assert (record.statement, record.direction, record.amount, record.phase) == (
        statement, expected, Decimal("1500.00"), "plan",
    )  # fmt: skip


def test_unknown_direction_is_an_error(make_csv):
    data = make_csv([["Produkt", "Jahr", "Betrag", "E/A"], ["01", "2017", "1,00", "vielleicht"]])
    mapping = Mapping(layout=LONG, product_code="Produkt", year="Jahr", amount="Betrag", direction="E/A",
                      default_phase="plan")  # fmt: skip
    result, _ = run(data, mapping)
    assert result.errors[0].message_de.startswith(
        "Zeile 2, Spalte „E/A“: „vielleicht“ ist keine bekannte Richtung"
    )


LONG_HEADER = ["Produkt", "Konto", "Datum", "Wertart", "Betrag"]


def long_mapping(**overrides) -> Mapping:
    values = dict(layout=LONG, product_code="Produkt", account_code="Konto", date="Datum", phase="Wertart",
                  amount="Betrag", sign_convention=ALL_POSITIVE)  # fmt: skip
    values.update(overrides)
    return Mapping(**values)


def test_long_layout_with_dates_and_phase_words(make_csv):
    rows = [
        LONG_HEADER,
        ["01", "50110000", "31.12.2017", "Ansatz", "10,00"],
        ["01", "50110000", "2016-12-31", "Ist", "11,00"],
        ["01", "50110000", "31.12.2018", "VE", "12,00"],
        ["01", "50110000", "31.12.2018", "Plan", "0,00"],
    ]
    result, records = run(make_csv(rows), long_mapping())
    assert result.ok
    assert [(r.year, r.phase, r.amount) for r in records] == [
        (2017, "plan", Decimal("10.00")),
        (2016, "actual", Decimal("11.00")),
        (2018, "commitment", Decimal("12.00")),
    ]
    assert result.stats.zero_amounts == 1


@pytest.mark.parametrize(
    ("date", "phase", "code"),
    [
        ("31.02.2017", "Plan", "not_a_date"),
        ("2017", "Plan", "not_a_date"),
        ("31.12.1850", "Plan", "year_out_of_range"),
        ("31.12.2017", "Prognose", "unknown_phase"),
    ],
)
def test_long_layout_bad_cells(make_csv, date, phase, code):
    result, _ = run(make_csv([LONG_HEADER, ["01", "50110000", date, phase, "1,00"]]), long_mapping())
    assert error_codes(result) == [code]


@pytest.mark.parametrize(
    ("year", "code"), [("2300", "year_out_of_range"), ("20x7", "not_a_year"), ("", "not_a_year")]
)
def test_year_column_values_outside_the_range_are_errors(make_csv, year, code):
    data = make_csv([["Konto", "Jahr", "Betrag"], ["50110000", year, "1,00"]])
    mapping = Mapping(layout=LONG, account_code="Konto", year="Jahr", amount="Betrag", default_phase="actual")
    result, _ = run(data, mapping)
    assert error_codes(result) == [code]


def test_phase_from_default_when_the_file_has_none(make_csv):
    data = make_csv([["Konto", "Jahr", "Betrag"], ["50110000", "2017", "1,00"]])
    mapping = Mapping(layout=LONG, account_code="Konto", year="Jahr", amount="Betrag", default_phase="actual")
    _, [record] = run(data, mapping)
    assert record.phase == "actual"


def test_english_comma_separated_file_end_to_end(make_csv):
    # given an English export, as a preview would see it
    data = make_csv(
        [["Product", "Account", "Actual 2015", "Budget 2017"], ["0501", "53110000", "1,234.50", "-2,000.00"],
         ["0501", "41110000", "-10.00", "-20.00"]],
        delimiter=",", encoding="utf-8",
    )  # fmt: skip
    # when
    result = preview(data)
    # then
    assert (result.delimiter, result.mapping.decimal_convention) == (",", "en")
    assert result.mapping.sign_convention == REVENUE_NEGATIVE
    assert [(r.year, r.direction, r.amount) for r in result.records] == [
        (2015, "expense", Decimal("1234.50")),
        (2017, "expense", Decimal("-2000.00")),
        (2015, "revenue", Decimal("10.00")),
        (2017, "revenue", Decimal("20.00")),
    ]


def test_xlsx_end_to_end_with_typed_cells(make_xlsx):
    # given a workbook whose numbers are real numbers, product codes numbers too
    data = make_xlsx({"Haushalt": [
        ["Profitcenter", "Kostenart", "Kostenart Beschreibung", "Plan 2017", "Ergebnis 2015"],
        [10101, 44851000, "Kostenerstattung", -22000, -21999.99],
        [10101, 50000000, "Personal", 99841.46, None],
    ]})  # fmt: skip
    # when
    result = preview(io.BytesIO(data))
    # then
    assert result.ok, [i.message_en for i in result.issues]
    assert (result.format, result.sheet) == ("xlsx", "Haushalt")
    assert [(r.line, r.product_code, r.account_code, r.year, r.amount) for r in result.records] == [
        (2, "10101", "44851000", 2017, Decimal("22000.00")),
        (2, "10101", "44851000", 2015, Decimal("21999.99")),
        (3, "10101", "50000000", 2017, Decimal("99841.46")),
    ]


def test_headers_only_file_is_an_error(make_csv):
    result, _ = run(make_csv([WIDE_HEADER]), wide_mapping())
    assert error_codes(result) == ["no_data"]


def test_missing_mapped_column_stops_before_reading_rows(make_csv):
    result, records = run(make_csv([["Konto", "Plan 2017"], ["40110000", "1,00"]]), wide_mapping())
    assert not result.ok
    assert "missing_column" in error_codes(result)
    assert records == []


def test_max_errors_stops_the_run(make_csv):
    rows = [WIDE_HEADER] + [["01", "x", "40110000", "", "abc", "", ""]] * 20
    result, _ = run(make_csv(rows), wide_mapping(), max_errors=5)
    assert result.aborted
    assert [i.code for i in result.errors] == ["not_a_number"] * 5 + ["too_many_errors"]


def test_records_stream_in_chunks_and_the_result_is_known_only_at_the_end(make_csv):
    # given 25 rows with one amount each
    rows = [WIDE_HEADER] + [["01", "x", "50110000", "", f"{i},00", "", ""] for i in range(1, 26)]
    result = parse(make_csv(rows), wide_mapping(), chunk_size=10)
    # when / then
    with pytest.raises(RuntimeError):
        _ = result.ok
    sizes = [len(chunk) for chunk in result.chunks()]
    assert sizes == [10, 10, 5]
    assert result.ok
    with pytest.raises(RuntimeError):
        list(result.chunks())


def test_totals_helper_and_streamed_totals_agree(make_csv):
    rows = [
        WIDE_HEADER,
        ["01", "x", "40110000", "", "-100,00", "-10,00", ""],
        ["01", "x", "50110000", "", "40,00", "20,00", "7,00"],
        ["01", "x", "70110000", "", "3,00", "", ""],
    ]
    result = parse(make_csv(rows), wide_mapping())
    records = list(result)
    keys = ("year", "phase", "statement", "revenue", "expense")
    expected = [
        dict(zip(keys, row, strict=True))
        for row in [
            (2015, "actual", "results", Decimal("100.00"), Decimal("40.00")),
            (2015, "actual", "financial", Decimal("0.00"), Decimal("3.00")),
            (2017, "plan", "results", Decimal("10.00"), Decimal("20.00")),
            (2018, "commitment", "results", Decimal("0.00"), Decimal("7.00")),
        ]
    ]
    assert totals(records) == expected
    assert result.totals() == expected


def test_preview_shows_detection_mapping_records_and_whole_file_totals(make_csv):
    # given a file larger than the preview
    rows = [WIDE_HEADER] + [["01", "Schulträger", "50110000", "", "1,00", "2,00", ""] for _ in range(120)]
    data = make_csv(rows)
    # when
    result = preview(data, n=5)
    # then
    assert (result.format, result.encoding, result.delimiter, result.layout) == ("csv", "cp1252", ";", "wide")
    assert result.mapping_proposed
    assert len(result.records) == 5
    assert result.totals[0]["expense"] == Decimal("120.00")
    assert result.unmapped_columns == []
    assert result.to_dict()["totals"][0]["expense"] == "120.00"
    # and a saved mapping is recognised by its fingerprint for the next file
    again = preview(data, mapping=result.mapping)
    assert again.fingerprint_matches is True
    assert not again.mapping_proposed


def test_preview_reports_a_suspicious_value_header(make_csv):
    data = make_csv([["Konto", "Plan 2017", "Plan 20x7"], ["50110000", "1,00", "2,00"]])
    result = preview(data)
    assert not result.ok
    assert [i.code for i in result.issues if i.severity == "error"] == ["bad_value_header"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (";".join(WIDE_HEADER).encode() + b'\r\n01;"offen;50110000;;1,00;;\r\n', "csv_broken"),
        (b"\x00\x01\x02garbage" * 50, "binary_file"),
        (b"", "empty_file"),
    ],
)
def test_parse_reports_broken_files_as_issues(data, code):
    # given a broken upload and a valid mapping
    result = parse(data, wide_mapping())
    # when the records are consumed
    records = list(result)
    # then nothing escapes as an exception, and the import must be rolled back
    assert records == []
    assert not result.ok
    assert [issue.code for issue in result.errors] == [code]
