"""Writing a version's budget lines fast and in bounded memory: COPY on PostgreSQL, batches elsewhere.

``LineWriter`` receives the importer's record chunks one by one. On PostgreSQL it streams them into
``COPY finance_budgetline (...) FROM STDIN`` through psycopg 3's ``cursor.copy()`` (the Django cursor
wraps the psycopg cursor), so a million lines never sit in memory and the server parses rows while
Python reads the file. Elsewhere (SQLite) it uses ``bulk_create`` per chunk. While it writes it
collects the few distinct products and accounts with their names and hierarchy; ``finish`` stores
those and the rollup. The caller owns the transaction: everything commits or rolls back together.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import ExitStack
from decimal import Decimal

from django.db import connection

from core import pgcopy
from finance.importing import ERROR, BudgetRecord, ImportIssue, derive_product_path
from finance.models import (
    AMOUNT_DIGITS,
    BudgetAccount,
    BudgetLine,
    BudgetProduct,
    BudgetRollup,
    BudgetVersion,
)

MAX_AMOUNT = Decimal(10) ** (AMOUNT_DIGITS - 2)
CODE_LIMITS = {"product_code": 40, "account_code": 20}
NAME_LIMIT = 300
BATCH_SIZE = 2000


def account_group_of(code: str) -> str:
    """The two-digit account group (Kontengruppe) of an account code, '' when the code has no digits."""
    head = code[:2]
    return head if len(head) == 2 and head.isdigit() else ""


def _copy_text(value: str) -> str:
    """Escape a text field for PostgreSQL's COPY text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class LineWriter:
    """Write the records of one version; use as a context manager, call ``write`` per chunk.

    Besides the lines it keeps, in memory bounded by the number of distinct codes (not of lines):
    products and accounts with names and hierarchy, and the rollup sums per product, account group,
    year, phase, statement and direction (exact Decimals), written by ``finish``.
    """

    def __init__(self, version: BudgetVersion, *, land: str, use_copy: bool | None = None) -> None:
        self.version = version
        self.land = land
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy
        self.count = 0
        self.products: dict[str, list[str]] = {}  # code -> [name, area, group, path, COPY prefix]
        self.accounts: dict[str, list[str]] = {}  # code -> [name, group, COPY prefix]
        self.sums: dict[tuple, list] = {}  # (product, account group, year, phase, statement, direction)
        self.issues: list[ImportIssue] = []
        self._stack = ExitStack()
        self._copy = None

    def __enter__(self) -> LineWriter:
        if self.use_copy:
            cursor = self._stack.enter_context(connection.cursor())
            table = BudgetLine._meta.db_table
            columns = ", ".join(BudgetLine.COPY_COLUMNS)
            # cursor.cursor is the psycopg 3 cursor under Django's wrapper.
            self._copy = self._stack.enter_context(cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN"))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)
        self._copy = None

    def _problem(self, line: int, column: str, value: str, german: str, english: str, code: str) -> None:
        if len(self.issues) < 200:
            self.issues.append(
                ImportIssue(
                    line, column, value, f"Zeile {line}: {german}", f"Line {line}: {english}", code, ERROR
                )
            )

    def _product(self, record: BudgetRecord) -> list[str]:
        code, name = record.product_code, record.product_name
        if len(code) > CODE_LIMITS["product_code"]:
            self._problem(
                record.line,
                "product_code",
                code,
                f"Produktnummer „{code[:60]}“ ist länger als {CODE_LIMITS['product_code']} Zeichen",
                f'product code "{code[:60]}" is longer than {CODE_LIMITS["product_code"]} characters',
                "code_too_long",
            )
        path = derive_product_path(code, self.land)
        area, group = path.area or "", path.group or ""
        entry = [name[:NAME_LIMIT], area, group, path.product or "", f"{_copy_text(code)}\t{area}\t{group}\t"]
        self.products[code] = entry
        return entry

    def _account(self, record: BudgetRecord) -> list[str]:
        code, name = record.account_code, record.account_name
        if len(code) > CODE_LIMITS["account_code"]:
            self._problem(
                record.line,
                "account_code",
                code,
                f"Kontonummer „{code[:60]}“ ist länger als {CODE_LIMITS['account_code']} Zeichen",
                f'account code "{code[:60]}" is longer than {CODE_LIMITS["account_code"]} characters',
                "code_too_long",
            )
        group = account_group_of(code)
        entry = [name[:NAME_LIMIT], group, f"{_copy_text(code)}\t{group}\t"]
        self.accounts[code] = entry
        return entry

    def _amount_too_large(self, record: BudgetRecord) -> bool:
        if -MAX_AMOUNT < record.amount < MAX_AMOUNT:
            return False
        self._problem(
            record.line,
            f"{record.phase} {record.year}",
            str(record.amount),
            f"Betrag {record.amount} ist zu groß (höchstens 13 Stellen vor dem Komma)",
            f"amount {record.amount} is too large (at most 13 digits before the decimal point)",
            "amount_too_large",
        )
        return True

    def write(self, records: Iterable[BudgetRecord]) -> int:
        """Write one chunk; returns the number of lines written. Stops writing (but keeps checking)
        once a problem was found, since the import will then be rolled back anyway."""
        products, accounts, sums, issues = self.products, self.accounts, self.sums, self.issues
        copy_lines: list[str] = []
        objects: list[BudgetLine] = []
        use_copy = self._copy is not None
        version_prefix = f"{self.version.pk}\t"
        version_id = self.version.pk
        for r in records:
            product = products.get(r.product_code) or self._product(r)
            account = accounts.get(r.account_code) or self._account(r)
            if not product[0] and r.product_name:
                product[0] = r.product_name[:NAME_LIMIT]
            if not account[0] and r.account_name:
                account[0] = r.account_name[:NAME_LIMIT]
            amount = r.amount
            amount_text = str(amount)
            if len(amount_text) > 16 and self._amount_too_large(r):
                continue
            if issues:
                continue
            key = (r.product_code, account[1], r.year, r.phase, r.statement, r.direction)
            entry = sums.get(key)
            if entry is None:
                sums[key] = [amount, 1]
            else:
                entry[0] += amount
                entry[1] += 1
            if use_copy:
                copy_lines.append(
                    f"{version_prefix}{r.line}\t{product[4]}{account[2]}{r.year}\t{r.phase}\t"
                    f"{r.statement}\t{r.direction}\t{amount_text}\n"
                )
            else:
                objects.append(
                    BudgetLine(
                        version_id=version_id,
                        line=r.line,
                        product_code=r.product_code,
                        area=product[1],
                        product_group=product[2],
                        account_code=r.account_code,
                        account_group=account[1],
                        year=r.year,
                        phase=r.phase,
                        statement=r.statement,
                        direction=r.direction,
                        amount=amount,
                    )
                )
        if copy_lines:
            self._copy.write("".join(copy_lines))
        elif objects:
            BudgetLine.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        written = len(copy_lines) + len(objects)
        self.count += written
        return written

    def finish(self) -> None:
        """After the last chunk (and after ``__exit__`` ended the COPY): dimensions and rollup."""
        version = self.version
        BudgetProduct.objects.bulk_create(
            [
                BudgetProduct(version=version, code=code, name=name, area=area, group=group, path=path)
                for code, (name, area, group, path, _prefix) in self.products.items()
            ],
            batch_size=BATCH_SIZE,
        )
        BudgetAccount.objects.bulk_create(
            [
                BudgetAccount(version=version, code=code, name=name, group=group, account_class=code[:1])
                for code, (name, group, _prefix) in self.accounts.items()
            ],
            batch_size=BATCH_SIZE,
        )
        products = self.products
        rows = (
            (
                version.pk,
                products[code][1],
                products[code][2],
                code,
                account_group,
                year,
                phase,
                statement,
                direction,
                total,
                count,
            )
            for (code, account_group, year, phase, statement, direction), (total, count) in self.sums.items()
        )
        if self.use_copy:
            columns = ", ".join(("version_id", *ROLLUP_KEYS, "amount", "line_count"))
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {BudgetRollup._meta.db_table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            BudgetRollup.objects.bulk_create(
                [
                    BudgetRollup(
                        version_id=r[0],
                        **dict(zip(ROLLUP_KEYS, r[1:9], strict=True)),
                        amount=r[9],
                        line_count=r[10],
                    )
                    for r in rows
                ],
                batch_size=BATCH_SIZE,
            )


ROLLUP_KEYS = (
    "area",
    "product_group",
    "product_code",
    "account_group",
    "year",
    "phase",
    "statement",
    "direction",
)


def rollup_build(version: BudgetVersion) -> None:
    """Recompute a version's rollup from its lines in the database (one INSERT ... SELECT); the import
    computes it while writing, this is for repairs and tests."""
    keys = ", ".join(ROLLUP_KEYS)
    rollup, lines = BudgetRollup._meta.db_table, BudgetLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {rollup} WHERE version_id = %s", [version.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {rollup} (version_id, {keys}, amount, line_count) "  # noqa: S608 - fixed names
            f"SELECT version_id, {keys}, SUM(amount), COUNT(*) FROM {lines} "
            f"WHERE version_id = %s GROUP BY version_id, {keys}",
            [version.pk],
        )


# -- the column-wise path: binary COPY built from a ColumnarReader's blocks ---------------------------
# Fixed-size fields first (one numpy record per line), then the texts (taken per product/account/kind).
BINARY_COLUMNS = (
    "version_id",
    "line",
    "year",
    "amount",
    "product_code",
    "area",
    "product_group",
    "account_code",
    "account_group",
    "phase",
    "statement",
    "direction",
)
NBASE = 10_000
MAX_CENTS = 10**AMOUNT_DIGITS  # 13 integer digits + 2 decimals
_GROUP_SLOTS = 128  # two-digit account groups and '' fit


def _field(value: str) -> bytes:
    data = value.encode()
    return len(data).to_bytes(4, "big") + data


def _line_record(groups: int):
    import numpy as np

    return np.dtype(
        [
            ("fields", ">i2"),
            ("version_len", ">i4"),
            ("version", ">i8"),
            ("line_len", ">i4"),
            ("line", ">i4"),
            ("year_len", ">i4"),
            ("year", ">i2"),
            ("amount_len", ">i4"),
            ("ndigits", ">i2"),
            ("weight", ">i2"),
            ("sign", ">u2"),
            ("dscale", ">u2"),
            ("digits", ">i2", (groups + 1,)),
        ]
    )


class ColumnWriter:
    """Write a ``ColumnarReader``'s blocks as one binary ``COPY`` (PostgreSQL); same rows as ``LineWriter``.

    Per block, the fixed-size part of every tuple (field count, version, line, year, the amount as
    ``numeric`` from integer cents: base-10000 digits, no float) is one numpy structured array; the text
    fields are the same for every line of a product, an account and a (phase, statement, direction), so
    they are encoded once per distinct value and gathered with ``pyarrow.compute.take``; one
    ``binary_join_element_wise`` gives the block's tuples as one buffer. No Python runs per line.

    Raises ``columnar.Fallback`` for what ``LineWriter`` reports as an error (a code too long, an amount
    too large): the caller rolls back and lets the row path word the message.
    """

    def __init__(self, version: BudgetVersion, *, land: str, reader) -> None:
        import numpy as np

        self.version = version
        self.land = land
        self.reader = reader
        self.count = 0
        self.timings = {"encode": 0.0, "copy": 0.0, "rollup": 0.0, "finish": 0.0}
        self._stack = ExitStack()
        self._copy = None
        self._product_fields: list[bytes] = []
        self._product_bad: list[bool] = []
        self._product_paths: list[tuple[str, str, str]] = []
        self._account_fields: list[bytes] = []
        self._account_bad: list[bool] = []
        self._account_group_ids: list[int] = []
        self._groups: dict[str, int] = {}
        self._arrays: dict[str, object] = {}
        width = len(reader.rows.values)
        self._combo_slots = width * _columnar().KIND_SLOTS
        self._partials: list[tuple] = []
        self._partial_size = self._merged_size = 0
        self._templates: dict[int, object] = {}
        self._np = np

    def __enter__(self) -> ColumnWriter:
        cursor = self._stack.enter_context(connection.cursor())
        table = BudgetLine._meta.db_table
        columns = ", ".join(BINARY_COLUMNS)
        self._copy = self._stack.enter_context(
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)")
        )
        self._copy.write(pgcopy.SIGNATURE)
        return self

    def __exit__(self, exc_type, *exc: object) -> None:
        started = time.perf_counter()
        if exc_type is None and self._copy is not None:
            self._copy.write(pgcopy.TRAILER)
        self._stack.__exit__(exc_type, *exc)
        self._copy = None
        self.timings["copy"] += time.perf_counter() - started

    def _grow(self) -> None:
        """Encode the products, accounts and kinds the reader found since the last block."""
        import pyarrow as pa

        reader, land = self.reader, self.land
        grown = False
        for code in reader.products[len(self._product_fields) :]:
            path = derive_product_path(code, land)
            area, group = path.area or "", path.group or ""
            self._product_fields.append(_field(code) + _field(area) + _field(group))
            self._product_bad.append(len(code) > CODE_LIMITS["product_code"])
            self._product_paths.append((area, group, path.product or ""))
            grown = True
        for code in reader.accounts[len(self._account_fields) :]:
            group = account_group_of(code)
            self._account_fields.append(_field(code) + _field(group))
            self._account_bad.append(len(code) > CODE_LIMITS["account_code"])
            self._account_group_ids.append(self._groups.setdefault(group, len(self._groups)))
            grown = True
        if grown or "combo" not in self._arrays or len(self._arrays["combo_known"]) != len(reader.combos):
            np = self._np
            self._arrays["product"] = pa.array(self._product_fields, type=pa.binary())
            self._arrays["account"] = pa.array(self._account_fields, type=pa.binary())
            self._arrays["product_bad"] = np.array(self._product_bad, dtype=bool)
            self._arrays["account_bad"] = np.array(self._account_bad, dtype=bool)
            self._arrays["account_group"] = np.array(self._account_group_ids, dtype=np.int64)
            combos = [b""] * self._combo_slots
            years = np.zeros(self._combo_slots, dtype=np.int16)
            for slot, (year, phase, statement, direction) in reader.combos.items():
                combos[slot] = _field(phase) + _field(statement) + _field(direction)
                years[slot] = year
            self._arrays["combo"] = pa.array(combos, type=pa.binary())
            self._arrays["year"] = years
            self._arrays["combo_known"] = dict(reader.combos)

    def write(self, block) -> int:
        import pyarrow as pa
        import pyarrow.compute as pc

        np = self._np
        started = time.perf_counter()
        self._grow()
        arrays = self._arrays
        cents = block.cents
        magnitude = np.abs(cents)
        if int(magnitude.max()) >= MAX_CENTS:
            raise _columnar().Fallback("an amount is too large")
        if arrays["product_bad"][block.product].any() or arrays["account_bad"][block.account].any():
            raise _columnar().Fallback("a code is too long")
        groups, whole_max = 1, int(magnitude.max()) // 100
        while whole_max >= NBASE:
            whole_max //= NBASE
            groups += 1
        n = len(cents)
        record = np.empty(n, dtype=_line_record(groups))
        record[...] = self._template(groups)  # the constant fields, one broadcast copy
        record["line"] = block.line
        record["year"] = arrays["year"][block.combo]
        record["sign"] = np.where(cents < 0, 0x4000, 0)
        digits, whole = record["digits"], magnitude // 100
        for k in range(groups):  # the last whole-euro digit first
            digits[:, groups - 1 - k] = whole % NBASE
            whole //= NBASE
        digits[:, groups] = magnitude % 100 * 100
        size = record.dtype.itemsize  # the fixed part as a binary array without a copy
        offsets = pa.py_buffer(np.arange(0, (n + 1) * size, size, dtype=np.int32))
        fixed = pa.Array.from_buffers(pa.binary(), n, [None, offsets, pa.py_buffer(record)])
        tuples = pc.binary_join_element_wise(
            fixed,
            arrays["product"].take(block.product),
            arrays["account"].take(block.account),
            arrays["combo"].take(block.combo),
            b"",
        )
        offsets = np.frombuffer(tuples.buffers()[1], dtype=np.int32, count=n + 1, offset=tuples.offset * 4)
        data = memoryview(tuples.buffers()[2])[int(offsets[0]) : int(offsets[-1])]
        middle = time.perf_counter()
        self.timings["encode"] += middle - started
        self._copy.write(data)
        done = time.perf_counter()
        self.timings["copy"] += done - middle
        self._partial(block)
        self.timings["rollup"] += time.perf_counter() - done
        self.count += n
        return n

    def _template(self, groups: int):
        template = self._templates.get(groups)
        if template is None:
            template = self._templates[groups] = self._np.zeros((), dtype=_line_record(groups))
            template["fields"], template["version_len"], template["version"] = (
                len(BINARY_COLUMNS),
                8,
                self.version.pk,
            )
            template["line_len"], template["year_len"], template["dscale"] = 4, 2, 2
            template["amount_len"], template["ndigits"] = 8 + 2 * (groups + 1), groups + 1
            template["weight"] = groups - 1
        return template

    def _partial(self, block) -> None:
        """Rollup sums per (product, account group, year, phase, statement, direction), exact int64."""
        np = self._np
        key = (
            block.product * _GROUP_SLOTS + self._arrays["account_group"][block.account]
        ) * self._combo_slots
        key += block.combo
        keys, sums = _group_sum(key, block.cents)
        _, counts = _group_sum(key, np.ones(len(key), dtype=np.int64))
        self._partials.append((keys, sums, counts))
        self._partial_size += len(keys)
        # merge before the partial sums grow with the file (keeps memory bounded by the distinct keys)
        if self._partial_size > max(200_000, 4 * self._merged_size):
            self._compact()

    def _compact(self) -> None:
        np = self._np
        if len(self._partials) <= 1:
            return
        keys = np.concatenate([p[0] for p in self._partials])
        sums = np.concatenate([p[1] for p in self._partials])
        counts = np.concatenate([p[2] for p in self._partials])
        merged, totals = _group_sum(keys, sums)
        _, numbers = _group_sum(keys, counts)
        self._partials = [(merged, totals, numbers)]
        self._partial_size = self._merged_size = len(merged)

    def finish(self) -> None:
        """After ``__exit__`` ended the COPY: the products and accounts with lines, and the rollup."""
        started = time.perf_counter()
        reader, version = self.reader, self.version
        BudgetProduct.objects.bulk_create(
            [
                BudgetProduct(
                    version=version,
                    code=reader.products[i],
                    name=reader.product_names[i][:NAME_LIMIT],
                    area=self._product_paths[i][0],
                    group=self._product_paths[i][1],
                    path=self._product_paths[i][2],
                )
                for i in reader.used_products()
            ],
            batch_size=BATCH_SIZE,
        )
        BudgetAccount.objects.bulk_create(
            [
                BudgetAccount(
                    version=version,
                    code=reader.accounts[i],
                    name=reader.account_names[i][:NAME_LIMIT],
                    group=account_group_of(reader.accounts[i]),
                    account_class=reader.accounts[i][:1],
                )
                for i in reader.used_accounts()
            ],
            batch_size=BATCH_SIZE,
        )
        self._compact()
        groups = {index: group for group, index in self._groups.items()}
        combos = reader.combos
        columns = ", ".join(("version_id", *ROLLUP_KEYS, "amount", "line_count"))
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {BudgetRollup._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for keys, sums, counts in self._partials:
                for key, total, count in zip(keys.tolist(), sums.tolist(), counts.tolist(), strict=True):
                    rest, combo = divmod(key, self._combo_slots)
                    product, group = divmod(rest, _GROUP_SLOTS)
                    year, phase, statement, direction = combos[combo]
                    area, product_group, _path = self._product_paths[product]
                    copy.write_row(
                        (version.pk, area, product_group, reader.products[product], groups[group], year,
                         phase, statement, direction, Decimal(total).scaleb(-2), count)
                    )  # fmt: skip
        self.timings["finish"] += time.perf_counter() - started


def _columnar():
    from finance.importing import columnar

    return columnar


def _group_sum(keys, values):
    from finance.importing.columnar import _group_sum as group_sum

    return group_sum(keys, values)
