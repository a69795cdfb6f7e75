"""Budget import: uploaded CSV/XLSX exports of municipal accounting systems -> normalised budget lines.

Pure Python (no Django), streaming and bounded in memory, so it can be tested and benchmarked alone;
the Django side (service, task, CLI) loads the upload, calls ``parse`` and writes the records.

Pipeline
--------
1. **read** (``sources``): bytes, path or binary file object; the format is detected from the content
   (ZIP magic -> XLSX via openpyxl read-only, otherwise CSV); CSV encoding (UTF-8 with/without BOM,
   Windows-1252, ISO-8859-1, UTF-16 with BOM) and delimiter (``;`` tab ``,``) are detected.
2. **detect** (``mapping.propose_mapping``): column roles from German/English header synonyms, wide
   (``Ist 2015``, ``Plan 2017``, ``VE 2018``) or long (year/date + amount) layout, the decimal
   convention per file, and the sign convention from the data and the account classes of the Land.
3. **map** (``Mapping``): the confirmed, JSON-serialisable mapping; a header fingerprint lets a saved
   mapping be reused for next year's file with the same header.
4. **normalise** (``normalise``, driven by ``parser``): every non-zero amount becomes a
   ``BudgetRecord`` (product, account, year, phase, statement, direction, Decimal amount positive in
   its direction); account classes come from ``reference`` (table per Land).
5. **validate**: every problem becomes an ``ImportIssue`` with German and English text naming line,
   column, value and reason. The caller commits only if ``ParseResult.ok`` (all-or-nothing).

Public API
----------
``parse(source, mapping, *, max_errors=200, chunk_size=10_000) -> ParseResult``
    lazy; iterate ``result.chunks()`` (lists of records) once, then read ``result.ok``,
    ``result.issues``, ``result.stats``, ``result.totals()``.
``preview(source, mapping=None, n=50, *, land="NW", sheet=None) -> Preview``
    detection, proposed mapping, first n records, whole-file totals, issues; never raises.
``propose_mapping(header, sample_rows, land="NW", *, delimiter=None) -> Mapping``
``Mapping.to_dict() / Mapping.from_dict(data)``, ``header_fingerprint(header) -> str``
``totals(records) -> list[dict]``: {year, phase, statement, revenue, expense}
``open_table(source, *, sheet=None) -> Table``: header and raw rows, for custom tooling.
``parse_amount(raw, convention="de") -> Decimal``, ``detect_decimal_convention(values, delimiter)``
``derive_product_path(code, land="NW") -> ProductPath``, ``classify_account(code, scheme)``,
``scheme_for_land(land) -> (BudgetScheme, is_fallback)`` (module ``reference``).

File formats, detection rules, sign conventions, the mapping JSON and all messages are documented in
docs/import-format.md.
"""

from .issues import ERROR, WARNING, ImportFileError, ImportIssue
from .mapping import (
    ALL_POSITIVE,
    AS_IS_WITH_DIRECTION_COLUMN,
    EXPENSE_NEGATIVE,
    LONG,
    REVENUE_NEGATIVE,
    SIGN_CONVENTIONS,
    WIDE,
    Mapping,
    MappingError,
    ValueColumn,
    header_fingerprint,
    propose_mapping,
)
from .numbers import DECIMAL_COMMA, DECIMAL_POINT, NumberFormatError, detect_decimal_convention, parse_amount
from .parser import ParseResult, ParseStats, parse
from .preview import Preview, preview
from .records import BudgetRecord, totals
from .reference import (
    EXPENSE,
    FINANCIAL,
    RESULTS,
    REVENUE,
    BudgetScheme,
    ProductPath,
    classify_account,
    derive_product_path,
    scheme_for_land,
)
from .sources import SourceInfo, Table, open_table
from .vocabulary import ACTUAL, COMMITMENT, MAX_YEAR, MIN_YEAR, PHASES, PLAN

__all__ = [
    "ACTUAL",
    "ALL_POSITIVE",
    "AS_IS_WITH_DIRECTION_COLUMN",
    "COMMITMENT",
    "DECIMAL_COMMA",
    "DECIMAL_POINT",
    "ERROR",
    "EXPENSE",
    "EXPENSE_NEGATIVE",
    "FINANCIAL",
    "LONG",
    "MAX_YEAR",
    "MIN_YEAR",
    "PHASES",
    "PLAN",
    "RESULTS",
    "REVENUE",
    "REVENUE_NEGATIVE",
    "SIGN_CONVENTIONS",
    "WARNING",
    "WIDE",
    "BudgetRecord",
    "BudgetScheme",
    "ImportFileError",
    "ImportIssue",
    "Mapping",
    "MappingError",
    "NumberFormatError",
    "ParseResult",
    "ParseStats",
    "Preview",
    "ProductPath",
    "SourceInfo",
    "Table",
    "ValueColumn",
    "classify_account",
    "derive_product_path",
    "detect_decimal_convention",
    "header_fingerprint",
    "open_table",
    "parse",
    "parse_amount",
    "preview",
    "propose_mapping",
    "scheme_for_land",
    "totals",
]
