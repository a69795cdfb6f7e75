"""CSV and XLSX downloads of the explorer's tables, guarded against spreadsheet formula injection.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return; product names come from uploaded files, so they are untrusted) get a leading single
quote. Numbers stay numbers: exact decimals, in the CSV with a decimal comma and ``;`` as Excel in
German expects, in the XLSX as numeric cells with a number format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from finance.explorer import PHASE_LABELS, STATEMENT_LABELS, ExplorerState

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | Decimal | None


def safe_text(value: str) -> str:
    """Neutralise a text cell that a spreadsheet would evaluate as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def breakdown_table(state: ExplorerState) -> tuple[list[str], list[list[Cell]]]:
    """Header and rows of the explorer's current table, with the same columns as on screen."""
    headers = [_("Code"), _("Bezeichnung"), _("Ertrag"), _("Aufwand"), _("Saldo")]
    if state.population:
        headers.append(_("Saldo je Einwohner"))
    if state.base is not None:
        headers += [
            _("Saldo Vergleich (%(label)s)") % {"label": state.base_label},
            _("Veränderung"),
            _("Veränderung %"),
        ]
    rows: list[list[Cell]] = []
    for row in [*state.rows, {**state.total, "name": _("Summe")}]:
        cells: list[Cell] = [row["code"], row["name"], row["revenue"], row["expense"], row["balance"]]
        if state.population:
            cells.append(row["per_inhabitant"])
        if state.base is not None:
            cells += [row["base_balance"], row["delta"], row["delta_percent"]]
        rows.append(cells)
    return headers, rows


def years_table(state: ExplorerState) -> tuple[list[str], list[list[Cell]]]:
    headers = [_("Jahr"), _("Phase"), _("Ertrag"), _("Aufwand"), _("Saldo")]
    rows: list[list[Cell]] = [
        [r["year"], str(PHASE_LABELS.get(r["phase"], r["phase"])), r["revenue"], r["expense"], r["balance"]]
        for r in state.overview
    ]
    return headers, rows


TABLES = {"breakdown": breakdown_table, "years": years_table}


def export_title(state: ExplorerState, table: str) -> str:
    if not state.has_data:
        return _("Haushalt")
    what = state.level_label if table == "breakdown" else _("Jahresübersicht")
    return f"{state.version} · {STATEMENT_LABELS[state.statement]} · {state.slice_label} · {what}"


def filename(state: ExplorerState, table: str, extension: str) -> str:
    parts = ["haushalt", state.municipality.slug, table]
    if state.has_data:
        parts += [state.level if table == "breakdown" else "", state.slice_key]
    return slugify("-".join(p for p in parts if p)) + "." + extension


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


def xlsx_response(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]], name: str
) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Haushalt"))
    bold = Font(bold=True)

    def cell(value: Any, *, header: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = safe_text(value)
        item = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal):
            item.number_format = "#,##0.00"
        if header:
            item.font = bold
        return item

    sheet.append([cell(title, header=True)])
    sheet.append([cell(h, header=True) for h in headers])
    for row in rows:
        sheet.append([cell(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_response(state: ExplorerState, table: str, fmt: str) -> HttpResponse:
    """The download for ``table`` (breakdown or years) in ``fmt`` (csv or xlsx)."""
    headers, rows = TABLES[table](state) if state.has_data else ([_("Keine Haushaltsdaten")], [])
    title = export_title(state, table)
    if fmt == "xlsx":
        return xlsx_response(title, headers, rows, filename(state, table, "xlsx"))
    return csv_response(title, headers, rows, filename(state, table, "csv"))
