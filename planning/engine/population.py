"""Population by age band: labels, parsers for GENESIS tables and plain CSV, re-banding.

Pure computation, no Django: the planning app reads an upload, calls a parser here, shows the
``PopulationIssue`` list or stores the ``PopulationTable``.

Conventions (documented in docs/projection-method.md):

- An ``AgeBand(lo, hi)`` is the half-open interval of completed years of age ``[lo, hi)``;
  ``hi=None`` is the open top band ("85 Jahre und mehr").
- Plain labels ``"a-b"`` are inclusive, as people write them: ``"0-2"`` means ages 0, 1 and 2, that is
  ``[0, 3)``; ``"85+"`` means ``[85, None)``. GENESIS labels say so explicitly ("3 bis unter 6 Jahre").
- A reference date 31.12.YYYY is the population of year YYYY (Bevölkerungsstand am Jahresende).
- Counts are float64: files hold whole persons (exact in float64), re-banded or projected counts are
  fractional. Round only for display, with ``round_preserving_total`` when the parts must add up.
- Parsing is all-or-nothing: a file with any bad row yields issues and no data, because a planner
  must not project from a table that silently lost an age group.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

#: Width in years assumed for the open top band when it has to be split (e.g. 85+ -> 85..99).
#: 15 years keeps almost everybody of an "85 Jahre und mehr" band inside the split; documented rule.
OPEN_BAND_SPLIT_WIDTH = 15

#: Oldest single year of age the cohort model keeps separately; the last entry is "100 and older".
MAX_SINGLE_AGE = 100

# GENESIS marks: "-" = nothing (exactly zero), "." = unknown or secret, "x" = not meaningful,
# "..." = not yet available, "/" = too uncertain. Only "-" is a number.
_GENESIS_ZERO = {"-"}
_GENESIS_UNKNOWN = {".", "...", "x", "/"}

_TOTAL_LABELS = {"insgesamt", "total", "gesamt", "summe", "zusammen", "alle", "all"}


@dataclass(frozen=True, order=True, slots=True)
class AgeBand:
    """Ages ``lo`` up to but excluding ``hi`` (completed years); ``hi=None`` is open-ended.

    Ordering sorts by lower bound, so a list of bands sorts youngest first.
    """

    lo: int
    hi: int | None = None

    def __post_init__(self) -> None:
        if self.lo < 0:
            raise ValueError(f"age band lower bound must be >= 0, got {self.lo}")
        if self.hi is not None and self.hi <= self.lo:
            raise ValueError(f"age band [{self.lo}, {self.hi}) is empty")

    @property
    def is_open(self) -> bool:
        return self.hi is None

    @property
    def width(self) -> int | None:
        """Years covered; None for the open top band."""
        return None if self.hi is None else self.hi - self.lo

    @property
    def split_width(self) -> int:
        """Years used when a count is spread uniformly: the open band counts as 15 years."""
        return OPEN_BAND_SPLIT_WIDTH if self.hi is None else self.hi - self.lo

    @property
    def split_hi(self) -> int:
        """Upper bound used for uniform splitting (``lo + 15`` for the open band)."""
        return self.lo + self.split_width

    @property
    def label(self) -> str:
        """Plain label, inclusive: ``[0, 3)`` -> "0-2", ``[7, 8)`` -> "7", ``[85, None)`` -> "85+"."""
        if self.hi is None:
            return f"{self.lo}+"
        if self.hi == self.lo + 1:
            return str(self.lo)
        return f"{self.lo}-{self.hi - 1}"

    @property
    def label_de(self) -> str:
        """Label in the wording of the statistical offices ("3 bis unter 6 Jahre")."""
        if self.hi is None:
            return f"{self.lo} Jahre und mehr"
        if self.lo == 0:
            return f"unter {self.hi} Jahre" if self.hi != 1 else "unter 1 Jahr"
        return f"{self.lo} bis unter {self.hi} Jahre"

    def __str__(self) -> str:
        return self.label

    def contains(self, age: int) -> bool:
        return age >= self.lo and (self.hi is None or age < self.hi)

    def overlap_years(self, lo: int, hi: int | None) -> int:
        """Whole years this band's split range shares with ``[lo, hi)`` (``hi=None``: unbounded)."""
        top = self.split_hi if hi is None else min(self.split_hi, hi)
        return max(0, top - max(self.lo, lo))

    @classmethod
    def parse(cls, label: str) -> AgeBand:
        """Read a German statistical label or a plain label; raise ValueError if it is neither.

        >>> AgeBand.parse("6 bis unter  10 Jahre"), AgeBand.parse("0-2"), AgeBand.parse("85+")
        (AgeBand(lo=6, hi=10), AgeBand(lo=0, hi=3), AgeBand(lo=85, hi=None))
        """
        text = " ".join(str(label).replace("\u00a0", " ").split()).lower()
        text = text.replace("–", "-").replace("—", "-")
        for pattern, build in _LABEL_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                return build(*(int(g) for g in match.groups()))
        raise ValueError(f"unknown age group label: {label!r}")


