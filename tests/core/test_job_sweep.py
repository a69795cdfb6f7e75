"""Issue 14 item 15: a job whose whole worker died ends within minutes, with or without Celery beat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from core.jobs import job_create, job_enqueue
from core.models import Job
from tests.conftest import _test_database_url
from tests.core.test_worker import _children, _wait


def test_polling_a_job_whose_worker_died_ends_it(api_client, municipality, planner):
    # Given a running job whose heartbeat stopped long ago (its worker is gone, no beat, no worker)
    job = job_create(kind="core.selftest", municipality=municipality, params={})
    stale = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=stale, started_at=stale)
    # When its progress bar polls it
    api_client.force_authenticate(planner)
    answer = api_client.get(f"/api/v1/jobs/{job.pk}/").json()
    # Then it is failed with a message, not "running" forever
    assert answer["status"] == "failed"
    assert "unterbrochen" in answer["message"]


@pytest.fixture
def fast_heartbeat(monkeypatch, settings):
    values = {"JOB_HEARTBEAT_INTERVAL": "1", "JOB_HEARTBEAT_TIMEOUT": "10", "JOB_SWEEP_INTERVAL": "5"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def _start_worker(queue: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "SPIELRAUM_TASK_MODE": "celery"}
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1",
               "-Q", queue, "--loglevel", "INFO", "--without-gossip", "--without-mingle",
               "--without-heartbeat"]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_job_of_a_killed_worker_is_failed_by_the_next_worker_without_beat(
    fast_heartbeat, worker, municipality, settings, tmp_path
):
    # Given a long job running on a worker (heartbeats every second), and no Celery beat anywhere
    job = job_create(kind="core.selftest", municipality=municipality, params={"steps": 60, "step_seconds": 1})
    job_enqueue(job)
    _wait(job, lambda j: j.status == Job.Status.RUNNING and j.progress > 0, timeout=60)
    # When the whole worker (parent and child) dies at once
    for pid in [*_children(worker.pid), worker.pid]:
        os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)
    started = time.monotonic()
    # and a worker is started again (as a supervisor would), before the broker would redeliver
    replacement = _start_worker(settings.CELERY_TASK_DEFAULT_QUEUE, tmp_path / "worker.log")
    try:
        # Then its sweep fails the job with a message within the heartbeat timeout plus one sweep
        done = _wait(job, lambda j: j.is_finished, timeout=60)
        assert done.status == Job.Status.FAILED
        assert "unterbrochen" in done.message
        elapsed = time.monotonic() - started
        print(f"\njob of the killed worker failed {elapsed:.1f} s after the kill")
        assert elapsed < 40
    finally:
        replacement.send_signal(signal.SIGTERM)
        try:
            replacement.wait(timeout=20)
        except subprocess.TimeoutExpired:
            replacement.kill()
