"""Reads of coproduction: the registry as engine values, each model computed with
planning/engine/coproduction.py, and the comparison of a facility's models side by side."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.models import Municipality
from planning.coproduction.models import (
    DatedParameter,
    Facility,
    FinancingModel,
    FundingSource,
    ParameterChange,
    year_map,
)
from planning.engine.coproduction import (
    CoproductionError,
    DatedValue,
    Model,
    ModelResult,
    Risk,
    Source,
    SourceKind,
    evaluate,
    sensitivity,
    value_for_year,
)
from stakeholders import selectors as stakeholder_selectors
from stakeholders.models import ShadowWage


def partner_contributions(municipality: Municipality) -> list[dict[str, Any]]:
    """Which organisations of the registry contribute to which facility's models, and with what (the
    coproduction side of "what does this actor bring"), ordered by the actor's name."""
    sources = (
        FundingSource.objects.filter(
            model__facility__municipality=municipality, stakeholder__municipality=municipality
        )
        .select_related("stakeholder__municipality", "model__facility")
        .order_by("stakeholder__name", "stakeholder_id", "model__facility__name", "model__name", "pk")
    )
    out: list[dict[str, Any]] = []
    for source in sources:
        if not out or out[-1]["stakeholder"].pk != source.stakeholder_id:
            out.append({"stakeholder": source.stakeholder, "sources": []})
        out[-1]["sources"].append(source)
    return out


def facilities_of(municipality: Municipality) -> QuerySet[Facility]:
    return Facility.objects.for_municipality(municipality).prefetch_related("models")


def parameters_of(municipality: Municipality) -> QuerySet[DatedParameter]:
    """The registry's own rows (discount rate, allowances); the shadow wage is :func:`shadow_wages_of`."""
    return DatedParameter.objects.for_municipality(municipality).exclude(key=DatedParameter.Key.MINIMUM_WAGE)


def shadow_wages_of(municipality: Municipality) -> list[ShadowWage]:
    """The shadow wage of a volunteer hour over time, from its one registry (stakeholders)."""
    return stakeholder_selectors.shadow_wage_rows(municipality)


def parameter_changes(municipality: Municipality, limit: int = 50) -> list[ParameterChange]:
    return list(
        ParameterChange.objects.filter(municipality=municipality).select_related("changed_by")[:limit]
    )


def series(municipality: Municipality, key: str) -> list[DatedValue]:
    if key == DatedParameter.Key.MINIMUM_WAGE:
        return [DatedValue(w.valid_from, w.eur_per_hour) for w in shadow_wages_of(municipality)]
    return [
        DatedValue(p.valid_from, p.value)
        for p in DatedParameter.objects.filter(municipality=municipality, key=key)
    ]


def engine_model(model: FinancingModel) -> Model:
    return Model(
        name=model.name,
        running_costs=year_map(model.running_costs),
        one_off_costs=year_map(model.one_off_costs),
        synergies=year_map(model.synergies),
        sources=[
            Source(
                name=s.name,
                kind=SourceKind(s.kind),
                amounts=year_map(s.amounts),
                hours=year_map(s.hours),
                partner=s.partner_name,
                end_year=s.end_year,
            )
            for s in model.sources.all()
        ],
    )


class ParameterMissing(CoproductionError):
    pass


def _inputs(facility: Facility) -> dict[str, Any]:
    municipality = facility.municipality
    wages = series(municipality, DatedParameter.Key.MINIMUM_WAGE)
    rates = series(municipality, DatedParameter.Key.DISCOUNT_RATE)
    try:
        rate = value_for_year(rates, facility.first_year)
        value_for_year(wages, facility.first_year)
    except CoproductionError as exc:
        raise ParameterMissing(
            _(
                "Im Parameterverzeichnis fehlt ein Wert für %(y)s (Kalkulationszins oder Mindestlohn). "
                "Bitte unter „Parameter“ ergänzen."
            )
            % {"y": facility.first_year}
        ) from exc
    return {
        "years": facility.years,
        "baseline": year_map(facility.baseline),
        "discount_rate": rate,
        "shadow_wages": wages,
    }


def model_result(model: FinancingModel) -> ModelResult:
    return evaluate(engine_model(model), **_inputs(model.facility))


