"""NKF indicators (NKF-Kennzahlenset NRW) as pure functions with a registry for display.

Why: supervisory authorities and councils read a municipality's situation through this indicator set;
showing the same numbers for plan years and stress scenarios makes Spielraum's projections comparable to
what the Kämmerei already reports. Every function takes :class:`YearAggregates` and returns an
:class:`IndicatorValue`; a missing or unusable input gives ``value=None`` with a reason, never an
exception, because aggregates from real uploads are often incomplete.

Definitions follow the NKF indicator set of NRW (see docs/resilience-method.md). Amounts of account
groups are positive numbers (expenses too). Ordinary revenue/expenses are those of the Ergebnisplan
without the financial result, internal service relations (48/58) and extraordinary items (49/59):

* ordentliche Erträge = 40 + 41 + 42 + 43 + 44 + 45 + 47
* ordentliche Aufwendungen = 50 + 51 + 52 + 53 + 54 + 57
* Finanzaufwendungen = 55, Finanzerträge = 46

Both can be passed explicitly when the accounting system reports them (e.g. with Bestandsveränderungen).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

ORDINARY_REVENUE_GROUPS = ("40", "41", "42", "43", "44", "45", "47")
ORDINARY_EXPENSE_GROUPS = ("50", "51", "52", "53", "54", "57")


@dataclass(frozen=True)
class YearAggregates:
    """Aggregates of one year (plan or actual) needed for the indicators; None = not known."""

    year: int
    #: amounts per NKF account group "40".."59" (positive numbers, expenses too)
    by_group: Mapping[str, float] = field(default_factory=dict)
    ordinary_revenue: float | None = None  # ordentliche Erträge; derived from by_group when None
    ordinary_expenses: float | None = None  # ordentliche Aufwendungen; derived from by_group when None
    annual_result: float | None = None  # Jahresergebnis (negativ = Fehlbetrag)
    equity: float | None = None  # Eigenkapital
    balance_sheet_total: float | None = None  # Bilanzsumme
    equalisation_reserve: float | None = None  # Ausgleichsrücklage
    general_reserve: float | None = None  # allgemeine Rücklage
    effective_debt: float | None = None  # Effektivverschuldung
    current_operations_balance: float | None = None  # Saldo aus laufender Verwaltungstätigkeit
    trade_tax_levy: float | None = None  # Gewerbesteuerumlage
    german_unity_fund_share: float | None = None  # Finanzierungsbeteiligung am Fonds Deutsche Einheit


@dataclass(frozen=True)
class IndicatorValue:
    """A computed indicator: ``value`` or None, with ``reason`` for None or a note on a simplification."""

    id: str
    value: float | None
    reason: str | None = None


Unit = Literal["%", "Jahre"]
Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class IndicatorSpec:
    """Registry entry: how to show and read an indicator."""

    id: str
    name_de: str
    name_en: str
    formula_de: str
    unit: Unit
    better_when: Direction
    compute: Callable[[YearAggregates], IndicatorValue]


def _num(value: object) -> float | None:
    """A finite float or None: NaN, text and None all count as "not known"."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _group(agg: YearAggregates, code: str) -> float | None:
    return _num(agg.by_group.get(code))


def _sum_groups(agg: YearAggregates, codes: tuple[str, ...]) -> float | None:
    present = [v for v in (_group(agg, c) for c in codes) if v is not None]
    return sum(present) if present else None


def ordinary_revenue(agg: YearAggregates) -> float | None:
    """Ordentliche Erträge: explicit value or sum of groups 40-45, 47; None if no group is present."""
    explicit = _num(agg.ordinary_revenue)
    return explicit if explicit is not None else _sum_groups(agg, ORDINARY_REVENUE_GROUPS)


def ordinary_expenses(agg: YearAggregates) -> float | None:
    """Ordentliche Aufwendungen: explicit value or sum of groups 50-54, 57; None if none is present."""
    explicit = _num(agg.ordinary_expenses)
    return explicit if explicit is not None else _sum_groups(agg, ORDINARY_EXPENSE_GROUPS)


def _ratio(
    indicator_id: str,
    numerator: float | None,
    denominator: float | None,
    what: tuple[str, str],
    factor: float,
) -> IndicatorValue:
    num_name, den_name = what
    if numerator is None:
        return IndicatorValue(indicator_id, None, f"{num_name} fehlt")
    if denominator is None:
        return IndicatorValue(indicator_id, None, f"{den_name} fehlt")
    if denominator == 0:
        return IndicatorValue(indicator_id, None, f"{den_name} ist 0")
    return IndicatorValue(indicator_id, numerator * factor / denominator)


