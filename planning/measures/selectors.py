"""Reads of measures: lists, indicator traffic lights, overview flags, the "Ziele und Kennzahlen" table,
and the effects of the measures a set of scenarios includes (for the projection)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from core.models import Municipality
from finance.vocabulary import product_area_name
from planning.engine.measures import Effect, Light, traffic_light
from planning.measures.models import Measure, MeasureEffect, MeasureIndicator, MeasureIndicatorActual


def measures_of(municipality: Municipality) -> QuerySet[Measure]:
    return Measure.objects.for_municipality(municipality).prefetch_related("effects", "indicators")


def measure_get(municipality: Municipality, measure_id: int) -> Measure:
    return Measure.objects.for_municipality(municipality).get(pk=measure_id)


@dataclass(frozen=True)
class IndicatorState:
    indicator: MeasureIndicator
    year: int | None  # latest year with an actual
    target: Decimal | None
    actual: Decimal | None
    light: Light


def indicator_state(indicator: MeasureIndicator, year: int | None = None) -> IndicatorState:
    """The light of the latest year with an actual (or of ``year``): the last actual of that year
    against that year's target."""
    actuals = list(indicator.actuals.all())
    if year is None and actuals:
        year = actuals[-1].date.year
    in_year = [a for a in actuals if a.date.year == year] if year is not None else []
    actual = in_year[-1].value if in_year else None
    raw = (indicator.targets or {}).get(str(year)) if year is not None else None
    target = Decimal(raw) if raw not in (None, "") else None
    light = traffic_light(
        target, actual, higher_is_better=indicator.direction == MeasureIndicator.Direction.HIGHER
    )
    return IndicatorState(indicator, year, target, actual, light)


def _indicators_prefetch() -> Prefetch:
    return Prefetch(
        "indicators",
        queryset=MeasureIndicator.objects.prefetch_related(
            Prefetch("actuals", queryset=MeasureIndicatorActual.objects.order_by("date"))
        ),
    )


def measure_rows(municipality: Municipality) -> list[dict[str, Any]]:
    """Every measure with its indicator states, worst light, overdue flag and effect per year."""
    measures = Measure.objects.for_municipality(municipality).prefetch_related(
        "effects", _indicators_prefetch()
    )
    rows = []
    for m in measures:
        states = [indicator_state(i) for i in m.indicators.all()]
        lights = {s.light for s in states}
        worst = next((x for x in (Light.RED, Light.YELLOW, Light.GREEN) if x in lights), Light.NONE)
        rows.append(
            {
                "measure": m,
                "states": states,
                "light": worst,
                "overdue": m.is_overdue,
                "off_target": worst == Light.RED,
                "effect_per_year": sum(
                    (
                        e.amount * (-1 if e.kind == "higher_expense" else 1)
                        for e in m.effects.all()
                        if e.recurring
                    ),
                    Decimal(0),
                ),
            }
        )
    return rows


def overview_summary(municipality: Municipality) -> dict[str, Any]:
    """For the municipality overview: counts and the flagged (overdue or off-target) measures."""
    rows = measure_rows(municipality)
    flagged = [r for r in rows if r["overdue"] or r["off_target"]]
    by_status: dict[str, int] = defaultdict(int)
    for r in rows:
        by_status[r["measure"].status] += 1
    return {
        "count": len(rows),
        "by_status": dict(by_status),
        "flagged": flagged,
        "today": timezone.localdate(),
    }


def goals_table(municipality: Municipality, area: str | None = None) -> list[list[Any]]:
    """ "Ziele und Kennzahlen" per product area: one row per indicator (area, measure, goal, indicator,
    type, unit, baseline, targets of the years, latest actual, light), ready for CSV/XLSX."""
    measures = (
        Measure.objects.for_municipality(municipality)
        .exclude(status=Measure.Status.STOPPED)
        .prefetch_related(_indicators_prefetch())
        .order_by("area", "product_code", "title")
    )
    years = sorted({int(y) for m in measures for i in m.indicators.all() for y in (i.targets or {})})
    header = [
        "Produktbereich",
        "Produkt",
        "Maßnahme",
        "Ziel",
        "Kennzahl",
        "Typ",
        "Einheit",
        "Ausgangswert",
        *[f"Ziel {y}" for y in years],
        "Letzter Istwert",
        "Ampel",
    ]
    rows: list[list[Any]] = [header]
    for m in measures:
        m_area = m.area or m.product_code[:2]
        if area and m_area != area:
            continue
        area_label = f"{m_area} {product_area_name(m_area, municipality.land) or ''}".strip()
        for ind in m.indicators.all():
            state = indicator_state(ind)
            rows.append(
                [
                    area_label,
                    m.product_code,
                    m.title,
                    m.goal,
                    ind.name,
                    ind.get_kind_display(),
                    ind.unit,
                    ind.baseline,
                    *[Decimal(ind.targets[str(y)]) if str(y) in ind.targets else None for y in years],
                    state.actual,
                    str(state.light),
                ]
            )
    return rows


def effects_by_scenario(scenario_ids: Iterable[int]) -> dict[int, list[tuple[Measure, list[Effect]]]]:
    """The effects of the (not stopped) measures each scenario includes, in one query per kind."""
    through = Measure.scenarios.through
    links = list(
        through.objects.filter(scenario_id__in=list(scenario_ids)).values_list("scenario_id", "measure_id")
    )
    measures = {
        m.pk: m
        for m in Measure.objects.filter(pk__in={mid for _s, mid in links})
        .active()
        .prefetch_related(Prefetch("effects", queryset=MeasureEffect.objects.select_related("measure")))
    }
    out: dict[int, list[tuple[Measure, list[Effect]]]] = defaultdict(list)
    for scenario_id, measure_id in sorted(links):
        if measure_id in measures:
            m = measures[measure_id]
            out[scenario_id].append((m, m.engine_effects()))
    return out
