"""Chart data and downloads of the projection pages.

Charts get plain lists (floats; the browser switches between absolute / per inhabitant and nominal /
real with the population and price index sent alongside, see static/planning/projection.js). Downloads
reuse the formula-injection-safe CSV/XLSX writers (``core.downloads``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.downloads import csv_response, xlsx_response
from core.templatetags.spielraum import lang
from finance.vocabulary import product_area_name
from planning.models import ProjectionYear, Scenario
from planning.population.charts import chart_labels
from planning.projection import selectors as sel

RATIO = Decimal("0.0001")


def _f(value: Decimal | None) -> float:
    return float(value or 0)


def scenario_chart_data(scenario: Scenario, years: list[ProjectionYear], land: str) -> dict[str, Any]:
    """Years, population, price index, totals and per product area paths (one query)."""
    if not years:
        return {"years": [], "labels": chart_labels()}
    paths = sel.scenario_area_paths(scenario)
    year_list = [row.year for row in years]
    areas = sorted({area for area, _direction in paths})
    return {
        "labels": chart_labels(),
        "years": year_list,
        "population": [row.population for row in years],
        "price_index": [row.price_index for row in years],
        "revenue": [_f(row.revenue) for row in years],
        "expense": [_f(row.expense) for row in years],
        "balance": [_f(row.balance) for row in years],
        "areas": [
            {
                "area": area,
                "name": f"{area} {product_area_name(area, land) or ''}".strip()
                if area
                else _("ohne Produktbereich"),
                "expense": [_f(paths.get((area, "expense"), {}).get(y)) for y in year_list],
                "revenue": [_f(paths.get((area, "revenue"), {}).get(y)) for y in year_list],
            }
            for area in areas
        ],
    }


def comparison_chart_data(comparison: dict[str, Any]) -> dict[str, Any]:
    years = comparison["years"]
    scenarios = []
    for row in comparison["rows"]:
        values = row["values"]
        scenarios.append(
            {
                "name": row["scenario"].name,
                "balance": [_f(values[y].balance) if y in values else None for y in years],
                "population": [values[y].population if y in values else None for y in years],
                "price_index": [values[y].price_index if y in values else None for y in years],
                "delta": [_f(row["delta"][y]) if y in row["delta"] else None for y in years],
            }
        )
    return {"years": years, "scenarios": scenarios, "labels": chart_labels()}


def room_chart_data(types: list[dict[str, Any]], room: dict[str, Any]) -> dict[str, Any]:
    return {
        "labels": chart_labels(),
        "types": [lang(t["info"], "name") for t in types],
        "today": [_f(t["today"]) for t in types],
        "projected": [_f(t["projected"]) for t in types] if room["last"] else [],
        "first": room["first"],
        "last": room["last"],
    }


def export_rows(scenario: Scenario) -> tuple[list[str], list[list[Any]]]:
    """Long table: one row per item and year, with the driver and its ratio (the "why")."""
    headers = [
        _("Jahr"),
        _("Produktbereich"),
        _("Produktgruppe"),
        _("Produkt"),
        _("Kontengruppe"),
        _("Richtung"),
        _("Betrag (EUR, nominal)"),
        _("Treiber (Zielgruppe)"),
        _("Demografischer Faktor"),
    ]
    directions = {"revenue": _("Ertrag"), "expense": _("Aufwand")}
    rows = [
        [
            r.year,
            r.area,
            r.product_group,
            r.product_code,
            r.account_group,
            directions.get(r.direction, r.direction),
            r.amount,
            r.driver,
            Decimal(repr(r.demographic_ratio)).quantize(RATIO),
        ]
        for r in sel.scenario_item_rows(scenario)
    ]
    return headers, rows


def export_response(scenario: Scenario, fmt: str) -> HttpResponse:
    headers, rows = export_rows(scenario)
    title = _("Status-quo-Projektion „%(name)s“, %(municipality)s, %(first)s–%(last)s") % {
        "name": scenario.name,
        "municipality": scenario.municipality.name,
        "first": scenario.base_year,
        "last": scenario.last_year,
    }
    name = slugify(f"projektion-{scenario.municipality.slug}-{scenario.name}") + f".{fmt}"
    if fmt == "xlsx":
        return xlsx_response(title, headers, rows, name)
    return csv_response(title, headers, rows, name)
