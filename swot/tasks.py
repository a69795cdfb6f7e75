"""Background jobs of the swot app: PDF/PNG export of the workshop record."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from core.jobs import JobContext, JobError, job_task
from swot import exports
from swot.access import actor_for_user
from swot.models import Board


@job_task("swot.export", time_limit=300, max_retries=1)
def export_board(ctx: JobContext, *, board_id: int, fmt: str, user_id: int) -> dict:
    """Render the record page of a board to PDF or PNG (as the requesting user sees it)."""
    board = Board.objects.select_related("municipality").filter(pk=board_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    actor = actor_for_user(board, user) if board else None
    if actor is None or fmt not in exports.BINARY_FORMATS:
        raise JobError(_("Das Board ist nicht (mehr) zugänglich."))
    html = exports.record_html(board, actor, inline_css=True)
    ctx.progress(30, _("Workshop-Protokoll erstellt, Chromium rendert …"))
    target = exports.export_path(ctx.job)
    try:
        exports.render_binary(html, fmt, target)
    except Exception as exc:
        raise JobError(_("Das Rendern mit Chromium ist fehlgeschlagen: %(e)s") % {"e": exc}) from exc
    url = reverse(
        "swot:export-download", kwargs={"slug": board.municipality.slug, "pk": board.pk, "job_id": ctx.job.pk}
    )
    return {"url": url, "filename": target.name, "bytes": target.stat().st_size}
