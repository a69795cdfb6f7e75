"""CSV and XLSX downloads of tables, guarded against spreadsheet formula injection (used by every app).

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return; product names come from uploaded files, so they are untrusted) get a leading single
quote. Numbers stay numbers: exact decimals, in the CSV with a decimal comma and ``;`` as Excel in
German expects, in the XLSX as numeric cells with a number format.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | Decimal | None


def safe_text(value: str) -> str:
    """Neutralise a text cell that a spreadsheet would evaluate as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def safe_cell(value: Any) -> Any:
    """A cell as written: texts neutralised (``safe_text``), numbers and empty cells unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """``safe_cell`` of every value: for exports that drive a ``csv.writer`` themselves (SWOT board)."""
    return [safe_cell(v) for v in values]


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return safe_text(str(value))


def csv_response(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]], name: str
) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel then reads UTF-8
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_text(title)])
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Excel refuses a worksheet name with one of these characters, longer than 31 characters, empty, starting
# or ending with an apostrophe, or "History" (reserved).
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SHEET_NAME_MAX = 31


def sheet_name(text: str) -> str:
    """A valid Excel worksheet name made from ``text`` (a title, a scenario name typed by a user):
    forbidden characters become "-", at most 31 characters, never empty or the reserved "History"."""
    name = SHEET_NAME_FORBIDDEN.sub("-", " ".join(str(text).split()))[:SHEET_NAME_MAX].strip().strip("'")
    if not name:
        return _("Tabelle")
    if name.casefold() == "history":
        return f"{name} 1"
    return name


def xlsx_response(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]], name: str, *, sheet: str = ""
) -> HttpResponse:
    """An XLSX download: ``title`` in the first row, then the headers and rows, on a worksheet named
    ``sheet`` (made valid for Excel with ``sheet_name``; default: the title)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_name(sheet or title))
    bold = Font(bold=True)

    def cell(value: Any, *, header: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = safe_text(value)
        item = WriteOnlyCell(worksheet, value=value)
        if isinstance(value, Decimal):
            item.number_format = "#,##0.00"
        if header:
            item.font = bold
        return item

    worksheet.append([cell(title, header=True)])
    worksheet.append([cell(h, header=True) for h in headers])
    for row in rows:
        worksheet.append([cell(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
