"""Reading a wide CSV export column-wise: pyarrow blocks, amounts as exact int64 cents, no Python per cell.

The row reader (``normalise.RowReader``) is the reference: it knows every defect of real files and words
every message. This reader is the fast path for the common large case and gives the same lines, totals,
counters and warnings, or gives up (``Fallback``) so that the caller reads the file again with the row
reader, which then finds and words the problem exactly as before. Nothing this reader produced may be kept
after a ``Fallback`` (the import service writes it inside a savepoint and rolls that back).

It is used when the detection (``sources``: encoding, delimiter, header row; ``mapping``: roles, value
columns, decimal and sign convention) is done and the file is a CSV in an ASCII-compatible encoding with a
wide layout. Steps:

1. **Line scan** (bytes, numpy): every ``\\n`` must end a record (an even number of quotes before it), no
   lone ``\\r``. Then the n-th data row is on line ``header_line + n`` (line numbers are physical lines as
   in the row reader) and pyarrow can start right after the header.
2. **Blocks** (``pyarrow.csv.open_csv``, ``block_size`` bytes at a time, bounded memory): only the used
   columns, all as text; a row with another number of fields, an empty line, a quote problem: ``Fallback``.
   At the end the number of rows read must equal the number of lines after the header.
3. **Amounts**: the form almost every export writes (``-1.234,56``, ``1234,56-``; ``1,234.56`` in ``en``
   files) and plain integers are checked by one regex and turned into cents by removing the marks and
   casting to int64; every other distinct text (``nan``, ``1,5``, ``1.5E+06``, ``29.026.000`` …) goes once
   through the row reader's ``AmountParser``; a text it refuses means ``Fallback``.
4. **Rows**: codes and names trimmed, the account fallback column where the account is empty; each distinct
   (account class, direction text) is classified by the row reader's ``_classify``. Rows outside the budget
   (class 9, 8) are counted as skipped like the row reader does; a total row, a row without account, an
   error class: ``Fallback``.
5. **Lines** (``LineBlock``): the non-zero cells, row by row and value column by value column (the row
   reader's order), positive in their direction, with integer ids for product, account and
   (year, phase, statement, direction).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from .mapping import WIDE
from .numbers import DECIMAL_COMMA, NumberFormatError
from .sources import CSV, Table

if TYPE_CHECKING:
    from .parser import ParseResult

ASCII_COMPATIBLE = {"utf-8": "utf8", "utf-8-sig": "utf8", "cp1252": "cp1252", "latin-1": "latin-1"}
BLOCK_BYTES = 8 << 20
_SCAN_CHUNK = 8 << 20
KIND_SLOTS = 16  # (statement, direction) kinds per value column: 5 statements x 2 directions fit
_FAST = {
    DECIMAL_COMMA: r"^-?(?:\d{1,3}(?:\.\d{3})+|\d{1,13})(?:,\d\d)?-?$",
    "en": r"^-?(?:\d{1,3}(?:,\d{3})+|\d{1,13})(?:\.\d\d)?-?$",
}
_MARKS = r"[.,-]"
_INT64_BOUND = 4e18  # sums stay exact in int64 below this (checked on the sum of magnitudes)


ENABLED = True  # tests switch it off to compare with the row reader


class Fallback(Exception):
    """This file (or this part of it) needs the row reader; the message says why (for the timings)."""


def available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return False
    return True


def why_not(table: Table, mapping: Any) -> str | None:
    """None when the columnar reader can read this file with this mapping, else the reason."""
    if not ENABLED:
        return "switched off"
    if not available():
        return "pyarrow is not installed"
    if table.info.format != CSV:
        return "not a CSV file"
    if mapping.layout != WIDE or not mapping.value_columns:
        return "not a wide layout"
    if (table.info.encoding or "") not in ASCII_COMPATIBLE:
        return f"encoding {table.info.encoding}"
    if getattr(table, "_quote_space", False):
        return "spaces after closing quotes"
    return None


@dataclass(slots=True)
class LineBlock:
    """The budget lines of one block of rows, as parallel arrays (row-major order, as the row reader)."""

    line: np.ndarray  # int64, physical line of the row
    product: np.ndarray  # int64 id into ColumnarReader.products
    account: np.ndarray  # int64 id into ColumnarReader.accounts
    combo: np.ndarray  # int64 id into ColumnarReader.combos: (year, phase, statement, direction)
    cents: np.ndarray  # int64, positive in the direction
    rows: int  # data rows of the block


def scan_lines(stream: Any, start: int, header_line: int) -> tuple[int, int]:
    """(byte offset of the first data row from ``start``, number of physical lines after the header).

    Raises Fallback when a line break may sit inside a quoted field (odd number of quotes before it), the
    file uses lone carriage returns or has empty lines (the row reader skips them, pyarrow would not): then
    physical lines and records differ."""
    stream.seek(start)
    position = newlines = parity = returns = crlf = 0
    offset: int | None = None
    last = tail = b""
    previous_cr = False
    while chunk := stream.read(_SCAN_CHUNK):
        count = chunk.count(b"\n")
        if offset is None and newlines + count >= header_line:
            at = -1
            for _ in range(header_line - newlines):
                at = chunk.index(b"\n", at + 1)
            offset = position + at + 1
        window = tail + chunk
        if b"\n\n" in window or b"\n\r\n" in window:  # pyarrow reads an empty line as a row of empty cells
            raise Fallback("an empty line")
        tail = chunk[-2:]
        if b"\r" in chunk:
            returns += chunk.count(b"\r")
            crlf += chunk.count(b"\r\n")
        if previous_cr and chunk[:1] == b"\n":
            crlf += 1
        previous_cr = chunk[-1:] == b"\r"
        if b'"' in chunk:
            data = np.frombuffer(chunk, dtype=np.uint8)
            quotes = np.cumsum(data == 34, dtype=np.int32)
            at_breaks = quotes[data == 10]
            if at_breaks.size and ((at_breaks + parity) % 2).any():
                raise Fallback("a line break inside quotes")
            parity = (parity + int(quotes[-1])) % 2
            del data, quotes, at_breaks
        newlines += count
        position += len(chunk)
        last = chunk[-1:]
    stream.seek(start)
    if returns != crlf:
        raise Fallback("carriage returns without line feed")
    if parity:
        raise Fallback("a quote is not closed")
    if offset is None:
        raise Fallback("no line after the header")
    lines = newlines + (0 if last in (b"\n", b"") else 1)
    return offset, lines - header_line


class ColumnarReader:
    """Reads the data rows of a wide CSV file into ``LineBlock``s; fills ``result`` like the row reader.

    Also collects the products and accounts that have lines (code, first non-empty name, in the order of
    first appearance) and ``timings`` (seconds per step)."""

    def __init__(self, result: ParseResult, table: Table, *, block_bytes: int | None = None) -> None:
        from .normalise import RowReader

        self.result = result
        self.table = table
        self.block_bytes = block_bytes or BLOCK_BYTES
        self.rows = RowReader(result, table)  # classification, sign flips, skipped counters
        self.products: list[str] = []
        self.product_names: list[str] = []
        self.accounts: list[str] = []
        self.account_names: list[str] = []
        self._product_ids: dict[str, int] = {}
        self._account_ids: dict[str, int] = {}
        self.combos: dict[int, tuple[int, str, str, str]] = {}
        self._kinds: dict[tuple[str, str], int] = {}
        self._kind_of_key: dict[str, tuple[Any, ...]] = {}
        self._used_products = np.zeros(0, dtype=bool)
        self._used_accounts = np.zeros(0, dtype=bool)
        self._combo_sums: dict[int, int] = {}
        self._magnitude = 0.0
        self.timings: dict[str, float] = {"scan": 0.0, "read": 0.0, "amounts": 0.0, "rows": 0.0}

    # -- public -----------------------------------------------------------------------------------
    def blocks(self) -> Iterator[LineBlock]:
        """The lines block by block; raises Fallback (possibly after some blocks: discard them)."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        result, table = self.result, self.table
        result.info, result.header = table.info, table.header
        for issue in result.mapping.check(table.header):
            result._add(issue)
        if result._error_count:
            raise Fallback("the mapping does not fit the header")
        started = time.perf_counter()
        stream, start = table._stream, table._start
        offset, expected_rows = scan_lines(stream, start, table.header_line)
        self.timings["scan"] += time.perf_counter() - started
        idx = self.rows.index
        used = sorted({*idx.values(), *(position for position, *_ in self.rows.values)})
        names = [f"c{i}" for i in range(self.rows.width)]
        stream.seek(start + offset)
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    block_size=self.block_bytes,
                    encoding=ASCII_COMPATIBLE[table.info.encoding or ""],
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=table.info.delimiter or ";",
                    quote_char='"',
                    double_quote=True,
                    escape_char=False,
                    newlines_in_values=False,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={names[i]: pa.string() for i in used},
                    include_columns=[names[i] for i in used],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowException, UnicodeError, ValueError) as exc:
            raise Fallback(f"pyarrow: {exc}") from exc
        seen = 0
        first_line = table.header_line + 1
        while True:
            started = time.perf_counter()
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowException, UnicodeError, ValueError) as exc:
                raise Fallback(f"pyarrow: {exc}") from exc
            finally:
                self.timings["read"] += time.perf_counter() - started
            if not batch.num_rows:
                continue
            block = self._block(batch, first_line + seen)
            seen += batch.num_rows
            result.stats.data_rows += batch.num_rows
            if block is not None:
                result.stats.records += len(block.cents)
                yield block
        if seen != expected_rows:
            raise Fallback(f"{seen} rows read, {expected_rows} lines after the header")
        if not seen:
            raise Fallback("no data rows")
        self._finish()

    # -- internals --------------------------------------------------------------------------------
    def _text(self, batch: Any, role: str) -> Any:
        import pyarrow.compute as pc

        position = self.rows.index.get(role, -1)
        if position < 0:
            return None
        return pc.utf8_trim_whitespace(batch.column(f"c{position}"))

    def _cents(self, column: Any) -> np.ndarray:
        """Exact cents of one value column (int64); Fallback when a cell is not an amount."""
        import pyarrow as pa
        import pyarrow.compute as pc

        m = self.result.mapping
        both = pc.and_(pc.starts_with(column, "-"), pc.ends_with(column, "-"))  # "-1,00-": not a number
        fast = pc.and_(
            pc.and_(pc.match_substring_regex(column, _FAST[m.decimal_convention]), pc.invert(both)),
            pc.less_equal(pc.utf8_length(column), 22),  # at most 17 digits: int64 holds them
        )
        digits = pc.replace_substring_regex(pc.if_else(fast, column, "0"), _MARKS, "")
        values = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
        text = pc.if_else(fast, "", column)
        # "1.234,56" is already in cents once the marks are gone; "1.234" and "1234" are whole euros
        mark = "," if m.decimal_convention == DECIMAL_COMMA else "."
        whole = pc.invert(pc.match_substring(column, mark)).to_numpy(zero_copy_only=False)
        scale = np.where(whole, 100, 1)
        negative = pc.or_(pc.starts_with(column, "-"), pc.ends_with(column, "-")).to_numpy(
            zero_copy_only=False
        )
        cents = values * scale
        cents = np.where(negative, -cents, cents)
        if pc.any(pc.not_equal(text, "")).as_py():
            cents = cents.copy()
            odd = pc.unique(pc.filter(text, pc.not_equal(text, "")))
            parse = self.rows.parse_amount
            converted = []
            for raw in odd.to_pylist():
                try:
                    amount = parse(raw)
                except NumberFormatError as exc:
                    raise Fallback(f"{raw!r} is not an amount") from exc
                converted.append(int(amount.scaleb(2)))
            where = pc.index_in(text, value_set=odd).to_numpy(zero_copy_only=False)
            mask = ~np.isnan(where) if where.dtype.kind == "f" else where >= 0
            positions = np.asarray(where[mask], dtype=np.int64)
            cents[mask] = np.asarray(converted, dtype=np.int64)[positions]
        return cents

    def _ids(self, codes: Any, known: dict[str, int], table: list[str], names: list[str]) -> np.ndarray:
        """Global ids of a block's codes (dictionary-encoded: one Python step per distinct code)."""
        encoded = codes.dictionary_encode()
        mapping = np.empty(len(encoded.dictionary), dtype=np.int64)
        for i, code in enumerate(encoded.dictionary.to_pylist()):
            found = known.get(code)
            if found is None:
                found = known[code] = len(table)
                table.append(code)
                names.append("")
            mapping[i] = found
        return mapping[encoded.indices.to_numpy(zero_copy_only=False)]

    def _block(self, batch: Any, first_line: int) -> LineBlock | None:
        import pyarrow.compute as pc

        started = time.perf_counter()
        n = batch.num_rows
        values = self.rows.values
        cents = np.empty((n, len(values)), dtype=np.int64)
        for j, (position, *_rest) in enumerate(values):
            cents[:, j] = self._cents(batch.column(f"c{position}"))
        middle = time.perf_counter()
        self.timings["amounts"] += middle - started
        account = self._text(batch, "account_code")
        fallback = self._text(batch, "account_code_fallback")
        if account is None:
            account = fallback if fallback is not None else self._empty(n)
        elif fallback is not None:
            account = pc.if_else(pc.equal(account, ""), fallback, account)
        direction = self._text(batch, "direction")
        key = pc.utf8_slice_codeunits(account, 0, 1)
        if direction is not None:
            key = pc.binary_join_element_wise(key, direction, "\x1f")
        encoded = key.dictionary_encode()
        kinds = [self._kind(text) for text in encoded.dictionary.to_pylist()]
        kind_index = encoded.indices.to_numpy(zero_copy_only=False)
        status = np.array([0 if k[0] == "ok" else 1 if k[0] == "skip" else 2 for k in kinds], dtype=np.int8)
        row_status = status[kind_index]
        if (row_status == 2).any():
            raise Fallback("a row that is not a budget line (total row, no account, error)")
        lines = np.arange(first_line, first_line + n, dtype=np.int64)
        ok = row_status == 0
        if not ok.all():
            self._skip(kinds, kind_index, row_status, lines)
        # sign per row (flip per direction), kind slot per row
        flips = np.array([k[3] if k[0] == "ok" else False for k in kinds], dtype=bool)[kind_index]
        slots = np.array([self._slot(k) if k[0] == "ok" else 0 for k in kinds], dtype=np.int64)[kind_index]
        cents[flips] *= -1
        nonzero = cents != 0
        nonzero &= ok[:, None]
        self.result.stats.zero_amounts += int(ok.sum()) * len(values) - int(nonzero.sum())
        self._magnitude += float(np.abs(cents[nonzero]).sum(dtype=np.float64))
        if self._magnitude >= _INT64_BOUND:
            raise Fallback("amounts too large for exact int64 sums")
        emits = nonzero.any(axis=1)
        if not emits.any():
            self.timings["rows"] += time.perf_counter() - middle
            return None
        codes = self._text(batch, "product_code")
        product = self._ids(codes if codes is not None else self._empty(n), self._product_ids,
                            self.products, self.product_names)  # fmt: skip
        account_ids = self._ids(account, self._account_ids, self.accounts, self.account_names)
        self._names(product, emits, self._product_name_column(batch), self.product_names, "_used_products")
        self._names(
            account_ids, emits, self._account_name_column(batch), self.account_names, "_used_accounts"
        )
        flat = nonzero.ravel()
        width = len(values)
        combo = (np.arange(width, dtype=np.int64)[None, :] * KIND_SLOTS + slots[:, None]).ravel()[flat]
        block = LineBlock(
            line=np.repeat(lines, width)[flat],
            product=np.repeat(product, width)[flat],
            account=np.repeat(account_ids, width)[flat],
            combo=combo,
            cents=cents.ravel()[flat],
            rows=n,
        )
        for combo_id, total in zip(*_group_sum(block.combo, block.cents), strict=True):
            self._combo_sums[int(combo_id)] = self._combo_sums.get(int(combo_id), 0) + int(total)
        self.timings["rows"] += time.perf_counter() - middle
        return block

    def _empty(self, n: int) -> Any:
        import pyarrow as pa

        return pa.array([""] * n, type=pa.string())

    def _product_name_column(self, batch: Any) -> Any:
        return self._text(batch, "product_name")

    def _account_name_column(self, batch: Any) -> Any:
        import pyarrow.compute as pc

        name, fallback = self._text(batch, "account_name"), self._text(batch, "account_name_fallback")
        if name is None:
            return fallback
        if fallback is not None:
            return pc.if_else(pc.equal(name, ""), fallback, name)
        return name

    def _names(self, ids: np.ndarray, emits: np.ndarray, column: Any, names: list[str], used: str) -> None:
        """Mark the codes that have lines; the first non-empty name (of a row with lines) names a code."""
        marks = getattr(self, used)
        if len(marks) < len(names):
            grown = np.zeros(len(names), dtype=bool)
            grown[: len(marks)] = marks
            marks = grown
            setattr(self, used, marks)
        marks[ids[emits]] = True
        if column is None:
            return
        import pyarrow.compute as pc

        filled = pc.not_equal(column, "").to_numpy(zero_copy_only=False) & emits
        missing = np.fromiter((not names[i] for i in range(len(names))), dtype=bool, count=len(names))
        rows = np.flatnonzero(filled & missing[ids])
        if not rows.size:
            return
        unique, first = np.unique(ids[rows], return_index=True)
        texts = column.take(rows[first]).to_pylist()
        for code_id, text in zip(unique.tolist(), texts, strict=True):
            names[code_id] = text

    def _kind(self, key: str) -> tuple[Any, ...]:
        """The row reader's classification of one (account class, direction text) key."""
        kind = self._kind_of_key.get(key)
        if kind is None:
            first, _, direction = key.partition("\x1f")
            kind = self._kind_of_key[key] = self.rows._classify(first, direction)
        return kind

    def _slot(self, kind: tuple[Any, ...]) -> int:
        _, statement, direction, _flip, _sums = kind
        slot = self._kinds.get((statement, direction))
        if slot is None:
            slot = self._kinds[(statement, direction)] = len(self._kinds)
            if slot >= KIND_SLOTS:
                raise Fallback("too many statement/direction kinds")
            for j, (_, year, phase, _column, _) in enumerate(self.rows.values):
                self.combos[j * KIND_SLOTS + slot] = (year, phase, statement, direction)
        return slot

    def _skip(self, kinds: list, kind_index: np.ndarray, row_status: np.ndarray, lines: np.ndarray) -> None:
        """Rows of accounts outside the budget: counted per class with their first line (row reader's
        ``_skip``; their amounts were parsed with the others, so a bad cell there still falls back)."""
        skipped = self.rows.skipped
        for i, kind in enumerate(kinds):
            if kind[0] != "skip":
                continue
            rows = np.flatnonzero(kind_index == i)
            if not rows.size:
                continue
            entry = skipped.setdefault(kind[1], [0, int(lines[rows[0]]), kind[2]])
            entry[0] += int(rows.size)
            entry[1] = min(entry[1], int(lines[rows[0]]))
            self.result.stats.skipped_rows += int(rows.size)

    def _finish(self) -> None:
        self.result._started = self.result.finished = True
        sums = self.result._sums
        for combo_id, total in self._combo_sums.items():
            key = self.combos[combo_id]
            sums[key] = sums.get(key, Decimal("0.00")) + Decimal(total).scaleb(-2)
        self.rows._report_skipped()

    def used_products(self) -> list[int]:
        return np.flatnonzero(self._used_products).tolist()

    def used_accounts(self) -> list[int]:
        return np.flatnonzero(self._used_accounts).tolist()


def _group_sum(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys and the exact int64 sum of ``values`` per key."""
    if not keys.size:
        return keys, values
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
    return ordered[starts], np.add.reduceat(values[order], starts)
