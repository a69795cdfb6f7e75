"""NKF indicators per year (actuals, plan, projection) and the inter-municipal comparison.

Reads budget sums through ``planning.resilience.selectors``; the indicator formulas are the engine's
(``planning.engine.indicators``), shown next to every value. One query per kind of data, whatever the
number of years or municipalities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.models import Municipality
from core.permissions import visible_municipalities
from finance import selectors as finance_selectors
from finance.vocabulary import EXPENSE, FINANCIAL, REVENUE
from planning.engine.indicators import (
    INDICATORS,
    IndicatorValue,
    YearAggregates,
    compute_indicators,
    ordinary_expenses,
    ordinary_revenue,
)
from planning.resilience.models import BalanceSheet, ResilienceRun
from planning.resilience.selectors import (
    ZERO,
    GroupKey,
    ResilienceInputs,
    actual_year_sums,
    annual_result,
    balance_sheets_of,
    group_sums,
)

#: Laufende Verwaltungstätigkeit in the NKF Finanzplan: Einzahlungen 60-66, Auszahlungen 70-76.
OPERATING_CASH_IN = ("60", "61", "62", "63", "64", "65", "66")
OPERATING_CASH_OUT = ("70", "71", "72", "73", "74", "75", "76")

# --------------------------------------------------------------------------------------------------


def _aggregates(year: int, groups: dict[GroupKey, Decimal], **extra: Any) -> YearAggregates:
    by_group: dict[str, float] = defaultdict(float)
    for (code, direction), amount in groups.items():
        key = code[:2]
        by_group[key] += float(amount) if (direction == EXPENSE) == (key[:1] in "57") else -float(amount)
    return YearAggregates(
        year=year, by_group=dict(by_group), annual_result=float(annual_result(groups)), **extra
    )


def operating_balance(version_ids: Iterable[int], *, phase: str) -> dict[tuple[int, int], Decimal]:
    """Saldo aus laufender Verwaltungstätigkeit per (version, year) from the Finanzplan groups."""
    out: dict[tuple[int, int], Decimal] = {}
    for vid, years in group_sums(version_ids, phase=phase, statement=FINANCIAL).items():
        for year, groups in years.items():
            cash_in = sum(
                (a for (c, d), a in groups.items() if d == REVENUE and c in OPERATING_CASH_IN), ZERO
            )
            cash_out = sum(
                (a for (c, d), a in groups.items() if d == EXPENSE and c in OPERATING_CASH_OUT), ZERO
            )
            if cash_in or cash_out:
                out[(vid, year)] = cash_in - cash_out
    return out


@dataclass
class IndicatorColumn:
    """The indicators of one year and phase (Ist, Plan, Projektion)."""

    year: int
    phase: str
    values: dict[str, IndicatorValue]


def _sheet_values(sheets: dict[int, BalanceSheet], year: int) -> dict[str, Any]:
    """Balance-sheet inputs of a year: equity, total and debt from the closing values (next year's
    opening sheet), the reserves at opening (what the year's deficit is measured against)."""
    opening = sheets.get(year)
    # Without next year's sheet the year's opening sheet stands in (plan years, the comparison).
    closing = sheets.get(year + 1) or opening
    values: dict[str, Any] = {}
    if closing is not None:
        values.update(
            equity=float(closing.total_equity),
            balance_sheet_total=None
            if closing.balance_sheet_total is None
            else float(closing.balance_sheet_total),
            effective_debt=float(closing.total_debt),
        )
    if opening is not None:
        values.update(
            equalisation_reserve=float(opening.equalisation_reserve),
            general_reserve=float(opening.general_reserve),
        )
    return values


def indicator_table(
    municipality: Municipality, *, inputs: ResilienceInputs | None, path: Any = None
) -> dict[str, Any]:
    """NKF indicators per year: actual years, then the plan or projection years of ``inputs`` with
    equity and reserves from the deterministic reserve ``path`` (an engine ``ReservePath``)."""
    sheets = {bs.year: bs for bs in balance_sheets_of(municipality)}
    notes: list[str] = []
    columns: list[IndicatorColumn] = []
    versions = list(finance_selectors.versions_by_import(municipality).values_list("pk", flat=True))
    cash = operating_balance(versions, phase="actual")
    cash_by_year = {y: v for (_vid, y), v in sorted(cash.items())}
    for year, groups in actual_year_sums(municipality).items():
        agg = _aggregates(
            year, groups, current_operations_balance=_f(cash_by_year.get(year)), **_sheet_values(sheets, year)
        )
        columns.append(IndicatorColumn(year, "actual", compute_indicators(agg)))
    if inputs is not None and path is not None:
        phase = "projection" if inputs.source_kind == ResilienceRun.SourceKind.SCENARIO else "plan"
        bs = inputs.balance_sheet
        plan_cash: dict[int, Decimal] = {}
        if inputs.budget_version is not None:
            plan_cash = {
                y: v for (_vid, y), v in operating_balance([inputs.budget_version.pk], phase="plan").items()
            }
        for t, row in enumerate(path.years):
            groups = {
                (g.code, REVENUE if g.kind == "revenue" else EXPENSE): Decimal(
                    repr(float(inputs.base.amounts[i, t]))
                )
                for i, g in enumerate(inputs.base.groups)
            }
            agg = _aggregates(
                row.year,
                groups,
                equity=float(row.equity_end),
                balance_sheet_total=_f(bs.balance_sheet_total),
                equalisation_reserve=float(row.equalisation_reserve_start),
                general_reserve=float(row.general_reserve_start),
                effective_debt=float(bs.total_debt) if bs.total_debt else None,
                current_operations_balance=_f(plan_cash.get(row.year)),
            )
            agg = replace(agg, annual_result=float(row.annual_result))
            columns.append(IndicatorColumn(row.year, phase, compute_indicators(agg)))
        notes.append(
            _(
                "Plan-/Projektionsjahre: Eigenkapital und Rücklagen aus dem Rücklagenpfad; "
                "Bilanzsumme und Schulden aus der Eröffnungsbilanz %(y)s fortgeschrieben."
            )
            % {"y": bs.year}
        )
    return {"specs": list(INDICATORS.values()), "columns": columns, "notes": notes}


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class PerCapitaSpec:
    """A per-inhabitant figure of the comparison."""

    id: str
    name_de: str
    formula_de: str
    better_when: str
    unit: str = "€/EW"
    name_en: str = ""
    formula_en: str = ""


PER_CAPITA: dict[str, PerCapitaSpec] = {
    s.id: s
    for s in (
        PerCapitaSpec(
            "ertraege_je_ew",
            "Ordentliche Erträge je Einwohner",
            "Ordentliche Erträge / Einwohner",
            "higher",
            name_en="Ordinary revenue per inhabitant",
            formula_en="Ordinary revenue / inhabitants",
        ),
        PerCapitaSpec(
            "aufwendungen_je_ew",
            "Ordentliche Aufwendungen je Einwohner",
            "Ordentliche Aufwendungen / Einwohner",
            "lower",
            name_en="Ordinary expenses per inhabitant",
            formula_en="Ordinary expenses / inhabitants",
        ),
        PerCapitaSpec(
            "ergebnis_je_ew",
            "Jahresergebnis je Einwohner",
            "Jahresergebnis / Einwohner",
            "higher",
            name_en="Annual result per inhabitant",
            formula_en="Annual result / inhabitants",
        ),
        PerCapitaSpec(
            "steuern_je_ew",
            "Steuererträge je Einwohner",
            "Steuern und ähnliche Abgaben (40) / Einwohner",
            "higher",
            name_en="Tax revenue per inhabitant",
            formula_en="Taxes and similar levies (40) / inhabitants",
        ),
        PerCapitaSpec(
            "transfer_je_ew",
            "Transferaufwendungen je Einwohner",
            "Transferaufwendungen (53) / Einwohner",
            "lower",
            name_en="Transfer expenses per inhabitant",
            formula_en="Transfer expenses (53) / inhabitants",
        ),
        PerCapitaSpec(
            "schulden_je_ew",
            "Kredite je Einwohner",
            "(Investitions- + Liquiditätskredite) / Einwohner",
            "lower",
            name_en="Loans per inhabitant",
            formula_en="(Investment + liquidity loans) / inhabitants",
        ),
    )
}


def _per_capita(agg: YearAggregates, debt: float | None, population: int | None) -> dict[str, float | None]:
    if not population:
        return dict.fromkeys(PER_CAPITA)
    raw = {
        "ertraege_je_ew": ordinary_revenue(agg),
        "aufwendungen_je_ew": ordinary_expenses(agg),
        "ergebnis_je_ew": agg.annual_result,
        "steuern_je_ew": agg.by_group.get("40"),
        "transfer_je_ew": agg.by_group.get("53"),
        "schulden_je_ew": debt,
    }
    return {k: None if v is None else v / population for k, v in raw.items()}


def comparison_table(
    *, user: Any, municipality: Municipality, year: int | None = None, phase: str = "plan", metric: str = ""
) -> dict[str, Any]:
    """The same indicators and per-capita figures for every municipality the user may see, ranked by
    ``metric`` (best first). Each municipality contributes its most recently imported version.
    Queries do not grow with the number of municipalities (one per kind of data)."""
    municipalities = list(visible_municipalities(user).order_by("name"))
    latest = finance_selectors.newest_version_ids(municipalities)
    sums = group_sums(latest.values(), phase=phase)
    years_available = sorted({y for v in sums.values() for y in v})
    if year is None:
        own = sorted(sums.get(latest.get(municipality.pk, -1), {}))
        year = (
            own[0]
            if own and phase == "plan"
            else (own[-1] if own else (years_available[-1] if years_available else None))
        )
    sheets = {
        (bs.municipality_id, bs.year): bs
        for bs in BalanceSheet.objects.filter(
            municipality__in=municipalities, year__in=[year or 0, (year or 0) + 1]
        )
    }
    cash = operating_balance(latest.values(), phase=phase) if year else {}
    metric = metric if metric in INDICATORS or metric in PER_CAPITA else "aufwandsdeckungsgrad"
    rows = []
    for m in municipalities:
        vid = latest.get(m.pk)
        groups = sums.get(vid, {}).get(year) if vid and year else None
        row: dict[str, Any] = {
            "municipality": m,
            "is_current": m.pk == municipality.pk,
            "has_data": bool(groups),
        }
        if groups:
            sheet = {yy: bs for (mid, yy), bs in sheets.items() if mid == m.pk}
            agg = _aggregates(
                year,
                groups,
                current_operations_balance=_f(cash.get((vid, year))),
                **_sheet_values(sheet, year),
            )
            row["indicators"] = compute_indicators(agg)
            closing = sheet.get(year + 1) or sheet.get(year)
            row["per_capita"] = _per_capita(agg, float(closing.total_debt) if closing else None, m.population)
            value = row["indicators"][metric].value if metric in INDICATORS else row["per_capita"][metric]
            row["value"] = value
        else:
            row["value"] = None
        rows.append(row)
    better = INDICATORS[metric].better_when if metric in INDICATORS else PER_CAPITA[metric].better_when
    sign = -1 if better == "higher" else 1
    rows.sort(key=lambda r: (r["value"] is None, sign * (r["value"] or 0), r["municipality"].name))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if row["value"] is not None else None
    return {
        "rows": rows,
        "year": year,
        "phase": phase,
        "metric": metric,
        "years": years_available,
        "indicators": list(INDICATORS.values()),
        "per_capita": list(PER_CAPITA.values()),
    }
