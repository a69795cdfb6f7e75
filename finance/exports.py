"""CSV and XLSX downloads of the explorer's tables (the writers, guarded against spreadsheet formula
injection, are ``core.downloads``), and the open-format downloads of a whole budget version (the
portal's standard dataset, the Fiscal Data Package)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.downloads import Cell, csv_response, safe_text, xlsx_response
from finance.explorer import PHASE_LABELS, STATEMENT_LABELS, ExplorerState
from finance.models import BudgetVersion
from finance.services import version_fdp, version_ohh

__all__ = ["TABLES", "export_response", "safe_text", "version_fdp_response", "version_ohh_response"]


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


def export_response(state: ExplorerState, table: str, fmt: str) -> HttpResponse:
    """The download for ``table`` (breakdown or years) in ``fmt`` (csv or xlsx)."""
    headers, rows = TABLES[table](state) if state.has_data else ([_("Keine Haushaltsdaten")], [])
    title = export_title(state, table)
    if fmt == "xlsx":
        return xlsx_response(title, headers, rows, filename(state, table, "xlsx"))
    return csv_response(title, headers, rows, filename(state, table, "csv"))


def _version_file_name(version: BudgetVersion) -> str:
    return slugify(f"{version.municipality.slug}-{version.dataset.name}-v{version.number}") or "haushalt"


def version_ohh_response(version: BudgetVersion) -> HttpResponse:
    """A version as the Offener Haushalt standard dataset (``services.version_ohh``): the portal's own
    CSV dialect (comma, decimal point, its header), so the file imports here and there unchanged. The
    header ``X-Lines-Left-Out`` counts the lines the format has no place for (commitments, kameral)."""
    content, left_out = version_ohh(version)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    name = f"ohh_standard-datensatz_{_version_file_name(version)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Lines-Left-Out"] = str(left_out)
    return response


def version_fdp_response(version: BudgetVersion) -> HttpResponse:
    """A version as a Fiscal Data Package ZIP (``services.version_fdp``), validated on the way out."""
    response = HttpResponse(version_fdp(version), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="fdp_{_version_file_name(version)}.zip"'
    return response
