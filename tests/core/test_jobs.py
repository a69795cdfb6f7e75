from datetime import timedelta

import pytest
from django.utils import timezone

from core.jobs import job_create, job_enqueue, jobs_fail_stale
from core.models import Job


def _run(job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue(job)
    job.refresh_from_db()
    return job


def test_job_runs_to_success_with_result(municipality, planner, django_capture_on_commit_callbacks):
    job = job_create(
        kind="core.selftest",
        municipality=municipality,
        requested_by=planner,
        params={"steps": 3, "step_seconds": 0},
    )
    job = _run(job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == 100
    assert job.result == {"steps": 3, "attempt": 1}
    assert job.started_at and job.finished_at
    assert "self-test finished" in job.log


def test_job_failure_shows_plain_message(municipality, django_capture_on_commit_callbacks):
    job = job_create(
        kind="core.selftest", municipality=municipality, params={"steps": 1, "step_seconds": 0, "fail": True}
    )
    job = _run(job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert job.message == "Selbsttest: absichtlich fehlgeschlagen."


def test_unexpected_error_fails_job_with_traceback_in_log(municipality, django_capture_on_commit_callbacks):
    job = job_create(kind="core.selftest", municipality=municipality, params={"steps": "drei"})
    job = _run(job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "unerwarteter Fehler" in job.message
    assert "TypeError" in job.log


def test_job_is_not_dispatched_before_commit(municipality, django_capture_on_commit_callbacks):
    job = job_create(kind="core.selftest", municipality=municipality, params={"steps": 1, "step_seconds": 0})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_enqueue(job)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert len(callbacks) == 1


def test_redelivered_job_beyond_max_attempts_fails(
    municipality, settings, django_capture_on_commit_callbacks
):
    settings.JOB_MAX_ATTEMPTS = 2
    job = job_create(kind="core.selftest", municipality=municipality, params={"steps": 1, "step_seconds": 0})
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=2)
    job = _run(job, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "2 Versuchen" in job.message


def test_finished_job_is_not_run_again(municipality, django_capture_on_commit_callbacks):
    job = job_create(kind="core.selftest", municipality=municipality, params={"steps": 1, "step_seconds": 0})
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, result={"x": 1})
    job = _run(job, django_capture_on_commit_callbacks)
    assert job.result == {"x": 1}
    assert job.attempts == 0


@pytest.mark.parametrize(("age", "expected_status"), [(10, Job.Status.RUNNING), (4000, Job.Status.FAILED)])
def test_stale_running_job_is_failed(municipality, age, expected_status):
    now = timezone.now()
    job = job_create(kind="core.selftest", municipality=municipality)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=now - timedelta(seconds=age))
    jobs_fail_stale(now=now, timeout=900)
    job.refresh_from_db()
    assert job.status == expected_status
    if expected_status == Job.Status.FAILED:
        assert "unterbrochen" in job.message


def test_job_page_and_api_are_scoped(client, api_client, municipality, planner, outsider):
    job = job_create(kind="core.selftest", municipality=municipality)
    client.force_login(outsider)
    assert client.get(f"/auftraege/{job.pk}/").status_code == 404
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert api_client.get("/api/v1/jobs/").json()["count"] == 0
    client.force_login(planner)
    assert client.get(f"/auftraege/{job.pk}/").status_code == 200
