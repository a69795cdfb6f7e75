"""Pages of the districts feature (Sozialräume): map, district page, imports, indicators, offers,
needs against offers. Views check permission, parse input, call one service or selector and render."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.geo import picker_geojson
from core.models import District
from core.permissions import Capability, municipality_required
from planning.districts import selectors, services
from planning.districts.forms import (
    BoundaryImportForm,
    DistrictLinkForm,
    IndicatorForm,
    IndicatorImportForm,
    OfferForm,
)
from planning.districts.models import Indicator, IndicatorImport, Offer
from stakeholders.privacy import personal_visible


def _map_context(municipality, request) -> dict:
    level = selectors.default_level(municipality, request.GET.get("level"))
    data = selectors.map_data(municipality, level) if level else None
    geojson, features = selectors.geojson_text(municipality, level) if level else ("", 0)
    indicator = request.GET.get("indicator") or selectors.INDEX_KEY
    if data and indicator not in data["values"]:
        indicator = (
            selectors.INDEX_KEY if selectors.INDEX_KEY in data["values"] else next(iter(data["values"]), "")
        )
    years = data["years"] if data else []
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() and int(year) in years else (years[-1] if years else None)
    return {
        "level": level,
        "data": data,
        "indicator": indicator,
        "year": year,
        "years": years,
        "geojson": geojson,
        "features": features,
    }


def _table_rows(data: dict, indicator: str, year: int | None) -> list[dict]:
    """The table beside the map for the chosen indicator and year (the browser updates it on change)."""
    if not data or year is None:
        return []
    values = data["values"].get(indicator, {}).get(str(year)) or [None] * len(data["districts"])
    ranks = data["rank"].get(str(year)) or [None] * len(data["districts"])
    groups = data["group"].get(str(year)) or [None] * len(data["districts"])
    rows = [
        {**d, "value": v, "rank": r, "group": g}
        for d, v, r, g in zip(data["districts"], values, ranks, groups, strict=True)
    ]
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))


@municipality_required()
def district_map(request, municipality):
    context = _map_context(municipality, request)
    data = context["data"]
    labels = {
        "social_index": _("Sozialindex"),
        "rank": _("Rang"),
        "group": _("Profilgruppe"),
        "no_value": _("kein Wert"),
    }
    return render(
        request,
        "planning/districts/map.html",
        {
            "municipality": municipality,
            "levels": selectors.district_levels(municipality),
            "rows": _table_rows(data, context["indicator"], context["year"]),
            "has_geometry": context["features"] > 0,
            "map_json": selectors.embed_json("district-map-data", data, geojson=context["geojson"])
            if data
            else "",
            "labels": labels,
            **context,
        },
    )


@municipality_required()
def district_detail(request, municipality, district_id):
    district = get_object_or_404(District, pk=district_id, municipality=municipality)
    page = selectors.district_page(district, personal=personal_visible(request.capabilities))
    return render(
        request,
        "planning/districts/detail.html",
        {
            "municipality": municipality,
            "district": district,
            "link_form": DistrictLinkForm(municipality=municipality),
            "chart_data": {
                "series": page["series"],
                "pyramid": page["pyramid"],
                "index": [{"year": r.year, "value": r.value, "rank": r.rank} for r in page["index_rows"]],
                "labels": {
                    "district": district.name,
                    "municipality": municipality.name,
                    "index": _("Sozialindex"),
                    "share": _("Anteil an der Bevölkerung (%)"),
                },
            },
            **page,
        },
    )


@require_POST
@municipality_required(Capability.PLAN)
def district_link(request, municipality, district_id):
    district = get_object_or_404(District, pk=district_id, municipality=municipality)
    form = DistrictLinkForm(request.POST, municipality=municipality)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(district.get_absolute_url())
    board, measure = form.cleaned_data.get("board"), form.cleaned_data.get("measure")
    services.district_link_set(
        district=district, board_id=board.pk if board else None, measure_id=measure.pk if measure else None
    )
    messages.success(request, _("Mit dem Bezirk verknüpft."))
    return redirect(district.get_absolute_url())


def _import_page(request, municipality, *, boundary_form=None, indicator_form=None, errors=(), status=200):
    return render(
        request,
        "planning/districts/import.html",
        {
            "municipality": municipality,
            "boundary_form": boundary_form or BoundaryImportForm(),
            "indicator_form": indicator_form or IndicatorImportForm(),
            "errors": errors,
            "imports": IndicatorImport.objects.filter(municipality=municipality)[:10],
            "levels": selectors.district_levels(municipality),
        },
        status=status,
    )


@municipality_required(Capability.PLAN)
def districts_import(request, municipality):
    return _import_page(request, municipality)


@require_POST
@municipality_required(Capability.PLAN)
def districts_import_boundaries(request, municipality):
    form = BoundaryImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, municipality, boundary_form=form, status=400)
    data = form.cleaned_data
    content = data["file"].read()
    try:
        result = services.districts_import_boundaries(
            municipality=municipality,
            content=content,
            as_list=data["format"] == BoundaryImportForm.FORMAT_LIST,
            level=data["level"],
            code_property=data["code_property"],
            name_property=data["name_property"],
            parent_property=data["parent_property"],
        )
    except services.DistrictImportError as exc:
        errors = [*exc.messages, *exc.warnings]
        return _import_page(request, municipality, boundary_form=form, errors=errors, status=400)
    messages.success(
        request,
        _("Bezirke importiert: %(created)s neu, %(updated)s aktualisiert.")
        % {"created": result["created"], "updated": result["updated"]},
    )
    for warning in result["warnings"]:
        messages.warning(request, warning)
    return redirect(
        reverse("planning:districts-map", kwargs={"slug": municipality.slug}) + f"?level={data['level']}"
    )


@require_POST
@municipality_required(Capability.PLAN)
def districts_import_indicators(request, municipality):
    form = IndicatorImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, municipality, indicator_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        record = services.indicator_values_import(
            municipality=municipality,
            source=upload.read(),
            filename=upload.name,
            user=request.user,
            sheet=form.cleaned_data["sheet"] or None,
        )
    except services.DistrictImportError as exc:
        return _import_page(request, municipality, indicator_form=form, errors=exc.messages, status=400)
    messages.success(
        request,
        _("%(values)s Werte für %(rows)s Bezirke und Jahre importiert; der Sozialindex ist neu berechnet.")
        % {"values": record.values, "rows": record.rows},
    )
    return redirect("planning:districts-map", slug=municipality.slug)


@municipality_required()
def indicators(request, municipality):
    """Indicators with their weights in the social index; planners change weights and add indicators."""
    can_plan = Capability.PLAN in request.capabilities
    rows = list(Indicator.objects.filter(municipality=municipality))
    errors = []
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        weights = {}
        for indicator in rows:
            raw = request.POST.get(f"weight-{indicator.pk}")
            if raw is None:
                continue
            try:
                value = Decimal(raw.strip().replace(".", "").replace(",", ".") or "0")
            except InvalidOperation:
                errors.append(_("%(name)s: „%(raw)s“ ist keine Zahl.") % {"name": indicator.name, "raw": raw})
                continue
            if not 0 <= value <= 100:
                errors.append(
                    _("%(name)s: das Gewicht muss zwischen 0 und 100 liegen.") % {"name": indicator.name}
                )
            weights[indicator.pk] = value
        if not errors:
            services.indicator_weights_set(municipality=municipality, weights=weights)
            messages.success(request, _("Gewichte gespeichert; der Sozialindex ist neu berechnet."))
            return redirect("planning:district-indicators", slug=municipality.slug)
    return render(
        request,
        "planning/districts/indicators.html",
        {"municipality": municipality, "indicators": rows, "errors": errors, "can_plan": can_plan},
        status=400 if errors else 200,
    )


@municipality_required(Capability.PLAN)
def indicator_edit(request, municipality, indicator_id=None):
    indicator = (
        get_object_or_404(Indicator, pk=indicator_id, municipality=municipality)
        if indicator_id
        else Indicator()
    )
    form = IndicatorForm(request.POST or None, instance=indicator, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        services.indicator_save(municipality=municipality, indicator=form.save(commit=False))
        messages.success(request, _("Indikator gespeichert."))
        return redirect("planning:district-indicators", slug=municipality.slug)
    return render(
        request,
        "planning/districts/indicator_form.html",
        {"municipality": municipality, "form": form, "indicator": indicator},
        status=400 if form.errors else 200,
    )


@municipality_required()
def offers(request, municipality):
    rows = Offer.objects.filter(municipality=municipality).select_related("district").order_by("name")
    return render(
        request,
        "planning/districts/offers.html",
        {"municipality": municipality, "offers": rows, "summary": selectors.offers_summary(municipality)},
    )


@municipality_required(Capability.PLAN)
def offer_edit(request, municipality, offer_id=None):
    offer = get_object_or_404(Offer, pk=offer_id, municipality=municipality) if offer_id else Offer()
    form = OfferForm(request.POST or None, instance=offer, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_save(municipality=municipality, offer=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Angebot gespeichert."))
            return redirect("planning:district-offers", slug=municipality.slug)
    return render(
        request,
        "planning/districts/offer_form.html",
        {"municipality": municipality, "form": form, "offer": offer, "picker": picker_geojson(municipality)},
        status=400 if form.errors else 200,
    )


@require_POST
@municipality_required(Capability.PLAN)
def offer_delete(request, municipality, offer_id):
    offer = get_object_or_404(Offer, pk=offer_id, municipality=municipality)
    services.offer_delete(offer=offer)
    messages.success(request, _("Angebot gelöscht."))
    return redirect("planning:district-offers", slug=municipality.slug)


@municipality_required()
def needs(request, municipality):
    """Needs (index or an indicator) against offers: where needs are high and offers thin."""
    level = selectors.default_level(municipality, request.GET.get("level"))
    need = request.GET.get("need") or selectors.INDEX_KEY
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else None
    indicator_choices = [
        (i.key, i.label)
        for i in selectors.indicators_of(municipality)
        if i.direction != Indicator.Direction.NEUTRAL and not i.age_group
    ]
    if need != selectors.INDEX_KEY and need not in dict(indicator_choices):
        need = selectors.INDEX_KEY
    result = selectors.needs_and_offers(municipality, level, year, need) if level else None
    data = None
    map_json = ""
    if result:
        geojson, features = selectors.geojson_text(municipality, level)
        data = {
            "features": features,
            "rows": [
                {
                    "id": r["district"].pk,
                    "name": r["district"].name,
                    "need": r["need"],
                    "offers": r["offers"],
                    "capacity": r["capacity"],
                    "hours": r["hours"],
                    "thin": r["thin"],
                    "lon": r["district"].label_lon,
                    "lat": r["district"].label_lat,
                    "url": r["district"].get_absolute_url(),
                }
                for r in result["rows"]
            ],
            "labels": {"need": _("Bedarf"), "offers": _("Angebote"), "thin": _("Bedarf hoch, Angebot dünn")},
        }
        map_json = selectors.embed_json("needs-map-data", data, geojson=geojson)
    return render(
        request,
        "planning/districts/needs.html",
        {
            "municipality": municipality,
            "level": level,
            "levels": selectors.district_levels(municipality),
            "need": need,
            "indicator_choices": indicator_choices,
            "result": result,
            "data": data,
            "map_json": map_json,
        },
    )
