"""Helpers for the budget tests: small SAP-style budget files and imports through the real service."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from tests.conftest import real_data

HEADER = [
    "Profitcenter",
    "Profitcenter-Bezeichnung",
    "Kostenart",
    "Kostenart Beschreibung",
    "Ist 2023",
    "Plan 2024",
    "Plan 2025",
]
# Revenue negative (SAP), German number format; one product name tries a formula injection.
ROWS = [
    ["010101", "Rat und Ausschüsse", "44110000", "Mieten und Pachten", "-1.000,00", "-1.100,00", "-1.200,00"],
    ["010101", "Rat und Ausschüsse", "50120000", "Personal", "10.000,00", "11.000,00", "12.000,00"],
    ["050101", "Grundsicherung", "42110000", "Kostenerstattungen", "-5.000,50", "-5.500,00", "-6.000,00"],
    ["050101", "Grundsicherung", "53310000", "Sozialtransfer", "20.000,25", "21.000,00", "22.000,00"],
    ["060101", "=SUMME(A1:A3)", "54310000", "@Geschäftsaufwand", "300,00", "0,00", "400,00"],
]
# Plan 2024, results statement: revenue 1,100 + 5,500; expense 11,000 + 21,000 (the 0,00 is not stored).
PLAN_2024 = {"revenue": Decimal("6600.00"), "expense": Decimal("32000.00")}


def csv_bytes(
    rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, encoding: str = "cp1252"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def sample_csv(**changes: str) -> bytes:
    """The sample file; ``changes`` replaces cells as ``{"r2c5": "12,3,4"}`` (1-based data row, column)."""
    rows = [list(r) for r in ROWS]
    for key, value in changes.items():
        row, column = key[1:].split("c")
        rows[int(row) - 1][int(column) - 1] = value
    return csv_bytes(rows)


def generated_csv(products: int, accounts: int = 6) -> bytes:
    """A larger file: ``products`` products in the 17 NRW areas x ``accounts`` accounts, three years."""
    rows = []
    expense_accounts = ["50120000", "52910000", "53310000", "54310000", "57110000"]
    for p in range(products):
        area = p % 17 + 1
        code = f"{area:02d}{p // 17 % 99 + 1:02d}01"
        for a in range(accounts):
            revenue = a == 0
            account = "43110000" if revenue else expense_accounts[a % len(expense_accounts)]
            cents = 100_00 + p * 7 + a
            value = f"{'-' if revenue else ''}{cents // 100},{cents % 100:02d}"
            rows.append([code, f"Produkt {code}", account, f"Konto {account}", value, value, value])
    return csv_bytes(rows)


def import_bytes(municipality, data: bytes, **kwargs):
    """Import through the real service (the path the CLI, the job and the demo use)."""
    from finance.services import ImportSpec, ReadOptions, budget_import

    kwargs.setdefault("filename", "haushalt.csv")
    direct = {key: kwargs.pop(key) for key in ("user", "upload", "progress") if key in kwargs}
    read = ReadOptions(kwargs.pop("encoding", None), kwargs.pop("delimiter", None))
    return budget_import(
        municipality=municipality, source=data, spec=ImportSpec(read=read, **kwargs), **direct
    )


def real_path(name: str) -> Path:
    """A real export (see tests.conftest.real_data); skips when missing (fails in CI)."""
    return real_data(name)