_YEARS = r"(?: ?(?:jahre?n?|j\.?|years?))?"
_LABEL_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    # GENESIS: "unter 3 Jahre", "unter 1 Jahr"
    (re.compile(rf"unter (\d+){_YEARS}"), lambda hi: AgeBand(0, hi)),
    # GENESIS: "3 bis unter 6 Jahre"
    (re.compile(rf"(\d+) bis unter (\d+){_YEARS}"), lambda lo, hi: AgeBand(lo, hi)),
    # GENESIS: "85 Jahre und mehr", "85 und älter", "85 Jahre und älter"
    (re.compile(rf"(\d+){_YEARS} und (?:mehr|älter|aelter|darüber|ueber|über)"), lambda lo: AgeBand(lo)),
    # "über 85", "ab 85 Jahre", "85 and over"
    (re.compile(rf"(?:über|ueber|ab) (\d+){_YEARS}"), lambda lo: AgeBand(lo)),
    (re.compile(rf"(\d+){_YEARS} (?:and over|and older|or older|plus)"), lambda lo: AgeBand(lo)),
    # plain, inclusive: "0-2", "3 - 5", "3 bis 5 Jahre", "18 to 64"
    (re.compile(rf"(\d+) ?(?:-|bis|to) ?(\d+){_YEARS}"), lambda lo, hi: AgeBand(lo, hi + 1)),
    # plain open: "85+", "85 +"
    (re.compile(rf"(\d+) ?\+{_YEARS}"), lambda lo: AgeBand(lo)),
    # single year of age: "7", "7 Jahre"
    (re.compile(rf"(\d+){_YEARS}"), lambda age: AgeBand(age, age + 1)),
]


def is_total_label(label: str) -> bool:
    """True for the total row of a table ("Insgesamt", "total")."""
    return " ".join(str(label).split()).lower() in _TOTAL_LABELS


def single_year_bands(max_age: int = MAX_SINGLE_AGE) -> tuple[AgeBand, ...]:
    """Bands 0, 1, ..., max_age-1 and the open band ``max_age+`` used by the cohort model."""
    return (*(AgeBand(a, a + 1) for a in range(max_age)), AgeBand(max_age))


def band_problems(bands: Sequence[AgeBand]) -> list[tuple[str, str]]:
    """Check that bands tile ages from 0 without gap or overlap; return (German, English) messages.

    A population table must describe the whole population, otherwise a driver like "gesamt" is wrong
    without anyone noticing. Only the last band may be open; the top may also be closed (nobody older).
    """
    problems: list[tuple[str, str]] = []
    ordered = sorted(bands)
    if not ordered:
        return [("Keine Altersgruppen gefunden.", "No age groups found.")]
    if ordered[0].lo != 0:
        problems.append(
            (
                f"Die Altersgruppen beginnen erst bei {ordered[0].lo} Jahren (Lücke ab 0).",
                f"Age groups start at {ordered[0].lo}, not at 0 (gap).",
            )
        )
    for prev, nxt in itertools.pairwise(ordered):
        if prev.hi is None or prev.hi > nxt.lo:
            problems.append(
                (
                    f"Altersgruppen überschneiden sich: {prev.label_de} und {nxt.label_de}.",
                    f"Age groups overlap: {prev.label} and {nxt.label}.",
                )
            )
        elif prev.hi < nxt.lo:
            problems.append(
                (
                    f"Lücke zwischen {prev.label_de} und {nxt.label_de}.",
                    f"Gap between age groups {prev.label} and {nxt.label}.",
                )
            )
    return problems


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


