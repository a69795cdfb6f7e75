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
   files) and plain integers are read into cents by one compiled pass over the column's bytes
   (``_parse_cells``, numba); every other distinct text (``nan``, ``1,5``, ``1.5E+06`` …) goes once through
   the row reader's ``AmountParser``; a text it refuses means ``Fallback``.
4. **Rows**: codes and names trimmed, the account fallback column where the account is empty; each distinct
   (account class, direction text) is classified by the row reader's ``_classify``. Rows outside the budget
   (class 9, 8) are counted as skipped like the row reader does; a total row that adds up is left out with
   the row reader's note; a total row that does not, a row without account, an error class: ``Fallback``.
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

from .issues import WARNING, make_issue
from .mapping import WIDE
from .numbers import DECIMAL_COMMA, NumberFormatError
from .sources import CSV, Table

if TYPE_CHECKING:
    from .parser import ParseResult

ASCII_COMPATIBLE = {"utf-8": "utf8", "utf-8-sig": "utf8", "cp1252": "cp1252", "latin-1": "latin-1"}
BLOCK_BYTES = 2 << 20
_SCAN_CHUNK = 8 << 20
# what str.strip() removes (the row reader strips cells so): Unicode White_Space plus \x1c-\x1f
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
KIND_SLOTS = 16  # (statement, direction) kinds per value column: 5 statements x 2 directions fit
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


