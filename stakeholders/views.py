"""Pages of the stakeholder registry: list with search and filters, a stakeholder's page (assessments,
relationships, engagement log, GDPR panel), the power-interest grid, the network, the resource overview,
import with preview, export, and the GDPR record/erasure of persons."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.geo import picker_geojson
from core.permissions import Capability, municipality_required
from stakeholders import charts, exports, selectors, services
from stakeholders.forms import (
    AssessmentForm,
    EngagementForm,
    FilterForm,
    ImportForm,
    RelationshipForm,
    StakeholderForm,
)
from stakeholders.methods.brokerage import ROLES
from stakeholders.models import Engagement, ImportBatch, PersonAccess, Relationship, Sector, Stakeholder
from stakeholders.privacy import display_name, personal_visible


def _context(request, municipality, **extra) -> dict:
    caps = request.capabilities
    return {
        "municipality": municipality,
        "personal": personal_visible(caps),
        "can_plan": Capability.PLAN in caps,
        "can_manage": Capability.MANAGE in caps,
        **extra,
    }


def _stakeholder(municipality, pk: int) -> Stakeholder:
    return get_object_or_404(Stakeholder, municipality=municipality, pk=pk)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# -- registry --------------------------------------------------------------------------------------------
@municipality_required()
def index(request, municipality):
    """The registry: search and filters, overdue follow-ups, retention reminders."""
    personal = personal_visible(request.capabilities)
    filters = FilterForm(request.GET or None, districts=selectors.districts_of(municipality))
    params = filters.cleaned_data if filters.is_valid() else {}
    rows = list(selectors.stakeholder_search(municipality, params, personal=personal))
    latest = selectors.latest_assessments(municipality, timezone.localdate(), [s.pk for s in rows])
    items = [{"s": s, "name": display_name(s, personal), "a": latest.get(s.pk)} for s in rows]
    context = _context(
        request,
        municipality,
        filters=filters,
        items=items,
        counts=selectors.counts(municipality),
        overdue=[
            {"e": e, "name": display_name(e.stakeholder, personal)}
            for e in selectors.overdue_follow_ups(municipality)[:20]
        ],
        query=request.GET.urlencode(),
    )
    if personal:
        context["retention"] = list(selectors.retention_due(municipality))
    return render(request, "stakeholders/index.html", context)


@municipality_required(Capability.PLAN)
def create(request, municipality):
    form = StakeholderForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            stakeholder = services.stakeholder_create(
                municipality=municipality, user=request.user, **form.values()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Akteur angelegt."))
            return redirect(stakeholder.get_absolute_url())
    return render(
        request,
        "stakeholders/form.html",
        _context(request, municipality, form=form, picker=picker_geojson(municipality)),
    )


@municipality_required(Capability.PLAN)
def edit(request, municipality, pk: int):
    stakeholder = _stakeholder(municipality, pk)
    form = StakeholderForm(request.POST or None, instance=stakeholder, municipality=municipality)
    if stakeholder.is_erased:
        for field in (*Stakeholder.PERSONAL_FIELDS, "name", "entity", "tags"):
            form.fields[field].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.stakeholder_update(
                stakeholder=stakeholder,
                expected_revision=form.cleaned_data.get("revision"),
                user=request.user,
                **form.values(),
            )
        except services.StakeholderConflict as exc:
            # keep the user's input; saving again applies it knowingly to the current revision
            form.data = form.data.copy()
            form.data["revision"] = str(exc.current.revision)
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Änderungen gespeichert."))
            return redirect(stakeholder.get_absolute_url())
    return render(
        request,
        "stakeholders/form.html",
        _context(
            request, municipality, form=form, stakeholder=stakeholder, picker=picker_geojson(municipality)
        ),
    )


@municipality_required()
def detail(request, municipality, pk: int):
    """A stakeholder with its assessments, relationships, engagement log and (persons) GDPR panel."""
    stakeholder = _stakeholder(municipality, pk)
    personal = personal_visible(request.capabilities)
    if personal:
        services.person_access_record(
            stakeholder=stakeholder, user=request.user, action=PersonAccess.Action.VIEW
        )
    hidden = stakeholder.is_person and (not personal or stakeholder.is_erased)
    ties = Relationship.objects.filter(municipality=municipality).select_related("source", "target")
    relationships = [
        {
            "r": r,
            "other": r.target if r.source_id == stakeholder.pk else r.source,
            "outgoing": r.source_id == stakeholder.pk,
        }
        for r in ties.filter(Q(source=stakeholder) | Q(target=stakeholder)).order_by("pk")
    ]
    for item in relationships:
        item["other_name"] = display_name(item["other"], personal)
    can_plan = Capability.PLAN in request.capabilities
    context = _context(
        request,
        municipality,
        stakeholder=stakeholder,
        name=display_name(stakeholder, personal),
        hidden=hidden,
        assessments=stakeholder.assessments.select_related("assessor"),
        relationships=relationships,
        engagements=stakeholder.engagements.all(),
        today=timezone.localdate(),
        assessment_form=AssessmentForm() if can_plan else None,
        relationship_form=RelationshipForm(stakeholder=stakeholder, personal=personal) if can_plan else None,
        engagement_form=EngagementForm() if can_plan else None,
    )
    if personal and stakeholder.is_person:
        context["access_log"] = stakeholder.access_log.select_related("user")[:30]
    return render(request, "stakeholders/detail.html", context)


@require_POST
@municipality_required(Capability.PLAN)
def assess(request, municipality, pk: int):
    stakeholder = _stakeholder(municipality, pk)
    return _submit(
        request,
        AssessmentForm(request.POST),
        lambda data: services.assessment_add(stakeholder=stakeholder, assessor=request.user, **data),
        done=_("Einschätzung gespeichert."),
        refused=_("Einschätzung nicht gespeichert: %(errors)s"),
        to=stakeholder.get_absolute_url() + "#einschaetzungen",
    )


def _submit(request, form, save, *, done: str, refused: str, to: str):
    """A small form of the stakeholder page: validate, let ``save`` call the service, say how it went
    (the form's errors or the service's refusal) and go back to the page's section ``to``."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except (ValidationError, services.RegistryError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, done)
    else:
        messages.error(request, refused % {"errors": _errors(form)})
    return redirect(to)


