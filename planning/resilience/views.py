"""Pages for balance sheets and resilience checks (under /kommunen/<slug>/planung/).

Views stay thin: permission (``municipality_required``), parse the query or form, call one selector or
service, render. The deterministic path and stress tests are computed on request (exact, fast); Monte
Carlo runs are background jobs whose stored results the pages show.
"""

from __future__ import annotations

import csv
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.downloads import safe_text
from core.files import MaxFileSize
from core.params import optional, parse_year
from core.permissions import Capability, can, municipality_required
from core.templatetags.spielraum import lang
from planning.engine.resilience import TRIGGER_ORDER
from planning.engine.stress import PRESETS
from planning.resilience import indicators as indicator_selectors
from planning.resilience import selectors as selectors
from planning.resilience import services as services
from planning.resilience.forms import BalanceSheetForm, RunForm, ShockForm
from planning.resilience.models import ResilienceRun

TRIGGER_LABELS = {
    "HSK_25_PERCENT": gettext_lazy("−25 % in einem Jahr (§ 76 Abs. 1 Nr. 1)"),
    "HSK_5_PERCENT_TWO_YEARS": gettext_lazy("zweimal −5 % (§ 76 Abs. 1 Nr. 2)"),
    "OVERINDEBTED": gettext_lazy("Überschuldung (§ 75 Abs. 7)"),
}


# --------------------------------------------------------------------------------------------------
# Presenters
# --------------------------------------------------------------------------------------------------


def _source(params: Any) -> dict[str, str | None]:
    return {"budget_version": params.get("version") or None, "scenario": params.get("scenario") or None}


def monte_carlo_context(run: ResilienceRun | None) -> dict[str, Any] | None:
    """Chart data (for plotly, via json_script) and table rows of a run's Monte Carlo result."""
    if run is None or not run.has_monte_carlo:
        return None
    mc = run.result["monte_carlo"]
    years = mc["years"]
    names = {g["code"]: g["name"] for g in mc.get("groups", [])}
    rows = []
    for i, year in enumerate(years):
        rows.append(
            {
                "year": year,
                "triggers": [mc["trigger_probability"][code.value][i] * 100 for code in TRIGGER_ORDER],
                "any": mc["any_hsk_probability"][i] * 100,
                "cumulative": mc["any_hsk_probability_cumulative"][i] * 100,
                "result_median": mc["result_quantiles"][2][i],
                "equity_median": mc["equity_quantiles"][2][i],
            }
        )
    contributions = sorted(mc["contributions"], key=lambda c: c["tail_mean_impact"])
    for c in contributions:
        c["variance_percent"] = c["variance_share"] * 100
    driver = contributions[0] if contributions and mc.get("main_driver") else None
    chart = {
        "years": years,
        "quantile_levels": mc["quantile_levels"],
        "result_quantiles": mc["result_quantiles"],
        "equity_quantiles": mc["equity_quantiles"],
        "trigger_probability": {str(TRIGGER_LABELS[k]): v for k, v in mc["trigger_probability"].items()},
        "any_cumulative": mc["any_hsk_probability_cumulative"],
        "labels": {
            "result": _("Jahresergebnis (EUR)"),
            "equity": _("Eigenkapital am Jahresende (EUR)"),
            "median": _("Median"),
            "band_outer": _("10–90 %"),
            "band_inner": _("25–75 %"),
            "cumulative": _("Irgendein Auslöser bis zum Jahr (kumuliert)"),
            "probability": _("Wahrscheinlichkeit"),
        },
    }
    return {
        "run": run,
        "mc": mc,
        "rows": rows,
        "trigger_labels": [str(TRIGGER_LABELS[c.value]) for c in TRIGGER_ORDER],
        "contributions": contributions[:8],
        "driver": driver,
        "driver_name": names.get(mc.get("main_driver") or "", ""),
        "chart": chart,
        "history": mc.get("covariance", {}).get("history_years") or [],
        "p5": None if run.probability_within_5_years is None else run.probability_within_5_years * 100,
        "horizon5": min(5, len(years)),
    }


def overview_panel_context(request: Any, municipality: Any) -> dict[str, Any]:
    """Context of the overview panel: a plain-language summary of the latest checks."""
    return {"resilience": selectors.overview_summary(municipality), "municipality": municipality}


def _base_context(request: Any, municipality: Any) -> dict[str, Any]:
    return {"municipality": municipality, "can_plan": can(request.user, municipality, Capability.PLAN)}


# --------------------------------------------------------------------------------------------------
# Resilience page, runs, exports
# --------------------------------------------------------------------------------------------------


