"""Background jobs, one door: a service starts a job by its kind; the runner dispatches it by name.

Usage in an app::

    # finance/tasks.py: the job function, registered under its kind
    @job_task("finance.import_budget", time_limit=3600)
    def import_budget(ctx: JobContext, *, upload_id: int) -> dict:
        ctx.progress(10, "Datei gelesen")
        ...
        return {"dataset_version": 12}          # stored in Job.result

    # finance/services.py: start it by kind (never import the task module)
    job = job_start("finance.import_budget", municipality=m, requested_by=user, params={...})

``job_start`` creates the queued row and dispatches the task registered under ``kind`` after the
transaction commits. Services start jobs; tasks call services; so services never import tasks (no import
loop), and views call a service instead of creating jobs. The registry is filled when the apps'
``tasks`` modules are imported (Celery's autodiscovery in a worker, ``autodiscover_modules("tasks")``
on first use in the web process).

How the task runs depends on ``settings.TASK_MODE``: ``celery`` sends it to a worker through Redis;
``thread`` runs it in a background thread of the web process (the embedded default, so the progress
bar moves on a laptop too); ``eager`` runs it at once (tests).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from core.db import connections_release
from core.models import Job

logger = logging.getLogger(__name__)
_thread_pool: ThreadPoolExecutor | None = None
_KINDS: dict[str, Any] = {}  # kind -> Celery task, filled by @job_task


class JobError(Exception):
    """A failure to be shown to the user as it is (plain words, no traceback)."""


class JobContext:
    """Handed to a job function: progress reporting and logging for its Job row."""

    def __init__(self, job: Job):
        self.job = job

    def progress(self, percent: float, message: str = "") -> None:
        """Store progress (0-100) and a heartbeat, and tell the live progress bars."""
        percent = max(0, min(99, int(percent)))  # 100 is reserved for "succeeded"
        now = timezone.now()
        fields = {"progress": percent, "heartbeat_at": now}
        if message:
            fields["message"] = message
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for key, value in fields.items():
            setattr(self.job, key, value)
        job_publish(self.job)

    def log(self, line: str) -> None:
        """Append a line to the job's log (kept in the row, shown on the job's page)."""
        stamp = timezone.now().strftime("%H:%M:%S")
        self.job.log = f"{self.job.log}{stamp} {line}\n"
        Job.objects.filter(pk=self.job.pk).update(log=self.job.log, heartbeat_at=timezone.now())


def job_create(*, kind: str, municipality=None, requested_by=None, params: dict | None = None) -> Job:
    """Create a queued job row without dispatching it (``job_start`` does both)."""
    return Job.objects.create(
        kind=kind,
        municipality=municipality,
        requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
        params=params or {},
    )


def job_start(kind: str, *, municipality=None, requested_by=None, params: dict | None = None) -> Job:
    """Start a background job of ``kind``: create its row and dispatch it once the transaction commits.

    Call inside the transaction that creates the job's inputs. An unknown kind raises ``LookupError``
    before anything is written.
    """
    job_task_for(kind)
    job = job_create(kind=kind, municipality=municipality, requested_by=requested_by, params=params)
    job_enqueue(job)
    return job


def job_enqueue(job: Job) -> None:
    """Dispatch the task registered for ``job.kind`` once the current transaction has committed.

    Enqueueing after commit guarantees the worker finds the rows the job needs; with no transaction
    open it dispatches at once.
    """
    task = job_task_for(job.kind)
    transaction.on_commit(lambda: _dispatch(task, job.pk))


def job_registered_kinds() -> frozenset[str]:
    """Every kind a job can be started with (the apps' ``tasks`` modules imported)."""
    autodiscover_modules("tasks")
    return frozenset(_KINDS)


def job_task_for(kind: str):
    """The task registered for ``kind``; raises ``LookupError`` for an unknown kind."""
    if kind not in _KINDS:
        autodiscover_modules("tasks")
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"No background job is registered under the kind {kind!r}.") from None


