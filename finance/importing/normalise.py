"""The per-row work of the parser: classify, convert and emit records (the "normalise" step).

Split from ``parser`` so that the streaming/validation contract and the hot loop can be read apart.
Everything here is driven by a ``ParseResult`` (issues, stats, totals live there).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .issues import WARNING, make_issue
from .mapping import EXPENSE_NEGATIVE, LONG, REVENUE_NEGATIVE
from .numbers import ZERO, NumberFormatError, make_amount_parser
from .records import BudgetRecord
from .reference import (
    EXPENSE,
    KAMERAL_GRUPPIERUNG,
    RESULTS,
    REVENUE,
    classify_account,
    scheme_for_land,
)
from .sources import XLSX, Table, cell_text
from .vocabulary import MAX_YEAR, MIN_YEAR, direction_of, phase_of

if TYPE_CHECKING:
    from .parser import ParseResult

_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+)?$")


class RowReader:
    """The hot loop, with every per-file decision resolved to local variables up front.

    Totals are kept per (statement, direction) kind and value column in plain lists and merged into
    the result's totals per chunk: one list update per amount instead of a tuple key and a dict update.
    """

    def __init__(self, result: ParseResult, table: Table) -> None:
        self.result = result
        self.table = table
        m = result.mapping
        header = table.header
        position = {name: i for i, name in reversed(list(enumerate(header)))}
        self.index = {role: position[name] for role, name in m.mapped_columns().items()}
        self.values = [
            (position[v.column], v.year, v.phase, v.column, j) for j, v in enumerate(m.value_columns)
        ]
        self.width = len(header)
        self.scheme, _ = scheme_for_land(m.land)
        if m.system == "kameral":
            self.scheme = KAMERAL_GRUPPIERUNG
        self.parse_amount = make_amount_parser(m.decimal_convention)
        self.flip = {
            REVENUE: m.sign_convention == REVENUE_NEGATIVE,
            EXPENSE: m.sign_convention == EXPENSE_NEGATIVE,
        }
        self.class_cache: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.kind_sums: dict[tuple[str, str], list[Decimal | None]] = {}
        self.skipped: dict[str, list[Any]] = {}
        self.skipped_raw: dict[int, Decimal] = {}
        self.year_cache: dict[Any, int | str] = {}
        self.zero_amounts = 0

    def flush_sums(self) -> None:
        """Merge the per-kind column sums into the result's totals (and the zero counter)."""
        sums = self.result._sums
        for (statement, direction), column_sums in self.kind_sums.items():
            for (_, year, phase, _, j), total in zip(self.values, column_sums, strict=True):
                if total is not None:
                    key = (year, phase, statement, direction)
                    sums[key] = sums.get(key, ZERO) + total
                    column_sums[j] = None
        self.result.stats.zero_amounts += self.zero_amounts
        self.zero_amounts = 0

    def run(self) -> Iterator[list[BudgetRecord]]:
        result, stats, add = self.result, self.result.stats, self.result._add
        is_xlsx = self.table.info.format == XLSX
        text = cell_text if is_xlsx else str.strip
        width, chunk_size = self.width, result.chunk_size
        idx = self.index
        pc, pn = idx.get("product_code", -1), idx.get("product_name", -1)
        ac, acf = idx.get("account_code", -1), idx.get("account_code_fallback", -1)
        an, anf = idx.get("account_name", -1), idx.get("account_name_fallback", -1)
        dc = idx.get("direction", -1)
        long_layout = result.mapping.layout == LONG
        values, class_cache = self.values, self.class_cache
        parser = self.parse_amount
        if is_xlsx:  # typed cells: no text shortcuts
            zeros: frozenset[Any] = frozenset({None, ""})
            memo_get: Any = {}.get
            fresh: Any = parser
        else:
            zeros, memo_get, fresh = parser.zeros, parser.memo.get, parser.fresh
        if long_layout:
            yield from self._run_long(text, width, is_xlsx)
            return
        record = BudgetRecord
        buffer: list[BudgetRecord] = []
        append = buffer.append
        zero_count = 0
        seen = 0
        for line, cells in self.table.rows():
            seen += 1
            size = len(cells)
            if size != width:
                if size > width and any(text(c) for c in cells[width:] if c is not None):
                    repaired = None if is_xlsx else self._repair(line, cells)
                    if repaired is None:
                        add(make_issue("ragged_row", line=line, found=size, expected=width))
                        continue
                    cells = repaired
                elif size < width:
                    if not is_xlsx:
                        add(make_issue("ragged_row", line=line, found=size, expected=width))
                        continue
                    cells = cells + [None] * (width - size)
            stats.data_rows += 1
            account = text(cells[ac]) if ac >= 0 else ""
            if not account and acf >= 0:
                account = text(cells[acf])
            direction_text = text(cells[dc]) if dc >= 0 else ""
            key = (account[:1], direction_text)
            kind = class_cache.get(key)
            if kind is None:
                kind = class_cache[key] = self._classify(account, direction_text)
            product_code = text(cells[pc]) if pc >= 0 else ""
            product_name = text(cells[pn]) if pn >= 0 else ""
            account_name = text(cells[an]) if an >= 0 else ""
            if not account_name and anf >= 0:
                account_name = text(cells[anf])
            if kind[0] != "ok":
                self._other_row(
                    kind,
                    line,
                    cells,
                    account,
                    direction_text,
                    not (product_code or product_name or account_name),
                )
                continue
            _, statement, direction, flip, column_sums = kind
            if long_layout:
                self._long_row(
                    line, cells, text, kind, product_code, product_name, account, account_name, buffer
                )
            else:
                for position, year, phase, column, j in values:
                    raw = cells[position]
                    if raw in zeros:
                        zero_count += 1
                        continue
                    amount = memo_get(raw)
                    if amount is None:
                        try:
                            amount = fresh(raw)
                        except NumberFormatError as exc:
                            add(make_issue(exc.code, line=line, column=column, value=text(raw)))
                            continue
                    if not amount:
                        zero_count += 1
                        continue
                    if flip:
                        amount = -amount
                    append(
                        record(
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
                    total = column_sums[j]
                    column_sums[j] = amount if total is None else total + amount
            if len(buffer) >= chunk_size:
                self.zero_amounts += zero_count
                zero_count = 0
                self.flush_sums()
                stats.records += len(buffer)
                yield buffer
                buffer = []
                append = buffer.append
        self.zero_amounts += zero_count
        self.flush_sums()
        if not seen:
            add(make_issue("no_data"))
        if buffer:
            stats.records += len(buffer)
            yield buffer
        self._report_skipped()

    def _run_long(self, text: Any, width: int, is_xlsx: bool) -> Iterator[list[BudgetRecord]]:
        """Long layouts are read whole (see ``long``), then handed out in chunks."""
        from .long import LongReader

        add = self.result._add

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for line, cells in self.table.rows():
                size = len(cells)
                if size != width:
                    if size > width and any(text(c) for c in cells[width:] if c is not None):
                        repaired = None if is_xlsx else self._repair(line, cells)
                        if repaired is None:
                            add(make_issue("ragged_row", line=line, found=size, expected=width))
                            continue
                        cells = repaired
                    elif size < width:
                        if not is_xlsx:
                            add(make_issue("ragged_row", line=line, found=size, expected=width))
                            continue
                        cells = cells + [None] * (width - size)
                yield line, cells

        records = LongReader(self).run(rows(), text)
        sums, stats = self.result._sums, self.result.stats
        for record in records:
            key = (record.year, record.phase, record.statement, record.direction)
            sums[key] = sums.get(key, ZERO) + record.amount
        stats.zero_amounts += self.zero_amounts
        self.zero_amounts = 0
        self._report_skipped()
        for start in range(0, len(records), self.result.chunk_size):
            chunk = records[start : start + self.result.chunk_size]
            stats.records += len(chunk)
            yield chunk

    def _repair(self, line: int, cells: list[Any]) -> list[Any] | None:
        """A row with extra fields because a text field holds the delimiter unquoted (``Steuern, allg.
        Zuweisungen`` in a comma file): the fields are joined back at a name column when exactly one
        such column makes every number, year and word cell of the row valid again; else None."""
        extra = len(cells) - self.width
        if extra > 3:
            return None
        names = {"product_name", "account_name", "account_name_fallback"}
        used = set(self.index.values()) | {p for p, *_ in self.values}
        candidates = [i for role, i in self.index.items() if role in names]
        candidates += [i for i in range(self.width) if i not in used]
        delimiter = self.table.info.delimiter or ";"
        fits = []
        for i in sorted(set(candidates)):
            merged = [*cells[:i], delimiter.join(cells[i : i + extra + 1]), *cells[i + extra + 1 :]]
            if self._plausible(merged):
                fits.append(merged)
        if len(fits) != 1:
            return None
        self.result._add(make_issue("delimiter_in_text", line=line, value=delimiter, severity=WARNING))
        return fits[0]

    def _plausible(self, cells: list[Any]) -> bool:
        """Do the typed cells of a (repaired) row read as what their roles say?"""
        from .long import read_year

        idx = self.index
        positions = [p for p, *_ in self.values] + [
            idx[r] for r in ("amount", "revenue_amount", "expense_amount") if r in idx
        ]
        try:
            for position in positions:
                self.parse_amount(cells[position])
        except NumberFormatError:
            return False
        if "year" in idx and not isinstance(read_year(cell_text(cells[idx["year"]])), int):
            return False
        if "phase" in idx and cell_text(cells[idx["phase"]]) and not phase_of(cell_text(cells[idx["phase"]])):
            return False
        direction = cell_text(cells[idx["direction"]]) if "direction" in idx else ""
        if direction and not direction_of(direction):
            return False
        account = cell_text(cells[idx["account_code"]]) if "account_code" in idx else ""
        return not (account and not account[:1].isdigit() and "direction" not in idx)

    def _row_year(self, line: int, cells: list[Any], read: Any) -> int | None:
        """The year of a long-layout row from its year or date column (``read`` parses a year cell); None
        after recording the problem."""
        idx, header = self.index, self.table.header
        key = "year" if "year" in idx else "date"
        raw = cells[idx[key]]
        year = self.year_cache.get(raw)
        if year is None:
            parsed = read(cell_text(raw)) if key == "year" else _read_date_year(raw)
            year = self._remember_year(raw, parsed)
        if isinstance(year, str):
            self.result._add(
                make_issue(
                    year,
                    line=line,
                    column=header[idx[key]],
                    value=cell_text(raw),
                    min_year=MIN_YEAR,
                    max_year=MAX_YEAR,
                )
            )
            return None
        return year

    def _long_year_phase(self, line: int, cells: list[Any], text: Any, reader: Any) -> tuple[int, str] | None:
        """(year, phase) of a long-layout row: the file's phase column or amount header before a default."""
        from .long import read_year

        idx, header, add, m = self.index, self.table.header, self.result._add, self.result.mapping
        year = self._row_year(line, cells, read_year)
        if year is None:
            return None
        phase = None
        if "phase" in idx:
            phase_text = text(cells[idx["phase"]])
            if phase_text:
                phase = reader.phase(phase_text)
                if phase is None:
                    add(make_issue("unknown_phase", line=line, column=header[idx["phase"]], value=phase_text))
                    return None
        phase = phase or m.header_phase or m.default_phase
        if phase is None:
            add(
                make_issue(
                    "unknown_phase",
                    line=line,
                    column=header[idx["phase"]] if "phase" in idx else None,
                    value="",
                )
            )
            return None
        return year, phase

    def _other_row(
        self,
        kind: tuple[Any, ...],
        line: int,
        cells: list[Any],
        account: str,
        direction_text: str,
        no_text: bool,
    ) -> None:
        """Rows that produce no records: skipped classes, total rows, and errors."""
        add, header, idx = self.result._add, self.table.header, self.index
        if kind[0] == "none":
            if self.result.mapping.layout != LONG and no_text:
                self._total_row(line, cells)
            else:
                add(make_issue("no_account", line=line))
        elif kind[0] == "skip":
            self._skip(line, cells, kind[1], kind[2])
        elif kind[1] == "unknown_direction":
            add(
                make_issue(
                    "unknown_direction", line=line, column=header[idx["direction"]], value=direction_text
                )
            )
        else:
            # name the column the account code came from (the fallback when the main one is empty)
            role = "account_code"
            if "account_code" not in idx or not cell_text(cells[idx["account_code"]]):
                role = "account_code_fallback" if "account_code_fallback" in idx else "account_code"
            column = header[idx[role]] if role in idx else None
            add(make_issue(kind[1], line=line, column=column, value=account, **kind[2]))

    def _long_row(
        self,
        line: int,
        cells: list[Any],
        text: Any,
        kind: tuple[Any, ...],
        product_code: str,
        product_name: str,
        account: str,
        account_name: str,
        buffer: list[BudgetRecord],
    ) -> None:
        """One long-layout row: year/date, phase and amount columns give at most one record."""
        entry = self._long_entry(line, cells, text)
        if entry is None:
            return
        position, year, phase, column = entry
        _, statement, direction, flip, _ = kind
        try:
            amount = self.parse_amount(cells[position])
        except NumberFormatError as exc:
            self.result._add(make_issue(exc.code, line=line, column=column, value=cell_text(cells[position])))
            return
        if not amount:
            self.zero_amounts += 1
            return
        if flip:
            amount = -amount
        buffer.append(
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
        sums, key = self.result._sums, (year, phase, statement, direction)
        sums[key] = sums.get(key, ZERO) + amount

    def _classify(self, account: str, direction_text: str) -> tuple[Any, ...]:
        """Per distinct (account class digit, direction cell): what the row is. Cached by the caller."""
        account_class = classify_account(account, self.scheme) if account else None
        if account_class is not None and account_class.kind == "skip":
            return ("skip", account[:1], account_class.name)
        statement = direction = None
        if direction_text:
            found = direction_of(direction_text)
            if found is None:
                return ("error", "unknown_direction", {})
            statement, direction = found
        if account_class is not None:
            if account_class.kind == "invalid" and direction is None:
                return (
                    "error",
                    "account_not_budget",
                    {"account_class": account[:1], "class_name": account_class.name},
                )
            if account_class.kind == "budget":
                statement = account_class.statement
                direction = direction or account_class.direction
        elif account and direction is None:
            return ("error", "account_unknown", {})
        if direction is None:
            return ("none",)
        statement = statement or RESULTS
        column_sums = self.kind_sums.setdefault((statement, direction), [None] * len(self.values))
        return ("ok", statement, direction, self.flip[direction], column_sums)

    def _long_entry(self, line: int, cells: list[Any], text: Any) -> tuple[int, int, str, str] | None:
        """(amount position, year, phase, column) for a long-layout row, or None after an error."""
        idx, header, add = self.index, self.table.header, self.result._add
        year = self._row_year(line, cells, _read_year)
        if year is None:
            return None
        phase = self.result.mapping.default_phase
        if "phase" in idx:
            phase_text = text(cells[idx["phase"]])
            if phase_text:
                phase = phase_of(phase_text)
                if phase is None:
                    add(make_issue("unknown_phase", line=line, column=header[idx["phase"]], value=phase_text))
                    return None
        if phase is None:
            add(
                make_issue(
                    "unknown_phase",
                    line=line,
                    column=header[idx["phase"]] if "phase" in idx else None,
                    value="",
                )
            )
            return None
        position = idx["amount"]
        return position, year, phase, header[position]

    def _remember_year(self, raw: Any, year: int | str) -> int | str:
        if len(self.year_cache) >= 10_000:  # dates with times could be all different: stay bounded
            self.year_cache.clear()
        self.year_cache[raw] = year
        return year

    def _skip(self, line: int, cells: list[Any], account_class: str, class_name: str) -> None:
        """Count a row outside the budget; its amounts still count towards a file's total row."""
        self.result.stats.skipped_rows += 1
        entry = self.skipped.setdefault(account_class, [0, line, class_name])
        entry[0] += 1
        if self.result.mapping.layout == LONG:
            return
        for position, _, _, column, _ in self.values:
            try:
                amount = self.parse_amount(cells[position])
            except NumberFormatError as exc:
                self.result._add(
                    make_issue(exc.code, line=line, column=column, value=cell_text(cells[position]))
                )
                continue
            if amount:
                self.skipped_raw[position] = self.skipped_raw.get(position, ZERO) + amount

    def _total_row(self, line: int, cells: list[Any]) -> None:
        """A row with amounts but no product/account: accept it only as the file's exact grand total."""
        stats, add, sums = self.result.stats, self.result._add, self.result._sums
        found_any = False
        self.flush_sums()
        for position, year, phase, column, _ in self.values:
            try:
                amount = self.parse_amount(cells[position])
            except NumberFormatError as exc:
                add(make_issue(exc.code, line=line, column=column, value=cell_text(cells[position])))
                return
            # The file's total is over raw cells: undo the sign convention of the stored amounts.
            expected = self.skipped_raw.get(position, ZERO)
            for (y, p, _statement, direction), value in sums.items():
                if y == year and p == phase:
                    expected += -value if self.flip[direction] else value
            if amount != expected:
                add(
                    make_issue(
                        "total_row_mismatch",
                        line=line,
                        column=column,
                        value=cell_text(cells[position]),
                        expected=_german(expected),
                    )
                )
                return
            found_any = found_any or bool(amount)
        if not found_any:
            stats.skipped_rows += 1  # an all-zero row without any text: nothing to import
            return
        stats.total_rows += 1
        add(make_issue("total_row_ok", line=line, severity=WARNING))

    def _report_skipped(self) -> None:
        for account_class, (count, first_line, class_name) in sorted(self.skipped.items()):
            self.result._add(
                make_issue(
                    "skipped_accounts",
                    severity=WARNING,
                    count=count,
                    account_class=account_class,
                    class_name=class_name,
                    first_line=first_line,
                )
            )


def _german(amount: Decimal) -> str:
    """1234567.5 -> 1.234.567,50 (for messages to German users)."""
    return f"{amount:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _read_year(text: str) -> int | str:
    """A year cell: the year, or an issue code."""
    if not (text.isdigit() and text.isascii()):
        return "not_a_year"
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else "year_out_of_range"


def _read_date_year(raw: Any) -> int | str:
    """Year of a date cell (``31.12.2017``, ``2017-12-31``, or an Excel date), or an issue code."""
    if isinstance(raw, dt.date):
        year = raw.year
    else:
        text = cell_text(raw)
        match = _DATE_DE.match(text)
        parts = (match[3], match[2], match[1]) if match else None
        if parts is None:
            match = _DATE_ISO.match(text)
            parts = (match[1], match[2], match[3]) if match else None
        if parts is None:
            return "not_a_date"
        try:
            year = dt.date(int(parts[0]), int(parts[1]), int(parts[2])).year
        except ValueError:
            return "not_a_date"
    return year if MIN_YEAR <= year <= MAX_YEAR else "year_out_of_range"
