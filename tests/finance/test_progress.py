"""Import progress reaches the progress bar although the import runs inside one transaction."""

import pytest
from django.db import transaction

from core.jobs import JobContext, job_create
from finance.progress import ImportProgress, estimate_rows
from tests.conftest import require_postgres
from tests.finance.factories import sample_csv


def test_estimate_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(sample_csv())
    assert estimate_rows(path) == 5
    (tmp_path / "b.xlsx").write_bytes(b"PK\x03\x04...")
    assert estimate_rows(tmp_path / "b.xlsx") is None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_progress_is_stored_outside_the_import_transaction(municipality):
    require_postgres()
    job = job_create(kind="finance.import_budget", municipality=municipality)
    progress = ImportProgress(JobContext(job), estimated_rows=200, interval=0)
    try:
        with transaction.atomic():
            progress(100)
            transaction.set_rollback(True)  # even an import that rolls back has shown its progress
    finally:
        progress.close()
    job.refresh_from_db()
    assert job.progress == 50
    assert "100 Zeilen gelesen" in job.message
    assert job.heartbeat_at is not None


@pytest.mark.django_db
def test_progress_on_sqlite_only_publishes(municipality, settings):
    job = job_create(kind="finance.import_budget", municipality=municipality)
    progress = ImportProgress(JobContext(job), estimated_rows=None, interval=0)
    progress(50_000)
    progress.close()
    assert 5 < progress.ctx.job.progress < 95
