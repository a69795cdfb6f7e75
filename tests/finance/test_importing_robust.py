"""Defects of real exports that the reader takes as they come, and the ones it refuses."""

from decimal import Decimal

import pytest

from finance.importing import ImportFileError, open_table, parse, preview

LONG = "Produkt;Bezeichnung;Jahr;Art;Richtung;Betrag\r\n"


def totals_of(data, **changes):
    proposal = preview(data)
    mapping = proposal.mapping
    for key, value in changes.items():
        setattr(mapping, key, value)
    result = parse(data, mapping)
    list(result)
    assert result.ok, [i.message_en for i in result.errors]
    return {(r["year"], r["phase"], r["statement"]): (r["revenue"], r["expense"]) for r in result.totals()}


def test_title_rows_above_the_header_are_skipped():
    data = (
        "Haushaltsplan 2018\r\n\r\nStand: 01.12.2017\r\n" + LONG + "01.01;Rat;2018;Plan;Aufwand;100\r\n"
    ).encode()
    with open_table(data) as table:
        assert table.header[0] == "Produkt" and table.title_lines == [1, 3]
    assert totals_of(data) == {(2018, "plan", "results"): (Decimal("0.00"), Decimal("100.00"))}


def test_spaces_after_a_closing_quote_are_tolerated():
    data = (LONG + '"01.01" ;"Rat" ;2018;"Plan" ;"Aufwand" ;"1.234,50" \r\n').encode()
    assert totals_of(data) == {(2018, "plan", "results"): (Decimal("0.00"), Decimal("1234.50"))}


@pytest.mark.parametrize(
    ("cell", "amount"),
    [("29.026.000", "29026000.00"), ("1,5E+06", "1500000.00"), ("nan", None), ("15472050.0", None)],
)
def test_number_forms_of_real_exports(cell, amount):
    rows = f"01.01;Rat;2018;Plan;Aufwand;{cell}\r\n02.01;Bau;2018;Plan;Aufwand;1.000\r\n"
    data = (LONG + rows).encode()
    if cell == "15472050.0":  # a float-style file: decimal point throughout
        data = (
            LONG + "01.01;Rat;2018;Plan;Aufwand;15472050.0\r\n02.01;Bau;2018;Plan;Aufwand;1000.5\r\n"
        ).encode()
        assert totals_of(data)[(2018, "plan", "results")][1] == Decimal("15473050.50")
        return
    expected = Decimal(amount or "0") + Decimal("1000.00")
    assert totals_of(data)[(2018, "plan", "results")][1] == expected


def test_value_translations_of_a_mapping_are_applied():
    data = (LONG + "01.01;Rat;2018;Rechng.;Aufwand;100\r\n01.01;Rat;2018;Rechng.;Aufwand;5\r\n").encode()
    proposal = preview(data)
    assert not proposal.ok  # "Rechng." is no phase word the importer knows
    maps = {"phase": {"Rechng.": "actual"}}
    assert totals_of(data, value_maps=maps, phase="Art") == {
        (2018, "actual", "results"): (Decimal("0.00"), Decimal("105.00"))
    }


def test_kameral_statement_column_is_stored_as_its_own_statement():
    data = (
        b"Gliederung;Bezeichnung;Jahr;Status;Richtung;HH-Teil;Betrag\r\n"
        b"0200;Hauptverwaltung;2017;Haushaltsansatz;Einnahmen;VwH;1000\r\n"
        b"0200;Hauptverwaltung;2017;Haushaltsansatz;Ausgaben;VmH;400\r\n"
    )
    totals = totals_of(data)
    assert totals == {
        (2017, "plan", "kameral_vwh"): (Decimal("1000.00"), Decimal("0.00")),
        (2017, "plan", "kameral_vmh"): (Decimal("0.00"), Decimal("400.00")),
    }


def test_a_bom_that_contradicts_the_bytes_is_an_error():
    data = b"\xef\xbb\xbf" + (LONG + "01.01;R\xe4t;2018;Plan;Aufwand;1\r\n").encode("latin-1")
    with pytest.raises(ImportFileError) as caught:
        open_table(data)
    assert caught.value.issue.code == "bom_mismatch"


def test_an_explicit_encoding_and_delimiter_are_used_as_given():
    data = ("Produkt,Bezeichnung\r\n01,Rät\r\n").encode("cp1252")
    with open_table(data, encoding="cp1252", delimiter=",") as table:
        assert table.info.encoding == "cp1252" and [c for _, c in table.rows()] == [["01", "Rät"]]
    with pytest.raises(ImportFileError) as caught:
        open_table(data, encoding="utf-8")
    assert caught.value.issue.code == "override_unreadable" and "byte" in caught.value.issue.message_en


def test_an_xlsx_bomb_is_refused_before_parsing():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" + b" " * (300 << 20) + b"</row>")
    with pytest.raises(ImportFileError) as caught:
        open_table(buffer.getvalue())
    assert caught.value.issue.code == "xlsx_bomb" and "MB" in caught.value.issue.message_en


