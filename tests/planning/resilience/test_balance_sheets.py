"""Opening balance sheets: the service, the CSV/XLSX import and the two commands."""

import io
import json
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from planning.resilience.models import BalanceSheet
from planning.resilience.services import (
    BalanceSheetConflict,
    BalanceSheetDeleted,
    ResilienceInputError,
    balance_sheet_set,
    balance_sheets_import,
)


def test_set_creates_then_updates_only_the_given_fields(municipality):
    sheet, created = balance_sheet_set(
        municipality=municipality,
        year=2024,
        values={"general_reserve": D(690_000_000), "equalisation_reserve": D(107_200_000)},
    )
    assert created and sheet.total_equity == D(797_200_000) and sheet.other_equity == 0
    sheet, created = balance_sheet_set(
        municipality=municipality, year=2024, values={"equity": D(800_000_000)}
    )
    assert not created
    assert sheet.general_reserve == D(690_000_000) and sheet.other_equity == D(2_800_000)


def test_a_new_sheet_needs_both_reserves_and_negative_reserves_are_refused(municipality):
    with pytest.raises(ResilienceInputError, match="Ausgleichsrücklage"):
        balance_sheet_set(municipality=municipality, year=2024, values={"general_reserve": D(1)})
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        balance_sheet_set(
            municipality=municipality,
            year=2024,
            values={"general_reserve": D(-1), "equalisation_reserve": D(1)},
        )


def test_an_edit_based_on_an_old_revision_is_refused_and_changes_nothing(municipality):
    reserves = {"general_reserve": D(690_000_000), "equalisation_reserve": D(107_200_000)}
    sheet, _ = balance_sheet_set(municipality=municipality, year=2024, values=reserves)
    start = sheet.revision
    assert start == 1
    first, _ = balance_sheet_set(
        municipality=municipality, year=2024, values={"equity": D(800_000_000)}, expected_revision=start
    )
    assert first.revision == start + 1
    with pytest.raises(BalanceSheetConflict) as conflict:  # the second editor loaded the same revision
        balance_sheet_set(
            municipality=municipality,
            year=2024,
            values={"equity": D(900_000_000), "liquidity_loans": D(5)},
            expected_revision=start,
        )
    assert conflict.value.current.revision == start + 1
    assert "wurde inzwischen geändert" in str(conflict.value)
    assert isinstance(conflict.value, ResilienceInputError)  # callers catching input errors still do
    stored = BalanceSheet.objects.get(year=2024)
    assert stored.equity == D(800_000_000) and stored.liquidity_loans == 0 and stored.revision == start + 1
    # Resubmitting against the revision the conflict reported applies it knowingly.
    again, _ = balance_sheet_set(
        municipality=municipality, year=2024, values={"equity": D(900_000_000)}, expected_revision=start + 1
    )
    assert again.equity == D(900_000_000) and again.revision == start + 2


def test_saving_without_changes_keeps_the_revision_and_callers_without_one_overwrite(municipality):
    values = {"general_reserve": D(690_000_000), "equalisation_reserve": D("107200000.00")}
    sheet, _ = balance_sheet_set(municipality=municipality, year=2024, values=values)
    same, _ = balance_sheet_set(
        municipality=municipality,
        year=2024,
        values={**values, "equalisation_reserve": D(107_200_000), "investment_loans": None},
        expected_revision=sheet.revision,
    )
    assert same.revision == sheet.revision == 1  # 107200000 == 107200000.00, empty loans == stored 0
    # Without an expected revision (command line, demo, import) the last write wins and is counted.
    later, _ = balance_sheet_set(municipality=municipality, year=2024, values={"equity": D(1)})
    assert later.equity == D(1) and later.revision == 2


GERMAN_CSV = (
    "Jahr;Eigenkapital;Ausgleichsrücklage;Allgemeine Rücklage;Bilanzsumme;Investitionskredite;"
    "Zinssatz Investitionskredite;Anteil variabel;Liquiditätskredite;Zinssatz Liquiditätskredite;"
    "Pensionsrückstellungen (EUR)\n"
    "2024;800.000.000,00;107.200.000,00;690.000.000,00;2.100.000.000,00;350.000.000,00;2,1 %;0,25;"
    "80.000.000,00;3,4 %;410.000.000,00\n"
    "2025;790.000.000,00;100.000.000,00;688.000.000,00;;;;;;;\n"
)


def test_import_german_csv_in_windows_encoding(municipality):
    outcome = balance_sheets_import(municipality=municipality, source=GERMAN_CSV.encode("cp1252"))
    assert outcome.to_json() == {"status": "imported", "years": [2024, 2025], "errors": []}
    sheet = BalanceSheet.objects.get(year=2024)
    assert sheet.equalisation_reserve == D("107200000.00")
    assert sheet.investment_loans_rate == D("0.021") and sheet.variable_rate_share == D("0.25")
    assert sheet.liquidity_loans_rate == D("0.034") and sheet.pension_provisions == D(410_000_000)
    assert sheet.source == BalanceSheet.Source.CSV
    assert BalanceSheet.objects.get(year=2025).investment_loans == 0


