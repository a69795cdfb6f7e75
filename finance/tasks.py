"""Background job of the finance app: import a confirmed upload (thin: load, call the service, report)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from core.jobs import JobContext, JobError, job_task
from finance.models import BudgetUpload
from finance.progress import ImportProgress, estimate_rows
from finance.services import budget_upload_import, spec_from_params


@job_task("finance.import_budget", time_limit=3600)
def import_budget(
    ctx: JobContext,
    *,
    upload_id: int,
    **params: object,
) -> dict:
    """Import the staged upload; a rejected file fails the job with the number of problems (the list
    is stored on the upload and shown on its page)."""
    upload = BudgetUpload.objects.select_related("municipality", "uploaded_by").filter(pk=upload_id).first()
    if upload is None:
        raise JobError(_("Die hochgeladene Datei gibt es nicht mehr."))
    ctx.progress(2, _("Datei wird geprüft"))
    progress = ImportProgress(ctx, estimated_rows=estimate_rows(Path(upload.file.path)))
    try:
        outcome = budget_upload_import(
            upload=upload, spec=spec_from_params(params), user=upload.uploaded_by, progress=progress
        )
    finally:
        progress.close()
    if outcome.status == "rejected":
        raise JobError(
            _("Die Datei wurde abgelehnt: %(n)d Problem(e), nichts wurde gespeichert.")
            % {"n": len(outcome.errors)}
        )
    return outcome.to_json()
