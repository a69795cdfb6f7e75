"""Pages for measures: list (with traffic lights and flags), create/edit, status change, effects,
indicators and actuals, the "Ziele und Kennzahlen" export, and "TOWS strategy becomes a measure".

Views check permission (VIEW to read, PLAN to change), parse input, call one service and render. Objects
addressed by id are looked up inside the municipality: a foreign id answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.downloads import csv_response, xlsx_response
from core.pdf import pdf_response
from core.permissions import Capability, municipality_required
from planning.engine.measures import effect_cents
from planning.measures import selectors as sel
from planning.measures import services
from planning.measures.exports import goals_pdf
from planning.measures.forms import (
    ActualForm,
    ActualsImportForm,
    EffectForm,
    IndicatorForm,
    MeasureForm,
    StatusForm,
)
from planning.measures.importing import indicator_actuals_import
from planning.measures.models import Measure, MeasureEffect, MeasureIndicator

PLAN = Capability.PLAN


def _measure(municipality, measure_id: int) -> Measure:
    return get_object_or_404(Measure, pk=measure_id, municipality=municipality)


def _can_plan(request: HttpRequest) -> bool:
    return PLAN in getattr(request, "capabilities", ())


def overview_panel_context(request: HttpRequest, municipality) -> dict[str, Any]:
    """Overview panel: how many measures, which are overdue or off target."""
    return {"measures": sel.overview_summary(municipality), "municipality": municipality}


@municipality_required()
def measure_index(request, municipality):
    return render(
        request,
        "planning/measures/index.html",
        {
            "municipality": municipality,
            "rows": sel.measure_rows(municipality),
            "can_plan": _can_plan(request),
        },
    )


@municipality_required(PLAN)
def measure_create(request, municipality):
    form = MeasureForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_create(
                municipality=municipality, actor=request.user, **form.service_values()
            )
        except services.MeasureError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("planning:measure-detail", slug=municipality.slug, measure_id=measure.pk)
    return render(request, "planning/measures/form.html", {"municipality": municipality, "form": form})


@municipality_required(PLAN)
def measure_edit(request, municipality, measure_id: int):
    measure = _measure(municipality, measure_id)
    form = MeasureForm(
        request.POST or None, instance=None, initial=_initial(measure), municipality=municipality
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(
                measure=measure,
                expected_revision=form.cleaned_data.get("revision"),
                actor=request.user,
                **form.service_values(),
            )
        except services.MeasureConflict as exc:
            form.data = form.data.copy()
            form.data["revision"] = str(exc.current.revision)
            form.add_error(None, str(exc))
        except services.MeasureError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("planning:measure-detail", slug=municipality.slug, measure_id=measure.pk)
    return render(
        request,
        "planning/measures/form.html",
        {"municipality": municipality, "form": form, "measure": measure},
    )


def _initial(measure: Measure) -> dict[str, Any]:
    fields = MeasureForm.Meta.fields
    return {**{f: getattr(measure, f) for f in fields}, "revision": measure.revision}


@municipality_required()
def measure_detail(request, municipality, measure_id: int):
    measure = get_object_or_404(
        Measure.objects.prefetch_related("effects", "indicators__actuals", "scenarios"),
        pk=measure_id,
        municipality=municipality,
    )
    effects = list(measure.effects.all())
    years = sorted({e.start_year for e in effects} | {e.end_year for e in effects if e.end_year})
    if years:
        years = list(range(years[0], max(years[-1], years[0] + 4) + 1))
    per_year = effect_cents([[e.as_engine() for e in effects]], years)[0] if years else []
    return render(
        request,
        "planning/measures/detail.html",
        {
            "municipality": municipality,
            "measure": measure,
            "effects": effects,
            "effect_years": [(y, int(c) / 100) for y, c in zip(years, per_year, strict=True)],
            "states": [sel.indicator_state(i) for i in measure.indicators.all()],
            "status_form": StatusForm(initial={"status": measure.status, "revision": measure.revision}),
            "effect_form": EffectForm(),
            "indicator_form": IndicatorForm(),
            "actual_form": ActualForm(),
            "can_plan": _can_plan(request),
        },
    )


@municipality_required(PLAN)
@require_POST
def measure_status(request, municipality, measure_id: int):
    measure = _measure(municipality, measure_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unbekannter Status."))
    else:
        try:
            services.measure_status_set(
                measure=measure,
                status=form.cleaned_data["status"],
                expected_revision=form.cleaned_data.get("revision"),
                actor=request.user,
            )
        except services.MeasureError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Status geändert."))
    return redirect("planning:measure-detail", slug=municipality.slug, measure_id=measure.pk)


@municipality_required(PLAN)
@require_POST
def measure_delete(request, municipality, measure_id: int):
    measure = _measure(municipality, measure_id)
    services.measure_delete(measure=measure, actor=request.user)
    messages.success(request, _("Maßnahme „%(t)s“ gelöscht.") % {"t": measure.title})
    return redirect("planning:measure-index", slug=municipality.slug)


@municipality_required(PLAN)
@require_POST
def effect_add(request, municipality, measure_id: int):
    measure = _measure(municipality, measure_id)
    return _submit(
        request,
        municipality,
        measure,
        EffectForm(request.POST),
        lambda d: services.effect_add(measure=measure, **d),
    )


@municipality_required(PLAN)
@require_POST
def effect_delete(request, municipality, measure_id: int, effect_id: int):
    measure = _measure(municipality, measure_id)
    services.effect_delete(effect=get_object_or_404(MeasureEffect, pk=effect_id, measure=measure))
    return redirect("planning:measure-detail", slug=municipality.slug, measure_id=measure.pk)


@municipality_required(PLAN)
@require_POST
def indicator_add(request, municipality, measure_id: int):
    measure = _measure(municipality, measure_id)
    return _submit(
        request,
        municipality,
        measure,
        IndicatorForm(request.POST),
        lambda d: services.indicator_create(measure=measure, **d),
    )


@municipality_required(PLAN)
@require_POST
def actual_add(request, municipality, measure_id: int, indicator_id: int):
    measure = _measure(municipality, measure_id)
    indicator = get_object_or_404(MeasureIndicator, pk=indicator_id, measure=measure)
    return _submit(
        request,
        municipality,
        measure,
        ActualForm(request.POST),
        lambda d: services.indicator_actual_set(
            indicator=indicator, day=d["date"], value=d["value"], note=d["note"]
        ),
    )


def _submit(request, municipality, measure, form, save):
    """A small form of the measure page: validate, let ``save`` call the service, report the form's
    errors or the service's refusal, and go back to the measure."""
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    else:
        try:
            save(form.cleaned_data)
        except services.MeasureError as exc:
            messages.error(request, str(exc))
    return redirect("planning:measure-detail", slug=municipality.slug, measure_id=measure.pk)


