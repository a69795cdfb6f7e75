"""Registry exports as CSV (``;``, decimal comma, BOM: what Excel in German expects) and XLSX, guarded
against spreadsheet formula injection with ``core.downloads.safe_text`` (a text cell starting with ``=``,
``+``, ``-``, ``@``, tab or carriage return gets a leading single quote). Own writers because the registry
has no title row and its sheet is "Akteure". Persons' names and contacts appear only
for those who may see them (``stakeholders.privacy``); erased persons never have any."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from core.downloads import XLSX_TYPE, safe_text
from stakeholders.privacy import display_name

__all__ = ["XLSX_TYPE", "registry_table", "safe_text", "to_csv", "to_xlsx"]


def registry_table(stakeholders, latest: dict[int, dict], *, personal: bool) -> tuple[list[str], list[list]]:
    """Header and rows: one row per stakeholder with its newest assessment."""
    headers = [
        _("ID"), _("Name"), _("Typ"), _("Sektor"), _("Art"), _("Sozialraum"), _("Schlagworte"),
        _("Ansprechperson"), _("E-Mail"), _("Telefon"), _("Haltung"), _("Ehrenamtsstunden"), _("Geld"),
        _("Räume"), _("Personal"), _("Expertise"), _("Interessen"), _("Erwartungen"), _("Einfluss"),
        _("Interesse"), _("Bewertet am"), _("Längengrad"), _("Breitengrad"),
    ]  # fmt: skip
    rows = []
    for s in stakeholders:
        hidden = s.is_person and (not personal or s.is_erased)
        a = latest.get(s.pk, {})
        rows.append([
            s.pk, display_name(s, personal), s.get_entity_display(), s.get_sector_display(),
            s.get_kind_display(), s.place_label, ", ".join(s.tags) if not hidden else "",
            "" if hidden else s.contact_person, "" if hidden else s.email, "" if hidden else s.phone,
            s.get_attitude_display(), s.volunteer_hours, s.money, "" if hidden else s.rooms, s.staff,
            "" if hidden else s.expertise, "" if hidden else s.interests, "" if hidden else s.expectations,
            a.get("influence"), a.get("interest"), a["assessed_on"].strftime("%d.%m.%Y") if a else "",
            None if hidden else s.lon, None if hidden else s.lat,
        ])  # fmt: skip
    return headers, rows


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):  # coordinates: up to 6 decimals (about 10 cm), decimal comma
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return safe_text(str(value))


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Akteure"))
    bold = Font(bold=True)

    def cell(value, header: bool = False):
        item = WriteOnlyCell(sheet, value=safe_text(value) if isinstance(value, str) else value)
        if isinstance(value, Decimal):
            item.number_format = "#,##0.00"
        if header:
            item.font = bold
        return item

    sheet.append([cell(h, True) for h in headers])
    for row in rows:
        sheet.append([cell(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
