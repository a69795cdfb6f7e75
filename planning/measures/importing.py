"""Import of indicator actuals for measures (CSV/XLSX), with the same care as the other imports.

One row per measure, indicator and year::

    Maßnahme;Kennzahl;Jahr;Wert
    Soziokulturelles Zentrum;Besuche je Jahr;2027;11.250
    Soziokulturelles Zentrum;Besuche je Jahr;2028;"12.400,5"

- The file is read by the budget import's reader (``finance.vocabulary.open_table``): CSV or XLSX by
  content, encoding UTF-8 (with or without BOM) / Windows-1252 / ISO-8859-1 / UTF-16, delimiter ``;``,
  tab or ``,``, physical line numbers.
- Columns by German or English names, case and spacing ignored: Maßnahme/Massnahme/Measure (the title or
  the id), Kennzahl/Indikator/Indicator, Jahr/Year, Wert/Istwert/Value; optional Datum/Date (the day of
  the actual, default 31.12. of the year; it must lie in the year) and Notiz/Quelle/Note.
- Numbers in German (``1.234,5``) or English (``1,234.5``) notation, decided once per file from the
  value cells (the budget import's vote); ``%`` and spaces ignored.
- All or nothing: any problem (unknown measure or indicator of this municipality, a year outside
  1950..2100, a value that is not a number, the same indicator and date twice) rejects the file with
  every problem named by line and column; nothing is stored. An actual for an indicator and date that
  exists is replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.imports import DRY_RUN, IMPORTED, REJECTED, UNCHANGED, ImportOutcome
from core.models import Municipality
from finance.vocabulary import ImportFileError, detect_decimal_convention, open_table
from planning.measures.models import Measure, MeasureIndicator, MeasureIndicatorActual

MAX_ROWS = 20_000
MAX_ISSUES = 200
MIN_YEAR, MAX_YEAR = 1950, 2100

COLUMNS = {
    "measure": ("maßnahme", "massnahme", "measure", "maßnahmen id", "measure id"),
    "indicator": ("kennzahl", "indikator", "indicator"),
    "year": ("jahr", "year"),
    "value": ("wert", "istwert", "ist", "value", "actual"),
    "date": ("datum", "date", "stichtag"),
    "note": ("notiz", "quelle", "note", "source"),
}
REQUIRED = ("measure", "indicator", "year", "value")
LABELS = {"measure": "Maßnahme", "indicator": "Kennzahl", "year": "Jahr", "value": "Wert", "date": "Datum"}

#: German message (the catalogue's msgid) and English text of each problem
MESSAGES: dict[str, tuple[str, str]] = {
    "unreadable": (
        gettext_noop("Die Datei lässt sich nicht lesen: %(reason)s"),
        "The file cannot be read: %(reason)s",
    ),
    "missing_column": (
        gettext_noop("Spalte „%(column)s“ fehlt (gefunden: %(header)s)."),
        "Column '%(column)s' is missing (found: %(header)s).",
    ),
    "empty": (gettext_noop("Die Datei enthält keine Zeilen."), "The file has no rows."),
    "too_many_rows": (
        gettext_noop("Mehr als %(max)s Zeilen; bitte aufteilen."),
        "More than %(max)s rows; please split the file.",
    ),
    "unknown_measure": (
        gettext_noop("Keine Maßnahme „%(value)s“ in dieser Kommune."),
        "No measure '%(value)s' in this municipality.",
    ),
    "unknown_indicator": (
        gettext_noop("Die Maßnahme hat keine Kennzahl „%(value)s“."),
        "The measure has no indicator '%(value)s'.",
    ),
    "bad_year": (
        gettext_noop("„%(value)s“ ist kein Jahr zwischen 1950 und 2100."),
        "'%(value)s' is not a year between 1950 and 2100.",
    ),
    "bad_number": (gettext_noop("„%(value)s“ ist keine Zahl."), "'%(value)s' is not a number."),
    "missing_value": (gettext_noop("Der Wert fehlt."), "The value is missing."),
    "bad_date": (
        gettext_noop("„%(value)s“ ist kein Datum im Jahr %(year)s (TT.MM.JJJJ)."),
        "'%(value)s' is not a date in %(year)s (DD.MM.YYYY).",
    ),
    "duplicate": (
        gettext_noop("Dieselbe Kennzahl und dasselbe Datum stehen schon in Zeile %(first)s."),
        "The same indicator and date are already in line %(first)s.",
    ),
}


@dataclass(frozen=True)
class ActualsIssue:
    """A problem of the file (the ``core.imports.FileIssue`` shape)."""

    code: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def _params(self) -> dict[str, Any]:
        return {"value": self.value, **self.params}

    @property
    def message_de(self) -> str:
        return _(MESSAGES[self.code][0]) % self._params()

    @property
    def message_en(self) -> str:
        return MESSAGES[self.code][1] % self._params()

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(_("Zeile %(line)s") % {"line": self.line})
        if self.column:
            where.append(_("Spalte „%(column)s“") % {"column": self.column})
        return f"{', '.join(where)}: {self.message_de}" if where else self.message_de


@dataclass
class ActualsImportOutcome(ImportOutcome):
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    measures: list[str] = field(default_factory=list)

    def payload_json(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "measures": self.measures,
        }


def _norm(text: Any) -> str:
    return re.sub(r"[\s_\-]+", " ", str(text or "").strip().lower()).strip()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value).strip()


def _number(raw: Any, convention: str) -> Decimal:
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return Decimal(str(raw))
    text = re.sub(r"[\s\u00a0\u202f%]", "", str(raw))
    text = text.replace(".", "").replace(",", ".") if convention == "de" else text.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise InvalidOperation(raw)
    return Decimal(text)


def _date(raw: str, year: int) -> dt.date:
    text = raw.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if day.year == year:
            return day
        break
    raise ValueError(text)


def read_actuals(
    municipality: Municipality, source: bytes
) -> tuple[list[tuple[int, MeasureIndicator, dt.date, Decimal, str]], list[ActualsIssue]]:
    """The rows of the file as (line, indicator, date, value, note), or the problems found."""
    issues: list[ActualsIssue] = []
    try:
        with open_table(source) as table:
            header = list(table.header)
            rows = [(line, [_cell(c) for c in cells], cells) for line, cells in table.rows()]
    except ImportFileError as exc:
        return [], [ActualsIssue("unreadable", params={"reason": exc.issue.message_de})]
    names = [_norm(h) for h in header]
    cols: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        found = next((names.index(a) for a in aliases if a in names), None)
        if found is not None:
            cols[key] = found
    for key in REQUIRED:
        if key not in cols:
            issues.append(
                ActualsIssue(
                    "missing_column",
                    line=1,
                    column=LABELS[key],
                    params={"column": LABELS[key], "header": ", ".join(h for h in header if h) or "–"},
                )
            )
    rows = [r for r in rows if any(r[1])]
    if not rows and not issues:
        issues.append(ActualsIssue("empty"))
    if len(rows) > MAX_ROWS:
        issues.append(ActualsIssue("too_many_rows", params={"max": MAX_ROWS}))
    if issues:
        return [], issues

    def get(cells: list[str], key: str) -> str:
        index = cols.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    convention = detect_decimal_convention(
        [get(c, "value") for _line, c, raw in rows if isinstance(raw[cols["value"]], str)] if rows else []
    )[0]
    measures = list(Measure.objects.for_municipality(municipality).prefetch_related("indicators"))
    by_title = {_norm(m.title): m for m in measures}
    by_id = {str(m.pk): m for m in measures}
    out: list[tuple[int, MeasureIndicator, dt.date, Decimal, str]] = []
    seen: dict[tuple[int, dt.date], int] = {}
    for line, cells, raw in rows:
        if len(issues) >= MAX_ISSUES:
            break
        measure_text = get(cells, "measure")
        measure = by_title.get(_norm(measure_text)) or by_id.get(measure_text)
        if measure is None:
            issues.append(ActualsIssue("unknown_measure", line, LABELS["measure"], measure_text))
            continue
        indicator_text = get(cells, "indicator")
        indicator = next(
            (i for i in measure.indicators.all() if _norm(i.name) == _norm(indicator_text)), None
        )
        if indicator is None:
            issues.append(ActualsIssue("unknown_indicator", line, LABELS["indicator"], indicator_text))
            continue
        year_text = get(cells, "year")
        if not re.fullmatch(r"\d{4}", year_text) or not MIN_YEAR <= int(year_text) <= MAX_YEAR:
            issues.append(ActualsIssue("bad_year", line, LABELS["year"], year_text))
            continue
        year = int(year_text)
        value_text = get(cells, "value")
        if not value_text:
            issues.append(ActualsIssue("missing_value", line, LABELS["value"], ""))
            continue
        try:
            value = _number(raw[cols["value"]], convention)
        except (InvalidOperation, ValueError):
            issues.append(ActualsIssue("bad_number", line, LABELS["value"], value_text))
            continue
        date_text = get(cells, "date")
        try:
            day = _date(date_text, year) if date_text else dt.date(year, 12, 31)
        except ValueError:
            issues.append(ActualsIssue("bad_date", line, LABELS["date"], date_text, {"year": year}))
            continue
        key = (indicator.pk, day)
        if key in seen:
            issues.append(
                ActualsIssue("duplicate", line, LABELS["indicator"], indicator_text, {"first": seen[key]})
            )
            continue
        seen[key] = line
        out.append((line, indicator, day, value, get(cells, "note")[:200]))
    return out, issues


def indicator_actuals_import(
    *, municipality: Municipality, source: bytes, dry_run: bool = False
) -> ActualsImportOutcome:
    """Check the file and store every actual in one transaction, or nothing (see module docstring)."""
    rows, issues = read_actuals(municipality, source)
    if issues:
        return ActualsImportOutcome(status=REJECTED, errors=issues)
    with transaction.atomic():
        existing = {
            (a.indicator_id, a.date): a
            for a in MeasureIndicatorActual.objects.select_for_update().filter(
                indicator_id__in={ind.pk for _l, ind, _d, _v, _n in rows}
            )
        }
        new, changed, unchanged = [], [], 0
        for _line, indicator, day, value, note in rows:
            current = existing.get((indicator.pk, day))
            if current is None:
                new.append(MeasureIndicatorActual(indicator=indicator, date=day, value=value, note=note))
            elif current.value != value or (note and current.note != note):
                current.value, current.note = value, note or current.note
                changed.append(current)
            else:
                unchanged += 1
        measures = sorted({ind.measure.title for _l, ind, _d, _v, _n in rows})
        outcome = ActualsImportOutcome(
            status=DRY_RUN if dry_run else (IMPORTED if new or changed else UNCHANGED),
            new=len(new),
            changed=len(changed),
            unchanged=unchanged,
            measures=measures,
        )
        if not dry_run:
            MeasureIndicatorActual.objects.bulk_create(new, batch_size=2000)
            MeasureIndicatorActual.objects.bulk_update(changed, ["value", "note"], batch_size=2000)
    return outcome
