"""One formula guard for every spreadsheet export (core.downloads)."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from core.downloads import safe_cell, safe_row, safe_text, sheet_name, xlsx_response

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "finance", "planning", "stakeholders", "swot")
# Writers that produce no download: the budget importer re-encodes an uploaded file for COPY.
NOT_EXPORTS = {"finance/services.py"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+49 2366", "'+49 2366"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("Schlosspark", "Schlosspark"), ("", "")],
)  # fmt: skip
def test_safe_text(value, expected):
    assert safe_text(value) == expected


def test_cells_keep_numbers_and_neutralise_texts():
    assert safe_row([-5, Decimal("-1.5"), None, "-5", "ok"]) == [-5, Decimal("-1.5"), None, "'-5", "ok"]
    assert safe_cell(3) == 3


def test_every_csv_or_xlsx_writer_of_the_apps_uses_the_guard():
    writer = re.compile(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(")
    unguarded = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "importing" in relative or relative in NOT_EXPORTS or relative == "core/downloads.py":
                continue
            text = path.read_text(encoding="utf-8")
            if writer.search(text) and "core.downloads" not in text:
                unguarded.append(relative)
    assert not unguarded, f"spreadsheet writers without core.downloads: {unguarded}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Projektion", "Projektion"), ("Szenario 2025/26: [neu]?", "Szenario 2025-26- -neu--"),
     ("a*b\\c", "a-b-c"), ("x" * 40, "x" * 31), ("'Basis'", "Basis"), ("", "Tabelle"), ("   ", "Tabelle"),
     ("History", "History 1"), ("Zeile\nzwei\tdrei", "Zeile zwei drei")],
)  # fmt: skip
def test_sheet_names_are_valid_for_excel(text, expected):
    assert sheet_name(text) == expected


def _sheet_titles(response) -> list[str]:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(response.content), read_only=True).sheetnames


def test_xlsx_sheet_is_named_by_the_caller_or_after_the_title():
    # Given a caller that names its sheet, and one whose title contains characters Excel refuses
    named = xlsx_response("Status-quo-Projektion", ["Jahr"], [[2025]], "p.xlsx", sheet="Projektion")
    title = "Haushalt 2025/26: Ergebnisplan [Entwurf] der Stadt"
    titled = xlsx_response(title, ["Konto"], [["=x"]], "h.xlsx")
    # Then the sheets carry those names (made valid), never a fixed "Haushalt"
    assert _sheet_titles(named) == ["Projektion"]
    assert _sheet_titles(titled) == ["Haushalt 2025-26- Ergebnisplan"]  # 31 characters at most
