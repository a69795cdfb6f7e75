"""NKF indicators against hand-computed values; missing inputs give None with a reason."""

import math

import pytest

from planning.engine.indicators import (
    INDICATORS,
    YearAggregates,
    compute_indicators,
    ordinary_expenses,
    ordinary_revenue,
)

# Million EUR. Ordentliche Erträge = 40+41+42+43+44+45+47 = 120+60+5+10+5+10+0 = 210
# Ordentliche Aufwendungen = 50+51+52+53+54+57 = 50+10+40+80+15+20 = 215 (55 Zinsen and 46 are financial)
GROUPS = {
    "40": 120.0,
    "41": 60.0,
    "42": 5.0,
    "43": 10.0,
    "44": 5.0,
    "45": 10.0,
    "46": 2.0,
    "47": 0.0,
    "50": 50.0,
    "51": 10.0,
    "52": 40.0,
    "53": 80.0,
    "54": 15.0,
    "55": 5.0,
    "57": 20.0,
}

FULL = YearAggregates(
    year=2025,
    by_group=GROUPS,
    annual_result=-12.0,
    equity=300.0,
    balance_sheet_total=1200.0,
    equalisation_reserve=10.0,
    general_reserve=150.0,
    effective_debt=90.0,
    current_operations_balance=15.0,
    trade_tax_levy=8.0,
    german_unity_fund_share=2.0,
)


def test_ordinary_totals_follow_the_nkf_ergebnisplan():
    assert ordinary_revenue(FULL) == 210.0
    assert ordinary_expenses(FULL) == 215.0


@pytest.mark.parametrize(
    ("indicator_id", "expected"),
    [
        ("aufwandsdeckungsgrad", 210 / 215 * 100),  # 97.674 %
        ("eigenkapitalquote_1", 25.0),  # 300 / 1200
        ("fehlbetragsquote", 7.5),  # 12 x 100 / (10 + 150)
        ("zinslastquote", 5 / 215 * 100),  # 2.326 %
        ("personalintensitaet", 50 / 215 * 100),  # 23.256 %
        ("transferaufwandsquote", 80 / 215 * 100),  # 37.209 %
        ("netto_steuerquote", 55.0),  # (120 - 8 - 2) / (210 - 8 - 2) = 110 / 200
        ("zuwendungsquote", 60 / 210 * 100),  # 28.571 %
        ("dynamischer_verschuldungsgrad", 6.0),  # 90 / 15 years
    ],
)
def test_indicator_values(indicator_id, expected):
    # When
    value = compute_indicators(FULL)[indicator_id]
    # Then
    assert value.value == pytest.approx(expected)
    assert value.reason is None
    assert value.id == indicator_id


def test_explicit_ordinary_totals_override_the_groups():
    agg = YearAggregates(2025, by_group={"40": 50.0}, ordinary_revenue=200.0, ordinary_expenses=250.0)
    assert compute_indicators(agg)["aufwandsdeckungsgrad"].value == pytest.approx(80.0)  # 200 / 250


def test_netto_steuerquote_without_levy_data_is_computed_with_a_note():
    agg = YearAggregates(2025, by_group=GROUPS)
    value = compute_indicators(agg)["netto_steuerquote"]
    assert value.value == pytest.approx(120 / 210 * 100)  # 57.143 %
    assert "mit 0 angesetzt" in value.reason


def test_fehlbetragsquote_is_zero_without_deficit():
    agg = YearAggregates(2025, annual_result=3.0, equalisation_reserve=10.0, general_reserve=150.0)
    value = compute_indicators(agg)["fehlbetragsquote"]
    assert value.value == 0.0
    assert "kein Fehlbetrag" in value.reason


@pytest.mark.parametrize("indicator_id", list(INDICATORS))
def test_missing_inputs_give_none_with_reason(indicator_id):
    # Given nothing but the year
    value = compute_indicators(YearAggregates(2025))[indicator_id]
    # Then no crash, no number, and a reason
    assert value.value is None
    assert value.reason


@pytest.mark.parametrize(
    ("agg", "indicator_id", "reason_part"),
    [
        (
            YearAggregates(2025, effective_debt=90.0, current_operations_balance=-5.0),
            "dynamischer_verschuldungsgrad",
            "≤ 0",
        ),
        (YearAggregates(2025, equity=10.0, balance_sheet_total=0.0), "eigenkapitalquote_1", "ist 0"),
        (YearAggregates(2025, by_group={"55": math.nan, "50": 1.0}), "zinslastquote", "fehlt"),
        (YearAggregates(2025, by_group={"53": "n/a", "50": 1.0}), "transferaufwandsquote", "fehlt"),  # type: ignore[dict-item]
        (
            YearAggregates(2025, annual_result=-1.0, equalisation_reserve=0.0, general_reserve=0.0),
            "fehlbetragsquote",
            "aufgebraucht",
        ),
    ],
)
def test_unusable_inputs_give_none_with_reason(agg, indicator_id, reason_part):
    value = compute_indicators(agg)[indicator_id]
    assert value.value is None
    assert reason_part in value.reason


def test_registry_describes_every_indicator():
    assert set(INDICATORS) >= {
        "aufwandsdeckungsgrad",
        "eigenkapitalquote_1",
        "fehlbetragsquote",
        "zinslastquote",
        "personalintensitaet",
        "transferaufwandsquote",
        "netto_steuerquote",
        "zuwendungsquote",
        "dynamischer_verschuldungsgrad",
    }
    for key, spec in INDICATORS.items():
        assert spec.id == key
        assert spec.name_de and spec.name_en and spec.formula_de
        assert spec.unit in ("%", "Jahre")
        assert spec.better_when in ("higher", "lower")
    assert (
        INDICATORS["aufwandsdeckungsgrad"].formula_de
        == "Ordentliche Erträge / Ordentliche Aufwendungen × 100"
    )
    assert INDICATORS["dynamischer_verschuldungsgrad"].unit == "Jahre"
    assert INDICATORS["fehlbetragsquote"].better_when == "lower"
