"""Pages for population, scenarios, projections and the room to act.

Views only check permission (``municipality_required``: VIEW to read, PLAN to change), parse input, call
one service or selector and render. Objects addressed by id are looked up inside the municipality, so a
foreign id answers 404 like a foreign municipality.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import Job
from core.params import optional, parse_id
from core.permissions import Capability, municipality_required
from core.templatetags.spielraum import lang
from finance.vocabulary import product_area_name
from planning.engine.projection import TARGET_GROUPS, default_driver
from planning.engine.task_types import PRODUCT_AREA_TASK_TYPES, TASK_TYPES, TaskType
from planning.measures import selectors as measure_selectors
from planning.models import AgeProfile, Scenario
from planning.population import selectors as pop_sel
from planning.population import services as pop_services
from planning.projection import charts, services
from planning.projection import selectors as sel
from planning.projection.forms import (
    AgeProfileForm,
    ScenarioForm,
    TaskTypeForm,
)

PLAN = Capability.PLAN


def _scenario(municipality, scenario_id: int) -> Scenario:
    return get_object_or_404(
        Scenario.objects.select_related("municipality", "population", "budget_version__dataset"),
        pk=scenario_id,
        municipality=municipality,
    )


def _can_plan(request: HttpRequest) -> bool:
    return PLAN in getattr(request, "capabilities", ())


def overview_panel_context(request: HttpRequest, municipality) -> dict[str, Any]:
    """Overview panel: the latest computed projection and its balance in the last horizon year."""
    return {"projection_summary": sel.latest_projection_summary(municipality), "municipality": municipality}


# -- projection index and scenarios ---------------------------------------------------------------------
@municipality_required()
def projection_index(request, municipality):
    scenarios = list(sel.scenarios_of(municipality))
    last_balances = sel.scenarios_comparison(scenarios) if scenarios else {"rows": []}
    finals = {}
    for row in last_balances["rows"]:
        values = row["values"]
        finals[row["scenario"].pk] = values[max(values)] if values else None
    return render(
        request,
        "planning/projection/index.html",
        {
            "municipality": municipality,
            "scenarios": [(s, finals.get(s.pk)) for s in scenarios],
            "population": pop_sel.population_overview(municipality),
            "can_plan": _can_plan(request),
            "is_superuser": request.user.is_superuser,
        },
    )


@municipality_required(PLAN)
def scenario_create(request, municipality):
    form = ScenarioForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_create(
                municipality=municipality, actor=request.user, **form.service_values()
            )
        except services.ProjectionError as exc:
            form.add_error(None, str(exc))
        else:
            job = services.projection_start(scenario=scenario, user=request.user)
            return redirect(_detail_url(scenario, job))
    return render(
        request, "planning/projection/scenario_form.html", {"municipality": municipality, "form": form}
    )


@municipality_required(PLAN)
def scenario_edit(request, municipality, scenario_id: int):
    scenario = _scenario(municipality, scenario_id)
    form = ScenarioForm(
        request.POST or None, municipality=municipality, initial=ScenarioForm.initial_from(scenario)
    )
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        if values.get("base_year") is None:
            values["base_year"] = scenario.base_year
        try:
            scenario = services.scenario_update(
                scenario=scenario,
                expected_revision=form.cleaned_data.get("revision"),
                actor=request.user,
                **values,
            )
        except services.ScenarioConflict as exc:
            # Keep the user's input; saving again now applies it knowingly to the current revision.
            form.data = form.data.copy()
            form.data["revision"] = str(exc.current.revision)
            form.add_error(None, str(exc))
            scenario = exc.current
        except services.ProjectionError as exc:
            form.add_error(None, str(exc))
        else:
            job = (
                services.projection_start(scenario=scenario, user=request.user)
                if scenario.computed_at is None
                else None
            )
            return redirect(_detail_url(scenario, job))
    return render(
        request,
        "planning/projection/scenario_form.html",
        {"municipality": municipality, "form": form, "scenario": scenario},
    )


def _detail_url(scenario: Scenario, job: Job | None = None) -> str:
    url = reverse(
        "planning:scenario-detail", kwargs={"slug": scenario.municipality.slug, "scenario_id": scenario.pk}
    )
    return f"{url}?job={job.pk}" if job else url


@municipality_required()
def scenario_detail(request, municipality, scenario_id: int):
    scenario = _scenario(municipality, scenario_id)
    job = None
    job_id = optional(parse_id, request.GET.get("job"))
    if job_id is not None:
        job = Job.objects.filter(pk=job_id, municipality=municipality).first()
    years = sel.projection_years(scenario)
    drivers = sel.scenario_drivers(scenario)
    land = municipality.land
    chosen = set(scenario.measures.values_list("pk", flat=True))
    effects = sel.scenario_measure_effects(scenario) if years else {}
    measure_rows = [
        (row.year, row.balance - effects.get(row.year, 0), effects.get(row.year, 0), row.balance)
        for row in years
        if effects
    ]
    return render(
        request,
        "planning/projection/scenario_detail.html",
        {
            "municipality": municipality,
            "scenario": scenario,
            "job": job if job and not (job.is_finished and scenario.computed_at) else None,
            "years": years,
            "first": years[0] if years else None,
            "last": years[-1] if years else None,
            "chart": charts.scenario_chart_data(scenario, years, land),
            "drivers": [
                (row, product_area_name(row.area, land) or row.area, _driver_label(row.driver))
                for row in drivers
            ],
            "can_plan": _can_plan(request),
            "measure_choices": [(m, m.pk in chosen) for m in measure_selectors.measures_of(municipality)],
            "measure_rows": measure_rows,
            "plan_years": (scenario.computation or {}).get("plan_years") or [scenario.base_year],
            "measures_stale": bool(
                scenario.computed_at
                and scenario.measures.filter(updated_at__gt=scenario.computed_at).exists()
            ),
        },
    )


@municipality_required(PLAN)
@require_POST
def scenario_measures(request, municipality, scenario_id: int):
    """Set the measures the scenario includes, then recompute it in the background."""
    scenario = _scenario(municipality, scenario_id)
    ids = [int(v) for v in request.POST.getlist("measure") if v.isdigit()]
    chosen = list(measure_selectors.measures_of(municipality).filter(pk__in=ids))
    if len(chosen) != len(set(ids)):
        raise Http404
    revision = request.POST.get("revision", "")
    if revision.isdigit() and int(revision) != scenario.revision:
        messages.error(request, str(services.ScenarioConflict(scenario)))
        return redirect(_detail_url(scenario))
    before = scenario.revision
    scenario = services.scenario_measures_set(scenario=scenario, measures=chosen, actor=request.user)
    job = (
        services.projection_start(scenario=scenario, user=request.user)
        if scenario.revision != before
        else None
    )
    return redirect(_detail_url(scenario, job))


def _driver_label(key: str) -> str:
    if key in TARGET_GROUPS:
        return lang(TARGET_GROUPS[key], "label")
    return {"mix": _("Mischung von Zielgruppen"), "table": _("eigene Gewichtstabelle")}.get(key, key)


@municipality_required(PLAN)
@require_POST
def scenario_run(request, municipality, scenario_id: int):
    scenario = _scenario(municipality, scenario_id)
    job = services.projection_start(scenario=scenario, user=request.user)
    return redirect(_detail_url(scenario, job))


@municipality_required(PLAN)
@require_POST
def scenario_delete(request, municipality, scenario_id: int):
    scenario = _scenario(municipality, scenario_id)
    services.scenario_delete(scenario=scenario, actor=request.user)
    messages.success(request, _("Szenario „%(name)s“ gelöscht.") % {"name": scenario.name})
    return redirect("planning:projection-index", slug=municipality.slug)


@municipality_required()
def scenario_export(request, municipality, scenario_id: int, fmt: str):
    from planning.projection.charts import export_response

    scenario = _scenario(municipality, scenario_id)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return export_response(scenario, fmt)


@municipality_required()
def projection_compare(request, municipality):
    scenarios = list(sel.scenarios_of(municipality))
    chosen_ids = [i for i in (optional(parse_id, v) for v in request.GET.getlist("s")) if i is not None]
    chosen = [s for s in scenarios if s.pk in chosen_ids] or [s for s in scenarios if s.computed_at][:2]
    comparison = sel.scenarios_comparison(chosen) if chosen else {"years": [], "rows": []}
    return render(
        request,
        "planning/projection/compare.html",
        {
            "municipality": municipality,
            "scenarios": scenarios,
            "chosen": chosen,
            "comparison": comparison,
            "chart": charts.comparison_chart_data(comparison),
        },
    )


@municipality_required(PLAN)
@require_POST
def projection_batch(request, municipality):
    """Installation-wide batch over every scenario: installation admins (superusers) only."""
    if not request.user.is_superuser:
        raise PermissionDenied
    job = services.projection_batch_start(user=request.user)
    return redirect("job-detail", job.pk)


# -- age profiles ---------------------------------------------------------------------------------------
@municipality_required()
def projection_profiles(request, municipality):
    series = pop_sel.actual_series(municipality) or pop_sel.population_series_of(municipality).first()
    table = pop_sel.population_table(series) if series else None
    bands = table.bands if table else pop_services.GENESIS_BANDS
    form = AgeProfileForm(request.POST or None, bands=bands)
    if request.method == "POST":
        if not _can_plan(request):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.age_profile_set(
                    municipality=municipality,
                    level=data["level"],
                    code=data["code"],
                    target_group=data["target_group"],
                    shares=data["shares"],
                    weights=data["weights"],
                    persistence=data["persistence"],
                    note=data["note"],
                )
            except services.ProjectionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Altersprofil gespeichert. Szenarien bitte neu berechnen."))
                return redirect("planning:projection-profiles", slug=municipality.slug)
    defaults = [
        (area, product_area_name(area, "NW") or "", default_driver(area))
        for area in [f"{i:02d}" for i in range(1, 18)]
    ]
    return render(
        request,
        "planning/projection/profiles.html",
        {
            "municipality": municipality,
            "profiles": list(sel.age_profiles_of(municipality)),
            "defaults": defaults,
            "target_groups": TARGET_GROUPS.values(),
            "form": form,
            "can_plan": _can_plan(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@municipality_required(PLAN)
@require_POST
def projection_profile_delete(request, municipality, profile_id: int):
    profile = get_object_or_404(AgeProfile, pk=profile_id, municipality=municipality)
    services.age_profile_delete(profile=profile)
    return redirect("planning:projection-profiles", slug=municipality.slug)


# -- room to act ----------------------------------------------------------------------------------------
@municipality_required()
def room_index(request, municipality):
    scenarios = list(sel.scenarios_of(municipality).computed())
    chosen = None
    scenario_id = optional(parse_id, request.GET.get("scenario"))
    if scenario_id is not None:
        chosen = next((s for s in scenarios if s.pk == scenario_id), None)
    chosen = chosen or (scenarios[0] if scenarios else None)
    room = sel.room_to_act(municipality, chosen)
    total_today = sum((v["today"] for v in room["totals"].values()), Decimal(0))
    total_projected = sum((v["projected"] for v in room["totals"].values()), Decimal(0))
    types = []
    for task_type in sorted(TaskType, key=lambda t: -TASK_TYPES[t].rank):
        sums = room["totals"].get(task_type.value, {"today": Decimal(0), "projected": Decimal(0)})
        types.append(
            {
                "info": TASK_TYPES[task_type],
                "today": sums["today"],
                "projected": sums["projected"],
                "share_today": float(sums["today"] / total_today * 100) if total_today else None,
                "share_projected": float(sums["projected"] / total_projected * 100)
                if total_projected
                else None,
            }
        )
    unknown = room["totals"].get(None)
    names = {t.value: lang(info, "name") for t, info in TASK_TYPES.items()}
    return render(
        request,
        "planning/projection/room.html",
        {
            "municipality": municipality,
            "scenarios": scenarios,
            "scenario": chosen,
            "room": room,
            "types": types,
            "unknown": unknown,
            "total_today": total_today,
            "total_projected": total_projected,
            "names": names,
            "type_choices": [(t.value, lang(info, "name")) for t, info in TASK_TYPES.items()],
            "area_defaults": [
                (area, product_area_name(area, "NW") or "", names[t.value], gettext(reason))
                for area, (t, reason) in PRODUCT_AREA_TASK_TYPES.items()
            ],
            "assignments": list(sel.task_types_of(municipality)),
            "can_plan": _can_plan(request),
            "chart": charts.room_chart_data(types, room),
        },
    )


@municipality_required(PLAN)
@require_POST
def room_task_type(request, municipality):
    form = TaskTypeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["task_type"]:
            services.task_type_set(
                municipality=municipality, level=data["level"], code=data["code"], task_type=data["task_type"]
            )
        else:
            services.task_type_reset(municipality=municipality, level=data["level"], code=data["code"])
        messages.success(request, _("Aufgabenart gespeichert."))
    else:
        messages.error(request, _("Bitte Ebene, Schlüssel und Aufgabenart angeben."))
    url = reverse("planning:room-index", kwargs={"slug": municipality.slug})
    scenario_id = optional(parse_id, request.POST.get("scenario"))
    return redirect(f"{url}?scenario={scenario_id}" if scenario_id is not None else url)
