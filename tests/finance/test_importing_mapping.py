"""Proposing, checking and saving mappings."""

import json

import pytest

from finance.importing import (
    ALL_POSITIVE,
    AS_IS_WITH_DIRECTION_COLUMN,
    EXPENSE_NEGATIVE,
    LONG,
    REVENUE_NEGATIVE,
    WIDE,
    Mapping,
    MappingError,
    ValueColumn,
    header_fingerprint,
    propose_mapping,
)
from finance.importing.vocabulary import parse_value_header


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Ist 2015", (2015, "actual")),
        ("Ergebnis 2015", (2015, "actual")),
        ("Rechnungsergebnis 2015", (2015, "actual")),
        ("Ansatz 2016", (2016, "plan")),
        ("Plan 2017", (2017, "plan")),
        ("Planung 2025", (2025, "plan")),
        ("Haushaltsansatz 2019", (2019, "plan")),
        ("Fortgeschriebener Ansatz 2016", (2016, "plan")),
        ("VE 2018", (2018, "commitment")),
        ("Verpflichtungsermächtigung 2018", (2018, "commitment")),
        ("Actual 2015", (2015, "actual")),
        ("Budget 2017", (2017, "plan")),
        ("Commitment 2018", (2018, "commitment")),
        ("IST-2015", (2015, "actual")),
        ("Plan_2017 (EUR)", (2017, "plan")),
        ("2017 Plan", (2017, "plan")),
        ("Plan 20x7", "bad_year"),
        ("Plan 2300", "bad_year"),
        ("Ist 1850", "bad_year"),
        ("Plan 2017 TEUR", None),
        ("Kostenart", None),
        ("Prognose 2017", None),
    ],
)
def test_wide_value_headers(header, expected):
    assert parse_value_header(header) == expected


MOERS_LIKE = [
    "Kontengruppe-Nummer", "Kontengruppe", "Profitcenter", "Profitcenter-Bezeichnung", "Art", "PSP-Element",
    "Kostenart", "Kostenart Beschreibung", "Ist 2015", "Plan 2017",
]  # fmt: skip


def test_proposal_for_an_sap_export_with_account_fallback():
    # given a Moers-like header where Kostenart is often empty and revenue is negative
    rows = [
        ["41", "Zuwendungen", "104", "Finanzen", "1", "", "", "", "-206,41", "-206,42"],
        ["50", "Personal", "104", "Finanzen", "2", "1.100.01.04", "50110000", "Bezüge", "1.234,56", "0"],
        ["45", "sonstige", "104", "Finanzen", "1", "", "", "", "-358.573,30", "-338.817,00"],
    ]
    # when
    mapping = propose_mapping(MOERS_LIKE, rows, delimiter=";")
    # then
    assert mapping.layout == WIDE
    assert mapping.product_code == "Profitcenter"  # the product, PSP elements are cost objects below it
    assert mapping.product_name == "Profitcenter-Bezeichnung"
    assert (mapping.account_code, mapping.account_code_fallback) == ("Kostenart", "Kontengruppe-Nummer")
    assert (mapping.account_name, mapping.account_name_fallback) == ("Kostenart Beschreibung", "Kontengruppe")
    assert [(v.column, v.year, v.phase) for v in mapping.value_columns] == [
        ("Ist 2015", 2015, "actual"),
        ("Plan 2017", 2017, "plan"),
    ]
    assert mapping.sign_convention == REVENUE_NEGATIVE
    assert mapping.decimal_convention == "de"
    assert mapping.header_fingerprint == header_fingerprint(MOERS_LIKE)


@pytest.mark.parametrize(
    ("revenue", "expense", "land", "expected"),
    [
        ("-5,00", "7,00", "NW", REVENUE_NEGATIVE),
        ("5,00", "-7,00", "NW", EXPENSE_NEGATIVE),
        ("5,00", "7,00", "NW", ALL_POSITIVE),
    ],
)
def test_sign_convention_is_detected_from_account_classes(revenue, expense, land, expected):
    header = ["Produkt", "Konto", "Plan 2017"]
    rows = [["01", "40110000", revenue], ["01", "50110000", expense], ["02", "41110000", revenue]]
    assert propose_mapping(header, rows, land).sign_convention == expected


