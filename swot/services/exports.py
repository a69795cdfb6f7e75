"""Starting the PDF/PNG export of a board's workshop record (the rendering runs as a background job)."""

from __future__ import annotations

from core.jobs import job_start
from core.models import Job
from swot.models import Board

EXPORT_JOB = "swot.export"


def board_export_start(*, board: Board, fmt: str, user) -> Job:
    """Queue the export of ``board`` as ``fmt`` rendered as ``user`` sees it (the caller checked access)."""
    return job_start(
        EXPORT_JOB,
        municipality=board.municipality,
        requested_by=user,
        params={"board_id": board.pk, "fmt": fmt, "user_id": user.pk},
    )
