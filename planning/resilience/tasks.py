"""Background job of resilience checks: compute a stored run (thin: the service does the work)."""

from __future__ import annotations

from core.jobs import JobContext, JobError, job_task
from planning.resilience.services import ResilienceInputError, resilience_run_execute


@job_task("planning.run_resilience", time_limit=900)
def run_resilience(ctx: JobContext, *, run_id: int) -> dict:
    """Compute a stored resilience check (reserve path, stress test, Monte Carlo) with progress."""
    try:
        run = resilience_run_execute(run_id=run_id, progress=ctx.progress)
    except ResilienceInputError as exc:
        raise JobError(str(exc)) from exc
    return {
        "run_id": run.pk,
        "url": run.get_absolute_url(),
        "hsk_required": run.hsk_required,
        "first_trigger_year": run.first_trigger_year,
    }