def _errors(form) -> str:
    return "; ".join(
        f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}" for f, e in form.errors.items()
    )


@require_POST
@municipality_required(Capability.PLAN)
def link(request, municipality, pk: int):
    stakeholder = _stakeholder(municipality, pk)
    return _submit(
        request,
        RelationshipForm(request.POST, stakeholder=stakeholder, personal=True),
        lambda data: services.relationship_create(source=stakeholder, **data),
        done=_("Beziehung gespeichert."),
        refused=_("Beziehung nicht gespeichert: %(errors)s"),
        to=stakeholder.get_absolute_url() + "#beziehungen",
    )


@require_POST
@municipality_required(Capability.PLAN)
def unlink(request, municipality, relationship_id: int):
    relationship = get_object_or_404(Relationship, municipality=municipality, pk=relationship_id)
    back = relationship.source.get_absolute_url()
    services.relationship_delete(relationship=relationship)
    messages.success(request, _("Beziehung entfernt."))
    return redirect(back + "#beziehungen")


@require_POST
@municipality_required(Capability.PLAN)
def engage(request, municipality, pk: int):
    stakeholder = _stakeholder(municipality, pk)
    return _submit(
        request,
        EngagementForm(request.POST),
        lambda data: services.engagement_log(stakeholder=stakeholder, user=request.user, **data),
        done=_("Kontakt eingetragen."),
        refused=_("Kontakt nicht eingetragen: %(errors)s"),
        to=stakeholder.get_absolute_url() + "#kontakte",
    )


@require_POST
@municipality_required(Capability.PLAN)
def engagement_done(request, municipality, engagement_id: int):
    engagement = get_object_or_404(Engagement, municipality=municipality, pk=engagement_id)
    services.engagement_complete(engagement=engagement)
    return redirect(engagement.stakeholder.get_absolute_url() + "#kontakte")


@municipality_required(Capability.MANAGE)
def delete(request, municipality, pk: int):
    stakeholder = _stakeholder(municipality, pk)
    if request.method == "POST":
        services.stakeholder_delete(stakeholder=stakeholder)
        messages.success(request, _("Akteur gelöscht."))
        return redirect("stakeholders:index", slug=municipality.slug)
    return render(
        request,
        "stakeholders/confirm.html",
        _context(
            request,
            municipality,
            stakeholder=stakeholder,
            name=display_name(stakeholder, True),
            action="delete",
        ),
    )


# -- GDPR ------------------------------------------------------------------------------------------------
def _person(request, municipality, pk: int) -> Stakeholder:
    stakeholder = _stakeholder(municipality, pk)
    if not stakeholder.is_person:
        raise Http404
    return stakeholder