@dataclass(frozen=True)
class PopulationTable:
    """Population by year and age band: ``counts[i, k]`` = persons of band ``bands[k]`` in ``years[i]``.

    ``years`` ascend, ``bands`` tile the ages from 0. ``ags`` is the Amtlicher Gemeindeschlüssel if the
    file carried one.
    """

    years: tuple[int, ...]
    bands: tuple[AgeBand, ...]
    counts: np.ndarray
    ags: str | None = None
    municipality: str | None = None

    def __post_init__(self) -> None:
        counts = np.array(self.counts, dtype=np.float64)
        if counts.shape != (len(self.years), len(self.bands)):
            raise ValueError(f"counts shape {counts.shape} != ({len(self.years)}, {len(self.bands)})")
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)

    def for_year(self, year: int) -> np.ndarray:
        """Counts by band of one year."""
        return self.counts[self.years.index(year)]

    def totals(self) -> np.ndarray:
        """Total population per year."""
        return self.counts.sum(axis=1)

    def to_frame(self) -> pd.DataFrame:
        """Wide DataFrame: one row per year, one column per band label."""
        return pd.DataFrame(
            self.counts.copy(),
            index=pd.Index(self.years, name="year"),
            columns=pd.Index([b.label for b in self.bands], name="age_group"),
        )

    def rebanded(self, to_bands: Sequence[AgeBand]) -> PopulationTable:
        """The same table on other bands (see ``reband``)."""
        counts = reband(self.counts, self.bands, to_bands)
        return PopulationTable(self.years, tuple(to_bands), counts, self.ags, self.municipality)


@dataclass(frozen=True)
class VitalStatistics:
    """Births, deaths and migration across the municipal boundary per calendar year.

    (Lebendgeborene, Gestorbene, Zuzüge, Fortzüge; GENESIS "Bevölkerungsbewegung" tables.)
    """

    years: tuple[int, ...]
    births: np.ndarray
    deaths: np.ndarray
    in_migration: np.ndarray
    out_migration: np.ndarray
    municipality: str | None = None

    @property
    def net_migration(self) -> np.ndarray:
        return self.in_migration - self.out_migration


@dataclass(frozen=True)
class MigrationByAge:
    """Moves across the municipal boundary by age group and year (GENESIS 12711-0011/-0012).

    ``direction`` is ``"in"`` (Zuzüge) or ``"out"`` (Fortzüge).
    """

    years: tuple[int, ...]
    bands: tuple[AgeBand, ...]
    counts: np.ndarray
    direction: str
    municipality: str | None = None

    def for_year(self, year: int) -> np.ndarray:
        return self.counts[self.years.index(year)]


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


# --------------------------------------------------------------------------------------------
# Re-banding
# --------------------------------------------------------------------------------------------


def reband_matrix(
    from_bands: Sequence[AgeBand], to_bands: Sequence[AgeBand], *, weights: np.ndarray | None = None
) -> np.ndarray:
    """Matrix ``W`` (S, T): share of source band s that goes to target band t; rows sum to 1.

    Without ``weights`` a source band spreads uniformly over its years, the open band over 15 years
    (``OPEN_BAND_SPLIT_WIDTH``). With ``weights`` (density by single year of age 0..len-1, last entry the
    open top), each source band spreads in proportion to the weights of the ages it covers; its open band
    covers ages lo..len-1. Target bands that are unions of source bands get 0/1 entries, so re-banding is
    then an exact sum. Raises ValueError when targets do not cover a source band.
    """
    src, dst = list(from_bands), list(to_bands)
    out = np.zeros((len(src), len(dst)), dtype=np.float64)
    if weights is None:
        for s, band in enumerate(src):
            for t, target in enumerate(dst):
                years = band.overlap_years(target.lo, target.hi)
                if years:
                    out[s, t] = years / band.split_width
            # exact 1/0 rows when one target holds the whole source band (no float division residue)
            whole = [t for t, target in enumerate(dst) if _covers(target, band)]
            if whole:
                out[s, :] = 0.0
                out[s, whole[0]] = 1.0
    else:
        w = np.asarray(weights, dtype=np.float64)
        ages = np.arange(len(w))
        # membership of each single age (the last one standing for "top and older") in each band
        src_in = _membership(src, ages)  # (ages, S)
        dst_in = _membership(dst, ages)  # (ages, T)
        for band in src:
            if band.hi is not None and band.hi > len(w):
                raise ValueError(f"weights end at age {len(w) - 1}, band {band.label} goes further")
        mass = w @ src_in  # (S,)
        count = src_in.sum(axis=0)
        # a band whose ages all weigh zero falls back to a uniform spread
        dens = np.where(mass > 0, w[:, None] / np.maximum(mass, 1e-300), 1.0 / np.maximum(count, 1.0))
        out = (src_in * dens).T @ dst_in
    lost = [src[s].label for s in range(len(src)) if abs(out[s].sum() - 1.0) > 1e-9]
    if lost:
        raise ValueError(f"target bands do not cover source band(s): {', '.join(lost)}")
    return out


