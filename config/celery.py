"""The Celery application. Workers: ``celery -A config worker``; tasks live in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("spielraum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _sweep_stale_jobs(**_kwargs):
    """Every worker fails jobs whose worker died (no heartbeat), at start and periodically: a set-up
    without Celery beat still ends them within minutes (core.jobs.jobs_sweeper_start)."""
    from core.jobs import jobs_sweeper_start

    jobs_sweeper_start()
