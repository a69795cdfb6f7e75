"""A real Celery worker process consumes real jobs from Redis (CI: PostgreSQL + Redis)."""

import os
import signal
import subprocess
import time

import pytest

from core.jobs import job_create, job_enqueue
from core.models import Job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait(job: Job, predicate, timeout: float) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if predicate(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"timed out; job is {job.status} at {job.progress} %: {job.message}")


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_worker_runs_job_with_progress_and_result(worker, municipality):
    job = job_create(
        kind="core.selftest", municipality=municipality, params={"steps": 4, "step_seconds": 0.3}
    )
    job_enqueue(job)  # autocommit: dispatched at once
    seen = _wait(job, lambda j: 0 < j.progress < 100, timeout=60)
    assert seen.status == Job.Status.RUNNING
    done = _wait(job, lambda j: j.is_finished, timeout=60)
    assert done.status == Job.Status.SUCCEEDED, done.message
    assert done.progress == 100
    assert done.result == {"steps": 4, "attempt": 1}


def test_killed_worker_child_leads_to_retry_and_success(worker, municipality):
    # Given a job running on the worker's child process
    job = job_create(
        kind="core.selftest", municipality=municipality, params={"steps": 8, "step_seconds": 0.5}
    )
    job_enqueue(job)
    _wait(job, lambda j: j.status == Job.Status.RUNNING and j.progress > 0, timeout=60)
    children = _children(worker.pid)
    assert children, "the prefork worker has a child process"
    # When that process is killed mid-job
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    # Then the message is redelivered and the job finishes on the second attempt, never stuck running
    done = _wait(job, lambda j: j.is_finished, timeout=120)
    assert done.status == Job.Status.SUCCEEDED, done.message
    assert done.attempts == 2
    assert done.result["attempt"] == 2