@municipality_required()
def resilience_index(request, municipality):
    context = _base_context(request, municipality)
    source = _source(request.GET)
    preset = request.GET.get("stress", "")
    context.update(
        presets=list(PRESETS.values()),
        preset=PRESETS.get(preset),
        versions=selectors.budget_versions_of(municipality)[:30],
        scenarios=selectors.scenarios_of(municipality),
        selected_version=source["budget_version"] or "",
        selected_scenario=source["scenario"] or "",
        source_query=urlencode(
            {k: v for k, v in (("version", source["budget_version"]), ("scenario", source["scenario"])) if v}
        ),
        runs=selectors.runs_of(municipality)[:10],
        monte_carlo=monte_carlo_context(selectors.latest_monte_carlo_run(municipality)),
    )
    try:
        inputs = selectors.resilience_inputs(municipality=municipality, **source)
    except selectors.ResilienceInputError as exc:
        context["input_error"] = str(exc)
        return render(request, "planning/resilience/index.html", context)
    shock_form = ShockForm(
        request.GET if "shock_group" in request.GET else None, groups=inputs.base.groups, years=inputs.years
    )
    shocks = shock_form.shocks() if shock_form.is_bound and shock_form.is_valid() else []
    context.update(
        inputs=inputs, shock_form=shock_form, shocks=shocks, stress_id=preset if preset in PRESETS else ""
    )
    try:
        result, _base, _path = services.resilience_evaluate(
            inputs, stress_preset=context["stress_id"], shocks=shocks
        )
        context["result"] = result
    except selectors.ResilienceInputError as exc:
        context["stress_error"] = str(exc)
    context["run_form"] = RunForm(
        initial={
            "version": source["budget_version"] or "",
            "scenario": source["scenario"] or "",
            "stress": context["stress_id"],
            "shocks": json.dumps(shocks),
        }
    )
    return render(request, "planning/resilience/index.html", context)


@municipality_required(Capability.PLAN)
@require_POST
def resilience_run_start(request, municipality):
    form = RunForm(request.POST)
    back = reverse("planning:resilience-index", kwargs={"slug": municipality.slug})
    if not form.is_valid():
        messages.error(request, _("Bitte Pfade und Startwert prüfen: %(e)s") % {"e": form.errors.as_text()})
        return redirect(back)
    data = form.cleaned_data
    try:
        run = services.resilience_run_start(
            municipality=municipality,
            user=request.user,
            budget_version=data["version"] or None,
            scenario=data["scenario"] or None,
            stress_preset=data["stress"],
            shocks=data["shocks"],
            n_paths=data["paths"],
            seed=data["seed"],
        )
    except selectors.ResilienceInputError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    return redirect(run.get_absolute_url())


@municipality_required()
def resilience_run(request, municipality, run_id: int):
    run = get_object_or_404(selectors.runs_of(municipality), pk=run_id)
    context = _base_context(request, municipality)
    context.update(
        run=run,
        result=run.result,
        monte_carlo=monte_carlo_context(run),
        measures=selectors.measures_comparison(run),
    )
    return render(request, "planning/resilience/run.html", context)


def _de(value: Any) -> str:
    """A number for German spreadsheet programs: decimal comma, no grouping."""
    return "" if value is None else str(value).replace(".", ",")


@municipality_required()
def resilience_run_export(request, municipality, run_id: int):
    """The run's years as CSV (semicolon, decimal comma, UTF-8 with BOM: opens in German Excel)."""
    run = get_object_or_404(selectors.runs_of(municipality).succeeded(), pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="resilienz-{municipality.slug}-{run.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Jahr"),
            _("Jahresergebnis"),
            _("Ausgleichsrücklage Ende"),
            _("Allgemeine Rücklage Ende"),
            _("Eigenkapital Ende"),
            _("Status"),
            _("Auslöser"),
            _("Wahrscheinlichkeit eines Auslösers im Jahr"),
            _("Wahrscheinlichkeit bis zum Jahr"),
        ]
    )
    for row in selectors.run_json(run)["years"]:
        det = next(y for y in run.result["deterministic"]["years"] if y["year"] == row["year"])
        writer.writerow(
            [
                row["year"],
                _de(row["annual_result"]),
                _de(row["equalisation_reserve_end"]),
                _de(row["general_reserve_end"]),
                _de(row["equity_end"]),
                safe_text(str(det["status_label"])),  # texts through the project's formula guard
                safe_text(" | ".join(t["reason"] for t in det["triggers"])),
                _de(row.get("any_trigger_probability")),
                _de(row.get("any_trigger_probability_cumulative")),
            ]
        )
    return response


# --------------------------------------------------------------------------------------------------
# Indicators and comparison
# --------------------------------------------------------------------------------------------------


@municipality_required()
def resilience_indicators(request, municipality):
    context = _base_context(request, municipality)
    source = _source(request.GET)
    inputs = path = None
    try:
        inputs = selectors.resilience_inputs(municipality=municipality, **source)
        _result, _base, path = services.resilience_evaluate(inputs)
    except selectors.ResilienceInputError as exc:
        context["input_error"] = str(exc)
    table = indicator_selectors.indicator_table(municipality, inputs=inputs, path=path)
    rows = [
        {"spec": spec, "values": [column.values[spec.id] for column in table["columns"]]}
        for spec in table["specs"]
    ]
    context.update(
        table=table,
        rows=rows,
        inputs=inputs,
        versions=selectors.budget_versions_of(municipality)[:30],
        scenarios=selectors.scenarios_of(municipality),
        selected_version=source["budget_version"] or "",
        selected_scenario=source["scenario"] or "",
    )
    return render(request, "planning/resilience/indicators.html", context)


