"""A real Celery worker runs the batch projection over all municipalities (CI: PostgreSQL + Redis).

The ``worker`` fixture (tests/conftest.py) is a prefork worker with one child on the test database and
a queue of its own.
"""

from __future__ import annotations

import time

import pytest

from core.models import Job
from planning.models import ProjectionYear, Scenario
from planning.projection.services import projection_batch_start, scenario_create
from tests.factories import MunicipalityFactory
from tests.planning.factories import budget_version, population_variant, synthetic_budget_lines
from tests.planning.projection.stored import result_count

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

YEARS = list(range(2024, 2035))
COUNTS = [[100 - t, 200 + t, 600, 100 + 2 * t] for t in range(len(YEARS))]


def _wait(job: Job, predicate, timeout: float) -> tuple[Job, set[int]]:
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.add(job.progress)
        if predicate(job):
            return job, seen
        time.sleep(0.05)
    raise AssertionError(f"timed out; job is {job.status} at {job.progress} %: {job.message}")


def test_worker_runs_batch_projection_with_progress_and_results(worker):
    # Given three municipalities with a budget, a population variant and a scenario each
    items = 40
    for k in range(3):
        municipality = MunicipalityFactory(slug=f"batch-{k}", ags=f"0599910{k}", name=f"Batchstadt {k}")
        version = budget_version(municipality, synthetic_budget_lines(2024, items, seed=k))
        series = population_variant(municipality, YEARS, COUNTS)
        scenario_create(
            municipality=municipality, name="Basis", budget_version=version, population=series, horizon=10
        )
    # When an installation admin starts the batch (autocommit: dispatched at once)
    job = projection_batch_start(user=None)
    # Then the worker reports progress per municipality and finishes at 100 % with all results stored
    done, seen = _wait(job, lambda j: j.is_finished, timeout=120)
    assert done.status == Job.Status.SUCCEEDED, done.message + done.log
    assert done.progress == 100
    assert done.municipality is None
    assert done.result["scenarios"] == 3 and done.result["municipalities"] == 3
    assert done.result["rows"] == 3 * items * 11
    assert set(done.result["seconds"]) == {"load", "compute", "store"}
    assert "Batchstadt 2" in done.message or any(0 < p < 100 for p in seen)
    assert result_count() == 3 * items * 11
    assert ProjectionYear.objects.count() == 3 * 11
    assert all(s.computed_at for s in Scenario.objects.all())
