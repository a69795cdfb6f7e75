"""Pages for coproduction: facilities, their models side by side (tables + plotly chart), sources, the
dated parameter registry (with its audit trail), and "the chosen model becomes a measure"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pdf import pdf_response
from core.permissions import Capability, municipality_required
from planning.coproduction import selectors as sel
from planning.coproduction import services
from planning.coproduction.exports import comparison_pdf
from planning.coproduction.forms import FacilityForm, ModelForm, ParameterForm, SourceForm
from planning.coproduction.models import Facility, FinancingModel

PLAN = Capability.PLAN


def _can_plan(request) -> bool:
    return PLAN in getattr(request, "capabilities", ())


def _facility(municipality, facility_id: int) -> Facility:
    return get_object_or_404(Facility, pk=facility_id, municipality=municipality)


def _errors(request, form) -> None:
    messages.error(
        request,
        "; ".join(
            f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}"
            for k, v in form.errors.items()
        ),
    )


@municipality_required()
def coproduction_index(request, municipality):
    initial = {"source_strategy": request.GET.get("strategie")} if request.GET.get("strategie") else None
    form = FacilityForm(request.POST or None, municipality=municipality, initial=initial)
    if request.method == "POST":
        if not _can_plan(request):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                years = range(data["first_year"], data["first_year"] + data["horizon"])
                facility = services.facility_create(
                    municipality=municipality,
                    name=data["name"],
                    description=data["description"],
                    first_year=data["first_year"],
                    horizon=data["horizon"],
                    baseline=services.parse_year_amounts(data["baseline"], years, _("Kosten in Eigenregie")),
                    product_code=data["product_code"],
                    source_strategy=data["source_strategy"],
                )
            except services.CoproductionInputError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect(
                    "planning:coproduction-facility", slug=municipality.slug, facility_id=facility.pk
                )
    return render(
        request,
        "planning/coproduction/index.html",
        {
            "municipality": municipality,
            "facilities": sel.facilities_of(municipality),
            "form": form,
            "can_plan": _can_plan(request),
        },
    )


@municipality_required()
def facility_detail(request, municipality, facility_id: int):
    facility = _facility(municipality, facility_id)
    try:
        comparison = sel.facility_comparison(facility)
        problem = None
    except sel.CoproductionError as exc:
        comparison, problem = None, str(exc)
    return render(
        request,
        "planning/coproduction/facility.html",
        {
            "municipality": municipality,
            "facility": facility,
            "comparison": comparison,
            "problem": problem,
            "model_form": ModelForm(),
            "source_form": SourceForm(municipality=municipality),
            "can_plan": _can_plan(request),
        },
    )


@municipality_required()
def facility_pdf(request, municipality, facility_id: int):
    """The comparison as a PDF for a council committee."""
    facility = _facility(municipality, facility_id)
    try:
        data = comparison_pdf(facility)
    except sel.CoproductionError as exc:
        messages.error(request, str(exc))
        return redirect("planning:coproduction-facility", slug=municipality.slug, facility_id=facility.pk)
    return pdf_response(data, f"finanzierungsmodelle-{municipality.slug}-{facility.pk}.pdf")


@municipality_required(PLAN)
@require_POST
def model_add(request, municipality, facility_id: int):
    facility = _facility(municipality, facility_id)
    form = ModelForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        d = form.cleaned_data
        try:
            services.model_create(
                facility=facility,
                name=d["name"],
                form=d["form"],
                running_costs=services.parse_year_amounts(
                    d["running_costs"], facility.years, _("laufende Kosten")
                ),
                one_off_costs=services.parse_year_amounts(
                    d["one_off_costs"], facility.years, _("einmalige Kosten")
                ),
                synergies=services.parse_year_amounts(d["synergies"], facility.years, _("Synergien")),
                note=d["note"],
            )
        except services.CoproductionInputError as exc:
            messages.error(request, str(exc))
    return redirect("planning:coproduction-facility", slug=municipality.slug, facility_id=facility.pk)


@municipality_required(PLAN)
@require_POST
def source_add(request, municipality, facility_id: int, model_id: int):
    facility = _facility(municipality, facility_id)
    model = get_object_or_404(FinancingModel, pk=model_id, facility=facility)
    form = SourceForm(request.POST, municipality=municipality)
    if not form.is_valid():
        _errors(request, form)
    else:
        d = form.cleaned_data
        try:
            services.source_add(
                model=model,
                name=d["name"],
                kind=d["kind"],
                partner=d["partner"],
                stakeholder=d["stakeholder"],
                amounts=services.parse_year_amounts(d["amounts"], facility.years, _("Beträge")),
                hours=services.parse_year_amounts(d["hours"], facility.years, _("Stunden")),
                end_year=d["end_year"],
            )
        except services.CoproductionInputError as exc:
            messages.error(request, str(exc))
    return redirect("planning:coproduction-facility", slug=municipality.slug, facility_id=facility.pk)


@municipality_required(PLAN)
@require_POST
def model_to_measure(request, municipality, facility_id: int, model_id: int):
    facility = _facility(municipality, facility_id)
    model = get_object_or_404(FinancingModel, pk=model_id, facility=facility)
    try:
        measure = services.model_to_measure(model=model, user=request.user)
    except (sel.CoproductionError, services.CoproductionInputError) as exc:
        messages.error(request, str(exc))
        return redirect("planning:coproduction-facility", slug=municipality.slug, facility_id=facility.pk)
    messages.success(
        request, _("Modell „%(m)s“ ist jetzt die Maßnahme „%(t)s“.") % {"m": model.name, "t": measure}
    )
    return redirect("planning:measure-detail", slug=municipality.slug, measure_id=measure.pk)


@municipality_required()
def partners(request, municipality):
    """The organisations of the registry and the models they contribute to (the coproduction side of
    the stakeholder page: stakeholders does not import planning)."""
    return render(
        request,
        "planning/coproduction/partners.html",
        {"municipality": municipality, "partners": sel.partner_contributions(municipality)},
    )


@municipality_required()
def parameters(request, municipality):
    form = ParameterForm(request.POST or None)
    if request.method == "POST":
        if not _can_plan(request):
            raise PermissionDenied
        if request.POST.get("defaults"):
            n = services.parameters_defaults_load(municipality=municipality, user=request.user)
            messages.success(request, _("%(n)s Werte übernommen.") % {"n": n})
            return redirect("planning:coproduction-parameters", slug=municipality.slug)
        if form.is_valid():
            try:
                services.parameter_set(municipality=municipality, user=request.user, **form.cleaned_data)
            except services.CoproductionInputError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("planning:coproduction-parameters", slug=municipality.slug)
    return render(
        request,
        "planning/coproduction/parameters.html",
        {
            "municipality": municipality,
            "parameters": sel.parameters_of(municipality),
            "shadow_wages": sel.shadow_wages_of(municipality),
            "changes": sel.parameter_changes(municipality),
            "form": form,
            "can_plan": _can_plan(request),
        },
    )