@municipality_required()
def resilience_comparison(request, municipality):
    phase = request.GET.get("phase") if request.GET.get("phase") in ("plan", "actual") else "plan"
    table = indicator_selectors.comparison_table(
        user=request.user,
        municipality=municipality,
        year=optional(parse_year, request.GET.get("year")),
        phase=phase,
        metric=request.GET.get("metric", ""),
    )
    metric_names = {s.id: lang(s, "name") for s in [*table["indicators"], *table["per_capita"]]}
    chart = {
        "names": [r["municipality"].name for r in table["rows"] if r["value"] is not None],
        "values": [r["value"] for r in table["rows"] if r["value"] is not None],
        "current": [r["is_current"] for r in table["rows"] if r["value"] is not None],
        "title": metric_names[table["metric"]],
    }
    context = _base_context(request, municipality)
    context.update(
        table=table,
        chart=chart,
        metric_name=metric_names[table["metric"]],
        colspan=len(table["indicators"]) + len(table["per_capita"]),
    )
    return render(request, "planning/resilience/comparison.html", context)


# --------------------------------------------------------------------------------------------------
# Balance sheets
# --------------------------------------------------------------------------------------------------


def _balance_page(request, municipality, form: BalanceSheetForm | None, status: int = 200) -> HttpResponse:
    context = _base_context(request, municipality)
    if form is None and context["can_plan"]:
        form = BalanceSheetForm()
    context.update(sheets=selectors.balance_sheets_of(municipality), form=form)
    return render(request, "planning/resilience/balance_sheets.html", context, status=status)


@municipality_required()
def balance_sheets(request, municipality):
    year = optional(parse_year, request.GET.get("year"))
    form = None
    if year is not None and can(request.user, municipality, Capability.PLAN):
        sheet = selectors.balance_sheets_of(municipality).filter(year=year).first()
        form = BalanceSheetForm(instance=sheet, initial={"year": year})
    return _balance_page(request, municipality, form)


@municipality_required(Capability.PLAN)
@require_POST
def balance_sheet_save(request, municipality):
    form = BalanceSheetForm(request.POST)
    form.instance.municipality = municipality
    form.validate_unique = lambda: None  # an existing year is updated, not refused
    if not form.is_valid():
        return _balance_page(request, municipality, form, status=400)
    values = {name: form.cleaned_data.get(name) for name in services.BALANCE_FIELDS}
    try:
        sheet, created = services.balance_sheet_set(
            municipality=municipality,
            year=form.cleaned_data["year"],
            values=values,
            user=request.user,
            expected_revision=form.cleaned_data.get("revision") or 0,  # 0: "I saw no sheet of this year"
        )
    except services.BalanceSheetConflict as exc:
        # Keep the user's input; saving again now applies it knowingly to the current revision.
        form.data = form.data.copy()
        form.data["revision"] = str(exc.current.revision)
        form.add_error(None, str(exc))
        return _balance_page(request, municipality, form, status=409)
    except services.BalanceSheetDeleted as exc:
        form.data = form.data.copy()
        form.data["revision"] = ""  # saving again creates it anew
        form.add_error(None, str(exc))
        return _balance_page(request, municipality, form, status=409)
    except (selectors.ResilienceInputError, ValidationError) as exc:
        form.add_error(None, str(exc))
        return _balance_page(request, municipality, form, status=400)
    text = _("Eröffnungsbilanz %(y)s angelegt.") if created else _("Eröffnungsbilanz %(y)s gespeichert.")
    messages.success(request, text % {"y": sheet.year})
    return redirect("planning:balance-sheets", slug=municipality.slug)


@municipality_required(Capability.PLAN)
@require_POST
def balance_sheet_import(request, municipality):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Bitte eine CSV- oder XLSX-Datei auswählen."))
        return redirect("planning:balance-sheets", slug=municipality.slug)
    try:
        MaxFileSize()(upload)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("planning:balance-sheets", slug=municipality.slug)
    outcome = services.balance_sheets_import(
        municipality=municipality, source=upload.read(), user=request.user
    )
    if outcome.ok:
        messages.success(
            request, _("Eröffnungsbilanzen importiert: %(y)s") % {"y": ", ".join(map(str, outcome.years))}
        )
    else:
        messages.error(request, _("Nichts importiert: %(e)s") % {"e": "; ".join(outcome.errors[:10])})
    return redirect("planning:balance-sheets", slug=municipality.slug)


@municipality_required(Capability.PLAN)
@require_POST
def balance_sheet_delete(request, municipality, year: int):
    sheet = get_object_or_404(selectors.balance_sheets_of(municipality), year=year)
    services.balance_sheet_delete(balance_sheet=sheet)
    messages.success(request, _("Eröffnungsbilanz %(y)s gelöscht.") % {"y": year})
    return redirect("planning:balance-sheets", slug=municipality.slug)