@municipality_required(Capability.PLAN)
def person_record(request, municipality, pk: int, fmt: str):
    """Art. 15/20: everything held about a person as JSON or PDF (logged)."""
    stakeholder = _person(request, municipality, pk)
    record = services.person_record(stakeholder)
    name = f"auskunft-person-{stakeholder.pk}"
    if fmt == "json":
        services.person_access_record(
            stakeholder=stakeholder, user=request.user, action=PersonAccess.Action.EXPORT_JSON
        )
        response = HttpResponse(
            json.dumps(record, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    if fmt == "pdf":
        services.person_access_record(
            stakeholder=stakeholder, user=request.user, action=PersonAccess.Action.EXPORT_PDF
        )
        response = HttpResponse(services.person_record_pdf(record), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    raise Http404


@municipality_required(Capability.PLAN)
def erase(request, municipality, pk: int):
    """Art. 17: confirm, then anonymise the person everywhere."""
    stakeholder = _person(request, municipality, pk)
    if request.method == "POST":
        services.person_erase(stakeholder=stakeholder, user=request.user)
        messages.success(
            request, _("Die Person wurde anonymisiert. Zählungen und Netzwerk bleiben erhalten.")
        )
        return redirect(stakeholder.get_absolute_url())
    return render(
        request,
        "stakeholders/confirm.html",
        _context(
            request,
            municipality,
            stakeholder=stakeholder,
            name=display_name(stakeholder, True),
            action="erase",
        ),
    )


# -- analysis ----------------------------------------------------------------------------------------------
def _urls(municipality, ids) -> dict[int, str]:
    base = reverse("stakeholders:detail", kwargs={"slug": municipality.slug, "pk": 0})[: -len("0/")]
    return {pk: f"{base}{pk}/" for pk in ids}


@municipality_required()
def grid(request, municipality):
    """The power-interest grid as of a date, filtered, with arrows from a comparison date."""
    personal = personal_visible(request.capabilities)
    today = timezone.localdate()
    on = selectors.parse_date(request.GET.get("date"), today)
    compare = selectors.parse_date(request.GET.get("compare"))
    points = selectors.grid_points(municipality, request.GET, on=on, compare=compare)
    figure = charts.grid_figure(
        points, personal=personal, urls=_urls(municipality, [p["stakeholder"].pk for p in points])
    )
    quadrants: dict[str, list] = {
        "manage_closely": [],
        "keep_satisfied": [],
        "keep_informed": [],
        "monitor": [],
    }
    for p in points:
        quadrants[p["quadrant"]].append(display_name(p["stakeholder"], personal))
    return render(
        request,
        "stakeholders/grid.html",
        _context(
            request,
            municipality,
            figure=figure,
            points=points,
            moved=sum(1 for p in points if p["from"]),
            quadrants=quadrants,
            on=on,
            compare=compare,
            sectors=Sector.choices,
            districts=selectors.districts_of(municipality),
            current=request.GET,
        ),
    )


@municipality_required()
def network_page(request, municipality):
    """The relationship network of a date: nodes by sector, centralities and brokerage from the snapshot
    of that date (computed on request, kept with the graph's date)."""
    personal = personal_visible(request.capabilities)
    on = selectors.parse_date(request.GET.get("date"), timezone.localdate())
    if request.method == "POST":
        if Capability.PLAN not in request.capabilities:
            raise PermissionDenied
        services.network_snapshot_create(municipality=municipality, on=on, user=request.user)
        messages.success(request, _("Netzwerk-Kennzahlen berechnet."))
        return redirect(
            f"{reverse('stakeholders:network', kwargs={'slug': municipality.slug})}?date={on.isoformat()}"
        )
    groups, _arcs = selectors.network_at(municipality, on)
    stakeholders = {
        s.pk: s
        for s in Stakeholder.objects.filter(pk__in=list(groups)).only(
            "id", "name", "entity", "sector", "erased_at", "municipality_id"
        )
    }
    ties = list(
        selectors.active_relationships(municipality, on).values_list("source_id", "target_id", "kind")
    )
    snapshot = selectors.snapshot_for(municipality, on)
    measures = snapshot.measures if snapshot else None
    size_by = (
        request.GET.get("size")
        if request.GET.get("size") in ("degree", "betweenness", "closeness", "eigenvector")
        else "betweenness"
    )
    figure = charts.network_figure(
        stakeholders,
        ties,
        measures,
        personal=personal,
        urls=_urls(municipality, stakeholders),
        size_by=size_by,
    )
    table = []
    sector_labels = {k: str(v) for k, v in Sector.choices}
    if snapshot:
        for key, m in snapshot.measures.items():
            s = stakeholders.get(int(key))
            roles = snapshot.brokerage.get(key, {})
            table.append(
                {
                    "name": display_name(s, personal) if s else f"#{key}",
                    "pk": int(key),
                    "sector": sector_labels.get(s.sector, "") if s else "",
                    **m,
                    "roles": [roles.get(r, 0) for r in ROLES],
                    "brokerage": sum(roles.get(r, 0) for r in ROLES),
                }
            )
        table.sort(key=lambda row: (-row["betweenness"], row["name"]))
    return render(
        request,
        "stakeholders/network.html",
        _context(
            request,
            municipality,
            figure=figure,
            on=on,
            snapshot=snapshot,
            table=table[:50],
            roles=ROLES,
            totals=[snapshot.brokerage.get("_total", {}).get(r, 0) for r in ROLES] if snapshot else [],
            node_count=len(stakeholders),
            tie_count=len(ties),
            size_by=size_by,
            snapshots=selectors.snapshots_of(municipality)[:10],
        ),
    )


@municipality_required()
def resources(request, municipality):
    on = selectors.parse_date(request.GET.get("date"), timezone.localdate())
    overview = selectors.resource_overview(municipality, on, request.GET)
    return render(
        request,
        "stakeholders/resources.html",
        _context(
            request,
            municipality,
            overview=overview,
            on=on,
            districts=selectors.districts_of(municipality),
            current=request.GET,
        ),
    )


# -- import and export -----------------------------------------------------------------------------
@municipality_required(Capability.PLAN)
def import_upload(request, municipality):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.importing.MAX_BYTES:
            form.add_error("file", _("Die Datei ist größer als 5 MB."))
        else:
            batch = services.import_check(
                municipality=municipality, data=upload.read(), filename=upload.name, user=request.user
            )
            return redirect("stakeholders:import-preview", slug=municipality.slug, batch_id=batch.pk)
    return render(request, "stakeholders/import.html", _context(request, municipality, form=form))


@municipality_required(Capability.PLAN)
def import_preview(request, municipality, batch_id: int):
    batch = get_object_or_404(ImportBatch, municipality=municipality, pk=batch_id)
    if request.method == "POST":
        try:
            created = services.import_apply(batch=batch, user=request.user)
        except (ValueError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("stakeholders:import-preview", slug=municipality.slug, batch_id=batch.pk)
        messages.success(request, _("%(n)s Akteure übernommen.") % {"n": created})
        return redirect("stakeholders:index", slug=municipality.slug)
    return render(
        request,
        "stakeholders/import_preview.html",
        _context(request, municipality, batch=batch, rows=_preview_rows(batch)),
    )


def _preview_rows(batch: ImportBatch) -> list[dict]:
    rows = []
    for row in batch.rows[:200]:
        if "_line" not in row:
            continue
        a = row.get("_assessment") or {}
        scores = f"{a['influence']}/{a['interest']}" if a.get("influence") else ""
        rows.append(
            {
                **{k: v for k, v in row.items() if not k.startswith("_")},
                "place": row.get("_district_name") or row.get("district_note", ""),
                "unmatched": bool(row.get("district_note")) and not row.get("_district_name"),
                "line": row["_line"],
                "assessment": scores,
            }
        )
    return rows


@municipality_required()
def export(request, municipality):
    """The filtered registry as CSV or XLSX (``?format=csv|xlsx`` plus the list's filters)."""
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    personal = personal_visible(request.capabilities)
    rows = list(selectors.stakeholder_search(municipality, request.GET, personal=personal))
    latest = selectors.latest_assessments(municipality, timezone.localdate(), [s.pk for s in rows])
    headers, table = exports.registry_table(rows, latest, personal=personal)
    name = slugify(f"akteure-{municipality.slug}-{timezone.localdate().isoformat()}")
    if fmt == "xlsx":
        response = HttpResponse(exports.to_xlsx(headers, table), content_type=exports.XLSX_TYPE)
    else:
        response = HttpResponse(exports.to_csv(headers, table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def overview_panel_context(request, municipality) -> dict:
    """The stakeholder panel on the municipality's overview page."""
    return {
        "stakeholder_counts": selectors.counts(municipality),
        "stakeholder_overdue": selectors.overdue_follow_ups(municipality).count(),
    }
