"""Turning an opened file plus a mapping into normalised budget records, streaming, with validation.

The caller decides about the database, this module never touches it: ``parse`` yields records in
chunks for a bulk write and collects every problem; at the end ``result.ok`` says whether the import
may be committed (all-or-nothing: a single error means roll back, so a file is never half imported).

Rules applied per data row:

* a row with more fields than the header (non-empty extra fields) or fewer (CSV) is an error; XLSX
  rows are padded, because Excel does not store trailing empty cells;
* direction and statement come from the direction column when mapped and filled, else from the
  account class (account code, or its fallback column when empty); account classes outside the budget
  that exports legitimately contain (NRW class 9 cost accounting, 8 closing accounts) are skipped and
  counted in one warning, balance-sheet classes are errors;
* a row without product, account, names and direction but with amounts is a total row (Wesel's last
  line): it is checked against the sum of all rows before it and not imported; a mismatch is an error;
* zero amounts are not stored (a wide file is mostly zeros and a zero line carries no information)
  but counted in ``stats.zero_amounts``; the data rows are counted in ``stats.data_rows``;
* amounts are turned positive in their direction per the sign convention (see ``mapping``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .issues import ERROR, WARNING, ImportFileError, ImportIssue, make_issue
from .mapping import Mapping
from .normalise import RowReader
from .records import BudgetRecord, TotalsKey, totals_from_sums
from .sources import Source, SourceInfo, Table, open_table

DEFAULT_CHUNK_SIZE = 10_000


class _TooManyErrors(Exception):
    pass


class ParseStats:
    """Counters of one run, for the import log and the preview."""

    __slots__ = ("data_rows", "records", "skipped_rows", "total_rows", "zero_amounts")

    def __init__(self) -> None:
        self.data_rows = 0
        self.records = 0
        self.zero_amounts = 0
        self.skipped_rows = 0
        self.total_rows = 0

    def to_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


class ParseResult:
    """A streaming parse: iterate ``chunks()`` (or the result itself) once, then read ``ok``/``issues``.

    Reading ``ok`` before the stream is exhausted raises, because an error may still be ahead.
    """

    def __init__(
        self,
        source: Source | Table,
        mapping: Mapping,
        *,
        max_errors: int = 200,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self.mapping = mapping
        self.max_errors = max_errors
        self.chunk_size = chunk_size
        self.issues: list[ImportIssue] = []
        self.stats = ParseStats()
        self.info: SourceInfo | None = None
        self.header: list[str] = []
        self.finished = False
        self.aborted = False
        self._source = source
        self._started = False
        self._error_count = 0
        self._sums: dict[TotalsKey, Decimal] = {}

    # -- public -----------------------------------------------------------------------------------
    @property
    def source(self) -> Source | Table:
        return self._source

    def restart(self) -> ParseResult:
        """A fresh, unread parse of the same source and mapping (after a fast path gave up)."""
        return ParseResult(self._source, self.mapping, max_errors=self.max_errors, chunk_size=self.chunk_size)

    def chunks(self) -> Iterator[list[BudgetRecord]]:
        """Lists of up to about ``chunk_size`` records; can be consumed once."""
        if self._started:
            raise RuntimeError("a ParseResult can be iterated only once")
        self._started = True
        try:
            if isinstance(self._source, Table):
                yield from self._parse_table(self._source)
            else:
                with open_table(self._source, sheet=self.mapping.sheet) as table:
                    yield from self._parse_table(table)
        except ImportFileError as exc:
            self._add(exc.issue)
        except _TooManyErrors:
            self.aborted = True
        finally:
            self.finished = True

    def __iter__(self) -> Iterator[BudgetRecord]:
        for chunk in self.chunks():
            yield from chunk

    def consume(self) -> ParseResult:
        """Run to the end without keeping records (validation only); returns self."""
        for _ in self.chunks():
            pass
        return self

    @property
    def ok(self) -> bool:
        """True when the whole file was read without errors (warnings allowed)."""
        if not self.finished:
            raise RuntimeError("consume the records first: errors may still be ahead")
        return self._error_count == 0

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity == WARNING]

    def totals(self) -> list[dict[str, Any]]:
        """Totals of every record yielded so far (the whole file once finished)."""
        return totals_from_sums(self._sums)

    # -- internals --------------------------------------------------------------------------------
    def _add(self, issue: ImportIssue) -> None:
        if issue.severity == ERROR:
            self._error_count += 1
            if self._error_count > self.max_errors:
                self.issues.append(make_issue("too_many_errors", max_errors=self.max_errors))
                raise _TooManyErrors
        self.issues.append(issue)

    def _parse_table(self, table: Table) -> Iterator[list[BudgetRecord]]:
        self.info, self.header = table.info, table.header
        for issue in self.mapping.check(table.header):
            self._add(issue)
        if self._error_count:
            return
        yield from RowReader(self, table).run()


def parse(
    source: Source, mapping: Mapping, *, max_errors: int = 200, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> ParseResult:
    """Parse a whole file with a confirmed mapping. Lazy: nothing is read until ``chunks()`` is iterated.

    Typical use (the caller owns the transaction)::

        result = parse(upload, mapping)
        for chunk in result.chunks():
            BudgetLine.objects.bulk_create(build(chunk))
        if not result.ok:
            raise Rollback(result.errors)
    """
    return ParseResult(source, mapping, max_errors=max_errors, chunk_size=chunk_size)