def aufwandsdeckungsgrad(agg: YearAggregates) -> IndicatorValue:
    """Share of ordinary expenses covered by ordinary revenue; 100 % = balanced ordinary result."""
    return _ratio(
        "aufwandsdeckungsgrad",
        ordinary_revenue(agg),
        ordinary_expenses(agg),
        ("Ordentliche Erträge", "Ordentliche Aufwendungen"),
        100.0,
    )


def eigenkapitalquote_1(agg: YearAggregates) -> IndicatorValue:
    """Equity as a share of the balance sheet: the buffer left against over-indebtedness."""
    return _ratio(
        "eigenkapitalquote_1",
        _num(agg.equity),
        _num(agg.balance_sheet_total),
        ("Eigenkapital", "Bilanzsumme"),
        100.0,
    )


def fehlbetragsquote(agg: YearAggregates) -> IndicatorValue:
    """Share of the two reserves consumed by this year's deficit; 0 in a year without deficit."""
    result = _num(agg.annual_result)
    eq, gen = _num(agg.equalisation_reserve), _num(agg.general_reserve)
    if result is None:
        return IndicatorValue("fehlbetragsquote", None, "Jahresergebnis fehlt")
    if eq is None or gen is None:
        return IndicatorValue("fehlbetragsquote", None, "Ausgleichsrücklage oder allgemeine Rücklage fehlt")
    if result >= 0:
        return IndicatorValue("fehlbetragsquote", 0.0, "kein Fehlbetrag (Jahresergebnis ≥ 0)")
    if eq + gen <= 0:
        return IndicatorValue("fehlbetragsquote", None, "Rücklagen sind aufgebraucht (≤ 0)")
    return IndicatorValue("fehlbetragsquote", result * -100.0 / (eq + gen))


def zinslastquote(agg: YearAggregates) -> IndicatorValue:
    """Interest burden: financial expenses (group 55) relative to ordinary expenses."""
    return _ratio(
        "zinslastquote",
        _group(agg, "55"),
        ordinary_expenses(agg),
        ("Finanzaufwendungen (55)", "Ordentliche Aufwendungen"),
        100.0,
    )


def personalintensitaet(agg: YearAggregates) -> IndicatorValue:
    """Personnel expenses (group 50) relative to ordinary expenses: a largely fixed cost block."""
    return _ratio(
        "personalintensitaet",
        _group(agg, "50"),
        ordinary_expenses(agg),
        ("Personalaufwendungen (50)", "Ordentliche Aufwendungen"),
        100.0,
    )


def transferaufwandsquote(agg: YearAggregates) -> IndicatorValue:
    """Transfer expenses (group 53, mostly social benefits) relative to ordinary expenses."""
    return _ratio(
        "transferaufwandsquote",
        _group(agg, "53"),
        ordinary_expenses(agg),
        ("Transferaufwendungen (53)", "Ordentliche Aufwendungen"),
        100.0,
    )


def netto_steuerquote(agg: YearAggregates) -> IndicatorValue:
    """Own tax revenue net of the levies passed on, relative to ordinary revenue net of the same:

    (Steuererträge - GewSt-Umlage - Finanzierungsbeteiligung Fonds Deutsche Einheit) × 100
    / (Ordentliche Erträge - GewSt-Umlage - Finanzierungsbeteiligung Fonds Deutsche Einheit).
    Missing levy amounts are taken as 0 and noted (simplification: the quota is then slightly high).
    """
    taxes = _group(agg, "40")
    revenue = ordinary_revenue(agg)
    levies = [_num(agg.trade_tax_levy), _num(agg.german_unity_fund_share)]
    deduction = sum(v for v in levies if v is not None)
    note = None
    if any(v is None for v in levies):
        note = "Gewerbesteuerumlage/Fonds Deutsche Einheit nicht angegeben, mit 0 angesetzt"
    value = _ratio(
        "netto_steuerquote",
        None if taxes is None else taxes - deduction,
        None if revenue is None else revenue - deduction,
        ("Steuererträge (40)", "Ordentliche Erträge"),
        100.0,
    )
    return value if value.value is None else IndicatorValue(value.id, value.value, note)


