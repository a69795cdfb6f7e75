"""What the user sees before confirming an import: detection results, the proposed mapping, the first
records, whole-file totals to compare with the accounting system, and every problem found.

The preview reads the whole file once (totals over a sample would be useless for a to-the-cent
comparison) but keeps only ``n`` records, so its memory does not grow with the file.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from .detect import Detection
from .issues import ERROR, ImportFileError, ImportIssue, make_issue
from .mapping import Mapping, header_fingerprint, propose_with_detection
from .parser import ParseResult, ParseStats
from .records import BudgetRecord
from .sources import XLSX, Source, Table, open_table

SAMPLE_ROWS = 2000  # rows used to propose roles, decimal and sign conventions


@dataclass
class Preview:
    """Result of ``preview``; ``to_dict`` gives a JSON-ready form (Decimals as strings)."""

    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    mapping: Mapping | None = None
    mapping_proposed: bool = False
    fingerprint_matches: bool | None = None
    unmapped_columns: list[str] = field(default_factory=list)
    records: list[BudgetRecord] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    stats: ParseStats = field(default_factory=ParseStats)
    detection: Detection | None = None

    @property
    def layout(self) -> str | None:
        return self.mapping.layout if self.mapping else None

    @property
    def ok(self) -> bool:
        """True when importing this file with this mapping would succeed."""
        return not any(issue.severity == ERROR for issue in self.issues)

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            return str(value) if isinstance(value, Decimal) else value

        return {
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "sheets": self.sheets,
            "header": self.header,
            "layout": self.layout,
            "fingerprint": self.fingerprint,
            "mapping": self.mapping.to_dict() if self.mapping else None,
            "mapping_proposed": self.mapping_proposed,
            "fingerprint_matches": self.fingerprint_matches,
            "unmapped_columns": self.unmapped_columns,
            "records": [{k: plain(getattr(r, k)) for k in r.__slots__} for r in self.records],
            "totals": [{k: plain(v) for k, v in row.items()} for row in self.totals],
            "issues": [issue.to_dict() for issue in self.issues],
            "stats": self.stats.to_dict(),
            "detection": self.detection.to_dict() if self.detection else None,
            "ok": self.ok,
        }


def preview(
    source: Source,
    mapping: Mapping | None = None,
    n: int = 50,
    *,
    land: str = "NW",
    sheet: str | None = None,
    max_errors: int = 200,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Preview:
    """Detect, propose (unless ``mapping`` is given), parse the whole file, keep the first ``n`` records.

    ``source`` may be an opened ``Table`` (the caller's, left open) so that a file is opened and
    detected once. Never raises for a bad file: every problem is in ``issues``.
    """
    result = Preview(mapping=mapping)
    try:
        if isinstance(source, Table):
            opened = contextlib.nullcontext(source)
        else:
            opened = open_table(
                source,
                sheet=sheet or (mapping.sheet if mapping else None),
                encoding=encoding,
                delimiter=delimiter,
            )
        with opened as table:
            info = table.info
            result.format, result.encoding, result.delimiter = info.format, info.encoding, info.delimiter
            result.sheet, result.sheets = info.sheet, info.sheets
            result.header = table.header
            result.fingerprint = header_fingerprint(table.header)
            notes: list[ImportIssue] = []
            rows = table.rows()
            try:
                sample = [cells for _, cells in islice(rows, SAMPLE_ROWS)]
            finally:
                rows.close()  # releases the text wrapper before the full pass re-reads the file
            # what detection proposes is shown beside the user's mapping too (role, confidence, why not)
            proposed, proposal_notes, result.detection = propose_with_detection(
                table.header, sample, land, info.delimiter
            )
            if mapping is None:
                mapping, notes = proposed, proposal_notes
                if info.format == XLSX:
                    mapping.sheet = info.sheet
                result.mapping, result.mapping_proposed = mapping, True
            else:
                result.fingerprint_matches = (
                    mapping.header_fingerprint == result.fingerprint if mapping.header_fingerprint else None
                )
            used = mapping.used_columns()
            result.unmapped_columns = [h for h in table.header if h not in used]
            parsed = ParseResult(table, mapping, max_errors=max_errors)
            for chunk in parsed.chunks():
                if len(result.records) < n:
                    result.records.extend(chunk[: n - len(result.records)])
            result.issues = notes + parsed.issues
            if result.detection is not None and any(i.code == "mapping_incomplete" for i in result.issues):
                # a whole-file rejection names the file's columns and why each did not qualify
                result.issues.append(
                    make_issue(
                        "column_report",
                        report_de=result.detection.summary(True),
                        report_en=result.detection.summary(False),
                    )
                )
            result.totals = parsed.totals()
            result.stats = parsed.stats
    except ImportFileError as exc:
        result.issues.append(exc.issue)
    return result
