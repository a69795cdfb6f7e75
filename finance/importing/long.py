"""Long layouts: one amount per row (or one per direction), with year, phase, direction and statement
taken from columns, from the amount's header, from the account class or from the user's answer.

Every row's phase and statement come from what the FILE says first; a default (``default_phase``,
``default_statement``) is used only where the file says nothing, and the mapping check reports a
default that the file overrides. Cell words are translated by the mapping's ``value_maps`` first
(``Rechnung`` -> actual, ``E`` -> revenue, ``VwH`` -> kameral_vwh), then by the vocabulary.

Long files are read completely before records are handed out (they are small: one row per product,
account, year and phase), because two checks need the whole file:

* **group rows** (Weinheim): a product code that is the prefix of other codes in the file (``3650``
  next to ``36500101`` and ``36500102``) is a group row when its amounts equal the sums of the rows
  below it: then it is left out with a note. When they differ the file is refused, naming the rows,
  unless the mapping says ``group_rows: keep_groups`` (keep the group rows, leave out the rows below)
  or ``separate`` (every row is its own product). Kameral Gliederung numbers drop leading zeros
  (``10`` is ``010``), so prefixes mean nothing there and kameral files are not checked;
* **total rows**: a row without product and account whose name starts with Summe/Gesamt/Insgesamt/
  Total is compared with the sum of all other rows of its year, phase and direction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .issues import WARNING, make_issue
from .numbers import ZERO, NumberFormatError
from .records import BudgetRecord
from .reference import EXPENSE, KAMERAL_STATEMENTS, REVENUE, classify_account
from .vocabulary import MAX_YEAR, MIN_YEAR, direction_of, normalize, phase_of, statement_of

if TYPE_CHECKING:
    from .normalise import RowReader

_PREFIXED_CODE = re.compile(r"^[^\d\s]+\.?\s+(\d[\w./-]*)$")  # "Produktgruppe 01.01" -> "01.01"
_TOTAL_WORDS = ("summe", "gesamt", "insgesamt", "total", "gesamtsumme")
_DIRECTION_DE = {REVENUE: "Ertrag/Einnahme", EXPENSE: "Aufwand/Ausgabe"}
_DIRECTION_EN = {REVENUE: "revenue", EXPENSE: "expense"}
PRODUCT_CODE_LIMIT = 40
ACCOUNT_CODE_LIMIT = 20


def clean_code(text: str) -> str:
    """A code cell without a leading label word: ``Produktgruppe 01.01`` -> ``01.01``."""
    match = _PREFIXED_CODE.match(text)
    return match[1] if match else text


def _canonical_direction(word: str) -> tuple[str | None, str] | None:
    if word in (REVENUE, EXPENSE):
        return None, word
    return direction_of(word)


def _german(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


class LongReader:
    """Reads a long-layout table for a ``RowReader`` (which owns the result, issues and helpers)."""

    def __init__(self, owner: RowReader) -> None:
        self.owner = owner
        self.result = owner.result
        self.mapping = owner.result.mapping
        self.header = owner.table.header
        position = {name: i for i, name in reversed(list(enumerate(self.header)))}
        self.position = position
        self.parts = [position[c] for c in self.mapping.product_code_parts]
        maps = self.mapping.value_maps
        self.maps = {role: {normalize(k): v for k, v in maps.get(role, {}).items()} for role in maps}
        self.negative_notes = 0

    # -- cell words --------------------------------------------------------------------------------
    def _mapped(self, role: str, text: str) -> str | None:
        table = self.maps.get(role)
        return table.get(normalize(text)) if table else None

    def phase(self, text: str) -> str | None:
        return self._mapped("phase", text) or phase_of(text)

    def direction(self, text: str) -> tuple[str | None, str] | None:
        mapped = self._mapped("direction", text)
        return (None, mapped) if mapped else direction_of(text)

    def statement(self, text: str) -> str | None:
        return self._mapped("statement", text) or statement_of(text)

    # -- rows --------------------------------------------------------------------------------------
    def run(self, rows: Iterator[tuple[int, list[Any]]], text: Any) -> list[BudgetRecord]:
        owner, add, idx, header, m = (
            self.owner,
            self.result._add,
            owner_index(self.owner),
            self.header,
            self.mapping,
        )
        amounts: list[tuple[int, str | None]] = []  # (position, direction fixed by the column)
        if m.amount:
            amounts.append((self.position[m.amount], None))
        if m.revenue_amount:
            amounts.append((self.position[m.revenue_amount], REVENUE))
        if m.expense_amount:
            amounts.append((self.position[m.expense_amount], EXPENSE))
        records: list[BudgetRecord] = []
        totals: list[tuple[int, list[Any]]] = []
        statement_missing: list[int] = []
        stats = self.result.stats
        parse = owner.parse_amount
        for line, cells in rows:
            stats.data_rows += 1
            product_code = self._product_code(cells, text, idx)
            product_name = text(cells[idx["product_name"]]) if "product_name" in idx else ""
            account = text(cells[idx["account_code"]]) if "account_code" in idx else ""
            if not account and "account_code_fallback" in idx:
                account = text(cells[idx["account_code_fallback"]])
            account_name = text(cells[idx["account_name"]]) if "account_name" in idx else ""
            if not account_name and "account_name_fallback" in idx:
                account_name = text(cells[idx["account_name_fallback"]])
            if not product_code and not account and _is_total_name(product_name or account_name):
                totals.append((line, cells))
                continue
            entry = owner._long_year_phase(line, cells, text, self)
            if entry is None:
                continue
            year, phase = entry
            row_statement, row_direction, ok = self._statement_direction(line, cells, text, idx, account)
            if not ok:
                continue
            if not product_code and product_name:
                product_code = product_name[:PRODUCT_CODE_LIMIT]  # a file without product numbers
            if not account and account_name:
                account = account_name[:ACCOUNT_CODE_LIMIT]  # accounts given by name only
            for position, fixed in amounts:
                raw = cells[position]
                try:
                    amount = parse(raw)
                except NumberFormatError as exc:
                    if text(raw).casefold() in ("nan", "null", "none", "n/a", "#nv"):
                        owner.zero_amounts += 1
                        continue
                    add(make_issue(exc.code, line=line, column=header[position], value=text(raw)))
                    continue
                if not amount:
                    owner.zero_amounts += 1
                    continue
                direction = fixed or row_direction
                if direction is None:
                    add(make_issue("no_account", line=line))
                    continue
                statement = row_statement or m.default_statement
                if statement is None:
                    statement_missing.append(line)
                    continue
                if fixed is not None and amount < 0:
                    self.negative_notes += 1
                    if self.negative_notes <= 20:
                        add(
                            make_issue(
                                "negative_in_direction_column",
                                line=line,
                                column=header[position],
                                value=text(raw),
                                direction_de=_DIRECTION_DE[fixed],
                                direction_en=_DIRECTION_EN[fixed],
                                severity=WARNING,
                            )
                        )
                elif owner.flip[direction]:
                    amount = -amount
                records.append(
                    BudgetRecord(
                        line,
                        product_code,
                        product_name,
                        account,
                        account_name,
                        year,
                        phase,
                        statement,
                        direction,
                        amount,
                    )
                )
        if statement_missing:
            count, first = len(statement_missing), statement_missing[0]
            add(
                make_issue(
                    "statement_unknown",
                    line=statement_missing[0],
                    reason_de=f"{count} Zeilen ohne Haushaltsart, erste: {first}",
                    reason_en=f"{count} rows without a statement, first: {first}",
                )
            )
        if not stats.data_rows:
            add(make_issue("no_data"))
        records = self._group_rows(records)
        for line, cells in totals:
            self._total_row(line, cells, records, amounts, text)
        return records

    def _product_code(self, cells: list[Any], text: Any, idx: dict[str, int]) -> str:
        if self.parts:
            pieces = [clean_code(text(cells[i])) for i in self.parts]
            return ".".join(p for p in pieces if p)
        if "product_code" in idx:
            return clean_code(text(cells[idx["product_code"]]))
        return ""

    def _statement_direction(
        self, line: int, cells: list[Any], text: Any, idx: dict[str, int], account: str
    ) -> tuple[str | None, str | None, bool]:
        """(statement, direction, ok) of a row from statement column, direction column, account class."""
        add, header, m = self.result._add, self.header, self.mapping
        statement = direction = None
        if "statement" in idx:
            word = text(cells[idx["statement"]])
            if word:
                statement = self.statement(word)
                if statement is None:
                    add(
                        make_issue(
                            "unknown_statement", line=line, column=header[idx["statement"]], value=word
                        )
                    )
                    return None, None, False
        if "direction" in idx:
            word = text(cells[idx["direction"]])
            if word:
                found = self.direction(word)
                if found is None:
                    add(
                        make_issue(
                            "unknown_direction", line=line, column=header[idx["direction"]], value=word
                        )
                    )
                    return None, None, False
                word_statement, direction = found
                kameral = statement in KAMERAL_STATEMENTS or m.default_statement in KAMERAL_STATEMENTS
                if word_statement and statement and statement != word_statement and not kameral:
                    add(
                        make_issue(
                            "statement_conflict",
                            line=line,
                            column=header[idx["statement"]],
                            value=text(cells[idx["statement"]]),
                            statement=statement,
                            other=word_statement,
                        )
                    )
                    return None, None, False
                if not kameral:
                    statement = statement or word_statement
        kameral = statement in KAMERAL_STATEMENTS or (
            statement is None and m.default_statement in KAMERAL_STATEMENTS
        )
        # Gruppierung numbers are read through the kameral frame (m.system), never a doppik chart
        readable = not kameral or m.system == "kameral"
        if account and account[:1].isdigit() and readable and "account_code" in idx:
            account_class = classify_account(account, self.owner.scheme)
            if account_class is not None and account_class.kind == "skip":
                self.owner._skip(line, cells, account[:1], account_class.name)
                return None, None, False
            if account_class is not None and account_class.kind == "budget":
                conflict = statement and statement != account_class.statement and "statement" in idx
                if conflict and not (m.system == "kameral" and statement in KAMERAL_STATEMENTS):
                    add(
                        make_issue(
                            "statement_conflict",
                            line=line,
                            column=header[idx["statement"]],
                            value=text(cells[idx["statement"]]),
                            statement=statement,
                            other=account_class.statement,
                        )
                    )
                    return None, None, False
                statement = statement or account_class.statement
                direction = direction or account_class.direction
            elif account_class is not None and direction is None:
                add(
                    make_issue(
                        "account_not_budget",
                        line=line,
                        column=header[idx["account_code"]],
                        value=account,
                        account_class=account[:1],
                        class_name=account_class.name,
                    )
                )
                return None, None, False
        return statement, direction, True

    # -- whole-file checks ------------------------------------------------------------------------
    def _group_rows(self, records: list[BudgetRecord]) -> list[BudgetRecord]:
        m = self.mapping
        if m.group_rows == "separate" or m.account_code or not records:
            return records
        if any(r.statement in KAMERAL_STATEMENTS for r in records):
            return records
        codes = sorted({r.product_code for r in records if r.product_code})
        code_set = set(codes)
        parent: dict[str, str] = {}
        for code in codes:
            for cut in range(len(code) - 1, 0, -1):
                if code[:cut] in code_set:
                    parent[code] = code[:cut]
                    break
        if not parent:
            return records
        sums: dict[tuple[str, int, str, str, str], Decimal] = {}
        first_line: dict[tuple[str, int, str, str, str], int] = {}
        for r in records:
            key = (r.product_code, r.year, r.phase, r.statement, r.direction)
            sums[key] = sums.get(key, ZERO) + r.amount
            first_line.setdefault(key, r.line)
        children_sums: dict[tuple[str, int, str, str, str], Decimal] = {}
        children: dict[str, list[str]] = {}
        for child, group in parent.items():
            children.setdefault(group, []).append(child)
        for (code, year, phase, statement, direction), amount in sums.items():
            group = parent.get(code)
            if group is not None:
                key = (group, year, phase, statement, direction)
                children_sums[key] = children_sums.get(key, ZERO) + amount
        groups = set(children)
        if m.group_rows == "keep_groups":
            below = set(parent)
            return [r for r in records if r.product_code not in below]
        mismatches = 0
        for key, amount in sums.items():
            code = key[0]
            if code not in groups:
                continue
            expected = children_sums.get(key, ZERO)
            if amount != expected:
                mismatches += 1
                self.result._add(
                    make_issue(
                        "group_rows_mismatch",
                        line=first_line[key],
                        column=m.product_code or (m.product_code_parts[-1] if m.product_code_parts else None),
                        value=code,
                        direction_de=_DIRECTION_DE[key[4]],
                        direction_en=_DIRECTION_EN[key[4]],
                        year=key[1],
                        amount=_german(amount),
                        children=", ".join(sorted(children[code])),
                        children_sum=_german(expected),
                    )
                )
        if mismatches:
            return records
        self.result._add(
            make_issue(
                "group_rows_excluded",
                count=sum(1 for r in records if r.product_code in groups),
                codes=", ".join(sorted(groups)),
                severity=WARNING,
            )
        )
        return [r for r in records if r.product_code not in groups]

    def _total_row(
        self,
        line: int,
        cells: list[Any],
        records: list[BudgetRecord],
        amounts: list[tuple[int, str | None]],
        text: Any,
    ) -> None:
        """A 'Summe' row: its amount must equal the sum of the other rows of its year and phase."""
        owner, add = self.owner, self.result._add
        entry = owner._long_year_phase(line, cells, text, self)
        if entry is None:
            return
        year, phase = entry
        idx = owner_index(owner)
        direction = None
        if "direction" in idx and text(cells[idx["direction"]]):
            found = self.direction(text(cells[idx["direction"]]))
            direction = found[1] if found else None
        for position, fixed in amounts:
            try:
                amount = owner.parse_amount(cells[position])
            except NumberFormatError as exc:
                add(
                    make_issue(exc.code, line=line, column=self.header[position], value=text(cells[position]))
                )
                return
            wanted = fixed or direction
            expected = sum(
                (r.amount for r in records if r.year == year and r.phase == phase and r.direction == wanted),
                ZERO,
            )
            if wanted is None or amount != expected:
                add(
                    make_issue(
                        "total_row_mismatch",
                        line=line,
                        column=self.header[position],
                        value=text(cells[position]),
                        expected=_german(expected),
                    )
                )
                return
        self.result.stats.total_rows += 1
        add(make_issue("total_row_ok_long", line=line, severity=WARNING))


def owner_index(owner: RowReader) -> dict[str, int]:
    return owner.index


def _is_total_name(name: str) -> bool:
    first = normalize(name).split(" ", 1)[0] if name else ""
    return first in _TOTAL_WORDS


def read_year(text: str) -> int | str:
    """A year cell (``2017``, ``2017.0`` as pandas writes it): the year, or an issue code."""
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isdigit() and text.isascii()):
        return "not_a_year"
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else "year_out_of_range"
