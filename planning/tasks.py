"""Background jobs of the planning app: thin wrappers that call a service and return plain JSON."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.jobs import JobContext, JobError, job_task

# -- projections ----------------------------------------------------------------------------------------


@job_task("planning.run_projection", time_limit=1800)
def run_projection(ctx: JobContext, *, scenario_id: int) -> dict:
    """Compute one scenario's status-quo projection and replace its stored results."""
    from planning.models import Scenario
    from planning.projection.selectors import scenario_results_json
    from planning.projection.services import ProjectionError, projection_run

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
    from planning.projection.services import projection_batch

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


# -- resilience checks ----------------------------------------------------------------------------------


@job_task("planning.run_resilience", time_limit=900)
def run_resilience(ctx: JobContext, *, run_id: int) -> dict:
    """Compute a stored resilience check (reserve path, stress test, Monte Carlo) with progress."""
    from planning.resilience.services import ResilienceInputError, resilience_run_execute

    try:
        run = resilience_run_execute(run_id=run_id, progress=ctx.progress)
    except ResilienceInputError as exc:
        raise JobError(str(exc)) from exc
    return {
        "run_id": run.pk,
        "url": run.get_absolute_url(),
        "hsk_required": run.hsk_required,
        "first_trigger_year": run.first_trigger_year,
    }