def zuwendungsquote(agg: YearAggregates) -> IndicatorValue:
    """Dependence on grants: revenue of group 41 (Zuwendungen und allgemeine Umlagen) / ordinary revenue."""
    return _ratio(
        "zuwendungsquote",
        _group(agg, "41"),
        ordinary_revenue(agg),
        ("Zuwendungen (41)", "Ordentliche Erträge"),
        100.0,
    )


def dynamischer_verschuldungsgrad(agg: YearAggregates) -> IndicatorValue:
    """Years needed to repay the effective debt from the cash surplus of current operations."""
    debt, balance = _num(agg.effective_debt), _num(agg.current_operations_balance)
    if debt is None:
        return IndicatorValue("dynamischer_verschuldungsgrad", None, "Effektivverschuldung fehlt")
    if balance is None:
        return IndicatorValue(
            "dynamischer_verschuldungsgrad", None, "Saldo aus laufender Verwaltungstätigkeit fehlt"
        )
    if balance <= 0:
        return IndicatorValue(
            "dynamischer_verschuldungsgrad",
            None,
            "Saldo aus laufender Verwaltungstätigkeit ≤ 0: Schulden aus laufender Tätigkeit nicht tilgbar",
        )
    return IndicatorValue("dynamischer_verschuldungsgrad", debt / balance)


INDICATORS: dict[str, IndicatorSpec] = {
    s.id: s
    for s in (
        IndicatorSpec(
            "aufwandsdeckungsgrad",
            "Aufwandsdeckungsgrad",
            "Expense coverage ratio",
            "Ordentliche Erträge / Ordentliche Aufwendungen × 100",
            "%",
            "higher",
            aufwandsdeckungsgrad,
        ),
        IndicatorSpec(
            "eigenkapitalquote_1",
            "Eigenkapitalquote 1",
            "Equity ratio 1",
            "Eigenkapital / Bilanzsumme × 100",
            "%",
            "higher",
            eigenkapitalquote_1,
        ),
        IndicatorSpec(
            "fehlbetragsquote",
            "Fehlbetragsquote",
            "Deficit ratio",
            "Negatives Jahresergebnis × (−100) / (Ausgleichsrücklage + allgemeine Rücklage)",
            "%",
            "lower",
            fehlbetragsquote,
        ),
        IndicatorSpec(
            "zinslastquote",
            "Zinslastquote",
            "Interest burden ratio",
            "Finanzaufwendungen / Ordentliche Aufwendungen × 100",
            "%",
            "lower",
            zinslastquote,
        ),
        IndicatorSpec(
            "personalintensitaet",
            "Personalintensität",
            "Personnel intensity",
            "Personalaufwendungen / Ordentliche Aufwendungen × 100",
            "%",
            "lower",
            personalintensitaet,
        ),
        IndicatorSpec(
            "transferaufwandsquote",
            "Transferaufwandsquote",
            "Transfer expense ratio",
            "Transferaufwendungen / Ordentliche Aufwendungen × 100",
            "%",
            "lower",
            transferaufwandsquote,
        ),
        IndicatorSpec(
            "netto_steuerquote",
            "Netto-Steuerquote",
            "Net tax ratio",
            "(Steuererträge − GewSt-Umlage − Finanzierungsbeteiligung Fonds Deutsche Einheit) / "
            "(Ordentliche Erträge − GewSt-Umlage − Finanzierungsbeteiligung Fonds Deutsche Einheit) × 100",
            "%",
            "higher",
            netto_steuerquote,
        ),
        IndicatorSpec(
            "zuwendungsquote",
            "Zuwendungsquote",
            "Grant ratio",
            "Erträge aus Zuwendungen / Ordentliche Erträge × 100",
            "%",
            "lower",
            zuwendungsquote,
        ),
        IndicatorSpec(
            "dynamischer_verschuldungsgrad",
            "Dynamischer Verschuldungsgrad",
            "Dynamic debt ratio",
            "Effektivverschuldung / Saldo aus laufender Verwaltungstätigkeit",
            "Jahre",
            "lower",
            dynamischer_verschuldungsgrad,
        ),
    )
}


def compute_indicators(agg: YearAggregates) -> dict[str, IndicatorValue]:
    """All registered indicators for one year; never raises for missing inputs."""
    return {key: spec.compute(agg) for key, spec in INDICATORS.items()}
