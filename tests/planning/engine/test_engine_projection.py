"""Status-quo projection engine: hand-computed cases to the cent, Kostenremanenz, prices, batch, defaults."""

import itertools
from decimal import Decimal

import numpy as np
import pytest

from planning.engine.population import (
    AgeBand,
    as_bands,
)
from planning.engine.projection import (
    ACCOUNT_GROUP_DRIVERS,
    PRODUCT_AREA_DRIVERS,
    TARGET_GROUPS,
    build_profiles,
    default_driver,
    item_growth_rates,
    price_factors,
    profile_from_shares,
    project_status_quo,
    project_status_quo_batch,
    result_frames,
    round_cents,
    target_group_weights,
)
from planning.engine.task_types import (
    PRODUCT_AREA_TASK_TYPES,
    TASK_TYPES,
    TaskType,
    default_task_type,
)

# Four age groups, base year + 4 years (columns t = 0..4).
N = np.array(
    [
        [100, 110, 120, 90, 80],  # a0: children, rise then fall
        [200, 200, 200, 200, 200],  # a1: constant
        [300, 270, 240, 210, 180],  # a2: shrinking
        [400, 440, 480, 520, 560],  # a3: growing
    ],
    dtype=float,
)
BASE = np.array([10_000.0, 50_000.0, 80_000.0])
PROFILES = np.array(
    [
        [1, 0, 0, 0],  # j0 day care: children only
        [0, 0, 1, 1],  # j1 personnel for older people: a2 + a3
        [0, 1, 1, 0],  # j2 income-tax share: working ages a1 + a2
    ],
    dtype=float,
)
RATES = np.array([0.02, 0.03, 0.04])  # inflation, wages, tax revenue

#: Lower bounds of the 20 GENESIS bands of table 12411-0012 (the last band is 85+).
GENESIS_EDGES = (0, 3, 6, 10, 15, 18, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85)


def test_hand_computed_three_items_to_the_cent():
    # Given three items, four age groups, five years
    # When projected without persistence
    result = project_status_quo(BASE, PROFILES, N, growth_rates=RATES)
    # Then each amount equals E0 x driver(t)/driver(0) x (1+g)^t, computed by hand:
    expected = [
        # j0: driver 100,110,120,90,80 -> ratio 1, 1.1, 1.2, 0.9, 0.8; price 1.02^t
        #     10000 x 1.1 x 1.02 = 11220; 10000 x 1.2 x 1.0404 = 12484.80;
        #     10000 x 0.9 x 1.061208 = 9550.872; 10000 x 0.8 x 1.08243216 = 8659.45728
        ["10000.00", "11220.00", "12484.80", "9550.87", "8659.46"],
        # j1: driver 700,710,720,730,740; price 1.03^t
        #     50000 x 71/70 x 1.03 = 52235.714...; 50000 x 72/70 x 1.0609 = 54560.571...;
        #     50000 x 73/70 x 1.092727 = 56977.9078...; 50000 x 74/70 x 1.12550881 = 59491.1799...
        ["50000.00", "52235.71", "54560.57", "56977.91", "59491.18"],
        # j2: driver 500,470,440,410,380 -> ratio 1, .94, .88, .82, .76; price 1.04^t
        #     80000 x .94 x 1.04 = 78208; 80000 x .88 x 1.0816 = 76144.64;
        #     80000 x .82 x 1.124864 = 73791.0784; 80000 x .76 x 1.16985856 = 71127.400448
        ["80000.00", "78208.00", "76144.64", "73791.08", "71127.40"],
    ]
    assert round_cents(result.amounts).tolist() == [[Decimal(v) for v in row] for row in expected]
    np.testing.assert_allclose(
        result.demographic_ratio,
        [[1, 1.1, 1.2, 0.9, 0.8], [1, 71 / 70, 72 / 70, 73 / 70, 74 / 70], [1, 0.94, 0.88, 0.82, 0.76]],
        rtol=1e-15,
    )


