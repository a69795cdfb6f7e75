"""The projection continues the adopted plan: plan years as given, growth of the engine from the last
plan year on, new plan-only items with inflation."""

from decimal import Decimal

import numpy as np

from planning.engine.plan_years import PLAN_DRIVER, continue_plan, plan_years_of
from planning.engine.scenarios import ScenarioInputs, ScenarioOutput

YEARS = [2025, 2026, 2027, 2028, 2029]
KITA = ("06", "061", "060101", "53", "expense")
TAX = ("16", "161", "160101", "40", "revenue")
NEW = ("05", "051", "050101", "52", "expense")


def _output():
    cents = np.array([[100_00, 110_00, 121_00, 133_10, 146_41], [200_00, 200_00, 200_00, 200_00, 200_00]])
    inputs = ScenarioInputs(
        scenario=None,
        years=YEARS,
        bands=(),
        population=np.zeros((1, 5)),
        items=[KITA, TAX],
        base=np.array([100.0, 200.0]),
        profiles=np.zeros((2, 1)),
        drivers=["kita", "keine"],
        growth=np.zeros(2),
        persistence=np.zeros(2),
        direction=np.array([-1, 1]),
        price_index=1.02 ** np.arange(5),
    )
    return ScenarioOutput(inputs=inputs, cents=cents, ratio=np.ones((2, 5)))


def test_plan_years_are_taken_as_given_and_the_projection_continues_from_the_last():
    plan = {
        2026: {KITA: Decimal("150.00"), TAX: Decimal("180.00")},
        2027: {KITA: Decimal("160.00"), TAX: Decimal("170.00"), NEW: Decimal("50.00")},
    }
    out, plan_years = continue_plan(_output(), plan)
    assert plan_years == [2025, 2026, 2027]
    items = out.inputs.items
    rows = {item: out.cents[j].tolist() for j, item in enumerate(items)}
    # plan years as adopted; after 2027 the engine's growth from 2027 (kita +10 %/yr, taxes flat)
    assert rows[KITA] == [100_00, 150_00, 160_00, 176_00, 193_60]
    assert rows[TAX] == [200_00, 180_00, 170_00, 170_00, 170_00]
    # a product that exists only in the plan grows with general inflation (2 %) after the plan
    assert rows[NEW] == [0, 0, 50_00, 51_00, 52_02]
    assert out.inputs.drivers[-1] == PLAN_DRIVER


def test_without_plan_years_the_base_year_projection_stays():
    output = _output()
    out, plan_years = continue_plan(output, {})
    assert out is output and plan_years == [2025]


def test_only_contiguous_plan_years_count():
    assert plan_years_of(YEARS, [2026, 2028]) == [2025, 2026]
