"""Core background tasks: the worker self-test job and the periodic clean-up of stale jobs."""

import time

from celery import shared_task
from django.utils.translation import gettext as _

from core.jobs import JobContext, JobError, job_task, jobs_fail_stale


@job_task("core.selftest", time_limit=600)
def selftest(ctx: JobContext, *, steps: int = 5, step_seconds: float = 0.5, fail: bool = False) -> dict:
    """Check that background processing works end to end: progress, database writes, result.

    Admins start it from the job page to see whether a worker is alive; the tests use it to kill a
    worker in the middle of a job.
    """
    for step in range(steps):
        time.sleep(step_seconds)
        ctx.progress(
            100 * (step + 1) / (steps + 1), _("Schritt %(n)d von %(total)d") % {"n": step + 1, "total": steps}
        )
    if fail:
        raise JobError(_("Selbsttest: absichtlich fehlgeschlagen."))
    ctx.log("self-test finished")
    return {"steps": steps, "attempt": ctx.job.attempts}


@shared_task(name="core.fail_stale_jobs", time_limit=120)
def fail_stale_jobs() -> int:
    """Periodic (Celery beat): fail jobs whose worker stopped sending heartbeats."""
    return jobs_fail_stale()