def _dispatch(task, job_id: int) -> None:
    mode = settings.TASK_MODE
    if mode == "celery":
        task.apply_async(args=[job_id])
    elif mode == "thread":
        _pool().submit(_run_in_thread, task, job_id)
    else:
        task.apply(args=[job_id])


def _pool() -> ThreadPoolExecutor:
    global _thread_pool
    if _thread_pool is None:
        _thread_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spielraum-job")
    return _thread_pool


def _run_in_thread(task, job_id: int) -> None:
    try:
        task.apply(args=[job_id])
    finally:
        connection.close()


def job_publish(job: Job) -> None:
    """Send the job's state to its channel-layer group (best effort: the page also polls on loss)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(job.group_name, {"type": "job.update", "job": job.as_event()})
    except Exception:  # a dropped progress event is harmless; the row is the truth
        logger.warning("Could not publish progress of job %s", job.pk, exc_info=True)


def _claim(job_id: int) -> Job | None:
    """Mark the job running (queued, or running again after a redelivery) and count the attempt."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    return Job.objects.get(pk=job_id) if claimed else None


def _finish(job: Job, status: str, *, message: str = "", result: dict | None = None, log: str = "") -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "finished_at": now, "heartbeat_at": now}
    if status == Job.Status.SUCCEEDED:
        fields["progress"] = 100
    if message:
        fields["message"] = message
    if result is not None:
        fields["result"] = result
    if log:
        fields["log"] = job.log + log
    Job.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    job_publish(job)


def job_task(name: str, *, time_limit: int = 1800, max_retries: int = 3) -> Callable:
    """Turn ``fn(ctx, **params) -> dict`` into a Celery task that runs one Job row, registered as the
    job kind ``name`` (the Celery task has the same name).

    The task is thin and JSON-only: it receives the job id, claims the row, calls ``fn`` with the
    job's params and stores what it returns. ``acks_late`` plus ``reject_on_worker_lost`` make a
    killed worker's job come back; the attempt counter stops endless redelivery. Database and
    broker hiccups are retried with backoff; anything else fails the job with a plain message.
    """

    def decorator(fn: Callable[..., dict | None]):
        @shared_task(
            name=name,
            bind=True,
            acks_late=True,
            reject_on_worker_lost=True,
            time_limit=time_limit,
            soft_time_limit=max(time_limit - 30, 1),
            max_retries=max_retries,
            serializer="json",
        )
        def run(self, job_id: int):
            if not self.request.is_eager:  # a worker's long-lived connection may have gone stale
                close_old_connections()
            job = _claim(job_id)
            if job is None:  # already finished (a duplicate delivery): nothing to do
                return None
            if job.attempts > settings.JOB_MAX_ATTEMPTS:
                _finish(
                    job,
                    Job.Status.FAILED,
                    message=_(
                        "Der Auftrag wurde nach %(n)d Versuchen abgebrochen, weil der Hintergrundprozess "
                        "wiederholt unterbrochen wurde."
                    )
                    % {"n": job.attempts - 1},
                )
                return None
            job_publish(job)
            ctx = JobContext(job)
            # a worker's job, and a job in the web process's thread (run eagerly there, but as long as in a
            # worker: without beats, a poll of the job would fail it after JOB_HEARTBEAT_TIMEOUT)
            in_background = not self.request.is_eager or settings.TASK_MODE == "thread"
            heartbeat = _Heartbeat(job.pk) if in_background else None
            try:
                result = fn(ctx, **job.params) or {}
            except JobError as exc:
                _finish(job, Job.Status.FAILED, message=str(exc))
            except SoftTimeLimitExceeded:
                _finish(
                    job,
                    Job.Status.FAILED,
                    message=_("Der Auftrag hat das Zeitlimit von %(s)d Sekunden überschritten.")
                    % {"s": time_limit},
                )
            except OperationalError as exc:
                if self.request.retries < max_retries and not self.request.is_eager:
                    Job.objects.filter(pk=job.pk).update(
                        status=Job.Status.QUEUED,
                        message=_("Datenbank vorübergehend nicht erreichbar; neuer Versuch folgt."),
                    )
                    raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc
                _finish(
                    job,
                    Job.Status.FAILED,
                    message=_("Die Datenbank war nicht erreichbar."),
                    log=traceback.format_exc(),
                )
            except Exception:
                logger.exception("Job %s (%s) failed", job.pk, name)
                _finish(
                    job,
                    Job.Status.FAILED,
                    message=_(
                        "Ein unerwarteter Fehler ist aufgetreten. "
                        "Die Details stehen im Protokoll des Auftrags."
                    ),
                    log=traceback.format_exc(),
                )
            else:
                _finish(job, Job.Status.SUCCEEDED, result=result)
            finally:
                if heartbeat is not None:
                    heartbeat.stop()
            return job_id

        run.job_function = fn
        registered = _KINDS.get(name)
        if registered is not None and registered.job_function.__qualname__ != fn.__qualname__:
            raise ValueError(f"job kind {name!r} registered twice")
        _KINDS[name] = run
        return run

    return decorator


