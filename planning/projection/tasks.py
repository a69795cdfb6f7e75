"""Background jobs of projections: thin wrappers that load by id, call a service and return plain JSON."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.jobs import JobContext, JobError, job_task
from planning.projection.models import Scenario
from planning.projection.selectors import scenario_results_json
from planning.projection.services import ProjectionError, projection_batch, projection_run


@job_task("planning.run_projection", time_limit=1800)
def run_projection(ctx: JobContext, *, scenario_id: int) -> dict:
    """Compute one scenario's status-quo projection and replace its stored results."""
    scenario = Scenario.objects.select_related("municipality").filter(pk=scenario_id).first()
    if scenario is None:
        raise JobError(_("Das Szenario gibt es nicht mehr."))
    ctx.progress(10, _("Daten werden geladen"))
    try:
        scenario = projection_run(scenario=scenario)
    except ProjectionError as exc:
        raise JobError(str(exc)) from exc
    ctx.progress(95, _("Ergebnisse gespeichert"))
    return scenario_results_json(scenario, with_areas=False)


@job_task("planning.run_projection_batch", time_limit=3600)
def run_projection_batch(ctx: JobContext) -> dict:
    """Compute every scenario of the installation; progress per municipality stored."""
    ctx.progress(1, _("Daten aller Kommunen werden geladen"))

    def progress(done: int, total: int, municipality) -> None:
        ctx.progress(
            5 + 94 * done / max(total, 1),
            _("%(name)s gespeichert (%(done)d von %(total)d)")
            % {
                "name": municipality.name,
                "done": done,
                "total": total,
            },
        )

    report = projection_batch(progress=progress)
    if report.errors:
        ctx.log(f"{len(report.errors)} scenario(s) not computed: {report.errors}")
    return report.to_json()