def test_persistence_holds_a_share_when_the_driver_falls():
    # Given day care (j0) with 40 % Kostenremanenz
    result = project_status_quo(BASE[:1], PROFILES[:1], N, growth_rates=RATES[:1], persistence=[0.4])
    # Then rising years follow the driver fully; falling years keep 40 % of the base level:
    # t3: ratio 0.9 -> 0.4 + 0.6 x 0.9 = 0.94; 10000 x 0.94 x 1.061208 = 9975.3552
    # t4: ratio 0.8 -> 0.4 + 0.6 x 0.8 = 0.88; 10000 x 0.88 x 1.08243216 = 9525.403008
    assert round_cents(result.amounts[0]).tolist() == [
        Decimal(v) for v in ["10000.00", "11220.00", "12484.80", "9975.36", "9525.40"]
    ]
    # the ratio output stays the pure demographic ratio; the effective ratio shows the persistence
    np.testing.assert_allclose(result.demographic_ratio[0], [1, 1.1, 1.2, 0.9, 0.8])
    np.testing.assert_allclose(result.effective_ratio()[0], [1, 1.1, 1.2, 0.94, 0.88])


@pytest.mark.parametrize("persistence", [0.0, 0.25, 1.0])
def test_persistence_never_lowers_and_never_raises_above_base_level(persistence):
    result = project_status_quo(BASE, PROFILES, N, persistence=[persistence] * 3)
    ratio = result.demographic_ratio
    eff = result.amounts / BASE[:, None]
    np.testing.assert_allclose(eff, np.where(ratio >= 1, ratio, persistence + (1 - persistence) * ratio))


def test_personnel_accounts_grow_with_wages_revenue_with_its_own_rate():
    # Given NKF accounts: material costs, salaries (full account number), pensions, taxes, fees
    rates = item_growth_rates(
        ["52", "50110000", "51", "40", "43"],
        [-1, -1, -1, 1, 1],
        inflation=0.02,
        wage_growth=0.035,
        revenue_growth={"40": 0.04},
    )
    # Then personnel groups 50/51 use wage growth, group 40 the tax growth, the rest inflation
    np.testing.assert_array_equal(rates, [0.02, 0.035, 0.035, 0.04, 0.02])
    # and a personnel item with no demographic driver grows by wages only: 1000 x 1.035^2 = 1071.225
    result = project_status_quo([1000.0], [[0, 0, 0, 0]], N[:, :3], growth_rates=rates[1:2])
    assert round_cents(result.amounts[0]).tolist() == [
        Decimal("1000.00"),
        Decimal("1035.00"),
        Decimal("1071.23"),
    ]
    np.testing.assert_array_equal(result.demographic_ratio[0], [1.0, 1.0, 1.0])


def test_revenue_follows_working_age_and_balance_uses_direction():
    # Given income tax (revenue, +1) following a1+a2 and two expense items (-1)
    result = project_status_quo(BASE, PROFILES, N, growth_rates=RATES, direction=[-1, -1, 1])
    # Then the balance is revenue minus expenses per year: t0 = 80000 - 10000 - 50000
    assert result.balance is not None
    np.testing.assert_allclose(result.balance, result.amounts[2] - result.amounts[0] - result.amounts[1])
    assert result.balance[0] == pytest.approx(20_000.0)
    # and the revenue falls with the working-age driver (0.76 x 1.04^4 = 0.889...)
    assert result.amounts[2, -1] < result.amounts[2, 0]


def test_factor_matrix_equals_growth_rates():
    by_rates = project_status_quo(BASE, PROFILES, N, growth_rates=RATES, persistence=[0.3, 0.0, 0.5])
    by_matrix = project_status_quo(
        BASE, PROFILES, N, factor_matrix=price_factors(RATES, 4), persistence=[0.3, 0.0, 0.5]
    )
    np.testing.assert_allclose(by_rates.amounts, by_matrix.amounts, rtol=1e-15)


