"""Background job of the finance app: import a confirmed upload (thin: load, call the service, report)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from core.jobs import JobContext, JobError, job_task
from finance.importing import Mapping
from finance.models import BudgetUpload, ImportProfile
from finance.progress import ImportProgress, estimate_rows
from finance.services import budget_upload_import


@job_task("finance.import_budget", time_limit=3600)
def import_budget(
    ctx: JobContext,
    *,
    upload_id: int,
    mapping: dict | None = None,
    dataset_name: str = "",
    label: str = "",
    phase: str | None = None,
    profile_id: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> dict:
    """Import the staged upload; a rejected file fails the job with the number of problems (the list
    is stored on the upload and shown on its page)."""
    upload = BudgetUpload.objects.select_related("municipality", "uploaded_by").filter(pk=upload_id).first()
    if upload is None:
        raise JobError(_("Die hochgeladene Datei gibt es nicht mehr."))
    profile = ImportProfile.objects.filter(pk=profile_id).first() if profile_id else None
    ctx.progress(2, _("Datei wird geprüft"))
    progress = ImportProgress(ctx, estimated_rows=estimate_rows(Path(upload.file.path)))
    try:
        outcome = budget_upload_import(
            upload=upload,
            mapping=Mapping.from_dict(mapping) if mapping else None,
            dataset_name=dataset_name,
            label=label,
            phase=phase,
            profile=profile,
            user=upload.uploaded_by,
            progress=progress,
            encoding=encoding,
            delimiter=delimiter,
        )
    finally:
        progress.close()
    if outcome.status == "rejected":
        raise JobError(
            _("Die Datei wurde abgelehnt: %(n)d Problem(e), nichts wurde gespeichert.")
            % {"n": len(outcome.errors)}
        )
    return outcome.to_json()
