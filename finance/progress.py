"""Progress of an import that runs inside one database transaction, for the job's live progress bar.

``JobContext.progress`` writes the job row on the default connection, but during the import that
connection is inside the import transaction (and, on PostgreSQL, busy with COPY): a write there would
be invisible until commit. So on PostgreSQL the progress goes through a second, autocommitting
connection; on SQLite (a single writer) only the live event is sent over the channel layer, and the
row catches up when the job ends. Progress is best effort: a failed update never fails the import.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import JobContext, job_publish
from core.models import Job

logger = logging.getLogger(__name__)
_CHUNK = 1 << 20


def estimate_rows(path: Path) -> int | None:
    """Data rows of a CSV file by counting line breaks (fast); None for XLSX (unknown up front)."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(b"PK\x03\x04"):
            return None
        handle.seek(0)
        lines = 0
        last = b""
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(lines - (0 if last != b"\n" else 1), 1)


class ImportProgress:
    """Callable given to ``budget_import``: maps rows read to 5-95 % and reports at most twice a second."""

    def __init__(self, ctx: JobContext, *, estimated_rows: int | None, interval: float = 0.5) -> None:
        self.ctx = ctx
        self.estimated_rows = estimated_rows
        self.interval = interval
        self._last = 0.0
        self._side = None
        if connection.vendor == "postgresql":
            self._side = connections.create_connection("default")

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        if self.estimated_rows:
            percent = 5 + 90 * min(rows / self.estimated_rows, 1.0)
        else:  # unknown size (XLSX): approach 95 % without reaching it
            percent = 5 + 90 * (1 - 1 / (1 + rows / 50_000))
        message = _("%(rows)s Zeilen gelesen") % {"rows": f"{rows:,}".replace(",", ".")}
        self.report(int(percent), message)

    def report(self, percent: int, message: str) -> None:
        job = self.ctx.job
        job.progress, job.message, job.heartbeat_at = min(percent, 99), message, timezone.now()
        if self._side is not None:
            try:
                with self._side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
                    cursor.execute(
                        f"UPDATE {Job._meta.db_table} SET progress = %s, message = %s, heartbeat_at = %s "  # noqa: S608
                        "WHERE id = %s",
                        [job.progress, message, job.heartbeat_at, job.pk],
                    )
            except Exception:  # progress is best effort
                logger.warning("Could not store progress of job %s", job.pk, exc_info=True)
        job_publish(job)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