def test_item_without_driver_or_without_population_grows_with_prices_only():
    # Given an all-zero profile and a profile on an age group that is empty in the base year
    pop = N.copy()
    pop[0, 0] = 0.0
    result = project_status_quo(
        [100.0, 200.0], [[0, 0, 0, 0], [1, 0, 0, 0]], pop, growth_rates=[0.02, 0.02], persistence=[0.5, 0.5]
    )
    expected = np.array([100.0, 200.0])[:, None] * 1.02 ** np.arange(5)
    np.testing.assert_allclose(result.amounts, expected, rtol=1e-15)
    np.testing.assert_array_equal(result.demographic_ratio, np.ones((2, 5)))


def random_batch(seed: int, m: int = 5, j: int = 12, a: int = 6, t1: int = 8):
    rng = np.random.default_rng(seed)
    profiles = rng.uniform(0, 1, (m, j, a))
    profiles[:, ::4] = 0.0  # items without driver
    profiles[1, 2] = 0.0  # one municipality differs
    return dict(
        base=rng.uniform(-1e6, 1e7, (m, j)),
        profiles=profiles,
        population=rng.uniform(0, 5000, (m, a, t1)),
        rates=rng.choice([0.0, 0.02, 0.03], (m, j)),
        persistence=rng.uniform(0, 1, (m, j)),
        direction=rng.choice([-1.0, 1.0], (m, j)),
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_batch_equals_loop_of_singles(seed):
    x = random_batch(seed)
    batch = project_status_quo_batch(
        x["base"],
        x["profiles"],
        x["population"],
        growth_rates=x["rates"],
        persistence=x["persistence"],
        direction=x["direction"],
    )
    for i in range(len(x["base"])):
        single = project_status_quo(
            x["base"][i],
            x["profiles"][i],
            x["population"][i],
            growth_rates=x["rates"][i],
            persistence=x["persistence"][i],
            direction=x["direction"][i],
        )
        np.testing.assert_allclose(batch.amounts[i], single.amounts, rtol=1e-13)
        np.testing.assert_allclose(batch.demographic_ratio[i], single.demographic_ratio, rtol=1e-13)
        assert batch.balance is not None and single.balance is not None
        np.testing.assert_allclose(batch.balance[i], single.balance, rtol=1e-12, atol=1e-6)


def test_batch_with_shared_inputs_equals_per_municipality_inputs():
    x = random_batch(2)
    m, j, _ = x["profiles"].shape
    shared = project_status_quo_batch(
        x["base"],
        x["profiles"][0],
        x["population"],
        growth_rates=x["rates"][0],
        persistence=x["persistence"][0],
    )
    tiled = project_status_quo_batch(
        x["base"],
        np.repeat(x["profiles"][:1], m, axis=0),
        x["population"],
        growth_rates=np.repeat(x["rates"][:1], m, axis=0),
        persistence=np.repeat(x["persistence"][:1], m, axis=0),
    )
    np.testing.assert_allclose(shared.amounts, tiled.amounts, rtol=1e-13)
    assert shared.amounts.shape == (m, j, x["population"].shape[2])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"persistence": [1.5, 0, 0]}, "persistence"),
        ({"growth_rates": [0.02, np.nan, 0.02]}, "growth rates"),
        ({"base": [np.nan, 1.0, 1.0]}, "base_amounts"),
        ({"profiles": -PROFILES}, "non-negative"),
        ({"profiles": np.where(PROFILES > 0, np.inf, 0.0)}, "finite"),
        ({"growth_rates": RATES, "factor_matrix": price_factors(RATES, 4)}, "not both"),
    ],
)
def test_invalid_inputs_are_rejected(kwargs, message):
    base = np.asarray(kwargs.pop("base", BASE))
    profiles = kwargs.pop("profiles", PROFILES)
    with pytest.raises(ValueError, match=message):
        project_status_quo(base, profiles, N, **kwargs)


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (2.675, "2.68"),  # binary 2.67499999..., but the user typed 2.675
        (-2.675, "-2.68"),  # ties away from zero (kaufmännisch)
        (0.005, "0.01"),
        (-0.001, "0.00"),  # no negative zero
        (123_456_789.125, "123456789.13"),
        (1e-9, "0.00"),
    ],
)
def test_round_cents_half_up_at_the_decimal_boundary(value, cents):
    assert round_cents(np.array([value]))[0] == Decimal(cents)
    assert str(round_cents(np.array([value]))[0]) == cents