def test_baden_wuerttemberg_classes_come_from_the_table():
    # given BW accounts: class 3 revenue, class 4 expense
    header = ["Produkt", "Konto", "Plan 2017"]
    rows = [["11.10.01", "30000000", "-100,00"], ["11.10.01", "40000000", "50,00"]]
    # when proposing for BW and, wrongly, for NRW
    bw = propose_mapping(header, rows, "BW")
    nrw = propose_mapping(header, rows, "NW")
    # then only the BW table reads class 3 as revenue
    assert bw.sign_convention == REVENUE_NEGATIVE
    assert nrw.sign_convention != REVENUE_NEGATIVE


def test_english_long_layout_with_direction_column():
    # given
    header = ["Product", "Product name", "Account", "Year", "Amount", "Direction", "Stage"]
    rows = [["0501", "Social", "", "2017", "1,234.50", "expense", "Budget"]]
    # when
    mapping = propose_mapping(header, rows, delimiter=",")
    # then
    assert mapping.layout == LONG
    assert (mapping.product_code, mapping.product_name, mapping.year, mapping.amount) == (
        "Product",
        "Product name",
        "Year",
        "Amount",
    )
    assert (mapping.direction, mapping.phase) == ("Direction", "Stage")
    assert mapping.decimal_convention == "en"
    assert mapping.sign_convention == AS_IS_WITH_DIRECTION_COLUMN


def test_german_long_layout_with_date_column():
    header = [
        "Produktnummer",
        "Produktbezeichnung",
        "Sachkonto",
        "Kontobezeichnung",
        "Datum",
        "Betrag",
        "E/A",
    ]
    mapping = propose_mapping(
        header, [["010101", "Rat", "54110000", "Sitzungsgeld", "31.12.2017", "5,00", "A"]]
    )
    assert mapping.layout == LONG
    assert (mapping.date, mapping.amount, mapping.direction) == ("Datum", "Betrag", "E/A")
    assert mapping.account_name == "Kontobezeichnung"


def test_mapping_json_round_trip():
    # given a full mapping
    mapping = Mapping(
        layout=WIDE,
        product_code="Profitcenter",
        account_code="Kostenart",
        account_code_fallback="Kontengruppe-Nummer",
        value_columns=[ValueColumn("Plan 2017", 2017, "plan"), ValueColumn("VE 2018", 2018, "commitment")],
        ignore_columns=["Plan 20x7"],
        sign_convention=REVENUE_NEGATIVE,
        decimal_convention="de",
        default_phase="plan",
        land="BW",
        sheet="Daten",
        header_fingerprint="abc",
    )
    # when it goes through JSON
    again = Mapping.from_dict(json.loads(json.dumps(mapping.to_dict())))
    # then nothing is lost
    assert again == mapping


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        ({"version": 2}, "version"),
        ({"columns": {"konto": "Konto"}}, "unknown column roles"),
        ({"columns": {"account_code": 5}}, "header text"),
        ({"value_columns": [{"column": "Plan 2017", "year": 2017}]}, "needs column, year and phase"),
        ({"value_columns": [{"column": "Plan", "year": 2300, "phase": "plan"}]}, "outside"),
        ({"value_columns": [{"column": "Plan", "year": 2017, "phase": "forecast"}]}, "phase"),
        ({"sign_convention": "negative"}, "sign_convention"),
        ({"decimal_convention": "fr"}, "decimal_convention"),
        ({"layout": "diagonal"}, "layout"),
        ({"default_phase": "soon"}, "default_phase"),
        ({"ignore_columns": "Plan 20x7"}, "ignore_columns"),
    ],
)
def test_bad_mapping_json_is_rejected_naming_the_key(data, message):
    with pytest.raises(MappingError, match=message):
        Mapping.from_dict(data)


def test_fingerprint_ignores_case_spacing_and_punctuation_but_not_columns():
    assert header_fingerprint(["Kostenart", "Plan 2017"]) == header_fingerprint([" KOSTENART ", "Plan-2017"])
    assert header_fingerprint(["Kostenart", "Plan 2017"]) != header_fingerprint(["Kostenart", "Plan 2018"])


def codes(issues):
    return sorted(issue.code for issue in issues if issue.severity == "error")


