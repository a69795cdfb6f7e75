"""What every file import reports: one outcome type and one JSON shape for a problem in a file.

An import is all or nothing: ``imported``, ``unchanged`` (the same data are stored already), ``dry-run``
(checked, nothing stored) or ``rejected`` (nothing stored; ``errors`` says why, by line and column).
Each app's outcome (budget, population, movements, balance sheets) is this type plus its own payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

IMPORTED, UNCHANGED, DRY_RUN, REJECTED = "imported", "unchanged", "dry-run", "rejected"


class FileIssue(Protocol):
    """A problem in an uploaded file, in German and English (``finance`` and ``planning`` issues)."""

    line: int | None
    column: str | None
    value: str | None
    message_de: str
    message_en: str


def issue_json(issue: FileIssue) -> dict[str, Any]:
    """A file problem as the CLI, the API and job results report it (German message, English alongside;
    a stable ``code`` when the issue has one)."""
    data: dict[str, Any] = {
        "line": issue.line,
        "column": issue.column,
        "value": issue.value,
        "message": issue.message_de,
        "message_en": issue.message_en,
    }
    code = getattr(issue, "code", None)
    if code is not None:
        data["code"] = code
    return data


@dataclass
class ImportOutcome:
    """What an import did; subclasses add what they imported and extend ``payload_json``."""

    status: str
    errors: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != REJECTED

    def payload_json(self) -> dict[str, Any]:
        """What was imported, for the JSON of a successful import."""
        return {}

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape (CLI ``--json``, API, job result)."""
        if not self.ok:
            return {"status": REJECTED, "errors": [_error_json(e) for e in self.errors]}
        return {"status": self.status, **self.payload_json()}


def _error_json(error: Any) -> Any:
    return error if isinstance(error, str) else issue_json(error)