class _Heartbeat:
    """Writes the running job's ``heartbeat_at`` every ``JOB_HEARTBEAT_INTERVAL`` seconds from a thread.

    Whatever the job function does (a long numpy call that reports no progress), the row shows that its
    process is alive; when the whole worker dies, the heartbeats stop, and after ``JOB_HEARTBEAT_TIMEOUT``
    any sweep (each worker's, beat's, or a read of the job) fails it with a message.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-heartbeat-{job_id}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(settings.JOB_HEARTBEAT_INTERVAL):
            try:
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
            except Exception:  # a missed beat is harmless; the next one retries
                logger.warning("Heartbeat of job %s not written", self.job_id, exc_info=True)
            finally:  # one beat, one unit of work: the connection goes back between beats
                connections_release()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)


_sweeper_started = False


def jobs_sweeper_start() -> None:
    """In a worker process: fail stale jobs now and every ``JOB_SWEEP_INTERVAL`` seconds (a thread).

    So a job whose whole worker died ends within ``JOB_HEARTBEAT_TIMEOUT + JOB_SWEEP_INTERVAL`` seconds as
    soon as any worker runs, with or without Celery beat (config/celery.py starts it on ``worker_ready``).
    """
    global _sweeper_started
    if _sweeper_started:
        return
    _sweeper_started = True

    def sweep_forever() -> None:
        while True:
            try:
                failed = jobs_fail_stale()
                if failed:
                    logger.warning("Failed %d job(s) whose worker stopped", failed)
            except Exception:
                logger.warning("Sweep of stale jobs failed", exc_info=True)
            finally:
                connection.close()
            time.sleep(settings.JOB_SWEEP_INTERVAL)

    threading.Thread(target=sweep_forever, name="job-sweeper", daemon=True).start()


def jobs_fail_stale(*, now=None, timeout: int | None = None) -> int:
    """Fail running jobs whose heartbeat is older than ``timeout`` seconds (their worker is gone).

    Also fails queued jobs that never started within a day. Returns the number of jobs failed.
    """
    now = now or timezone.now()
    timeout = settings.JOB_HEARTBEAT_TIMEOUT if timeout is None else timeout
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=timeout))
    count = stale.update(
        status=Job.Status.FAILED,
        finished_at=now,
        message=_("Der Hintergrundprozess wurde unterbrochen (keine Rückmeldung seit %(s)d Sekunden).")
        % {"s": timeout},
    )
    count += Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=now - timedelta(days=1)).update(
        status=Job.Status.FAILED, finished_at=now, message=_("Der Auftrag wurde nie gestartet.")
    )
    return count


def jobs_fail_orphaned_in_process() -> int:
    """At start-up of the embedded server: jobs of a previous process's thread can never finish."""
    if settings.TASK_MODE != "thread":
        return 0
    return Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.FAILED,
        finished_at=timezone.now(),
        message=_("Der Server wurde neu gestartet, bevor der Auftrag fertig war."),
    )