def test_round_cents_keeps_shape_and_rejects_nan():
    assert round_cents(np.zeros((2, 3))).shape == (2, 3)
    with pytest.raises(ValueError, match="NaN"):
        round_cents(np.array([np.nan]))


def test_result_frames_label_items_and_years():
    result = project_status_quo(BASE, PROFILES, N, growth_rates=RATES, persistence=[0.4, 0, 0])
    frames = result_frames(result, ["kita", "personal", "est"], base_year=2024)
    assert list(frames["amounts"].columns) == [2024, 2025, 2026, 2027, 2028]
    assert frames["effective_ratio"].loc["kita", 2027] == pytest.approx(0.94)
    assert frames["price_factor"].loc["est", 2026] == pytest.approx(1.0816)
    assert frames["demographic_ratio"].loc["est", 2028] == pytest.approx(0.76)


GENESIS_BANDS = (*as_bands(f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(GENESIS_EDGES)), AgeBand(85))


def test_target_group_weights_on_genesis_bands():
    weights = {key: target_group_weights(key, GENESIS_BANDS) for key in TARGET_GROUPS}
    assert weights["kita"].tolist()[:3] == [1.0, 1.0, 0.0]
    assert weights["schule"].tolist()[:6] == [0.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    assert weights["jugend"][6] == pytest.approx(1 / 5)  # 20-24: only age 20 is under 21
    assert weights["senioren"].tolist()[-5:] == [1.0] * 5
    assert weights["hochbetagte"].tolist()[-3:] == [0.0, 1.0, 1.0]
    assert weights["gesamt"].tolist() == [1.0] * 20
    assert weights["keine"].tolist() == [0.0] * 20


def test_mixed_profile_ratio_is_share_weighted_mean_of_group_ratios():
    bands = (AgeBand(0, 18), AgeBand(18, 65), AgeBand(65))
    pop = np.array([[100, 80, 60], [500, 500, 450], [200, 260, 330]], dtype=float)
    shares = {"erwerbsfaehig": 0.5, "senioren": 0.5}
    profile = profile_from_shares(shares, bands, pop[:, 0])
    result = project_status_quo([1000.0], profile[None], pop)
    expected = 0.5 * pop[1] / pop[1, 0] + 0.5 * pop[2] / pop[2, 0]
    np.testing.assert_allclose(result.demographic_ratio[0], expected)
    with pytest.raises(ValueError, match="keine"):
        profile_from_shares({"keine": 0.5, "gesamt": 0.5}, bands, pop[:, 0])
    assert build_profiles(["gesamt", shares], bands, pop[:, 0]).shape == (2, 3)


def test_defaults_cover_every_nrw_product_area_with_a_reason():
    for area in range(1, 18):
        driver = default_driver(area)
        assert driver.reason
        assert 0.0 <= driver.persistence <= 1.0
        keys = [driver.shares] if isinstance(driver.shares, str) else list(driver.shares)
        assert set(keys) <= set(TARGET_GROUPS)
        task_type, reason = default_task_type(area)
        assert isinstance(task_type, TaskType) and reason
    assert len(PRODUCT_AREA_DRIVERS) == len(PRODUCT_AREA_TASK_TYPES) == 17
    assert default_driver("03").shares == "schule"
    assert default_driver(16, "40").shares == "erwerbsfaehig"
    assert default_driver(5, "55100000") is ACCOUNT_GROUP_DRIVERS["55"]
    with pytest.raises(KeyError):
        default_driver(18)


def test_task_types_table_1_and_group_overrides():
    assert set(TASK_TYPES) == set(TaskType)
    assert TASK_TYPES[TaskType.COMMISSIONED].latitude_de == "Ob und Wie sind geregelt"
    assert TASK_TYPES[TaskType.VOLUNTARY_SELF_GOVERNMENT].steerability_en == ("high", "high", "high")
    assert [TASK_TYPES[t].rank for t in TaskType] == [3, 2, 1, 0]
    assert default_task_type(6)[0] is TaskType.MANDATORY_SELF_GOVERNMENT
    assert default_task_type(6, 2)[0] is TaskType.VOLUNTARY_SELF_GOVERNMENT
    assert default_task_type("05", "01")[0] is TaskType.MANDATORY_BY_INSTRUCTION


@pytest.mark.parametrize(
    "variant",
    ["shared_rates", "no_rates", "shared_factors", "no_persistence", "per_municipality_rates"],
)
def test_compiled_chunk_step_equals_the_numpy_steps_bitwise(variant, monkeypatch):
    """The one-pass numba step and the numpy steps are the same arithmetic in the same order."""
    import planning.engine.projection as engine

    x = random_batch(3, m=40, j=30)  # several chunks, items without driver, negative bases
    kwargs = {
        "shared_rates": {"growth_rates": x["rates"][0], "persistence": x["persistence"]},
        "no_rates": {"persistence": x["persistence"]},
        "shared_factors": {"factor_matrix": price_factors(x["rates"][0], 7), "persistence": x["persistence"]},
        "no_persistence": {"growth_rates": x["rates"][0]},
        "per_municipality_rates": {"growth_rates": x["rates"], "persistence": x["persistence"]},
    }[variant]
    monkeypatch.setattr(engine, "_CHUNK_ELEMENTS", 2_000)
    compiled = project_status_quo_batch(x["base"], x["profiles"], x["population"], **kwargs)
    monkeypatch.setattr(engine, "FUSED", False)
    reference = project_status_quo_batch(x["base"], x["profiles"], x["population"], **kwargs)
    np.testing.assert_array_equal(compiled.amounts, reference.amounts)
    np.testing.assert_array_equal(compiled.demographic_ratio, reference.demographic_ratio)
    assert np.all(compiled.demographic_ratio[:, ::4] == 1.0)  # no driver: ratio 1 by definition


@pytest.mark.parametrize(
    ("land", "expected"),
    [
        # NKF: personnel expense with wages, interest expense flat, revenue 40 with its rate; a revenue
        # line of group 50 and an expense line of group 40 follow inflation (the rule looks at direction)
        ("NW", [0.035, 0.0, 0.04, 0.02, 0.02]),
        # NKHR (Baden-Württemberg): 40/41 are personnel there, 55 is not interest
        ("BW", [0.02, 0.02, 0.04, 0.02, 0.035]),
    ],
)
def test_growth_rule_uses_account_group_and_direction(land, expected):
    rates = item_growth_rates(
        ["50", "55", "40", "50", "40"],
        [-1, -1, 1, 1, -1],
        inflation=0.02,
        wage_growth=0.035,
        revenue_growth={"40": 0.04},
        land=land,
    )
    np.testing.assert_array_equal(rates, expected)


def test_engine_driver_levels_are_the_stored_assignment_levels():
    # The engine resolves the planner's drivers by the level names stored with AgeProfile
    from planning.engine.scenarios import LEVELS
    from planning.projection.models import ProfileLevel

    assert tuple(level.value for level in ProfileLevel) == LEVELS  # most specific first