@municipality_required(PLAN)
def actuals_import(request, municipality):
    """Upload indicator actuals (CSV/XLSX): all or nothing; problems listed by line and column."""
    form = ActualsImportForm(request.POST or None, request.FILES or None)
    outcome, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            outcome = indicator_actuals_import(
                municipality=municipality, source=upload.read(), dry_run=form.cleaned_data["dry_run"]
            )
            if outcome.ok and outcome.status != "dry-run":
                messages.success(
                    request,
                    _("Istwerte importiert: %(new)s neu, %(changed)s geändert, %(same)s unverändert.")
                    % {"new": outcome.new, "changed": outcome.changed, "same": outcome.unchanged},
                )
                return redirect("planning:measure-index", slug=municipality.slug)
            if not outcome.ok:
                status = 400
        else:
            status = 400
    return render(
        request,
        "planning/measures/import.html",
        {"municipality": municipality, "form": form, "outcome": outcome},
        status=status,
    )


@municipality_required()
def goals_export(request, municipality, fmt: str):
    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404
    area = request.GET.get("bereich") or None
    if area is not None and not (area.isdigit() and len(area) <= 3):
        raise Http404
    if fmt == "pdf":
        name = f"ziele-und-kennzahlen-{municipality.slug}{'-' + area if area else ''}.pdf"
        return pdf_response(goals_pdf(municipality, area), name)
    table = sel.goals_table(municipality, area)
    title = _("Ziele und Kennzahlen · %(m)s") % {"m": municipality.name}
    name = f"ziele-und-kennzahlen-{municipality.slug}{'-' + area if area else ''}.{fmt}"
    writer = csv_response if fmt == "csv" else xlsx_response
    return writer(title, table[0], table[1:], name)


@municipality_required(PLAN)
@require_POST
def measure_from_strategy(request, municipality, strategy_id: int):
    from swot.models import Strategy

    strategy = get_object_or_404(
        Strategy, pk=strategy_id, board__municipality=municipality, deleted_at__isnull=True
    )
    try:
        measure = services.measure_from_strategy(strategy=strategy, actor=request.user)
    except services.MeasureError as exc:
        messages.error(request, str(exc))
        return redirect("planning:measure-index", slug=municipality.slug)
    return redirect("planning:measure-detail", slug=municipality.slug, measure_id=measure.pk)