def _native_stream(stream: Any, offset: int) -> Any:
    """The file from ``offset`` as a pyarrow stream read by Arrow itself (a path: ``OSFile``; bytes: a
    buffer) where possible: Arrow reading a Python file object allocates its read-ahead as Python
    objects, outside its memory pool and bounded only by how far ahead its thread gets."""
    import io

    import pyarrow as pa

    if isinstance(stream, io.BytesIO):
        return pa.BufferReader(pa.py_buffer(stream.getvalue())[offset:])  # the bytes, not a copy
    name = getattr(stream, "name", None)
    if isinstance(name, str) and isinstance(stream, io.BufferedReader):
        native = pa.OSFile(name, "r")
        native.seek(offset)
        return native
    stream.seek(offset)
    return stream


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
        self._raw_sums = [0] * len(self.rows.values)  # raw cents per value column of the rows so far
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
        try:
            reader = pacsv.open_csv(
                _native_stream(stream, start + offset),
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    block_size=self.block_bytes,
                    use_threads=False,
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
        return pc.utf8_trim(batch.column(f"c{position}"), characters=_WHITESPACE)

    def _cents(self, column: Any) -> np.ndarray:
        """Exact cents of one value column (int64); Fallback when a cell is not an amount.

        One compiled pass (``_parse_cells``) reads the forms almost every export writes; every other
        distinct text goes once through the row reader's parser (which knows all accepted forms)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if column.type != pa.string():
            column = column.cast(pa.string())
        n = len(column)
        cents = np.zeros(n, dtype=np.int64)
        status = np.zeros(n, dtype=np.int8)
        buffers = column.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int32, count=n + 1, offset=column.offset * 4)
        end = int(offsets[-1])
        data = np.frombuffer(buffers[2], dtype=np.uint8, count=end) if end else np.zeros(1, dtype=np.uint8)
        comma = self.result.mapping.decimal_convention == DECIMAL_COMMA
        _kernel()(data, offsets, comma, cents, status)
        odd_rows = np.flatnonzero(status == 2)
        if odd_rows.size:
            odd = column.take(pa.array(odd_rows))
            distinct = pc.unique(odd)
            parse = self.rows.parse_amount
            converted = []
            for raw in distinct.to_pylist():
                try:
                    amount = parse(raw)
                except NumberFormatError as exc:
                    raise Fallback(f"{raw!r} is not an amount") from exc
                converted.append(int(amount.scaleb(2)))
            where = pc.index_in(odd, value_set=distinct).to_numpy(zero_copy_only=False)
            cents[odd_rows] = np.asarray(converted, dtype=np.int64)[where.astype(np.int64)]
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
        codes = {"ok": 0, "skip": 1, "none": 3}
        status = np.array([codes.get(k[0], 2) for k in kinds], dtype=np.int8)
        row_status = status[kind_index]
        if (row_status == 2).any():
            raise Fallback("a row the row reader refuses (unknown direction, account outside the budget)")
        lines = np.arange(first_line, first_line + n, dtype=np.int64)
        counted = row_status <= 1  # rows whose raw amounts a later total row adds up
        self._magnitude += float(np.abs(cents[counted]).sum(dtype=np.float64))
        if self._magnitude >= _INT64_BOUND:
            raise Fallback("amounts too large for exact int64 sums")
        if (row_status == 3).any():
            self._total_rows(batch, cents, counted, row_status == 3, lines)
        for j, total in enumerate(cents[counted].sum(axis=0).tolist()):
            self._raw_sums[j] += total
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

    def _total_rows(
        self, batch: Any, cents: np.ndarray, counted: np.ndarray, candidates: np.ndarray, lines: np.ndarray
    ) -> None:
        """Rows without account and direction (the row reader's ``_total_row``): with no product, name
        or account name they must equal the raw sums of all rows above them (then they are left out, with
        a note); anything else goes back to the row reader, which words the problem."""
        rows = np.flatnonzero(candidates)
        for role in ("product_code", "product_name", "account_name", "account_name_fallback"):
            column = self._text(batch, role)
            if column is not None and any(column.take(rows).to_pylist()):
                raise Fallback("a row without account")
        running = np.cumsum(np.where(counted[:, None], cents, 0), axis=0)
        for r in rows.tolist():
            above = running[r - 1].tolist() if r else [0] * cents.shape[1]
            expected = [carry + part for carry, part in zip(self._raw_sums, above, strict=True)]
            if cents[r].tolist() != expected:
                raise Fallback("a total row that does not add up")
            if not cents[r].any():
                self.result.stats.skipped_rows += 1  # an empty row: nothing to import
                continue
            self.result.stats.total_rows += 1
            self.result._add(make_issue("total_row_ok", line=int(lines[r]), severity=WARNING))

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


def _parse_cells(data, offsets, comma, cents, status):  # pragma: no cover - compiled by numba
    """The common amount forms, byte by byte, into cents: ``-?(\\d{1,3}(\\.\\d{3})+|\\d{1,13})(,\\d\\d)?-?``
    (``de``; ``en`` swaps ``.`` and ``,``), one minus at most. ``status``: 0 read, 1 empty (zero), 2 any other
    text (for the row reader's parser)."""
    dec = 44 if comma else 46
    grp = 46 if comma else 44
    for i in range(len(offsets) - 1):
        s = offsets[i]
        e = offsets[i + 1]
        if s == e:
            status[i] = 1
            continue
        negative = False
        if data[s] == 45:
            negative = True
            s += 1
        if e > s and data[e - 1] == 45:
            if negative:
                status[i] = 2
                continue
            negative = True
            e -= 1
        fraction = 0
        scale = 100
        if e - s >= 4 and data[e - 3] == dec:
            d1 = np.int64(data[e - 2]) - 48
            d2 = np.int64(data[e - 1]) - 48
            if d1 < 0 or d1 > 9 or d2 < 0 or d2 > 9:
                status[i] = 2
                continue
            fraction = d1 * 10 + d2
            scale = 1
            e -= 3
        # the integer part: digits, grouped by thousands marks or not at all
        value = 0
        digits = 0
        group = -1  # digits since the last mark; -1 before the first mark
        bad = e <= s
        for k in range(s, e):
            c = data[k]
            if c == grp:
                if digits == 0 or (group == -1 and digits > 3) or (group != -1 and group != 3):
                    bad = True
                    break
                group = 0
                continue
            d = np.int64(c) - 48
            if d < 0 or d > 9:
                bad = True
                break
            value = value * 10 + d
            digits += 1
            if group != -1:
                group += 1
            if digits > 13:
                bad = True
                break
        if bad or (group != -1 and group != 3):
            status[i] = 2
            continue
        amount = value * 100 + fraction if scale == 1 else value * 100
        cents[i] = -amount if negative else amount


_KERNEL: list[Any] = []


def _kernel() -> Any:
    """``_parse_cells`` compiled by numba on first use (cached on disk: later processes load it)."""
    if not _KERNEL:
        import numba

        _KERNEL.append(numba.njit(cache=True, nogil=True)(_parse_cells))
    return _KERNEL[0]


def _group_sum(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys and the exact int64 sum of ``values`` per key."""
    if not keys.size:
        return keys, values
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
    return ordered[starts], np.add.reduceat(values[order], starts)