def test_import_xlsx_with_english_headers(municipality):
    book = openpyxl.Workbook()
    book.active.append(["year", "equalisation_reserve", "general_reserve", "liquidity_loans_rate"])
    book.active.append([2026, 5_000_000.5, 60_000_000, 0.031])
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = balance_sheets_import(municipality=municipality, source=buffer.getvalue())
    assert outcome.ok, outcome.errors
    sheet = BalanceSheet.objects.get(year=2026)
    assert sheet.equalisation_reserve == D("5000000.50") and sheet.liquidity_loans_rate == D("0.031")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Jahr;Ausgleichsrücklage;Allgemeine Rücklage;Sonstiges\n2024;1;2;3\n",
            "Unbekannte Spalte „Sonstiges“",
        ),
        ("Jahr;Allgemeine Rücklage\n2024;1\n", "Spalte „ausgleichsruecklage“ fehlt"),
        ("Jahr;Ausgleichsrücklage;Allgemeine Rücklage\n2024;1;zwei\n", "Zeile 2: Allgemeine Rücklage „zwei“"),
        ("Jahr;Ausgleichsrücklage;Allgemeine Rücklage\n2024;1;2\n2024;1;2\n", "Jahr 2024 kommt mehrfach vor"),
        ("Jahr;Ausgleichsrücklage;Allgemeine Rücklage\n2024;-1;2\n", "Ausgleichsrücklage"),
    ],
)
def test_import_is_all_or_nothing_with_line_numbers(municipality, text, message):
    good = "Jahr;Ausgleichsrücklage;Allgemeine Rücklage\n2023;1;2\n"
    assert balance_sheets_import(municipality=municipality, source=good.encode()).ok
    outcome = balance_sheets_import(municipality=municipality, source=text.encode())
    assert outcome.status == "rejected"
    assert any(message in e for e in outcome.errors), outcome.errors
    assert list(BalanceSheet.objects.values_list("year", flat=True)) == [2023]


def test_import_dry_run_stores_nothing(municipality):
    outcome = balance_sheets_import(municipality=municipality, source=GERMAN_CSV.encode(), dry_run=True)
    assert outcome.status == "dry-run" and outcome.years == [2024, 2025]
    assert not BalanceSheet.objects.exists()


def test_set_balance_sheet_command(municipality, capsys):
    call_command(
        "set_balance_sheet",
        "--municipality=musterstadt",
        "--year=2024",
        "--general-reserve=690000000",
        "--equalisation-reserve=107200000",
        "--liquidity-loans-rate=0.034",
        "--json",
    )
    data = json.loads(capsys.readouterr().out)
    assert data["created"] is True and data["general_reserve"] == "690000000.00"
    assert data["liquidity_loans_rate"] == "0.0340"
    call_command("set_balance_sheet", "--municipality=musterstadt", "--year=2024", "--equity=800000000")
    assert "updated opening balance sheet 2024" in capsys.readouterr().out
    assert BalanceSheet.objects.get().source == BalanceSheet.Source.CLI


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--municipality=nirgendwo", "--year=2024", "--general-reserve=1", "--equalisation-reserve=1"],
            "not found",
        ),
        (["--municipality=musterstadt", "--year=2024", "--general-reserve=1"], "Ausgleichsrücklage"),
    ],
)
def test_set_balance_sheet_command_errors_exit_1(municipality, args, message):
    with pytest.raises(CommandError, match=message) as exc:
        call_command("set_balance_sheet", *args)
    assert exc.value.returncode == 1


def test_import_balance_sheet_command(municipality, tmp_path, capsys):
    path = tmp_path / "bilanz.csv"
    path.write_bytes(GERMAN_CSV.encode("utf-8-sig"))
    call_command("import_balance_sheet", str(path), "--municipality=musterstadt", "--json")
    assert json.loads(capsys.readouterr().out)["years"] == [2024, 2025]
    path.write_text("Jahr;Allgemeine Rücklage\n2024;1\n")
    with pytest.raises(CommandError, match="fehlt"):
        call_command("import_balance_sheet", str(path), "--municipality=musterstadt")


def test_a_new_sheet_for_a_year_someone_just_created_or_an_edit_of_a_deleted_one_is_refused(municipality):
    reserves = {"general_reserve": D(690_000_000), "equalisation_reserve": D(107_200_000)}
    balance_sheet_set(municipality=municipality, year=2024, values=reserves)
    # The form was opened as "new sheet" (revision 0) before a colleague created 2024.
    with pytest.raises(BalanceSheetConflict):
        balance_sheet_set(
            municipality=municipality, year=2024, values={**reserves, "equity": D(1)}, expected_revision=0
        )
    assert BalanceSheet.objects.get(year=2024).equity != D(1)
    # An edit of revision 1 of a year that was deleted meanwhile does not silently recreate it.
    BalanceSheet.objects.filter(year=2024).delete()
    with pytest.raises(BalanceSheetDeleted, match="gelöscht"):
        balance_sheet_set(municipality=municipality, year=2024, values=reserves, expected_revision=1)
    assert not BalanceSheet.objects.exists()
    created, is_new = balance_sheet_set(
        municipality=municipality, year=2024, values=reserves, expected_revision=0
    )
    assert is_new and created.revision == 1