def _membership(bands: Sequence[AgeBand], ages: np.ndarray) -> np.ndarray:
    """(len(ages), len(bands)) 0/1 matrix; the last age stands for itself and everybody older."""
    lo = np.array([b.lo for b in bands])
    hi = np.array([np.iinfo(np.int64).max if b.hi is None else b.hi for b in bands])
    member = ((ages[:, None] >= lo[None, :]) & (ages[:, None] < hi[None, :])).astype(np.float64)
    # the open last age belongs to an open band starting at or below it only
    open_top = np.array([b.hi is None for b in bands])
    member[-1] = (open_top & (lo <= ages[-1])).astype(np.float64)
    return member


def _covers(outer: AgeBand, inner: AgeBand) -> bool:
    if outer.lo > inner.lo:
        return False
    if outer.hi is None:
        return True
    return inner.hi is not None and inner.hi <= outer.hi


def reband(
    counts: np.ndarray,
    from_bands: Sequence[AgeBand],
    to_bands: Sequence[AgeBand],
    *,
    axis: int = -1,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Move counts from one set of age bands to another along ``axis``; totals are preserved.

    A source band split across targets is divided by years covered (uniform within the band; the open top
    band counts as 15 years). When every target is a union of source bands, the result is the exact sum of
    the sources. Otherwise totals agree to float rounding (relative ~1e-15); use
    ``round_preserving_total`` for whole persons.
    """
    matrix = reband_matrix(from_bands, to_bands, weights=weights)
    arr = np.moveaxis(np.asarray(counts, dtype=np.float64), axis, -1)
    if arr.shape[-1] != len(from_bands):
        raise ValueError(f"axis has {arr.shape[-1]} entries, {len(from_bands)} source bands given")
    return np.moveaxis(arr @ matrix, -1, axis)


def expand_to_single_years(
    counts: np.ndarray,
    bands: Sequence[AgeBand],
    *,
    max_age: int = MAX_SINGLE_AGE,
    axis: int = -1,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Counts by single year of age 0..max_age-1 plus ``max_age+`` along ``axis`` (for the cohort model).

    Uniform within bands by default (open band over 15 years, so 85+ -> 85..99 and nobody 100+);
    pass ``weights`` (e.g. life-table person-years L(x)) for a more realistic spread of wide bands.
    """
    return reband(counts, bands, single_year_bands(max_age), axis=axis, weights=weights)


def round_preserving_total(values: Iterable[float]) -> np.ndarray:
    """Round to whole numbers so that they still add up to the rounded total (largest remainder).

    For display of re-banded or projected persons: plain rounding of 0.5+0.5+0.5+0.5 would show 4 (or 0)
    persons where the total says 2.
    """
    arr = np.asarray(list(values), dtype=np.float64)
    floor = np.floor(arr)
    target = round(float(arr.sum()))
    short = target - int(floor.sum())
    order = np.argsort(-(arr - floor), kind="stable")
    result = floor.astype(np.int64)
    if short > 0:
        result[order[:short]] += 1
    elif short < 0:
        result[order[::-1][:-short]] -= 1
    return result


def as_bands(labels: Iterable[str | AgeBand]) -> tuple[AgeBand, ...]:
    """Parse a list of labels (or pass bands through)."""
    return tuple(b if isinstance(b, AgeBand) else AgeBand.parse(b) for b in labels)
