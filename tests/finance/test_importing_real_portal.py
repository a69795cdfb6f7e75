"""Real uploads of the "Offener Haushalt" portal (../shared/data/real/, see its SOURCES.md): each imports
without a hand-written mapping with totals equal to an independent sum computed here with the csv
module, or is refused with a message saying what is ambiguous, and imports exactly once answered."""

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest

from finance.importing import parse, preview


def rows_of(path, encoding, delimiter):
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def german(text):
    return Decimal(text.strip().replace(".", "").replace(",", ".") or "0")


def imported(path, mapping=None):
    proposal = preview(path) if mapping is None else None
    result = parse(path, mapping or proposal.mapping)
    list(result)
    assert result.ok, [i.message_en for i in result.errors]
    sums = {}
    for row in result.totals():
        sums[(row["year"], row["phase"], row["statement"], "revenue")] = row["revenue"]
        sums[(row["year"], row["phase"], row["statement"], "expense")] = row["expense"]
    return {k: v for k, v in sums.items() if v}, result


def nonzero(sums):
    return {k: v for k, v in sums.items() if v}


def test_ahaus_long_file_with_phase_and_direction_words_imports_exactly(real_file):
    # Given Ahaus' draft 2018 (',' with decimal commas, HHArt Ergebnis/Ansatz/Planung, Ord. Erträge)
    path = real_file("ahaus_haushaltsentwurf_2018.csv")
    expected = defaultdict(Decimal)
    phase = {"Ergebnis": "actual", "Ansatz": "plan", "Planung": "plan"}
    for row in rows_of(path, "utf-8", ","):
        direction = "revenue" if "Erträge" in row["Richtung"] else "expense"
        expected[(int(row["Jahr"]), phase[row["HHArt"]], "results", direction)] += german(row["Betrag"])
    # When it is imported with the proposal
    sums, _result = imported(path)
    # Then the totals equal the independent sum; product groups are codes without their label word
    assert sums == nonzero(expected)
    assert {r.product_code for r in result_records(path)} >= {"01.01", "01.02"}


def result_records(path, mapping=None):
    result = parse(path, mapping or preview(path).mapping)
    return list(result)


def test_wuppertal_floats_and_nan_cells_import_exactly(real_file):
    path = real_file("wuppertal_haushaltsentwurf_2018-2019.csv")
    expected = defaultdict(Decimal)
    for row in rows_of(path, "utf-8", ","):
        if row["Betrag"] != "nan":
            direction = "revenue" if row["Typ"] == "Ertrag" else "expense"
            expected[(int(row["Year"]), "plan", "results", direction)] += Decimal(row["Betrag"])
    sums, _ = imported(path)
    assert sums == nonzero(expected)
    records = result_records(path)
    # the product code is joined from the three hierarchy columns
    assert any(r.product_code == "61.04.01" and r.product_name == "Kreditwirtschaft" for r in records)


def test_sprendlingen_amount_header_is_the_phase_and_accounts_come_by_name(real_file):
    path = real_file("vg-sprendlingen-gensingen_haushalt_2018.csv")
    expected = defaultdict(Decimal)
    for row in rows_of(path, "cp1252", ";"):
        direction = "revenue" if row["Budgetrichtung"] == "Ertrag" else "expense"
        expected[(int(row["Haushaltsjahr"]), "plan", "results", direction)] += Decimal(row["Ansatz"])
    proposal = preview(path)
    assert proposal.mapping.header_phase == "plan"
    assert proposal.mapping.account_name == "Konto" and proposal.mapping.account_code is None
    identification = next(c for c in proposal.detection.columns if c.header == "Identifikation")
    assert identification.role is None and "running number" in identification.reason_en
    sums, _ = imported(path)
    assert sums == nonzero(expected)


def test_offener_haushalt_standard_dataset_imports_exactly(real_file):
    path = real_file("ohh_standard-datensatz.csv")
    expected = defaultdict(Decimal)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for amount, kind, year, direction, *_ in reader:
            phase = "actual" if kind == "Ist" else "plan"
            expected[(int(year), phase, "results", "revenue" if direction == "Einnahmen" else "expense")] += (
                Decimal(amount)
            )
    sums, _ = imported(path)
    assert sums == nonzero(expected)
    mapping = preview(path).mapping
    assert mapping.account_code == "Ebene 4 – Code" and mapping.product_code == "Ebene 2 – Code"


