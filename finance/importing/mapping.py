"""Which column of a budget file means what: the ``Mapping``, its JSON form, and the proposal.

A mapping is what a finance department confirms once per export format and then reuses: it is saved
as JSON (``to_dict``/``from_dict``; the CLI's ``--mapping FILE.json`` has exactly this shape) together
with the header fingerprint, so the next year's file with the same header is imported without asking.

``propose_mapping`` builds one from the header and a sample of rows:

* roles from header synonyms (``vocabulary.ROLE_SYNONYMS``), the most specific synonym first, then
  the better filled column;
* wide layout when headers like ``Ist 2015``/``Plan 2017``/``VE 2018`` exist and there is no year or
  date column with an amount column (long layout);
* the decimal convention from all sampled amounts (``numbers.detect_decimal_convention``);
* the sign convention from the data: each amount's direction is known from the account class (NRW:
  4 revenue, 5 expense, 6 cash in, 7 cash out; BW: 3/4/7/8) or a direction column, and the majority
  sign per direction decides (revenue mostly negative = SAP style ``revenue_negative``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .detect import Detection, detect_long, profile_columns
from .issues import ERROR, WARNING, ImportIssue, make_issue
from .numbers import CONVENTIONS, NumberFormatError, detect_decimal_convention, make_amount_parser
from .reference import EXPENSE, REVENUE, STATEMENTS, classify_account, scheme_for_land
from .sources import cell_text
from .vocabulary import MAX_YEAR, MIN_YEAR, PHASES, ROLE_SYNONYMS, direction_of, normalize, parse_value_header

SCHEMA_VERSION = 1
WIDE = "wide"
LONG = "long"
LAYOUTS = (WIDE, LONG)

REVENUE_NEGATIVE = "revenue_negative"  # SAP: revenue booked as credit, shown negative
EXPENSE_NEGATIVE = "expense_negative"
AS_IS_WITH_DIRECTION_COLUMN = "as_is_with_direction_column"
ALL_POSITIVE = "all_positive"
SIGN_CONVENTIONS = (REVENUE_NEGATIVE, EXPENSE_NEGATIVE, AS_IS_WITH_DIRECTION_COLUMN, ALL_POSITIVE)

# Column roles, in the order they are assigned (a column gets at most one role).
ROLES = (
    "product_code",
    "product_name",
    "account_code",
    "account_code_fallback",
    "account_name",
    "account_name_fallback",
    "year",
    "date",
    "phase",
    "amount",
    "direction",
    "statement",
    "revenue_amount",
    "expense_amount",
)
# Roles whose cells are words that a value map may translate, and the canonical values they take.
VALUE_MAP_TARGETS = {
    "phase": PHASES,
    "direction": (REVENUE, EXPENSE),
    "statement": STATEMENTS,
}
GROUP_ROW_RULES = ("auto", "keep_groups", "separate")


_PHASE_DE = {"actual": "Ist", "plan": "Plan", "commitment": "VE"}


class MappingError(ValueError):
    """A mapping JSON that does not have the documented shape."""


@dataclass
class ValueColumn:
    """A wide-layout column holding the amounts of one (year, phase), e.g. ``Plan 2017``."""

    column: str
    year: int
    phase: str


@dataclass
class Mapping:
    """Which column has which role, and how to read amounts. Column references are header texts.

    ``account_code_fallback`` is used where ``account_code`` is empty (Moers: Kostenart is often empty,
    then the Kontengruppe-Nummer places the line); likewise ``account_name_fallback``.
    ``default_phase`` applies to long files without phase information (CLI ``--phase``).
    ``ignore_columns`` lists columns that look like value columns but must deliberately not be read.
    """

    layout: str = WIDE
    product_code: str | None = None
    product_name: str | None = None
    account_code: str | None = None
    account_code_fallback: str | None = None
    account_name: str | None = None
    account_name_fallback: str | None = None
    year: str | None = None
    date: str | None = None
    phase: str | None = None
    amount: str | None = None
    direction: str | None = None
    statement: str | None = None
    revenue_amount: str | None = None  # an amount column per direction (Hessian "ausgabe"/"eingabe")
    expense_amount: str | None = None
    product_code_parts: list[str] = field(default_factory=list)  # hierarchy levels joined with "."
    header_phase: str | None = None  # the phase the amount column's header states (``Ansatz``)
    default_statement: str | None = None  # the user's answer when the file does not say
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> cell text -> value
    group_rows: str = "auto"
    system: str | None = None  # "kameral": account codes are Gruppierung numbers (see reference)
    value_columns: list[ValueColumn] = field(default_factory=list)
    ignore_columns: list[str] = field(default_factory=list)
    sign_convention: str = ALL_POSITIVE
    decimal_convention: str = "de"
    default_phase: str | None = None
    land: str = "NW"
    sheet: str | None = None
    header_fingerprint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the documented mapping file shape, see docs/import-format.md)."""
        return {
            "version": SCHEMA_VERSION,
            "layout": self.layout,
            "land": self.land,
            "sheet": self.sheet,
            "columns": {role: getattr(self, role) for role in ROLES},
            "value_columns": [
                {"column": v.column, "year": v.year, "phase": v.phase} for v in self.value_columns
            ],
            "ignore_columns": list(self.ignore_columns),
            "sign_convention": self.sign_convention,
            "decimal_convention": self.decimal_convention,
            "default_phase": self.default_phase,
            "header_phase": self.header_phase,
            "default_statement": self.default_statement,
            "product_code_parts": list(self.product_code_parts),
            "value_maps": {role: dict(values) for role, values in self.value_maps.items()},
            "group_rows": self.group_rows,
            "system": self.system,
            "header_fingerprint": self.header_fingerprint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mapping:
        """Inverse of ``to_dict``; raises MappingError naming the offending key."""
        if not isinstance(data, dict):
            raise MappingError("mapping must be a JSON object")
        version = data.get("version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise MappingError(f"unsupported mapping version {version!r} (expected {SCHEMA_VERSION})")
        columns = data.get("columns") or {}
        if not isinstance(columns, dict):
            raise MappingError("'columns' must be an object")
        unknown = set(columns) - set(ROLES)
        if unknown:
            raise MappingError(f"unknown column roles: {', '.join(sorted(unknown))}")
        kwargs: dict[str, Any] = {}
        for role in ROLES:
            value = columns.get(role)
            if value is not None and not isinstance(value, str):
                raise MappingError(f"columns.{role} must be a header text or null")
            kwargs[role] = value
        values = []
        for i, item in enumerate(data.get("value_columns") or []):
            try:
                column, year, phase = item["column"], item["year"], item["phase"]
            except (KeyError, TypeError) as exc:
                raise MappingError(f"value_columns[{i}] needs column, year and phase") from exc
            if not isinstance(column, str) or not isinstance(year, int) or isinstance(year, bool):
                raise MappingError(f"value_columns[{i}]: column must be text, year an integer")
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise MappingError(f"value_columns[{i}]: year {year} outside {MIN_YEAR}-{MAX_YEAR}")
            if phase not in PHASES:
                raise MappingError(f"value_columns[{i}]: phase must be one of {', '.join(PHASES)}")
            values.append(ValueColumn(column, year, phase))
        mapping = cls(**kwargs, value_columns=values)
        for key, allowed in (
            ("layout", LAYOUTS),
            ("sign_convention", SIGN_CONVENTIONS),
            ("decimal_convention", CONVENTIONS),
        ):
            if key in data:
                if data[key] not in allowed:
                    raise MappingError(f"{key} must be one of {', '.join(allowed)}")
                setattr(mapping, key, data[key])
        default_phase = data.get("default_phase")
        if default_phase is not None and default_phase not in PHASES:
            raise MappingError(f"default_phase must be null or one of {', '.join(PHASES)}")
        mapping.default_phase = default_phase
        header_phase = data.get("header_phase")
        if header_phase is not None and header_phase not in PHASES:
            raise MappingError(f"header_phase must be null or one of {', '.join(PHASES)}")
        mapping.header_phase = header_phase
        default_statement = data.get("default_statement")
        if default_statement is not None and default_statement not in STATEMENTS:
            raise MappingError(f"default_statement must be null or one of {', '.join(STATEMENTS)}")
        mapping.default_statement = default_statement
        group_rows = data.get("group_rows", "auto")
        if group_rows not in GROUP_ROW_RULES:
            raise MappingError(f"group_rows must be one of {', '.join(GROUP_ROW_RULES)}")
        mapping.group_rows = group_rows
        system = data.get("system")
        if system not in (None, "doppik", "kameral"):
            raise MappingError("system must be null, doppik or kameral")
        mapping.system = system
        parts = data.get("product_code_parts") or []
        if not isinstance(parts, list) or not all(isinstance(c, str) for c in parts):
            raise MappingError("product_code_parts must be a list of header texts")
        mapping.product_code_parts = parts
        maps = data.get("value_maps") or {}
        if not isinstance(maps, dict):
            raise MappingError("value_maps must be an object")
        for role, values in maps.items():
            if role not in VALUE_MAP_TARGETS:
                raise MappingError(f"value_maps: role {role!r} cannot be translated")
            if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
                raise MappingError(f"value_maps.{role} must map cell texts to values")
            for cell, target in values.items():
                if target not in VALUE_MAP_TARGETS[role]:
                    allowed = ", ".join(VALUE_MAP_TARGETS[role])
                    raise MappingError(f"value_maps.{role}[{cell!r}] must be one of {allowed}")
        mapping.value_maps = {role: dict(values) for role, values in maps.items()}
        ignore = data.get("ignore_columns") or []
        if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
            raise MappingError("ignore_columns must be a list of header texts")
        mapping.ignore_columns = ignore
        for key in ("land", "sheet", "header_fingerprint"):
            if data.get(key) is not None:
                if not isinstance(data[key], str):
                    raise MappingError(f"{key} must be text or null")
                setattr(mapping, key, data[key])
        return mapping

    def mapped_columns(self) -> dict[str, str]:
        """Role -> header for every mapped role."""
        return {role: getattr(self, role) for role in ROLES if getattr(self, role)}

    def used_columns(self) -> set[str]:
        """Every header text the mapping reads."""
        used = set(self.mapped_columns().values()) | {v.column for v in self.value_columns}
        return used | set(self.product_code_parts)

    def file_phase_source(self) -> tuple[str, str] | None:
        """Where the file itself states the phase (German, English), or None."""
        if self.layout == WIDE:
            return ("Überschriften der Wertspalten", "headers of the value columns")
        if self.phase:
            return (f"Spalte „{self.phase}“", f'column "{self.phase}"')
        if self.header_phase:
            column = self.amount or self.revenue_amount or self.expense_amount
            return (f"Überschrift „{column}“", f'header "{column}"')
        return None

    def check(self, header: Sequence[str]) -> list[ImportIssue]:
        """Problems of this mapping with this header, before any row is read (fatal if errors)."""
        issues: list[ImportIssue] = []
        _, fallback = scheme_for_land(self.land)
        told = self.direction or self.revenue_amount or self.expense_amount or self.statement
        told = told or self.system == "kameral"
        if fallback and (self.account_code or self.account_code_fallback) and not told:
            # account numbers would be read through NRW's chart: a confident wrong number; ask instead
            issues.append(make_issue("land_chart_unknown", value=self.land))
        elif fallback and self.system != "kameral":
            issues.append(make_issue("unknown_land", value=self.land, severity=WARNING))
        counts: dict[str, int] = {}
        for name in header:
            counts[name] = counts.get(name, 0) + 1
        wanted = (
            list(self.mapped_columns().values())
            + [v.column for v in self.value_columns]
            + list(self.product_code_parts)
        )
        for name in wanted:
            if name not in counts:
                issues.append(make_issue("missing_column", value=name))
            elif counts[name] > 1:
                issues.append(make_issue("duplicate_column", value=name))
        missing: list[tuple[str, str]] = []  # (German, English)
        if self.layout == WIDE and not self.value_columns:
            missing.append(("keine Wertspalten wie „Plan 2017“", "no value columns like 'Plan 2017'"))
        if self.layout == LONG:
            if not (self.amount or self.revenue_amount or self.expense_amount):
                missing.append(("Betrag", "amount"))
            if not (self.year or self.date):
                missing.append(("Jahr oder Datum", "year or date"))
            source = self.file_phase_source()
            if source is None and not self.default_phase:
                columns = ", ".join(
                    f"„{c}“" for c in (self.amount, self.revenue_amount, self.expense_amount) if c
                )
                issues.append(make_issue("phase_unknown", columns=columns or "-"))
            elif source is not None and self.default_phase:
                issues.append(
                    make_issue(
                        "default_phase_ignored",
                        value=self.default_phase,
                        source_de=source[0],
                        source_en=source[1],
                        severity=WARNING,
                    )
                )
        if (
            self.layout == LONG
            and (self.revenue_amount or self.expense_amount)
            and not (self.statement or self.account_code or self.direction or self.default_statement)
        ):
            issues.append(
                make_issue(
                    "statement_unknown",
                    reason_de="Beträge je Richtung, aber weder Konto noch Haushaltsart",
                    reason_en="amounts per direction, but neither account nor statement",
                )
            )
        if self.statement and self.default_statement:
            issues.append(
                make_issue(
                    "default_statement_ignored",
                    value=self.default_statement,
                    column_name=self.statement,
                    severity=WARNING,
                )
            )
        if not (
            self.account_code
            or self.account_code_fallback
            or self.direction
            or self.revenue_amount
            or self.expense_amount
        ):
            missing.append(("Konto oder Aufwand/Ertrag", "account or direction"))
        if missing:
            issues.append(
                make_issue(
                    "mapping_incomplete",
                    missing_de="; ".join(de for de, _ in missing),
                    missing_en="; ".join(en for _, en in missing),
                )
            )
        if self.layout == WIDE:
            issues.extend(self._unmapped_value_columns(header))
            seen: dict[tuple[int, str], list[str]] = {}
            for value in self.value_columns:
                seen.setdefault((value.year, value.phase), []).append(value.column)
            for (year, phase), columns in seen.items():
                if len(columns) > 1:  # would count the same money twice
                    issues.append(
                        make_issue(
                            "duplicate_value_column",
                            year=year,
                            phase=phase,
                            phase_de=_PHASE_DE[phase],
                            columns=" | ".join(columns),
                        )
                    )
        return issues

    def _unmapped_value_columns(self, header: Sequence[str]) -> list[ImportIssue]:
        """Money must never be dropped silently: value-looking columns are mapped or ignored explicitly."""
        taken = self.used_columns() | set(self.ignore_columns)
        issues = []
        for name in header:
            if name in taken:
                continue
            parsed = parse_value_header(name)
            if parsed == "bad_year":
                issues.append(
                    make_issue(
                        "bad_value_header", column=name, value=name, min_year=MIN_YEAR, max_year=MAX_YEAR
                    )
                )
            elif parsed is not None:
                issues.append(make_issue("unmapped_value_column", column=name))
        return issues


def header_fingerprint(header: Iterable[object]) -> str:
    """Stable hash of the normalised header, to recognise a saved mapping for a later file."""
    joined = "\x1f".join(normalize(cell) for cell in header)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def _fill_rates(width: int, rows: Sequence[Sequence[Any]]) -> list[int]:
    rates = [0] * width
    for row in rows:
        for i in range(min(width, len(row))):
            if cell_text(row[i]):
                rates[i] += 1
    return rates


def _assign_roles(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    keys = [normalize(h) for h in header]
    fill = _fill_rates(len(header), rows)
    found: dict[str, int] = {}
    used: set[int] = set()
    order = (
        "product_code",
        "account_code",
        "account_group_code",
        "account_name",
        "account_group_name",
        "product_name",
        "year",
        "date",
        "phase",
        "amount",
        "direction",
    )
    for role in order:
        best: tuple[int, int, int] | None = None
        for rank, synonym in enumerate(ROLE_SYNONYMS[role]):
            for index, key in enumerate(keys):
                if key == synonym and index not in used:
                    candidate = (rank, -fill[index], index)
                    best = candidate if best is None or candidate < best else best
        if best is not None:
            found[role] = best[2]
            used.add(best[2])
    return found


def _propose(
    header: Sequence[str], rows: Sequence[Sequence[Any]], land: str, delimiter: str | None
) -> tuple[Mapping, list[ImportIssue]]:
    """The proposal plus notes for the preview (``propose_mapping`` returns the mapping only)."""
    mapping, notes, _ = propose_with_detection(header, rows, land, delimiter)
    return mapping, notes


def propose_with_detection(
    header: Sequence[str], rows: Sequence[Sequence[Any]], land: str, delimiter: str | None
) -> tuple[Mapping, list[ImportIssue], Detection]:
    """Header roles for wide files (``Ist 2015`` columns); content detection (``detect``) for long ones."""
    # rows wider than the header (an unquoted delimiter in a name) would shift the columns' profiles
    rows = [row for row in rows if len(row) <= len(header)] or rows
    roles = _assign_roles(header, rows)
    name = {role: header[index] for role, index in roles.items()}
    mapping = Mapping(land=land, header_fingerprint=header_fingerprint(header))
    taken = set(roles.values())
    for index, column in enumerate(header):
        parsed = parse_value_header(column)
        if index not in taken and isinstance(parsed, tuple):
            mapping.value_columns.append(ValueColumn(column, parsed[0], parsed[1]))
    long_by_header = bool(name.get("amount") and (name.get("year") or name.get("date")))
    notes: list[ImportIssue] = []
    # a header like "Plan 20x7" is a broken value column of a wide file: reported, never read as long
    wide_signal = mapping.value_columns or any(parse_value_header(h) == "bad_year" for h in header)
    if wide_signal and not long_by_header:
        mapping.layout = WIDE
        mapping.product_code = name.get("product_code")
        mapping.product_name = name.get("product_name")
        mapping.account_code = name.get("account_code") or name.get("account_group_code")
        if name.get("account_code"):
            mapping.account_code_fallback = name.get("account_group_code")
        mapping.account_name = name.get("account_name") or name.get("account_group_name")
        if name.get("account_name"):
            mapping.account_name_fallback = name.get("account_group_name")
        mapping.direction = name.get("direction")
        detection = Detection(profile_columns(header, rows))
        for profile in detection.columns:
            role = next((r for r, c in mapping.mapped_columns().items() if c == profile.header), None)
            if role:
                profile.role, profile.confidence = role, "high"
                profile.reason_de = profile.reason_en = role
            elif any(v.column == profile.header for v in mapping.value_columns):
                profile.role, profile.confidence = "value_column", "high"
                profile.reason_de, profile.reason_en = (
                    "Phase und Jahr in der Überschrift",
                    "phase and year in the header",
                )
            else:
                profile.reason_de, profile.reason_en = "keine Rolle", "no role"
    else:
        mapping.layout = LONG
        fields, detection = detect_long(header, rows)
        for role, value in fields.items():
            setattr(mapping, role, value)
        if not (mapping.year or mapping.date) and name.get("date"):
            mapping.date = name["date"]
        notes.extend(detection.issues)
    amount_indexes = _amount_indexes(mapping, header)
    sampled = [row[i] for row in rows for i in amount_indexes if i < len(row)]
    mapping.decimal_convention = detect_decimal_convention(sampled, delimiter)[0]
    mapping.sign_convention, sign_notes = _detect_signs(mapping, header, rows, amount_indexes)
    if mapping.revenue_amount or mapping.expense_amount:
        mapping.sign_convention = AS_IS_WITH_DIRECTION_COLUMN
    return mapping, notes + sign_notes, detection


def _amount_indexes(mapping: Mapping, header: Sequence[str]) -> list[int]:
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    if mapping.layout == LONG:
        columns = (mapping.amount, mapping.revenue_amount, mapping.expense_amount)
        return [position[c] for c in columns if c in position]
    return [position[v.column] for v in mapping.value_columns if v.column in position]


def _detect_signs(
    mapping: Mapping, header: Sequence[str], rows: Sequence[Sequence[Any]], amount_indexes: list[int]
) -> tuple[str, list[ImportIssue]]:
    """Majority sign per direction in the sample; see the module docstring."""
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    scheme, _ = scheme_for_land(mapping.land)
    parse = make_amount_parser(mapping.decimal_convention)
    account_cols = [
        position[c] for c in (mapping.account_code, mapping.account_code_fallback) if c in position
    ]
    direction_col = position.get(mapping.direction) if mapping.direction else None
    counts = {REVENUE: [0, 0], EXPENSE: [0, 0]}  # [negative, positive]
    for row in rows:
        direction = None
        if direction_col is not None and direction_col < len(row):
            found = direction_of(cell_text(row[direction_col]))
            direction = found[1] if found else None
        if direction is None:
            for col in account_cols:
                code = cell_text(row[col]) if col < len(row) else ""
                if code:
                    account_class = classify_account(code, scheme)
                    direction = account_class.direction if account_class else None
                    break
        if direction is None:
            continue
        for i in amount_indexes:
            if i >= len(row):
                continue
            try:
                value = parse(row[i])
            except NumberFormatError:
                continue
            if value:
                counts[direction][0 if value < 0 else 1] += 1
    revenue_negative = counts[REVENUE][0] > counts[REVENUE][1]
    expense_negative = counts[EXPENSE][0] > counts[EXPENSE][1]
    plain = AS_IS_WITH_DIRECTION_COLUMN if mapping.direction else ALL_POSITIVE
    if revenue_negative and expense_negative:
        return plain, [make_issue("sign_mixed", severity=WARNING)]
    if revenue_negative:
        return REVENUE_NEGATIVE, []
    if expense_negative:
        return EXPENSE_NEGATIVE, []
    return plain, []


def propose_mapping(
    header: Sequence[str],
    sample_rows: Sequence[Sequence[Any]],
    land: str = "NW",
    *,
    delimiter: str | None = None,
) -> Mapping:
    """Propose a mapping from a header and sample rows (raw cells); ``delimiter`` sets the decimal default."""
    return _propose(list(header), sample_rows, land, delimiter)[0]


def mapping_errors(issues: Iterable[ImportIssue]) -> list[ImportIssue]:
    """Only the errors among issues (warnings do not stop an import)."""
    return [issue for issue in issues if issue.severity == ERROR]


__all__ = [
    "ALL_POSITIVE",
    "AS_IS_WITH_DIRECTION_COLUMN",
    "EXPENSE_NEGATIVE",
    "LAYOUTS",
    "LONG",
    "REVENUE_NEGATIVE",
    "ROLES",
    "SIGN_CONVENTIONS",
    "WIDE",
    "Mapping",
    "MappingError",
    "ValueColumn",
    "header_fingerprint",
    "propose_mapping",
]
