"""Measure effects as arrays per year, the projection items, resilience comparison and traffic lights."""

from decimal import Decimal

import numpy as np

from planning.engine.measures import (
    MEASURE_DRIVER,
    Effect,
    EffectKind,
    Light,
    compare_deterministic,
    compare_monte_carlo,
    effect_cents,
    effect_items,
    traffic_light,
    with_measure_items,
)
from planning.engine.resilience import OpeningBalances
from planning.engine.scenarios import ScenarioInputs, ScenarioOutput

YEARS = [2026, 2027, 2028, 2029]


def test_one_off_and_recurring_effects_per_year_with_signs():
    measures = [
        [Effect(EffectKind.EXTRA_REVENUE, Decimal("1000.005"), 2027)],  # rounds half up to 1000.01
        [
            Effect(EffectKind.LOWER_EXPENSE, Decimal("500"), 2026, recurring=True, end_year=2027),
            Effect(EffectKind.HIGHER_EXPENSE, Decimal("200"), 2028, recurring=False),
        ],
    ]
    cents = effect_cents(measures, YEARS)
    assert cents.tolist() == [[0, 100001, 100001, 100001], [50000, 50000, -20000, 0]]


def _output():
    items = [("31", "311", "311001", "53", "expense"), ("61", "611", "611001", "40", "revenue")]
    cents = np.array([[1_000_000, 1_100_000, 1_200_000, 1_300_000], [900_000, 950_000, 990_000, 1_000_000]])
    inputs = ScenarioInputs(
        scenario=None,
        years=YEARS,
        bands=(),
        population=np.zeros((1, 4)),
        items=items,
        base=np.array([10_000.0, 9_000.0]),
        profiles=np.zeros((2, 1)),
        drivers=["senioren", "keine"],
        growth=np.zeros(2),
        persistence=np.zeros(2),
        direction=np.array([-1, 1]),
        price_index=np.ones(4),
    )
    return ScenarioOutput(inputs=inputs, cents=cents, ratio=np.ones((2, 4)))


def _result(output):
    mask = output.inputs.direction > 0
    return output.cents[mask].sum(axis=0) - output.cents[~mask].sum(axis=0)


def test_activating_measures_changes_the_annual_result_by_exactly_their_effects():
    measures = [
        [
            Effect(
                EffectKind.LOWER_EXPENSE, Decimal("1234.56"), 2027, account_group="53", product_code="311001"
            )
        ],
        [Effect(EffectKind.EXTRA_REVENUE, Decimal("99.99"), 2026, recurring=False, account_group="43")],
        [Effect(EffectKind.HIGHER_EXPENSE, Decimal("10"), 2028, account_group="52")],
    ]
    base = _output()
    with_m = with_measure_items(base, measures)
    delta = _result(with_m) - _result(base)
    assert delta.tolist() == effect_cents(measures, YEARS).sum(axis=0).tolist()
    assert delta.tolist() == [9999, 123456, 122456, 122456]
    assert with_m.inputs.drivers[-3:] == [MEASURE_DRIVER] * 3
    # a lower expense is a negative expense amount on its item
    items, cents = effect_items(measures, YEARS)
    assert items[0] == ("", "", "311001", "53", "expense") and cents[0, 1] == -123456
    assert with_measure_items(base, []) is base


def _opening():
    return OpeningBalances(
        equalisation_reserve=Decimal("300"),
        general_reserve=Decimal("500"),
        other_equity=Decimal("200"),
    )


def test_deterministic_comparison_names_the_measure_that_avoids_the_hsk():
    results = {2026: Decimal("-200"), 2027: Decimal("-200"), 2028: Decimal("-200"), 2029: Decimal("-200")}
    effects = np.array([[15000] * 4, [100] * 4])  # 150 EUR/yr and 1 EUR/yr (cents)
    status_quo, with_all, impacts = compare_deterministic(_opening(), results, effects)
    # 300 equalisation reserve absorbs 1/3 of 500 a year at most: 800 of deficits trigger in 2028
    assert status_quo.first_trigger_year == 2028
    assert with_all.first_trigger_year is None
    assert [r.annual_result for r in with_all.years] == [Decimal("-49.00")] * 4
    assert impacts[0].total == Decimal("600.00") and impacts[1].total == Decimal("4.00")
    assert (impacts[0].first_trigger_without, impacts[0].avoids_hsk) == (2028, True)
    assert (impacts[1].first_trigger_without, impacts[1].avoids_hsk) == (None, False)


def test_monte_carlo_comparison_on_the_same_paths():
    rng = np.random.default_rng(1)
    paths = rng.normal(-200.0, 50.0, (2000, 4))
    effects = np.array([[15000] * 4])
    cmp = compare_monte_carlo(YEARS, paths, _opening(), effects)
    assert (cmp.cumulative_with <= cmp.cumulative_status_quo).all()
    assert cmp.cumulative_status_quo[-1] > cmp.cumulative_with[-1]
    # leaving the only measure out gives the status quo again
    assert cmp.probability_without[0] == cmp.cumulative_status_quo[-1]
    none = compare_monte_carlo(YEARS, paths, _opening(), np.zeros((0, 4), dtype=np.int64))
    assert (none.probability_with == none.probability_status_quo).all()


def test_traffic_lights():
    assert traffic_light(Decimal(100), Decimal(100)) is Light.GREEN
    assert traffic_light(Decimal(100), Decimal(91)) is Light.YELLOW
    assert traffic_light(Decimal(100), Decimal(89)) is Light.RED
    assert traffic_light(Decimal(10), Decimal(12), higher_is_better=False) is Light.RED
    assert traffic_light(Decimal(10), Decimal("10.5"), higher_is_better=False) is Light.YELLOW
    assert traffic_light(Decimal(10), Decimal(8), higher_is_better=False) is Light.GREEN
    assert traffic_light(None, Decimal(8)) is Light.NONE