def test_weinheim_group_row_that_does_not_add_up_is_refused_naming_it(real_file):
    # Given Weinheim's plan: 3650 sits next to 36500101 and 36500102; its Erträge equal their sum, its
    # Aufwendungen do not (19,174,397 vs 18,803,144)
    path = real_file("weinheim_haushaltsplan_2018.csv")
    proposal = preview(path)
    # Then the file is refused naming the row, the amounts and the two ways to answer
    errors = [i for i in proposal.issues if i.is_error]
    assert [i.code for i in errors] == ["group_rows_mismatch"]
    assert errors[0].value == "3650" and "19.174.397,00" in errors[0].message_de
    assert "keep_groups" in errors[0].message_en and "separate" in errors[0].message_en
    # And with the answer "keep the group rows" it imports exactly
    mapping = proposal.mapping
    mapping.group_rows = "keep_groups"
    expected = defaultdict(Decimal)
    for row in rows_of(path, "cp1252", ";"):
        if row["Index"] in ("36500101", "36500102"):
            continue
        direction = "revenue" if row["Richtung"] == "Erträge" else "expense"
        expected[(int(row["Jahr"]), "plan", "results", direction)] += Decimal(row["Betrag"])
    sums, _ = imported(path, mapping)
    assert sums == nonzero(expected)


def test_hemsbach_kameral_file_is_refused_with_a_question_then_stored_as_kameral(real_file):
    # Given Hemsbach's kameral history: Einnahmen/Ausgaben per Unterabschnitt, no Haushaltsart column
    path = real_file("hemsbach_haushalt_2011-2018.csv")
    proposal = preview(path)
    errors = [i for i in proposal.issues if i.is_error]
    assert [i.code for i in errors] == ["statement_unknown"]
    assert "kameral_vwh" in errors[0].message_en and "Verwaltungshaushalt" in errors[0].message_de
    # When the user answers "kameral, parts not separated"
    mapping = proposal.mapping
    mapping.default_statement = "kameral"
    expected = defaultdict(Decimal)
    phase = {"Rechnungsergebnis": "actual", "Haushaltsansatz": "plan"}
    for row in rows_of(path, "cp1252", ";"):
        direction = "revenue" if row["Richtung"] == "Einnahmen" else "expense"
        expected[(int(row["Jahr"]), phase[row["Status"]], "kameral", direction)] += Decimal(row["Betrag"])
    sums, _ = imported(path, mapping)
    # Then it is stored as a kameral statement, never as doppik results
    assert sums == nonzero(expected)
    assert all(key[2] == "kameral" for key in sums)


def test_griesheim_column_per_direction_without_phase_is_refused_then_imports(real_file):
    path = real_file("griesheim_ergebnishaushalt_2008.csv")
    proposal = preview(path)
    mapping = proposal.mapping
    assert (mapping.expense_amount, mapping.revenue_amount) == ("ausgabe", "eingabe")
    codes = {i.code for i in proposal.issues if i.is_error}
    assert codes == {"phase_unknown", "statement_unknown"}  # both questions at once
    # With the answers (the portal calls the figures "approved": plan; Hessian Ergebnishaushalt: results)
    mapping.default_phase = "plan"
    mapping.default_statement = "results"
    expected = defaultdict(Decimal)
    for row in rows_of(path, "utf-8", ","):
        expected[(int(row["hhjahr"]), "plan", "results", "expense")] += Decimal(row["ausgabe"] or "0")
        expected[(int(row["hhjahr"]), "plan", "results", "revenue")] += Decimal(row["eingabe"] or "0")
    sums, result = imported(path, mapping)
    assert sums == nonzero(expected)
    # the interest line written as a negative revenue is pointed out
    negative = [i for i in result.warnings if i.code == "negative_in_direction_column"]
    assert negative and negative[0].value == "-572000"


@pytest.mark.parametrize(
    ("name", "rows_expected"),
    [("moers_haushalt_2015-2017.csv", 2119), ("ahaus_haushaltsentwurf_2018.csv", None)],
)
def test_detection_reports_every_column(real_file, name, rows_expected):
    proposal = preview(real_file(name))
    assert [c.header for c in proposal.detection.columns] == proposal.header
    assert all(c.reason_de for c in proposal.detection.columns)
    if rows_expected:
        assert proposal.stats.data_rows == rows_expected


def test_whole_file_rejection_names_the_columns_and_why(make_csv):
    data = make_csv([["Spalte A", "Spalte B"], ["foo bar baz", "12"], ["qux quux", "13"]])
    proposal = preview(io.BytesIO(data).getvalue())
    report = [i for i in proposal.issues if i.code == "column_report"]
    assert report and "„Spalte A“" in report[0].message_de and "text" in report[0].message_en
