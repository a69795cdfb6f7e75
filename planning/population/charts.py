"""Chart words shared by the planning pages and the population chart."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def chart_labels() -> dict[str, str]:
    """German (or English) words the browser needs for axes, legends and hover labels."""
    return {
        "balance": _("Saldo"),
        "revenue": _("Erträge"),
        "expense": _("Aufwendungen"),
        "eur": _("EUR"),
        "eur_million": _("Mio. EUR"),
        "eur_per_inhabitant": _("EUR je Einwohner"),
        "real": _("in Preisen des Basisjahres"),
        "nominal": _("nominal"),
        "persons": _("Einwohner"),
        "difference": _("Differenz zu"),
        "today": _("Heute"),
        "projected": _("Projektion"),
    }


def population_chart_data(overview: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "labels": chart_labels(),
        "series": [
            {
                "label": str(entry["series"].label),
                "kind": entry["series"].kind,
                "years": list(entry["totals"]),
                "totals": [round(v, 1) for v in entry["totals"].values()],
            }
            for entry in overview
            if entry["totals"]
        ],
    }
