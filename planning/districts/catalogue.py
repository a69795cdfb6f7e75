"""The built-in social indicators every municipality starts with, and the messages of the imports.

Built-in indicators follow the usual content of a German social report (Sozialbericht): population by
age group, SGB II / SGB XII, children in benefit households, single parents, unemployment, migration
background, housing. Planners may change weights and directions and add their own indicators.
Migration background is neutral by default: it describes the population, it is no need by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from planning.engine.social_index import HIGHER_IS_BETTER, HIGHER_IS_WORSE, NEUTRAL

AGE_GROUPS = ("0-5", "6-14", "15-17", "18-24", "25-44", "45-64", "65-79", "80+")


@dataclass(frozen=True)
class BuiltinIndicator:
    key: str
    name: str
    unit: str
    kind: str
    direction: str
    weight: float
    synonyms: tuple[str, ...] = ()
    age_group: str = ""


def _age(group: str) -> BuiltinIndicator:
    key = "age_" + group.replace("-", "_").replace("+", "_plus")
    return BuiltinIndicator(
        key,
        f"Einwohner {group} Jahre",
        "Personen",
        "count",
        NEUTRAL,
        0,
        (f"{group} Jahre", f"Alter {group}"),
        group,
    )


BUILTIN: tuple[BuiltinIndicator, ...] = (
    BuiltinIndicator(
        "population", "Einwohner insgesamt", "Personen", "count", NEUTRAL, 0, ("Einwohner", "Bevölkerung")
    ),
    *(_age(g) for g in AGE_GROUPS),
    BuiltinIndicator(
        "sgb2_rate", "SGB-II-Quote", "%", "share", HIGHER_IS_WORSE, 1, ("SGB II", "SGB II Quote")
    ),
    BuiltinIndicator(
        "sgb12_rate",
        "Grundsicherung im Alter (SGB XII), Quote 65+",
        "%",
        "share",
        HIGHER_IS_WORSE,
        1,
        ("SGB XII", "SGB XII Quote", "Altersarmut"),
    ),
    BuiltinIndicator(
        "children_benefit_rate",
        "Kinder in Bedarfsgemeinschaften",
        "%",
        "share",
        HIGHER_IS_WORSE,
        1,
        ("Kinderarmut", "Kinder in BG", "Kinder SGB II"),
    ),
    BuiltinIndicator(
        "single_parent_rate",
        "Alleinerziehende Haushalte",
        "%",
        "share",
        HIGHER_IS_WORSE,
        1,
        ("Alleinerziehende", "Alleinerziehenden Quote"),
    ),
    BuiltinIndicator(
        "unemployment_rate", "Arbeitslosenquote", "%", "share", HIGHER_IS_WORSE, 1, ("Arbeitslose", "ALQ")
    ),
    BuiltinIndicator(
        "migration_rate",
        "Einwohner mit Migrationshintergrund",
        "%",
        "share",
        NEUTRAL,
        0,
        ("Migrationshintergrund", "Migrationsanteil"),
    ),
    BuiltinIndicator(
        "living_space",
        "Wohnfläche je Einwohner",
        "m²",
        "value",
        HIGHER_IS_BETTER,
        0.5,
        ("Wohnfläche", "Wohnfläche pro Kopf"),
    ),
    BuiltinIndicator(
        "social_housing_rate",
        "Anteil geförderter Wohnungen",
        "%",
        "share",
        NEUTRAL,
        0,
        ("Sozialwohnungen", "geförderte Wohnungen"),
    ),
)
SYNONYMS = {b.key: b.synonyms for b in BUILTIN}


# -- messages of the boundary import (codes of planning.engine.geometry.GeoIssue) --------------------
GEO_MESSAGES = {
    "not_utf8": _("Die Datei ist kein UTF-8-Text; GeoJSON ist immer UTF-8."),
    "not_json": _("Kein gültiges JSON (Zeile %(line)s, Spalte %(column)s: %(msg)s)."),
    "not_feature_collection": _("Die Datei ist keine GeoJSON-FeatureCollection."),
    "no_features": _("Die Datei enthält keine Bezirke (keine Features)."),
    "crs_not_wgs84": _(
        "Das Koordinatensystem %(crs)s wird nicht unterstützt: Bitte die Grenzen in WGS84 (EPSG:4326) "
        "umrechnen, z. B. mit QGIS („Exportieren – Objekte speichern als“, KBS EPSG:4326) oder "
        "ogr2ogr -t_srs EPSG:4326."
    ),
    "projected_coordinates": _(
        "Die Koordinaten (%(x)s, %(y)s) sind keine Längen- und Breitengrade, sondern projizierte "
        "Meter%(hint)s. "
        "Bitte die Grenzen in WGS84 (EPSG:4326) umrechnen, z. B. mit QGIS oder ogr2ogr -t_srs EPSG:4326."
    ),
    "swapped_axes": _(
        "Die Koordinaten (%(x)s, %(y)s) sehen nach vertauschter Reihenfolge aus (Breite vor Länge); "
        "GeoJSON verlangt Länge, Breite."
    ),
    "not_a_feature": _("Der Eintrag ist kein GeoJSON-Feature."),
    "no_code": _("Keine Kennziffer (Eigenschaft „%(property)s“ fehlt oder ist leer)."),
    "no_name": _("Kein Name (Eigenschaft „%(property)s“ fehlt oder ist leer)."),
    "duplicate_code": _("Die Kennziffer kommt schon in Feature %(first)s vor."),
    "not_a_polygon": _("Die Geometrie ist %(kind)s, erwartet wird ein Polygon oder MultiPolygon."),
    "broken_geometry": _("Die Geometrie ist nicht lesbar: %(reason)s."),
    "empty_geometry": _("Die Geometrie ist leer."),
    "invalid_geometry": _("Die Geometrie ist ungültig: %(reason)s."),
    "overlap": _("Überschneidet sich mit %(other)s (Feature %(other_feature)s) auf etwa %(area_m2)s m²."),
    "missing_districts": _("%(count)s bekannte Bezirke fehlen in der Datei: %(codes)s."),
    "gap": _(
        "Lücke zwischen den Bezirken: etwa %(area_m2)s m² bei %(lat)s° N, %(lon)s° O gehören "
        "zu keinem Bezirk."
    ),
    "unknown_parent": _("Der übergeordnete Bezirk %(parent)s ist nicht bekannt."),
    "list_no_columns": _("Die Liste braucht die Spalten Kennziffer und Name (gefunden: %(header)s)."),
    "list_empty_cell": _("Kennziffer oder Name fehlt."),
}

# -- messages of the indicator import (codes of planning.engine.indicator_table.TableIssue) ----------
TABLE_MESSAGES = {
    "no_district_column": _(
        "Keine Spalte für den Bezirk (Kennziffer oder Name) gefunden; Spalten: %(header)s."
    ),
    "no_year_column": _("Keine Spalte „Jahr“ gefunden; Spalten: %(header)s."),
    "unknown_indicator": _(
        "Unbekannter Indikator „%(value)s“: bitte zuerst unter „Indikatoren“ anlegen oder die "
        "Spalte umbenennen."
    ),
    "no_indicator_columns": _("Die Datei enthält keine Indikatorspalten."),
    "unknown_district": _("Unbekannter Bezirk „%(value)s“."),
    "bad_year": _("„%(value)s“ ist kein Jahr."),
    "year_out_of_range": _("Das Jahr %(value)s liegt nicht zwischen 1950 und 2100."),
    "duplicate_row": _("Bezirk und Jahr %(year)s stehen schon in Zeile %(first)s."),
    "not_a_number": _("„%(value)s“ ist keine Zahl."),
    "share_out_of_range": _("Der Anteil %(value)s liegt nicht zwischen 0 und 100 %%."),
    "negative_count": _("Eine Anzahl kann nicht negativ sein (%(value)s)."),
    "no_values": _("Die Datei enthält keine Werte."),
    "too_many_issues": _("Mehr als %(max)s Fehler; die Prüfung wurde abgebrochen."),
    "unreadable": _("Die Datei ist nicht lesbar: %(reason)s"),
    "no_districts": _("Es gibt noch keine Bezirke: bitte zuerst Grenzen oder eine Bezirksliste importieren."),
}


# -- built-in names in the UI language ---------------------------------------------------------------
# The built-in indicators are stored with their German names (the names of the import columns and of
# the German social report); the UI shows them in the user's language. A planner's own names and a
# renamed built-in are shown as they are.
_gettext_noop = [  # for makemessages: the stored German names are msgids
    _("Einwohner insgesamt"), _("Einwohner 0-5 Jahre"), _("Einwohner 6-14 Jahre"),
    _("Einwohner 15-17 Jahre"), _("Einwohner 18-24 Jahre"), _("Einwohner 25-44 Jahre"),
    _("Einwohner 45-64 Jahre"), _("Einwohner 65-79 Jahre"), _("Einwohner 80+ Jahre"), _("SGB-II-Quote"),
    _("Grundsicherung im Alter (SGB XII), Quote 65+"), _("Kinder in Bedarfsgemeinschaften"),
    _("Alleinerziehende Haushalte"), _("Arbeitslosenquote"), _("Einwohner mit Migrationshintergrund"),
    _("Wohnfläche je Einwohner"), _("Anteil geförderter Wohnungen"), _("Personen"),
    _("geringer Bedarf"), _("durchschnittlich"),
]  # fmt: skip
_SHOWN = {b.name for b in BUILTIN} | {"Personen", "geringer Bedarf", "durchschnittlich"}


def shown(text: str) -> str:
    """A built-in indicator's stored German name or unit in the UI language; other text unchanged."""
    return gettext(text) if text in _SHOWN else text


def shown_group_label(label: str) -> str:
    """A stored profile-group label ("SGB-II-Quote ↑, Wohnfläche je Einwohner ↓") in the UI language."""
    parts = []
    for part in (label or "").split(", "):
        name, _sep, arrow = part.rpartition(" ") if part[-1:] in "↑↓" and part else (part, "", "")
        parts.append(f"{shown(name)} {arrow}" if arrow else shown(part))
    return ", ".join(parts) if label else label
