"""Fixtures for the budget-import tests: files built in memory, and the real municipal exports."""

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.conftest import real_data
from tests.finance.factories import import_bytes, sample_csv


@pytest.fixture
def real_file() -> Callable[[str], Path]:
    """Path of a real export (tests.conftest.real_data): skipped when absent, a failure in CI."""
    return real_data


@pytest.fixture
def make_csv() -> Callable[..., bytes]:
    """Build CSV bytes from rows the way exporters write them (quoting only where needed)."""

    def build(
        rows: Sequence[Sequence[object]],
        *,
        delimiter: str = ";",
        encoding: str = "cp1252",
        newline: str = "\r\n",
        bom: bool = False,
    ) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
        writer.writerows(rows)
        data = buffer.getvalue().encode(encoding)
        return (b"\xef\xbb\xbf" + data) if bom else data

    return build


@pytest.fixture
def make_xlsx() -> Callable[..., bytes]:
    """Build an XLSX workbook in memory; ``sheets`` maps sheet name to rows (first sheet first)."""
    openpyxl = pytest.importorskip("openpyxl")

    def build(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for name, rows in sheets.items():
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(list(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return build


@pytest.fixture
def version(municipality):
    """The sample budget imported through the real service, as version "Entwurf"."""
    return import_bytes(municipality, sample_csv(), label="Entwurf").version
