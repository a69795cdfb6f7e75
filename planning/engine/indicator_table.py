"""Indicator tables per district and year: columns, German numbers, line-numbered problems (no Django).

The caller reads the file with ``finance.vocabulary.open_table`` (the budget import's reader: content-based
CSV/XLSX detection, encoding UTF-8/Windows-1252/ISO-8859-1/UTF-16, delimiter ``;`` tab ``,``, 1-based
physical line numbers) and passes the rows and the decimal-convention vote (``detect_convention``) in;
this module interprets the rows and imports nothing outside the engine.

Layout: one row per district and year, one column per indicator::

    Kennziffer;Name;Jahr;SGB-II-Quote;Arbeitslosenquote;Einwohner 0-5
    01;Altstadt;2024;18,4;9,1;412

- district: a column named Kennziffer/Code/Nr/Bezirk/Sozialraum (the code), a Name column is optional
  and only read when there is no code column (then matched by name);
- year: Jahr/Year;
- every other column must name a known indicator (its key or its name, case and spacing ignored);
- numbers in German (``1.234,5``) or English (``1,234.5``) notation, decided once per file by
  ``detect_convention`` (the budget import's vote, given by the caller); any number of decimals;
  ``%`` and spaces are ignored;
- an empty cell, ``-``, ``–``, ``.`` or ``x`` (the symbols of official statistics for "nothing",
  "unknown" and "not applicable") is a missing value, never zero;
- a share (unit ``%``) must lie in 0..100, a count must not be negative; a district and year twice is
  an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DECIMAL_COMMA, DECIMAL_POINT = "de", "en"  # 1.234,5 / 1,234.5

MISSING = frozenset({"", "-", "–", "—", ".", "x", "X", "k.A.", "n.v."})
MIN_YEAR, MAX_YEAR = 1950, 2100
_CODE_HEADERS = (
    "kennziffer",
    "code",
    "nr",
    "nummer",
    "bezirk",
    "bezirksnummer",
    "sozialraum",
    "stadtteil",
    "id",
)
_NAME_HEADERS = ("name", "bezeichnung", "bezirksname", "stadtteilname")
_YEAR_HEADERS = ("jahr", "year", "berichtsjahr")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def normalise_header(text: object) -> str:
    """Case, spacing, hyphens and underscores ignored: ``SGB-II-Quote`` == ``sgb ii quote``."""
    return re.sub(r"[\s_\-]+", " ", str(text or "").strip().lower()).strip()


@dataclass(frozen=True)
class IndicatorColumn:
    """What the table needs to know about an indicator: its key, names to match, and value checks."""

    key: str
    names: tuple[str, ...]
    share: bool = False  # a percentage: 0..100
    count: bool = False  # persons, households: not negative


@dataclass(frozen=True)
class TableIssue:
    code: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableResult:
    values: list[tuple[Any, str, int, float]]  # (district key, indicator key, year, value)
    issues: list[TableIssue]
    columns: list[str]  # indicator keys found
    years: list[int]
    convention: str = DECIMAL_COMMA

    @property
    def ok(self) -> bool:
        return not self.issues


def parse_number(text: str, convention: str) -> float | None:
    """One cell as float; None for a missing value; ValueError when it is not a number."""
    s = text.strip().replace("%", "").replace("\u00a0", "").replace(" ", "")
    if s in MISSING:
        return None
    s = s.replace(".", "").replace(",", ".") if convention == DECIMAL_COMMA else s.replace(",", "")
    if not _NUMBER.match(s):
        raise ValueError(text)
    return float(s)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_indicator_table(
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[Any]]],
    *,
    districts: Mapping[str, Any],
    district_names: Mapping[str, Any] | None = None,
    indicators: Sequence[IndicatorColumn],
    detect_convention: Callable[[list[str]], str] = lambda _cells: DECIMAL_COMMA,
    max_issues: int = 200,
) -> TableResult:
    """Interpret the rows of an indicator table (see module docstring); all problems are collected."""
    names = [normalise_header(h) for h in header]
    issues: list[TableIssue] = []
    code_col = next((names.index(h) for h in _CODE_HEADERS if h in names), None)
    name_col = next((names.index(h) for h in _NAME_HEADERS if h in names), None)
    year_col = next((names.index(h) for h in _YEAR_HEADERS if h in names), None)
    if code_col is None and name_col is None:
        issues.append(TableIssue("no_district_column", params={"header": ", ".join(header)}))
    if year_col is None:
        issues.append(TableIssue("no_year_column", params={"header": ", ".join(header)}))
    lookup: dict[str, IndicatorColumn] = {}
    for indicator in indicators:
        for name in (indicator.key, *indicator.names):
            lookup.setdefault(normalise_header(name), indicator)
    value_cols: list[tuple[int, IndicatorColumn]] = []
    for position, name in enumerate(names):
        if position in (code_col, name_col, year_col):
            continue
        if name in lookup:
            value_cols.append((position, lookup[name]))
        elif name:
            issues.append(TableIssue("unknown_indicator", 1, header[position], header[position]))
    if not value_cols and not issues:
        issues.append(TableIssue("no_indicator_columns"))
    if issues:
        return TableResult([], issues, [], [])

    rows = list(rows)
    sample = [_cell(cells[p]) for _, cells in rows[:500] for p, _ in value_cols if p < len(cells)]
    convention = detect_convention([s for s in sample if s not in MISSING])
    by_name = {normalise_header(k): v for k, v in (district_names or {}).items()}
    values: list[tuple[Any, str, int, float]] = []
    seen: dict[tuple[Any, int], int] = {}
    years: set[int] = set()
    for line, cells in rows:
        if len(issues) >= max_issues:
            issues.append(TableIssue("too_many_issues", params={"max": max_issues}))
            break
        cells = list(cells) + [None] * (len(header) - len(cells))
        if code_col is not None:
            raw = _cell(cells[code_col])
            district = districts.get(raw)
            column = header[code_col]
        else:
            raw = _cell(cells[name_col])
            district = by_name.get(normalise_header(raw))
            column = header[name_col]
        if district is None:
            issues.append(TableIssue("unknown_district", line, column, raw))
            continue
        raw_year = _cell(cells[year_col])
        try:
            year = int(raw_year)
        except ValueError:
            issues.append(TableIssue("bad_year", line, header[year_col], raw_year))
            continue
        if not MIN_YEAR <= year <= MAX_YEAR:
            issues.append(TableIssue("year_out_of_range", line, header[year_col], raw_year))
            continue
        if (district, year) in seen:
            issues.append(
                TableIssue(
                    "duplicate_row", line, column, raw, {"first": seen[(district, year)], "year": year}
                )
            )
            continue
        seen[(district, year)] = line
        years.add(year)
        for position, indicator in value_cols:
            raw_value = cells[position]
            text = _cell(raw_value)
            try:
                value = (
                    float(raw_value)
                    if isinstance(raw_value, int | float) and not isinstance(raw_value, bool)
                    else parse_number(text, convention)
                )
            except ValueError:
                issues.append(TableIssue("not_a_number", line, header[position], text))
                continue
            if value is None:
                continue
            if indicator.share and not 0 <= value <= 100:
                issues.append(TableIssue("share_out_of_range", line, header[position], text))
            elif indicator.count and value < 0:
                issues.append(TableIssue("negative_count", line, header[position], text))
            else:
                values.append((district, indicator.key, year, value))
    if not values and not issues:
        issues.append(TableIssue("no_values"))
    columns = [ind.key for _, ind in value_cols]
    return TableResult([] if issues else values, issues, columns, sorted(years), convention)
