"""Pages of the finance app: the budget explorer (with htmx drill-down and exports), the import flow
(upload, preview with the detected and overridable mapping, confirm, live progress), and the data page
(datasets, versions, profiles; explicit deletion with confirmation)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import Capability, municipality_required
from finance import charts, explorer_cache, selectors, services
from finance.explorer import COMPARE_CHOICES, STATEMENT_LABELS, explorer_state
from finance.exports import TABLES, export_response, version_fdp_response, version_ohh_response
from finance.forms import MappingForm, UploadForm
from finance.importing import ImportFileError, Mapping, MappingError, open_table
from finance.models import BudgetDataset, BudgetUpload, BudgetVersion, ImportProfile


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# -- explorer ---------------------------------------------------------------------------------------------
@municipality_required()
def index(request, municipality):
    """The budget explorer: drill-down, comparisons, charts; the table part is re-rendered by htmx.
    Both are cached by version and query (``finance.explorer_cache``): a repeated view costs one query."""
    partial = _is_htmx(request) and request.GET.get("partial") == "table"
    stamp = explorer_cache.version_stamp(municipality)
    key = explorer_cache.key("table" if partial else "page", request, municipality, stamp)
    tag = explorer_cache.etag(key, None if partial else request)
    if (unchanged := explorer_cache.not_modified(request, tag)) is not None:
        return unchanged
    if partial:
        body = explorer_cache.cached(
            key,
            lambda: render_to_string(
                "finance/_explorer_table.html", _explorer_context(request, municipality)
            ),
        )
        return explorer_cache.finish(HttpResponse(body), tag)
    content = explorer_cache.cached(
        key,
        lambda: render_to_string(
            "finance/_explorer_content.html", _explorer_context(request, municipality, page=True)
        ),
    )
    response = render(
        request,
        "finance/explorer.html",
        {"municipality": municipality, "content": mark_safe(content)},  # noqa: S308 - our own template's output
    )
    return explorer_cache.finish(response, tag)


def _explorer_context(request, municipality, *, page: bool = False) -> dict:
    state = explorer_state(municipality, request.GET)
    context = {"municipality": municipality, "state": state}
    if state.has_data:
        context["breakdown_chart"] = charts.breakdown_figure(state)
    if not page:
        return context
    if state.has_data:
        current = state.current
        context["years_chart"] = charts.years_figure(state)
        context["sunburst_chart"] = charts.sunburst_figure(
            state, selectors.sunburst_sums(current), selectors.product_names(state.version)
        )
        context["selected"] = next(
            (r for r in state.overview if (r["year"], r["phase"]) == (state.year, state.phase)), None
        )
    context.update(
        compare_choices=COMPARE_CHOICES,
        statement_choices=list(STATEMENT_LABELS.items()),
        can_edit=Capability.EDIT_BUDGET in request.capabilities,
    )
    return context


@municipality_required()
def export(request, municipality):
    """CSV or XLSX of an explorer table: ``?table=breakdown|years&format=csv|xlsx`` plus the explorer's
    parameters (an export holds exactly the table on screen); cached like the page."""
    table = request.GET.get("table", "breakdown")
    fmt = request.GET.get("format", "csv")
    if table not in TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    key = explorer_cache.key("export", request, municipality, explorer_cache.version_stamp(municipality))
    tag = explorer_cache.etag(key)
    if (unchanged := explorer_cache.not_modified(request, tag)) is not None:
        return unchanged

    def build() -> tuple[bytes, dict[str, str]]:
        response = export_response(explorer_state(municipality, request.GET), table, fmt)
        return response.content, {k: response[k] for k in ("Content-Type", "Content-Disposition")}

    body, headers = explorer_cache.cached(key, build)
    return explorer_cache.finish(HttpResponse(body, headers=headers), tag)


# -- data: datasets, versions, profiles ---------------------------------------------------------------------
@municipality_required()
def data(request, municipality):
    return render(
        request,
        "finance/data.html",
        {
            "municipality": municipality,
            "versions": selectors.versions_of(municipality),
            "datasets": selectors.datasets_of(municipality),
            "profiles": selectors.profiles_of(municipality),
            "uploads": selectors.uploads_pending(municipality),
            "can_edit": Capability.EDIT_BUDGET in request.capabilities,
            "status_choices": BudgetVersion.Status.choices,
        },
    )


@municipality_required()
def version_source(request, municipality, version_id: int):
    """Download the unchanged source file of a version."""
    version = get_object_or_404(BudgetVersion, pk=version_id, municipality=municipality)
    try:
        handle = version.source_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=version.source_name)


@require_http_methods(["GET", "HEAD"])
@municipality_required()
def version_ohh(request, municipality, version_id: int):
    """Download a version as the Offener Haushalt standard dataset (read access, like the source)."""
    version = get_object_or_404(
        BudgetVersion.objects.select_related("dataset", "municipality"),
        pk=version_id,
        municipality=municipality,
    )
    return version_ohh_response(version)


@require_http_methods(["GET", "HEAD"])
@municipality_required()
def version_fdp(request, municipality, version_id: int):
    """Download a version as a Fiscal Data Package (ZIP)."""
    version = get_object_or_404(
        BudgetVersion.objects.select_related("dataset", "municipality"),
        pk=version_id,
        municipality=municipality,
    )
    return version_fdp_response(version)


@require_POST
@municipality_required(Capability.EDIT_BUDGET)
def version_status(request, municipality, version_id: int):
    """Set what a version's figures are and, on request, make it the current adopted budget."""
    version = get_object_or_404(BudgetVersion, pk=version_id, municipality=municipality)
    status = request.POST.get("status", "")
    try:
        services.version_set_status(
            version=version,
            status=status,
            make_current=request.POST.get("make_current") == "on",
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Status der Version „%(v)s“ gespeichert.") % {"v": version})
    return redirect("finance:data", slug=municipality.slug)


@require_http_methods(["GET", "POST"])
@municipality_required(Capability.EDIT_BUDGET)
def version_delete(request, municipality, version_id: int):
    version = get_object_or_404(
        BudgetVersion.objects.select_related("dataset"), pk=version_id, municipality=municipality
    )
    if request.method == "POST":
        label = str(version)
        services.version_delete(version=version, actor=request.user)
        messages.success(request, _("Version „%(v)s“ wurde gelöscht.") % {"v": label})
        return redirect("finance:data", slug=municipality.slug)
    return render(
        request,
        "finance/confirm_delete.html",
        {
            "municipality": municipality,
            "object": version,
            "what": _("die Version"),
            "lines": version.line_count,
        },
    )


@require_http_methods(["GET", "POST"])
@municipality_required(Capability.EDIT_BUDGET)
def dataset_delete(request, municipality, dataset_id: int):
    dataset = get_object_or_404(BudgetDataset, pk=dataset_id, municipality=municipality)
    if request.method == "POST":
        services.dataset_delete(dataset=dataset, actor=request.user)
        messages.success(request, _("Datensatz „%(d)s“ wurde gelöscht.") % {"d": dataset.name})
        return redirect("finance:data", slug=municipality.slug)
    versions = list(dataset.versions.all())
    return render(
        request,
        "finance/confirm_delete.html",
        {
            "municipality": municipality,
            "object": dataset,
            "what": _("den Datensatz mit allen Versionen"),
            "versions": versions,
            "lines": sum(v.line_count for v in versions),
        },
    )


@require_POST
@municipality_required(Capability.EDIT_BUDGET)
def profile_delete(request, municipality, profile_id: int):
    profile = get_object_or_404(ImportProfile, pk=profile_id, municipality=municipality)
    services.profile_delete(profile=profile)
    messages.success(request, _("Importprofil „%(p)s“ wurde gelöscht.") % {"p": profile.name})
    return redirect("finance:data", slug=municipality.slug)


# -- import ---------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@municipality_required(Capability.EDIT_BUDGET)
def upload(request, municipality):
    """Step 1: upload a file (stored unchanged), then go to its preview."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            staged = services.budget_upload_create(
                municipality=municipality, file=form.cleaned_data["file"], user=request.user
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            existing = services.version_by_checksum(municipality, staged.checksum)
            if existing is None:
                return redirect("finance:upload-detail", slug=municipality.slug, upload_id=staged.pk)
            services.budget_upload_delete(upload=staged)  # identical file: nothing new is stored
            messages.info(
                request,
                _("Diese Datei wurde bereits importiert (gleiche Prüfsumme) als „%(v)s“.") % {"v": existing}
                + " "
                + _("Es wurde nichts Neues gespeichert."),
            )
            return redirect(existing.get_absolute_url())
    return render(request, "finance/upload.html", {"municipality": municipality, "form": form})


def _upload_for(municipality, upload_id: int) -> BudgetUpload:
    return get_object_or_404(
        BudgetUpload.objects.select_related("job", "version__dataset"),
        pk=upload_id,
        municipality=municipality,
    )


def _last_mapping(staged: BudgetUpload) -> Mapping | None:
    """The mapping of the last import attempt (to correct it after a rejection)."""
    data = (staged.job.params or {}).get("mapping") if staged.job else None
    try:
        return Mapping.from_dict(data) if data else None
    except MappingError:
        return None


def _preview_context(
    municipality, staged: BudgetUpload, mapping: Mapping | None, overrides: dict | None = None
) -> dict:
    result, profile = services.budget_preview(
        municipality=municipality, source=Path(staged.file.path), mapping=mapping, **(overrides or {})
    )
    return {"preview": result, "profile": profile}


def _detected(staged: BudgetUpload) -> tuple[list[str] | None, dict]:
    """Header and detected CSV reading (encoding, delimiter) of the staged file; (None, {}) if unreadable."""
    try:
        with open_table(Path(staged.file.path)) as table:
            return table.header, {"encoding": table.info.encoding, "delimiter": table.info.delimiter}
    except (ImportFileError, FileNotFoundError):
        return None, {}


def _reading(staged: BudgetUpload, data) -> tuple[list[str] | None, dict, dict]:
    """(header as read, detected reading, the user's overrides of encoding/delimiter) for a request."""
    header, detected = _detected(staged)
    overrides = {
        key: data[key]
        for key, allowed in (("encoding", services.ENCODINGS), ("delimiter", services.DELIMITERS))
        if data.get(key) in allowed and detected.get(key) and data[key] != detected[key]
    }
    if header is not None and overrides:
        try:
            header = services.file_header(Path(staged.file.path), **overrides)
        except ImportFileError:
            header = None
    return header, detected, overrides


def _mapping_form(staged: BudgetUpload, header: list[str], mapping: Mapping | None, data=None) -> MappingForm:
    datasets = list(
        BudgetDataset.objects.filter(municipality=staged.municipality).values_list("name", flat=True)
    )
    form = MappingForm(data, header=header, mapping=mapping, land=staged.municipality.land)
    form.dataset_names = datasets
    if data is None:
        last = (staged.job.params or {}) if staged.job else {}
        form.initial["dataset_name"] = last.get("dataset_name") or (
            datasets[0] if len(datasets) == 1 else "Haushalt"
        )
        form.initial["label"] = last.get("label", "")
    return form


def _last_overrides(staged: BudgetUpload) -> dict:
    params = (staged.job.params or {}) if staged.job else {}
    return {key: params[key] for key in ("encoding", "delimiter") if params.get(key)}


@require_http_methods(["GET", "POST"])
@municipality_required(Capability.EDIT_BUDGET)
def upload_detail(request, municipality, upload_id: int):
    """Step 2 and 3: preview with the detected mapping (correctable), confirm; then the live progress."""
    staged = _upload_for(municipality, upload_id)
    context: dict = {"municipality": municipality, "upload": staged}
    if staged.status in (
        BudgetUpload.Status.IMPORTED,
        BudgetUpload.Status.UNCHANGED,
        BudgetUpload.Status.IMPORTING,
    ):
        if request.method == "POST":
            return redirect("finance:upload-detail", slug=municipality.slug, upload_id=staged.pk)
        context["explorer_url"] = reverse("finance:index", kwargs={"slug": municipality.slug})
        return render(request, "finance/upload_detail.html", context)
    data = request.POST if request.method == "POST" else (request.GET or _last_overrides(staged))
    header, detected, overrides = _reading(staged, data)
    context["detected"] = detected
    if request.method == "POST" and header is not None:
        form = _mapping_form(staged, header, None, request.POST)
        if form.is_valid():
            spec = services.ImportSpec(
                mapping=form.to_mapping(),
                dataset_name=form.cleaned_data["dataset_name"],
                label=form.cleaned_data["label"],
                phase=form.cleaned_data.get("default_phase") or None,
                status=form.cleaned_data.get("status") or "draft",
                make_current=bool(form.cleaned_data.get("make_current")),
                read=services.ReadOptions(overrides.get("encoding"), overrides.get("delimiter")),
            )
            job = services.budget_upload_start(
                upload=staged, spec=spec, profile_name=form.cleaned_data["profile_name"], user=request.user
            )
            messages.info(request, _("Der Import wurde gestartet (Auftrag %(id)s).") % {"id": job.pk})
            return redirect("finance:upload-detail", slug=municipality.slug, upload_id=staged.pk)
        context.update(_preview_context(municipality, staged, None, overrides))
    else:
        last = _last_mapping(staged) if request.method == "GET" and not request.GET else None
        context.update(_preview_context(municipality, staged, last, overrides))
        form = None
        if header is not None:
            preview = context["preview"]
            form = _mapping_form(staged, preview.header or header, preview.mapping)
    if form is not None:
        form.initial.update(encoding=data.get("encoding") or detected.get("encoding"))
        form.initial.update(delimiter=data.get("delimiter") or detected.get("delimiter"))
    context["form"] = form
    return render(request, "finance/upload_detail.html", context)


@require_POST
@municipality_required(Capability.EDIT_BUDGET)
def upload_preview(request, municipality, upload_id: int):
    """htmx: the preview again with the mapping as currently edited in the form."""
    staged = _upload_for(municipality, upload_id)
    header, _detected_reading, overrides = _reading(staged, request.POST)
    if header is None:
        return HttpResponse(status=409)
    form = _mapping_form(staged, header, None, request.POST)
    mapping = form.to_mapping() if form.is_valid() else None
    context = {"municipality": municipality, "upload": staged, "form": form}
    context.update(_preview_context(municipality, staged, mapping, overrides))
    return render(request, "finance/_preview.html", context)


@require_POST
@municipality_required(Capability.EDIT_BUDGET)
def upload_delete(request, municipality, upload_id: int):
    staged = _upload_for(municipality, upload_id)
    if staged.status == BudgetUpload.Status.IMPORTING:
        messages.error(request, _("Der Import läuft noch."))
        return redirect("finance:upload-detail", slug=municipality.slug, upload_id=staged.pk)
    services.budget_upload_delete(upload=staged)
    messages.success(request, _("Die hochgeladene Datei wurde verworfen."))
    return redirect("finance:data", slug=municipality.slug)


# -- overview panel (registered in FinanceConfig.ready) ---------------------------------------------------
def overview_panel_context(request, municipality) -> dict:
    return {"budget": selectors.latest_plan_summary(municipality), "municipality": municipality}
