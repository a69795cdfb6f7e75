"""Readers for population files: GENESIS tables (population by age, vital statistics, migration by age)
and plain CSV.

Pure computation, no Django. Parsing is all-or-nothing: a file with any bad row yields issues (line, column,
reason, German and English) and no data, because a planner must not project from a table that silently lost an
age group. The parsers return the data types of ``planning.engine.population``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

from planning.engine.population import (
    AgeBand,
    MigrationByAge,
    PopulationTable,
    VitalStatistics,
    band_problems,
    is_total_label,
)

# GENESIS marks: "-" = nothing (exactly zero), "." = unknown or secret, "x" = not meaningful,
# "..." = not yet available, "/" = too uncertain. Only "-" is a number.
_GENESIS_ZERO = {"-"}
_GENESIS_UNKNOWN = {".", "...", "x", "/"}


# --------------------------------------------------------------------------------------------
# Results and issues
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PopulationIssue:
    """One problem found in an uploaded table, in the user's words and in English.

    ``line`` is the 1-based physical line of the file (None for whole-file problems).
    """

    line: int | None
    column: str | None
    value: str | None
    message_de: str
    message_en: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message_en}"


@dataclass(frozen=True)
class ParseResult[T]:
    """Outcome of a parser: ``data`` and no issues, or issues and ``data=None`` (all-or-nothing)."""

    data: T | None
    issues: list[PopulationIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.issues


class _Issues(list[PopulationIssue]):
    """Collects issues with the recurring messages worded once."""

    def add(self, line: int | None, column: str | None, value: str | None, de: str, en: str) -> None:
        self.append(PopulationIssue(line, column, value, de, en))

    def unrecognised(self, line: int, text: str, expected: str) -> None:
        self.add(
            line,
            None,
            text[:80],
            f"Zeile nicht erkannt (erwartet: {expected}).",
            f"Unrecognised line ({expected}).",
        )

    def too_few_columns(self, line: int, text: str) -> None:
        self.add(line, None, text[:80], "Zu wenige Spalten.", "Too few columns in this row.")

    def unknown_band(self, line: int, label: str) -> None:
        label = label.strip()
        self.add(
            line, "age_group", label, f"Unbekannte Altersgruppe {label!r}.", f"Unknown age group {label!r}."
        )

    def duplicate(self, line: int, column: str, value: str, what_de: str, what_en: str, first: int) -> None:
        self.add(
            line,
            column,
            value,
            f"{what_de} doppelt (zuerst in Zeile {first}).",
            f"Duplicate {what_en} (first on line {first}).",
        )

    def sum_mismatch(self, line: int | None, column: str, got: float, total: float, year: int) -> None:
        self.add(
            line,
            column,
            f"{total:g}",
            f"Summe der Altersgruppen {year} ({got:g}) weicht von „Insgesamt“ ({total:g}) ab.",
            f"Sum of age groups for {year} ({got:g}) differs from the total ({total:g}).",
        )

    def bad_count(self, line: int, column: str, raw: str, exc: ValueError) -> None:
        reason = str(exc)
        if reason == "negative":
            self.add(line, column, raw, f"Negative Anzahl: {raw!r}.", f"Negative count: {raw!r}.")
        elif reason.startswith("value unknown"):
            de = (
                f"Wert {raw!r} ist unbekannt oder geheim gehalten; bitte eine vollständige Tabelle verwenden."
            )
            self.add(line, column, raw, de, f"Value {raw!r} is unknown or withheld in the source.")
        else:
            self.add(line, column, raw, f"Keine gültige Anzahl: {raw!r}.", f"Not a valid count: {raw!r}.")

    def no_data(self) -> None:
        self.add(None, None, None, "Keine Datenzeilen gefunden.", "No data rows found.")


# --------------------------------------------------------------------------------------------
# Reading helpers
# --------------------------------------------------------------------------------------------

Source = str | bytes | Path | IO[bytes] | IO[str]


def read_text(source: Source) -> str:
    """Decode an upload: UTF-8 (with or without BOM) first, then Windows-1252, then ISO-8859-1.

    GENESIS exports are ISO-8859-1; spreadsheets save UTF-8 with BOM or Windows-1252. A ``str`` is the
    file content, a ``Path`` a file name.
    """
    if isinstance(source, Path):
        data: bytes | str = source.read_bytes()
    elif isinstance(source, str | bytes):
        data = source
    else:
        data = source.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _split(line: str, delimiter: str = ";") -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


_INT_RE = re.compile(r"\d+")
_GROUPED_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")  # German thousands: 1.234.567
_DEC_COMMA_RE = re.compile(r"\d+,\d+")
_DEC_POINT_RE = re.compile(r"\d+\.\d+")


def parse_count(raw: str, *, allow_fraction: bool = False, allow_negative: bool = False) -> float:
    """Read a count as GENESIS and German spreadsheets write it; raise ValueError.

    "1.234" is German thousands grouping (1234), because the users' files are German; a decimal needs a
    comma ("1234,5") or a point followed by other than three digits ("1234.5"). "-" is zero (GENESIS:
    "nichts vorhanden"); ".", "...", "x", "/" are unknown or secret and rejected.
    """
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if text in _GENESIS_ZERO:
        return 0.0
    if text in _GENESIS_UNKNOWN:
        raise ValueError("value unknown or secret in the source")
    negative = text.startswith("-")
    body = text.removeprefix("-")
    if _INT_RE.fullmatch(body):
        value = float(int(body))
    elif _GROUPED_RE.fullmatch(body):
        value = float(int(body.replace(".", "")))
    elif allow_fraction and _DEC_COMMA_RE.fullmatch(body):
        value = float(body.replace(",", "."))
    elif allow_fraction and _DEC_POINT_RE.fullmatch(body):
        value = float(body)
    else:
        raise ValueError("not a number")
    if negative and value != 0:
        if not allow_negative:
            raise ValueError("negative")
        return -value
    return value


_DATE_RE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")
_FOOTNOTE_RE = re.compile(r"_{3,}")


def _is_blank(line: str, delimiter: str = ";") -> bool:
    return not line.strip().strip(delimiter).strip()


def _is_trailer(line: str) -> bool:
    text = line.strip().strip(";").strip()
    return text.startswith(("©", "(C)")) or text.lower().startswith("stand:")


class _BandCells:
    """Counts by (year, band) of one region, with the checks every population format shares."""

    def __init__(self, issues: _Issues) -> None:
        self.issues = issues
        self.cells: dict[tuple[int, AgeBand], tuple[float, int]] = {}
        self.totals: dict[int, tuple[float, int]] = {}

    def add(self, line: int, year: int, label: str, value: float) -> None:
        if is_total_label(label):
            self.totals[year] = (value, line)
            return
        try:
            band = AgeBand.parse(label)
        except ValueError:
            self.issues.unknown_band(line, label)
            return
        if (year, band) in self.cells:
            first = self.cells[(year, band)][1]
            self.issues.duplicate(
                line, "age_group", label.strip(), f"{year}, {band.label_de}", f"{year}, {band.label}", first
            )
            return
        self.cells[(year, band)] = (value, line)

    def table(self, *, ags: str | None = None, name: str | None = None) -> PopulationTable | None:
        """Check bands (tiling, every year complete) and totals, then build the table; None on issues."""
        start = len(self.issues)
        if not self.cells:
            self.issues.no_data()
            return None
        years = sorted({year for year, _ in self.cells})
        bands = sorted({band for _, band in self.cells})
        for de, en in band_problems(bands):
            self.issues.add(None, "age_group", None, de, en)
        for year in years:
            missing = ", ".join(b.label for b in bands if (year, b) not in self.cells)
            if missing:
                de, en = f"Im Jahr {year} fehlen Altersgruppen: {missing}.", f"Year {year} lacks: {missing}."
                self.issues.add(None, "age_group", missing, de, en)
        for year, (total, line) in self.totals.items():
            got = sum(self.cells[(year, b)][0] for b in bands if (year, b) in self.cells)
            if abs(got - total) > 1e-6 * max(1.0, abs(total)):
                self.issues.sum_mismatch(line, "count", got, total, year)
        if len(self.issues) > start:
            return None
        counts = np.array([[self.cells[(y, b)][0] for b in bands] for y in years], dtype=np.float64)
        return PopulationTable(tuple(years), tuple(bands), counts, ags=ags, municipality=name)


# --------------------------------------------------------------------------------------------
# GENESIS 12411-0012: population by 20 age groups
# --------------------------------------------------------------------------------------------


def _genesis_total_column(header_lines: list[list[str]]) -> int:
    """Index of the "Insgesamt" (both sexes) column; the layout of 12411-0012 puts it at 4."""
    for cells in reversed(header_lines):
        for idx, cell in enumerate(cells):
            if idx >= 4 and cell.strip().lower() == "insgesamt":
                return idx
    return 4


def parse_genesis_population_by_municipality(source: Source) -> ParseResult[dict[str, PopulationTable]]:
    """Parse a GENESIS 12411-0012 export that may hold several municipalities, keyed by AGS.

    Data rows look like ``31.12.2024;08226068;        Reilingen;unter 3 Jahre;249;126;123``; the
    "Insgesamt" row of each date is a check, not data. Title and header lines before the first data row,
    footnotes after ``__________`` and the ©/Stand lines are skipped. All-or-nothing.
    """
    text = read_text(source)
    issues = _Issues()
    header: list[list[str]] = []
    regions: dict[str, _BandCells] = {}
    names: dict[str, str] = {}
    total_col: int | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if _FOOTNOTE_RE.fullmatch(line.strip().strip(";")):
            break
        if _is_blank(line) or _is_trailer(line):
            continue
        fields = _split(line)
        date = _DATE_RE.fullmatch(fields[0].strip())
        if not date:
            if total_col is None:
                header.append(fields)
            else:
                issues.unrecognised(lineno, line, "Stichtag;AGS;Gemeinde;Altersgruppe;Anzahl")
            continue
        if total_col is None:
            total_col = _genesis_total_column(header)
        if len(fields) <= total_col:
            issues.too_few_columns(lineno, line)
            continue
        day, month, year = date.groups()
        if (day, month) != ("31", "12"):
            de = f"Stichtag {fields[0]} ist kein 31.12.; erwartet wird der Bevölkerungsstand zum Jahresende."
            issues.add(lineno, "date", fields[0], de, f"Reference date {fields[0]} is not 31 December.")
            continue
        ags = fields[1].strip()
        names.setdefault(ags, fields[2].strip())
        try:
            value = parse_count(fields[total_col])
        except ValueError as exc:
            issues.bad_count(lineno, "count", fields[total_col], exc)
            continue
        regions.setdefault(ags, _BandCells(issues)).add(lineno, int(year), fields[3], value)
    if not regions and not issues:
        issues.no_data()
    # table-level checks (bands, totals) only on clean rows: a broken row would echo as a false mismatch
    tables = (
        {} if issues else {ags: cells.table(ags=ags, name=names.get(ags)) for ags, cells in regions.items()}
    )
    if issues:
        return ParseResult(None, list(issues))
    return ParseResult({ags: t for ags, t in tables.items() if t is not None}, [])


def parse_genesis_population(source: Source) -> ParseResult[PopulationTable]:
    """Parse GENESIS table 12411-0012 ("Bevölkerung nach 20 Altersgruppen") for one municipality."""
    result = parse_genesis_population_by_municipality(source)
    if result.data is None:
        return ParseResult(None, result.issues)
    if len(result.data) > 1:
        found = ", ".join(f"{t.municipality} ({ags})" for ags, t in result.data.items())
        de = f"Die Datei enthält mehrere Gemeinden: {found}. Bitte eine Gemeinde je Datei."
        issue = PopulationIssue(None, "ags", found, de, f"The file holds several municipalities: {found}.")
        return ParseResult(None, [issue])
    return ParseResult(next(iter(result.data.values())), [])


# --------------------------------------------------------------------------------------------
# GENESIS year tables: births/deaths/migration, migration by age group
# --------------------------------------------------------------------------------------------

_YearRow = tuple[int, str, int, list[str]]  # line, region name, year, value cells


def _genesis_year_rows(text: str, issues: _Issues) -> tuple[list[list[str]], list[_YearRow]]:
    """Split a GENESIS table whose data rows are ``name;year;value;...`` into header and data rows."""
    header: list[list[str]] = []
    rows: list[_YearRow] = []
    seen: dict[int, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if _FOOTNOTE_RE.fullmatch(line.strip().strip(";")):
            break
        if _is_blank(line) or _is_trailer(line):
            continue
        fields = _split(line)
        if len(fields) >= 3 and re.fullmatch(r"\d{4}", fields[1].strip()) and fields[0].strip():
            year = int(fields[1])
            if year in seen:
                issues.duplicate(lineno, "year", str(year), f"Jahr {year}", f"year {year}", seen[year])
                continue
            seen[year] = lineno
            rows.append((lineno, fields[0].strip(), year, fields[2:]))
        elif rows:
            issues.unrecognised(lineno, line, "Gemeinde;Jahr;Anzahl...")
        else:
            header.append(fields)
    if not rows and not issues:
        issues.no_data()
    return header, rows


_VITAL_COLUMNS = {
    "in_migration": ("zuzüge", "zuzuege"),
    "out_migration": ("fortzüge", "fortzuege"),
    "net_migration": ("wanderungssaldo",),
    "births": ("lebendgeborene", "geborene"),
    "deaths": ("gestorbene", "sterbefälle"),
    "natural_balance": ("geburtenüberschuss", "geburtenueberschuss", "geburtensaldo"),
}
_BALANCES = {
    "net_migration": ("in_migration", "out_migration", "Wanderungssaldo ≠ Zuzüge − Fortzüge."),
    "natural_balance": ("births", "deaths", "Geburtenüberschuss ≠ Lebendgeborene − Gestorbene."),
}


def parse_genesis_vital_statistics(source: Source) -> ParseResult[VitalStatistics]:
    """Parse births, deaths, in- and out-migration per year (GENESIS "Bevölkerungsbewegung", 12XXX-0010).

    Columns are found by their header words (Zuzüge, Fortzüge, Wanderungssaldo, Lebendgeborene, Gestorbene,
    Geburtenüberschuss). Balances, when present, are checks: Wanderungssaldo = Zuzüge - Fortzüge and
    Geburtenüberschuss = Lebendgeborene - Gestorbene, else an issue naming the line.
    """
    issues = _Issues()
    header, rows = _genesis_year_rows(read_text(source), issues)
    columns: dict[str, int] = {}
    for cells in header:
        for idx, cell in enumerate(cells[2:]):
            word = " ".join(cell.split()).lower()
            for key, needles in _VITAL_COLUMNS.items():
                if key not in columns and word.startswith(needles):
                    columns[key] = idx
    missing = [k for k in ("in_migration", "out_migration", "births", "deaths") if k not in columns]
    if missing:
        de = "Spalten fehlen (erwartet: Zuzüge, Fortzüge, Lebendgeborene, Gestorbene)."
        issues.add(None, None, ", ".join(missing), de, f"Columns not found: {', '.join(missing)}.")
    values: dict[str, list[float]] = {k: [] for k in columns}
    years: list[int] = []
    for lineno, _name, year, cells in rows if not missing else []:
        row: dict[str, float] = {}
        for key, idx in columns.items():
            raw = cells[idx] if idx < len(cells) else ""
            try:  # balances may be negative, counts may not
                row[key] = parse_count(raw, allow_negative=key in _BALANCES)
            except ValueError as exc:
                issues.bad_count(lineno, key, raw, exc)
        if len(row) != len(columns):
            continue
        for key, (plus, minus, de) in _BALANCES.items():
            if key in row and row[key] != row[plus] - row[minus]:
                issues.add(lineno, key, f"{row[key]:g}", de, f"{key} differs from {plus} - {minus}.")
        years.append(year)
        for key in columns:
            values[key].append(row[key])
    if issues:
        return ParseResult(None, list(issues))
    order = np.argsort(years)
    arr = {k: np.asarray(v, dtype=np.float64)[order] for k, v in values.items()}
    vital = VitalStatistics(
        years=tuple(int(years[i]) for i in order),
        births=arr["births"],
        deaths=arr["deaths"],
        in_migration=arr["in_migration"],
        out_migration=arr["out_migration"],
        municipality=rows[0][1],
    )
    return ParseResult(vital, [])


def parse_genesis_migration_by_age(source: Source) -> ParseResult[MigrationByAge]:
    """Parse in- or out-migration by age group per year (GENESIS 12711-0011 Zuzüge / -0012 Fortzüge).

    The header line whose cells read as age groups gives the bands; "Insgesamt" is a check. The direction
    comes from the header words Zuzüge/Fortzüge.
    """
    issues = _Issues()
    header, rows = _genesis_year_rows(read_text(source), issues)
    head_text = "\n".join(";".join(c) for c in header).lower()
    direction = "out" if "fortz" in head_text else "in"
    band_cols: dict[int, AgeBand] = {}
    total_col: int | None = None
    for cells in header:
        parsed: dict[int, AgeBand] = {}
        total: int | None = None
        for idx, cell in enumerate(cells[2:]):
            if is_total_label(cell):
                total = idx
                continue
            try:
                parsed[idx] = AgeBand.parse(cell)
            except ValueError:
                continue
        if len(parsed) > len(band_cols):
            band_cols, total_col = parsed, total
    if not band_cols:
        issues.add(None, None, None, "Keine Altersgruppen im Tabellenkopf.", "No age groups in the header.")
    for de, en in band_problems(list(band_cols.values())) if band_cols else []:
        issues.add(None, "age_group", None, de, en)
    ordered = sorted(band_cols.items(), key=lambda kv: kv[1])
    years: list[int] = []
    data: list[list[float]] = []
    for lineno, _name, year, cells in rows if band_cols else []:
        row: list[float] = []
        for idx, band in ordered:
            raw = cells[idx] if idx < len(cells) else ""
            try:
                row.append(parse_count(raw))
            except ValueError as exc:
                issues.bad_count(lineno, band.label, raw, exc)
        if len(row) != len(ordered):
            continue
        if total_col is not None:
            raw = cells[total_col] if total_col < len(cells) else ""
            try:
                total_value = parse_count(raw)
            except ValueError as exc:
                issues.bad_count(lineno, "Insgesamt", raw, exc)
                continue
            if abs(sum(row) - total_value) > 1e-6:
                issues.sum_mismatch(lineno, "Insgesamt", sum(row), total_value, year)
                continue
        years.append(year)
        data.append(row)
    if issues:
        return ParseResult(None, list(issues))
    order = np.argsort(years)
    migration = MigrationByAge(
        years=tuple(int(years[i]) for i in order),
        bands=tuple(b for _, b in ordered),
        counts=np.asarray(data, dtype=np.float64)[order],
        direction=direction,
        municipality=rows[0][1],
    )
    return ParseResult(migration, [])


# --------------------------------------------------------------------------------------------
# Plain CSV: year, age group, count
# --------------------------------------------------------------------------------------------

_HEADER_ALIASES = {
    "year": {"jahr", "year", "stichtag", "berichtsjahr"},
    "age_group": {"altersgruppe", "age_group", "age group", "agegroup", "alter", "age", "altersklasse"},
    "count": {"anzahl", "count", "einwohner", "bevölkerung", "bevoelkerung", "population", "personen"},
}


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"


def parse_population_csv(source: Source) -> ParseResult[PopulationTable]:
    """Parse a plain long table ``year;age group;count`` (German or English headers, ``;``/``,``/tab).

    Headers: Jahr/year/Stichtag, Altersgruppe/age_group/Alter, Anzahl/count/Einwohner/Bevölkerung.
    Years may be written as 31.12.YYYY. Counts may be fractional (e.g. an official projection). A row
    labelled "Insgesamt"/"total" checks that year's sum.
    """
    lines = read_text(source).splitlines()
    issues = _Issues()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return ParseResult(
            None, [PopulationIssue(None, None, None, "Die Datei ist leer.", "The file is empty.")]
        )
    delimiter = _sniff_delimiter(lines[first])
    head = [" ".join(h.split()).lower() for h in _split(lines[first], delimiter)]
    col: dict[str, int] = {}
    for idx, name in enumerate(head):
        for key, aliases in _HEADER_ALIASES.items():
            if name in aliases and key not in col:
                col[key] = idx
    missing = ", ".join(k for k in _HEADER_ALIASES if k not in col)
    if missing:
        de = "Die Kopfzeile braucht die Spalten Jahr, Altersgruppe und Anzahl."
        issues.add(first + 1, missing, lines[first][:80], de, f"Header lacks columns: {missing}.")
        return ParseResult(None, list(issues))
    cells = _BandCells(issues)
    for lineno, line in enumerate(lines[first + 1 :], start=first + 2):
        if _is_blank(line, delimiter):
            continue
        fields = _split(line, delimiter)
        if len(fields) <= max(col.values()):
            issues.too_few_columns(lineno, line)
            continue
        raw_year = fields[col["year"]].strip()
        date = _DATE_RE.fullmatch(raw_year)
        if date and date.group(1, 2) == ("31", "12"):
            year = int(date.group(3))
        elif re.fullmatch(r"\d{4}", raw_year):
            year = int(raw_year)
        else:
            issues.add(
                lineno, "year", raw_year, f"Kein gültiges Jahr: {raw_year!r}.", f"Not a year: {raw_year!r}."
            )
            continue
        raw = fields[col["count"]]
        try:
            value = parse_count(raw, allow_fraction=True)
        except ValueError as exc:
            issues.bad_count(lineno, "count", raw, exc)
            continue
        cells.add(lineno, year, fields[col["age_group"]], value)
    table = None if issues else cells.table()
    return ParseResult(None, list(issues)) if issues else ParseResult(table, [])