def test_an_xlsx_declaring_too_many_rows_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", '<worksheet><dimension ref="A1:D5000000"/></worksheet>')
    with pytest.raises(ImportFileError) as caught:
        open_table(buffer.getvalue())
    assert caught.value.issue.code == "xlsx_bomb" and "5000000 rows" in caught.value.issue.message_en


def test_an_unquoted_delimiter_inside_a_name_is_joined_back_when_unambiguous():
    data = (
        b"Produkt,Bezeichnung,Jahr,Art,Richtung,Betrag\r\n"
        b"01.01,Rat,2018,Plan,Aufwand,100\r\n"
        b"61.01,Steuern,allgemeine Zuweisungen,2018,Plan,Ertrag,250\r\n"
    )
    proposal = preview(data)
    assert proposal.ok, [i.message_en for i in proposal.issues]
    assert [i.line for i in proposal.issues if i.code == "delimiter_in_text"] == [3]
    assert [r.product_name for r in proposal.records] == ["Rat", "Steuern,allgemeine Zuweisungen"]


def test_a_row_that_cannot_be_repaired_unambiguously_stays_an_error():
    data = (
        b"Produkt,Bezeichnung,Teil,Jahr,Art,Richtung,Betrag\r\n"
        b"01.01,Rat,Verwaltung,2018,Plan,Aufwand,100\r\n"
        b"61.01,Steuern,allg,Finanzen,2018,Plan,Ertrag,250\r\n"
    )
    proposal = preview(data)
    assert "ragged_row" in [i.code for i in proposal.issues if i.is_error]


def test_two_equally_plausible_phase_columns_are_not_guessed():
    data = (
        b"Produkt;Jahr;Art;Typ;Richtung;Betrag\r\n"
        b"01.01;2018;Plan;Ist;Aufwand;100\r\n"
        b"01.02;2018;Plan;Ist;Aufwand;200\r\n"
    )
    proposal = preview(data)
    ambiguous = [i for i in proposal.issues if i.code == "ambiguous_role"]
    assert ambiguous and "„Art“" in ambiguous[0].message_de and "„Typ“" in ambiguous[0].message_de
    assert proposal.mapping.phase is None and not proposal.ok


def test_group_rows_that_add_up_are_left_out_with_a_note():
    data = (
        LONG
        + "3650;Kinder;2018;Plan;Aufwand;300\r\n"
        + "36500101;Kita;2018;Plan;Aufwand;100\r\n"
        + "36500102;Hort;2018;Plan;Aufwand;200\r\n"
    ).encode()
    proposal = preview(data)
    assert proposal.ok
    assert [i.code for i in proposal.issues] == ["group_rows_excluded"]
    assert totals_of(data) == {(2018, "plan", "results"): (Decimal("0.00"), Decimal("300.00"))}


def test_total_rows_of_long_files_are_checked():
    good = (
        LONG
        + "01.01;Rat;2018;Plan;Aufwand;100\r\n"
        + "02.01;Bau;2018;Plan;Aufwand;50\r\n"
        + ";Summe;2018;Plan;Aufwand;150\r\n"
    )
    assert totals_of(good.encode()) == {(2018, "plan", "results"): (Decimal("0.00"), Decimal("150.00"))}
    bad = good.replace(";150\r\n", ";151\r\n").encode()
    assert "total_row_mismatch" in [i.code for i in preview(bad).issues if i.is_error]


def test_title_rows_above_the_header_of_a_workbook():
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Haushaltsplan 2018 der Stadt"])
    sheet.append([])
    sheet.append(["Produkt", "Bezeichnung", "Jahr", "Art", "Richtung", "Betrag"])
    sheet.append(["01.01", "Rat", 2018, "Plan", "Aufwand", 99.5])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    with open_table(data) as table:
        assert table.header[0] == "Produkt" and table.header_line == 3
    assert totals_of(data) == {(2018, "plan", "results"): (Decimal("0.00"), Decimal("99.50"))}


def test_kameral_gruppierung_numbers_give_part_and_direction():
    # Given a kameral file with Gliederung and Gruppierung numbers and no Haushaltsart column
    data = (
        "Gliederung;Gruppierung;Bezeichnung;Jahr;Status;Betrag\r\n"
        "0200;1100;Gebühren;2017;Haushaltsansatz;1000\r\n"
        "0200;4140;Personal;2017;Haushaltsansatz;700\r\n"
        "0200;8600;Zuführung zum VmH;2017;Haushaltsansatz;300\r\n"
        "0200;3610;Zuweisung Land;2017;Haushaltsansatz;50\r\n"
        "0200;9350;Erwerb bewegl. Sachen;2017;Haushaltsansatz;350\r\n"
    ).encode()
    proposal = preview(data)
    assert proposal.mapping.system == "kameral" and proposal.mapping.account_code == "Gruppierung"
    # Then both parts are stored as kameral statements, each balanced, nothing in results
    assert totals_of(data) == {
        (2017, "plan", "kameral_vwh"): (Decimal("1000.00"), Decimal("1000.00")),
        (2017, "plan", "kameral_vmh"): (Decimal("50.00"), Decimal("350.00")),
    }