def test_check_reports_missing_duplicate_and_unmapped_value_columns():
    # given a saved mapping and next year's file with new and odd columns
    mapping = Mapping(account_code="Konto", value_columns=[ValueColumn("Plan 2017", 2017, "plan")])
    header = ["Konto", "Konto", "Plan 2018", "Plan 20x7", "Bemerkung"]
    # when
    issues = mapping.check(header)
    # then money is never dropped silently
    assert codes(issues) == [
        "bad_value_header",
        "duplicate_column",
        "missing_column",
        "unmapped_value_column",
    ]
    bad = next(i for i in issues if i.code == "bad_value_header")
    assert bad.message_de.startswith("Spalte „Plan 20x7“: Die Spalte sieht wie eine Wertspalte aus")


def test_ignored_columns_silence_the_unmapped_value_check():
    mapping = Mapping(
        account_code="Konto",
        value_columns=[ValueColumn("Plan 2017", 2017, "plan")],
        ignore_columns=["Plan 20x7"],
    )
    assert codes(mapping.check(["Konto", "Plan 2017", "Plan 20x7"])) == []


def test_two_columns_for_the_same_year_and_phase_are_an_error():
    mapping = Mapping(
        account_code="Konto",
        value_columns=[ValueColumn("Ansatz 2017", 2017, "plan"), ValueColumn("Plan 2017", 2017, "plan")],
    )
    assert codes(mapping.check(["Konto", "Ansatz 2017", "Plan 2017"])) == ["duplicate_value_column"]


def test_a_long_file_without_phase_is_refused_with_a_question():
    # Given a long mapping with no phase column, no phase in the amount header and no default
    mapping = Mapping(layout=LONG, account_code="Konto", amount="Betrag", year="Jahr")
    # When it is checked
    issues = mapping.check(["Konto", "Jahr", "Betrag"])
    # Then the file is refused with a question naming the amount column and the way to answer
    phase = [i for i in issues if i.code == "phase_unknown"]
    assert phase and phase[0].is_error
    assert "„Betrag“" in phase[0].message_de and "default_phase" in phase[0].message_en


def test_a_default_phase_never_overrides_the_files_phase_column():
    mapping = Mapping(layout=LONG, account_code="Konto", amount="Betrag", year="Jahr", phase="Art")
    mapping.default_phase = "plan"
    issues = mapping.check(["Konto", "Jahr", "Betrag", "Art"])
    ignored = [i for i in issues if i.code == "default_phase_ignored"]
    assert ignored and not ignored[0].is_error and "Art" in ignored[0].message_en


@pytest.mark.parametrize(
    ("mapping", "fragment"),
    [
        (Mapping(account_code="Konto"), "no value columns"),
        (Mapping(layout=LONG, account_code="Konto", year="Jahr"), "amount"),
        (Mapping(layout=LONG, account_code="Konto", amount="Betrag"), "year or date"),
        (Mapping(value_columns=[ValueColumn("Plan 2017", 2017, "plan")]), "account or direction"),
    ],
)
def test_incomplete_mappings_say_what_is_missing(mapping, fragment):
    issues = mapping.check(["Konto", "Jahr", "Betrag", "Plan 2017"])
    incomplete = [i for i in issues if i.code == "mapping_incomplete"]
    assert incomplete
    assert fragment in incomplete[0].message_en


def test_unknown_land_with_account_numbers_only_is_refused_with_a_question():
    mapping = Mapping(land="XX", account_code="Konto", value_columns=[ValueColumn("Plan 2017", 2017, "plan")])
    issues = mapping.check(["Konto", "Plan 2017"])
    assert [(i.code, i.severity) for i in issues] == [("land_chart_unknown", "error")]
    assert "NW, BW, SH" in issues[0].message_en


def test_unknown_land_with_a_direction_column_is_only_a_note():
    mapping = Mapping(
        land="XX",
        account_code="Konto",
        direction="Richtung",
        value_columns=[ValueColumn("Plan 2017", 2017, "plan")],
    )
    issues = mapping.check(["Konto", "Richtung", "Plan 2017"])
    assert [(i.code, i.severity) for i in issues] == [("unknown_land", "warning")]