def risk_text(risk: Risk) -> str:
    if risk.code == "coverage_gap":
        return _("Finanzierungslücke ab %(y)s: die Quellen decken die Kosten nicht.") % {"y": risk.year}
    if risk.code == "grant_ends":
        return _("Förderung „%(s)s“ endet %(y)s, vor dem Ende des Horizonts.") % {
            "s": risk.subject,
            "y": risk.year,
        }
    if risk.code == "dependence":
        return _(
            "Abhängigkeit von einem Partner: „%(s)s“ trägt mehr als die Hälfte der Fremdfinanzierung."
        ) % {"s": risk.subject}
    return risk.code


def facility_comparison(facility: Facility) -> dict[str, Any]:
    """Every model of the facility computed side by side: per year cost, municipal share, net burden;
    present values (budget and all parties), shares per source over the horizon, sensitivity, risks;
    plus plotly-ready series of the net burden per year."""
    inputs = _inputs(facility)
    out_models = []
    for model in facility.models.prefetch_related("sources__stakeholder").order_by("pk"):
        engine = engine_model(model)
        result = evaluate(engine, **inputs)
        sens = sensitivity(engine, **inputs)
        total_cost = sum((r.economic_cost for r in result.years), Decimal(0))
        shares = []
        for source in model.sources.all():
            value = sum((r.by_source.get(source.name, Decimal(0)) for r in result.years), Decimal(0))
            share = (value * 100 / total_cost).quantize(Decimal("0.1")) if total_cost else Decimal(0)
            shares.append(
                {
                    "name": source.name,
                    "kind": source.get_kind_display(),
                    "partner": source.partner_name,
                    "stakeholder": source.stakeholder,
                    "value": value,
                    "share": share,
                }
            )
        gap = result.total_gap
        out_models.append(
            {
                "model": model,
                "result": result,
                "years": result.years,
                "shares": shares,
                "gap": gap,
                "gap_share": (gap * 100 / total_cost).quantize(Decimal("0.1")) if total_cost else Decimal(0),
                "total_cost": total_cost,
                "sensitivity": sens,
                "risks": [risk_text(r) for r in result.risks],
            }
        )
    return {
        "facility": facility,
        "years": inputs["years"],
        "discount_rate": inputs["discount_rate"],
        "models": out_models,
        "chart": {
            "years": inputs["years"],
            "baseline": [float(year_map(facility.baseline).get(y, 0)) for y in inputs["years"]],
            "series": [
                {
                    "name": m["model"].name,
                    "net_burden": [float(r.net_burden) for r in m["years"]],
                    "municipal": [float(r.municipal) for r in m["years"]],
                }
                for m in out_models
            ],
        },
    }


def comparison_json(facility: Facility) -> dict[str, Any]:
    """The comparison as plain JSON (API, CLI): decimals as strings."""
    data = facility_comparison(facility)
    return {
        "facility": facility.name,
        "years": data["years"],
        "discount_rate": str(data["discount_rate"]),
        "models": [
            {
                "id": m["model"].pk,
                "name": m["model"].name,
                "form": m["model"].form,
                "chosen": m["model"].chosen,
                "pv_municipal": str(m["result"].pv_municipal),
                "pv_baseline": str(m["result"].pv_baseline),
                "pv_net_burden": str(m["result"].pv_net_burden),
                "pv_economic_cost": str(m["result"].pv_economic_cost),
                "coverage_gap": str(m["gap"]),
                "years": [
                    {
                        "year": r.year,
                        "economic_cost": str(r.economic_cost),
                        "municipal": str(r.municipal),
                        "net_burden": str(r.net_burden),
                        "gap": str(r.gap),
                        "shadow_wage": str(r.shadow_wage),
                    }
                    for r in m["years"]
                ],
                "shares": [
                    {
                        **s,
                        "stakeholder": s["stakeholder"].pk if s["stakeholder"] else None,
                        "value": str(s["value"]),
                        "share": str(s["share"]),
                    }
                    for s in m["shares"]
                ],
                "sensitivity": {k: str(v) for k, v in m["sensitivity"].items()},
                "risks": m["risks"],
            }
            for m in data["models"]
        ],
    }
