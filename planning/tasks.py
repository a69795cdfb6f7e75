"""Background jobs of the planning app: each feature keeps its own ``tasks.py``; this module imports them
so that Celery's and Django's autodiscovery (``<app>.tasks``) register every job kind."""

from planning.projection.tasks import run_projection, run_projection_batch
from planning.resilience.tasks import run_resilience

__all__ = ["run_projection", "run_projection_batch", "run_resilience"]
