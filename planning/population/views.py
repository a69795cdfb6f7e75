"""Population pages: actual population (GENESIS, CSV, manual entry), movements, cohort projection."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import Capability, municipality_required
from planning.population import charts
from planning.population import selectors as sel
from planning.population import services as pop_services
from planning.population.forms import (
    MovementsImportForm,
    PopulationEntryForm,
    PopulationImportForm,
    PopulationProjectForm,
)
from planning.population.models import PopulationSeries

PLAN = Capability.PLAN


def _can_plan(request) -> bool:
    return PLAN in getattr(request, "capabilities", ())


def _population_context(request, municipality, **extra: Any) -> dict[str, Any]:
    actual = sel.actual_series(municipality)
    table = sel.population_table(actual) if actual else None
    bands = table.bands if table else pop_services.GENESIS_BANDS
    latest = [(b, table.counts[-1][k]) for k, b in enumerate(table.bands)] if table is not None else []
    overview = sel.population_overview(municipality)
    context = {
        "municipality": municipality,
        "overview": overview,
        "actual": actual,
        "latest_year": table.years[-1] if table else None,
        "latest": latest,
        "movements": list(sel.movements_of(municipality)),
        "import_form": PopulationImportForm(),
        "movements_form": MovementsImportForm(),
        "project_form": PopulationProjectForm(),
        "entry_form": PopulationEntryForm(bands=bands),
        "chart": charts.population_chart_data(overview),
        "can_plan": _can_plan(request),
        "cohort": next((o["series"] for o in overview if o["series"].kind == "cohort"), None),
    }
    context.update(extra)
    return context


@municipality_required()
def population_index(request, municipality):
    return render(request, "planning/projection/population.html", _population_context(request, municipality))


def _render_errors(request, municipality, errors, **extra) -> HttpResponse:
    context = _population_context(request, municipality, import_errors=errors, **extra)
    return render(request, "planning/projection/population.html", context, status=400)


@municipality_required(PLAN)
@require_POST
def population_import(request, municipality):
    form = PopulationImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_errors(request, municipality, [], import_form=form)
    upload = form.cleaned_data["file"]
    outcome = pop_services.population_import(
        municipality=municipality,
        source=upload.read(),
        filename=upload.name,
        variant=form.cleaned_data["variant"] or None,
    )
    if not outcome.ok:
        return _render_errors(request, municipality, outcome.to_json()["errors"], import_form=form)
    data = outcome.to_json()
    messages.success(
        request,
        _("Bevölkerung %(status)s: %(years)d Jahre, %(groups)d Altersgruppen.")
        % {
            "status": _("importiert") if data["status"] == "imported" else _("unverändert"),
            "years": len(data["years"]),
            "groups": len(data["age_groups"]),
        },
    )
    return redirect("planning:population-index", slug=municipality.slug)


@municipality_required(PLAN)
@require_POST
def population_movements_import(request, municipality):
    """Two steps: the upload shows a preview (years, totals, which stored years it replaces); only
    "Übernehmen" stores it. The file waits in the session in between (movement tables are small)."""
    session_key = f"movements-upload-{municipality.pk}"
    if request.POST.get("confirm"):
        pending = request.session.pop(session_key, None)
        if not pending:
            messages.error(request, _("Die Vorschau ist abgelaufen. Bitte die Datei erneut hochladen."))
            return redirect("planning:population-index", slug=municipality.slug)
        source, filename = base64.b64decode(pending["data"]), pending["name"]
    else:
        form = MovementsImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _render_errors(request, municipality, [], movements_form=form)
        upload = form.cleaned_data["file"]
        source, filename = upload.read(), upload.name
        outcome, replaced = pop_services.movements_preview(
            municipality=municipality, source=source, filename=filename
        )
        if not outcome.ok:
            return _render_errors(request, municipality, outcome.to_json()["errors"], movements_form=form)
        request.session[session_key] = {"data": base64.b64encode(source).decode("ascii"), "name": filename}
        return render(
            request,
            "planning/projection/movements_preview.html",
            {"municipality": municipality, "outcome": outcome, "replaced": replaced, "filename": filename},
        )
    outcome = pop_services.movements_import(municipality=municipality, source=source, filename=filename)
    if not outcome.ok:
        return _render_errors(
            request, municipality, outcome.to_json()["errors"], movements_form=MovementsImportForm()
        )
    messages.success(
        request,
        _("Bevölkerungsbewegungen %(status)s (%(years)s).")
        % {
            "status": _("importiert") if outcome.status == "imported" else _("unverändert"),
            "years": f"{outcome.years[0]}–{outcome.years[-1]}",
        },
    )
    return redirect("planning:population-index", slug=municipality.slug)


@municipality_required(PLAN)
@require_POST
def population_entry(request, municipality):
    actual = sel.actual_series(municipality)
    table = sel.population_table(actual) if actual else None
    form = PopulationEntryForm(request.POST, bands=table.bands if table else pop_services.GENESIS_BANDS)
    if not form.is_valid():
        return _render_errors(request, municipality, [], entry_form=form)
    outcome = pop_services.population_enter(
        municipality=municipality, year=form.cleaned_data["year"], counts=form.counts()
    )
    if not outcome.ok:
        return _render_errors(request, municipality, outcome.to_json()["errors"], entry_form=form)
    messages.success(request, _("Bevölkerung %(year)s gespeichert.") % {"year": form.cleaned_data["year"]})
    return redirect("planning:population-index", slug=municipality.slug)


@municipality_required(PLAN)
@require_POST
def population_project(request, municipality):
    form = PopulationProjectForm(request.POST)
    if not form.is_valid():
        return _render_errors(request, municipality, [], project_form=form)
    data = form.cleaned_data
    settings = pop_services.ProjectionSettings(
        base_year=data["base_year"],
        horizon=data["horizon"],
        use_history=data["use_history"],
        fertility_factor=None if data["fertility_factor"] is None else float(data["fertility_factor"]),
        mortality_factor=None if data["mortality_factor"] is None else float(data["mortality_factor"]),
        net_migration=None if data["net_migration"] is None else float(data["net_migration"]),
    )
    try:
        pop_services.population_project(municipality=municipality, settings=settings)
    except ValueError as exc:
        form.add_error(None, str(exc))
        return _render_errors(request, municipality, [], project_form=form)
    messages.success(request, _("Bevölkerungsprojektion (niedrig, Haupt-, hoch) berechnet."))
    return redirect("planning:population-index", slug=municipality.slug)


@municipality_required()
def population_series(request, municipality, series_id: int):
    series = get_object_or_404(PopulationSeries, pk=series_id, municipality=municipality)
    table = sel.population_table(series)
    rows = []
    if table is not None:
        rows = [
            (year, list(table.counts[i]), float(table.counts[i].sum())) for i, year in enumerate(table.years)
        ]
    return render(
        request,
        "planning/projection/population_series.html",
        {
            "municipality": municipality,
            "series": series,
            "bands": table.bands if table else (),
            "rows": rows,
            "can_plan": _can_plan(request),
            "used_by": list(series.scenarios.values_list("name", flat=True)),
        },
    )


@municipality_required(PLAN)
@require_POST
def population_series_delete(request, municipality, series_id: int):
    series = get_object_or_404(PopulationSeries, pk=series_id, municipality=municipality)
    pop_services.population_series_delete(series=series)
    messages.success(request, _("Bevölkerungsreihe gelöscht."))
    return redirect("planning:population-index", slug=municipality.slug)
