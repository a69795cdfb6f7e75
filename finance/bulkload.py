"""Writing a version's budget lines fast and in bounded memory: COPY on PostgreSQL, batches elsewhere.

``LineWriter`` receives the importer's record chunks one by one. On PostgreSQL it streams them into
``COPY finance_budgetline (...) FROM STDIN`` through psycopg 3's ``cursor.copy()`` (the Django cursor
wraps the psycopg cursor), so a million lines never sit in memory and the server parses rows while
Python reads the file. Elsewhere (SQLite) it uses ``bulk_create`` per chunk. While it writes it
collects the few distinct products and accounts with their names and hierarchy; ``finish`` stores
those and the rollup. The caller owns the transaction: everything commits or rolls back together.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import ExitStack
from decimal import Decimal

from django.db import connection

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
