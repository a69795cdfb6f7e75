"""Reserve mechanics, GO NRW triggers and stress presets, against hand-computed reserve paths."""

from decimal import Decimal as D
from fractions import Fraction

import numpy as np
import pytest

from planning.engine.resilience import (
    OpeningBalances,
    Status,
    TriggerCode,
    reserve_path_float,
    run_reserve_path,
    simulate_reserves,
    trigger_probabilities,
)
from planning.engine.stress import (
    PRESETS,
    BasePath,
    DebtInfo,
    Group,
    Shock,
    apply_shocks,
    calibrated_growth_pp,
    run_stress_test,
    shocks_from_dicts,
)

M = 1_000_000
HSK25 = TriggerCode.HSK_25_PERCENT
HSK5 = TriggerCode.HSK_5_PERCENT_TWO_YEARS
OVER = TriggerCode.OVERINDEBTED


def codes(path):
    return {row.year: [t.code for t in row.triggers] for row in path.years}


def path_from(results: list, first_year: int = 2025) -> dict:
    return {first_year + i: r for i, r in enumerate(results)}


# --------------------------------------------------------------------------------------------------
# Deterministic reserve path (Decimal)
# --------------------------------------------------------------------------------------------------


def test_balanced_plan_keeps_reserves_and_puts_surplus_into_ausgleichsruecklage():
    # Given equity 110 M (10 M Ausgleichsrücklage, 100 M allgemeine Rücklage)
    opening = OpeningBalances(D(10 * M), D(100 * M))
    # When the plan is balanced in 2025 and has a surplus of 0.5 M in 2026
    path = run_reserve_path(opening, {2025: D(0), 2026: D(500_000)})
    # Then nothing is drawn; the surplus goes to the Ausgleichsrücklage (cap 110.5 M / 3 = 36.83 M)
    first, second = path.years
    assert first.status is Status.BALANCED
    assert first.equalisation_reserve_end == D("10000000.00")
    assert second.equalisation_reserve_end == D("10500000.00")  # 10 M + 0.5 M
    assert second.general_reserve_end == D("100000000.00")
    assert second.equity_end == D("110500000.00")
    assert not path.hsk_required
    assert path.first_trigger_year is None


def test_deficits_covered_by_ausgleichsruecklage_are_fiktiver_haushaltsausgleich():
    # Given 10 M Ausgleichsrücklage
    opening = OpeningBalances(D(10 * M), D(100 * M))
    # When deficits of 4 M and 6 M use it up exactly
    path = run_reserve_path(opening, {2025: D(-4 * M), 2026: D(-6 * M)})
    # Then the allgemeine Rücklage is untouched and no trigger fires
    assert [r.equalisation_reserve_end for r in path.years] == [D("6000000.00"), D("0.00")]  # 10-4, 6-6
    assert [r.general_reserve_end for r in path.years] == [D("100000000.00")] * 2
    assert [r.status for r in path.years] == [Status.BALANCED_BY_EQUALISATION_RESERVE] * 2
    assert [r.general_reserve_reduction_share for r in path.years] == [D(0), D(0)]
    assert not path.hsk_required
    assert path.years[1].status.label_de.startswith("Fiktiver Haushaltsausgleich")


# No Ausgleichsrücklage, allgemeine Rücklage 100 M. Reductions on each year's opening value:
#   2025 -6 M: 100 -> 94, 6/100 = 6.0 %   (> 5 %)
#   2026 -4 M:  94 -> 90, 4/94  = 4.26 %  (<= 5 %)
#   2027 -5 M:  90 -> 85, 5/90  = 5.56 %  (> 5 %)
#   2028 +1 M:  surplus -> Ausgleichsrücklage 1 M (cap 86/3 = 28.67 M), 85 stays, 0 %
#   2029 -5 M:  1 M from Ausgleichsrücklage, 4 M: 85 -> 81, 4/85 = 4.71 %  (<= 5 %)
SINGLE_YEARS_ABOVE_5 = [-6 * M, -4 * M, -5 * M, 1 * M, -5 * M]
# Same, but 2028 is another deficit of 5 M: 85 -> 80, 5/85 = 5.88 % (> 5 %) -> pair 2027/2028;
# 2029 -5 M: 80 -> 75, 5/80 = 6.25 % -> pair 2028/2029 again.
TWO_SUCCESSIVE_ABOVE_5 = [-6 * M, -4 * M, -5 * M, -5 * M, -5 * M]


def test_five_percent_in_single_years_only_needs_no_hsk():
    # Given / When
    path = run_reserve_path(OpeningBalances(D(0), D(100 * M)), path_from(SINGLE_YEARS_ABOVE_5))
    # Then
    assert [r.general_reserve_end for r in path.years] == [
        D("94000000.00"),
        D("90000000.00"),
        D("85000000.00"),
        D("85000000.00"),
        D("81000000.00"),
    ]
    assert path.years[3].equalisation_reserve_end == D("1000000.00")
    assert [float(r.general_reserve_reduction_share) for r in path.years] == pytest.approx(
        [0.06, 4 / 94, 5 / 90, 0.0, 4 / 85]
    )
    assert not path.hsk_required
    assert path.years[4].status is Status.GENERAL_RESERVE_USED


def test_five_percent_in_two_successive_years_needs_hsk_in_the_second_year():
    # Given / When
    path = run_reserve_path(OpeningBalances(D(0), D(100 * M)), path_from(TWO_SUCCESSIVE_ABOVE_5))
    # Then 2027 (5.56 %) and 2028 (5.88 %) form the first pair, 2028/2029 (6.25 %) the second
    assert codes(path) == {2025: [], 2026: [], 2027: [], 2028: [HSK5], 2029: [HSK5]}
    assert path.first_trigger_year == 2028
    assert path.hsk_required
    trigger = path.years[3].triggers[0]
    assert trigger.reason_de == (
        "Allgemeine Rücklage sinkt 2027 um 5,6 % und 2028 um 5,9 % (jeweils > 5 %): "
        "Haushaltssicherungskonzept nötig (§ 76 Abs. 1 Nr. 2 GO NRW)"
    )
    assert trigger.reason_en.startswith("General reserve falls by 5.6 % in 2027 and by 5.9 % in 2028")


def test_more_than_a_quarter_in_one_year_needs_hsk():
    # Given 10 M Ausgleichsrücklage, 100 M allgemeine Rücklage
    opening = OpeningBalances(D(10 * M), D(100 * M))
    # When 2027 has a deficit of 41.2 M: 10 M from the Ausgleichsrücklage, 31.2 M = 31.2 % of 100 M
    path = run_reserve_path(opening, {2025: D(0), 2026: D(0), 2027: D("-41200000")})
    # Then
    row = path.years[2]
    assert row.general_reserve_end == D("68800000.00")  # 100 - 31.2
    assert row.general_reserve_reduction_share == D("0.312")
    assert [t.code for t in row.triggers] == [HSK25]
    assert row.triggers[0].reason_de.startswith("Allgemeine Rücklage sinkt 2027 um 31,2 % (> 25 %)")
    assert row.triggers[0].reason_en.startswith("General reserve falls by 31.2 % in 2027 (> 25 %)")
    assert path.first_trigger_year == 2027
    assert row.status is Status.GENERAL_RESERVE_USED


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        # exactly 25 %: 100 -> 75 is not "more than a quarter" (and one year > 5 % alone is no pair)
        ([-25 * M], {2025: []}),
        # one cent more: 25 000 000.01 / 100 M > 1/4
        ([D("-25000000.01")], {2025: [HSK25]}),
        # exactly 5 % twice: 100 -> 95 (5/100), 95 -> 90.25 (4.75/95 = 5 %)
        ([-5 * M, D("-4750000")], {2025: [], 2026: []}),
        # 5 % exactly, then above: still no pair
        ([-5 * M, D("-4750000.01")], {2025: [], 2026: []}),
        # both one cent above: 5 000 000.01 / 100 M and 4 750 000.01 / 94 999 999.99 -> pair in 2026
        ([D("-5000000.01"), D("-4750000.01")], {2025: [], 2026: [HSK5]}),
    ],
)
def test_thresholds_are_strict_inequalities(results, expected):
    # Given no Ausgleichsrücklage, allgemeine Rücklage 100 M
    opening = OpeningBalances(D(0), D(100 * M))
    # When
    path = run_reserve_path(opening, path_from(results))
    # Then
    assert codes(path) == expected


def test_equity_used_up_is_overindebtedness():
    # Given equity 115 M = 10 M Ausgleichsrücklage + 100 M allgemeine Rücklage + 5 M other equity
    opening = OpeningBalances(D(10 * M), D(100 * M), D(5 * M))
    # When
    path = run_reserve_path(opening, path_from([-60 * M, -52 * M, -4 * M, D(500_000)]))
    # Then
    # 2025 -60: Ausgleichsrücklage 10 -> 0, allgemeine 100 -> 50 (50 %), equity 55
    # 2026 -52: allgemeine 50 -> 0 (100 %), other 5 -> 3, equity 3
    # 2027 -4: other 3 -> -1, equity -1 -> over-indebted
    # 2028 +0.5: repays the uncovered deficit first: other -1 -> -0.5, still over-indebted
    assert [r.general_reserve_end for r in path.years] == [D("50000000.00"), D("0.00"), D("0.00"), D("0.00")]
    assert [r.other_equity_end for r in path.years] == [
        D("5000000.00"),
        D("3000000.00"),
        D("-1000000.00"),
        D("-500000.00"),
    ]
    assert [r.equity_end for r in path.years] == [
        D("55000000.00"),
        D("3000000.00"),
        D("-1000000.00"),
        D("-500000.00"),
    ]
    assert [r.status for r in path.years] == [
        Status.GENERAL_RESERVE_USED,
        Status.GENERAL_RESERVE_EXHAUSTED,
        Status.OVERINDEBTED,
        Status.OVERINDEBTED,
    ]
    assert codes(path) == {2025: [HSK25], 2026: [HSK25, HSK5], 2027: [OVER], 2028: [OVER]}
    assert path.years[2].general_reserve_reduction_share is None  # opening allgemeine Rücklage is 0
    assert (
        path.years[2].triggers[0].reason_de.startswith("Eigenkapital Ende 2027 bei -1.000.000,00 EUR (≤ 0)")
    )
    assert path.first_trigger_year == 2025


def test_surplus_refills_ausgleichsruecklage_up_to_a_third_of_equity():
    # Given equity 30 M = 10 M Ausgleichsrücklage + 20 M allgemeine Rücklage
    opening = OpeningBalances(D(10 * M), D(20 * M))
    # When a surplus of 5 M arrives
    path = run_reserve_path(opening, {2025: D(5 * M)})
    # Then the Ausgleichsrücklage may hold 35 M / 3 = 11 666 666.66 (rounded down to the cent),
    # the other 3 333 333.34 go into the allgemeine Rücklage (§ 75 Abs. 3, § 96 GO NRW)
    row = path.years[0]
    assert row.equalisation_reserve_end == D("11666666.66")
    assert row.general_reserve_end == D("23333333.34")
    assert row.equity_end == D("35000000.00")
    assert row.general_reserve_reduction_share == D("-0.166666667")  # -3 333 333.34 / 20 M


def test_surplus_after_deficit_refills_and_cap_can_be_switched_off():
    opening = OpeningBalances(D(10 * M), D(20 * M))
    # When -4 M then +3 M: 10 -> 6, then cap 29 M / 3 = 9 666 666.66 leaves room 3.67 M: all 3 M fit
    capped = run_reserve_path(opening, {2025: D(-4 * M), 2026: D(3 * M)})
    # When the cap is switched off, a big surplus goes entirely to the Ausgleichsrücklage
    uncapped = run_reserve_path(opening, {2025: D(5 * M)}, equalisation_cap=None)
    # Then
    assert capped.years[1].equalisation_reserve_end == D("9000000.00")  # 6 + 3
    assert capped.years[1].general_reserve_end == D("20000000.00")
    assert uncapped.years[0].equalisation_reserve_end == D("15000000.00")  # 10 + 5


@pytest.mark.parametrize(
    ("kwargs", "results"),
    [
        ({"equalisation_reserve": D(-1), "general_reserve": D(1)}, {2025: 0}),
        ({"equalisation_reserve": D(0), "general_reserve": D(1)}, {2025: 0, 2027: 0}),
        ({"equalisation_reserve": D(0), "general_reserve": D(1)}, {}),
    ],
)
def test_invalid_inputs_are_rejected(kwargs, results):
    with pytest.raises(ValueError):
        run_reserve_path(OpeningBalances(**kwargs), results)


def test_money_is_exact_and_printed_with_cents():
    # Given amounts that are not exact in binary floating point
    path = run_reserve_path(OpeningBalances("0.10", "0.20"), {2025: "-0.30", 2026: "-46800000"})
    # Then Decimal keeps them exact and prints them the way the CLI expects
    assert str(path.years[0].equity_end) == "0.00"
    assert str(path.years[1].annual_result) == "-46800000.00"


def test_float_and_numpy_results_are_accepted():
    path = run_reserve_path(OpeningBalances(0.0, np.float64(10.5)), {2025: np.float64(-0.25), 2026: 1.5})
    assert [r.annual_result for r in path.years] == [D("-0.25"), D("1.50")]
    assert path.years[0].general_reserve_end == D("10.25")


# --------------------------------------------------------------------------------------------------
# Vectorised float version == per-path float version == Decimal version
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opening", "results"),
    [
        ((0, 100 * M, 0), SINGLE_YEARS_ABOVE_5),
        ((0, 100 * M, 0), TWO_SUCCESSIVE_ABOVE_5),
        ((10 * M, 100 * M, 5 * M), [-60 * M, -52 * M, -4 * M, 500_000]),
        ((10 * M, 20 * M, 0), [5 * M, -4 * M, 3 * M]),
        ((0, 100 * M, 0), [-5 * M, -4_750_000]),  # exact 5 % boundary in floats too
        ((0, 100 * M, 0), [-25 * M]),
    ],
)
def test_vectorised_version_agrees_with_decimal_version(opening, results):
    # Given / When
    exact = run_reserve_path(OpeningBalances(*(D(v) for v in opening)), path_from(results))
    vec = simulate_reserves(np.array([results], dtype=float), *opening)
    # Then
    assert vec.status[0].tolist() == [int(r.status) for r in exact.years]
    for t, row in enumerate(exact.years):
        assert [c for k, c in enumerate(TriggerCode) if vec.triggers[0, t, k]] == [
            x.code for x in row.triggers
        ]
    np.testing.assert_allclose(vec.equity_end[0], [float(r.equity_end) for r in exact.years], atol=0.01)
    np.testing.assert_allclose(
        vec.general_reserve_end[0], [float(r.general_reserve_end) for r in exact.years], atol=0.01
    )


def test_vectorised_version_equals_per_path_loop_exactly():
    # Given random paths around zero with reserves that get used up on some paths
    rng = np.random.Generator(np.random.PCG64(7))
    results = rng.normal(-3 * M, 8 * M, size=(300, 12))
    # When
    vec = simulate_reserves(results, 5 * M, 40 * M, 2 * M)
    # Then every number equals the plain loop (same IEEE operations in the same order)
    for p in range(results.shape[0]):
        rows = reserve_path_float(results[p].tolist(), 5 * M, 40 * M, 2 * M)
        assert vec.equity_end[p].tolist() == [r.equity_end for r in rows]
        assert vec.equalisation_reserve_end[p].tolist() == [r.equalisation_reserve_end for r in rows]
        assert vec.general_reserve_end[p].tolist() == [r.general_reserve_end for r in rows]
        assert vec.status[p].tolist() == [int(r.status) for r in rows]
        assert [[c for k, c in enumerate(TriggerCode) if vec.triggers[p, t, k]] for t in range(12)] == [
            list(r.triggers) for r in rows
        ]
    assert vec.triggers.any() and not vec.triggers.all()


@pytest.mark.parametrize("cap", [1 / 3, None])
@pytest.mark.parametrize("other", [2 * M, -4 * M, 0.0])
def test_trigger_probabilities_equal_the_full_reserve_arrays(cap, other):
    # Given paths that use up reserves on some paths, refill them on others, and exact zeros
    rng = np.random.Generator(np.random.PCG64(11))
    results = rng.normal(-3 * M, 8 * M, size=(2000, 15))
    results[::7, 3] = 0.0
    results[::11, 5] = -5 * M / 4  # exactly a quarter of an opening reserve on some paths
    # When the compiled counter runs without keeping the reserve arrays
    per_year, cumulative = trigger_probabilities(results, 5 * M, 5 * M, other, equalisation_cap=cap)
    # Then it gives the shares of the full vectorised mechanics exactly
    any_year = simulate_reserves(results, 5 * M, 5 * M, other, equalisation_cap=cap).triggers.any(axis=2)
    assert per_year.tolist() == any_year.mean(axis=0).tolist()
    assert cumulative.tolist() == np.logical_or.accumulate(any_year, axis=1).mean(axis=0).tolist()
    assert 0 < cumulative[-1] < 1


# --------------------------------------------------------------------------------------------------
# Stress tests
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def base() -> BasePath:
    """Three years, constant amounts: taxes 100 M, transfers 50 M, personnel 30 M, interest 2 M."""
    groups = (
        Group("40", "Steuern", "revenue"),
        Group("53", "Transferaufwendungen", "expense"),
        Group("50", "Personalaufwendungen", "expense"),
        Group("55", "Zinsen", "expense"),
    )
    amounts = np.array([[100.0 * M] * 3, [50.0 * M] * 3, [30.0 * M] * 3, [2.0 * M] * 3])
    debt = DebtInfo(
        investment_loans=100 * M, variable_rate_share=0.4, liquidity_loans=20 * M, interest_rate=0.03
    )
    return BasePath((2025, 2026, 2027), groups, amounts, debt=debt)


@pytest.mark.parametrize(
    ("preset_id", "expected_delta"),
    [
        # 100 M x 0.45 (Gewerbesteuer share) x 1/3 = 15 M in the first year only
        ("trade_tax_drop", [-15 * M, 0, 0]),
        # growth -1 pp in 2025 and 2026, level kept: 100 x 0.99 = 99, 100 x 0.99² = 98.01 (twice)
        ("recession", [-1 * M, -1.99 * M, -1.99 * M]),
        # (100 M x 0.4 variable + 20 M liquidity loans) x 2 % = 1.2 M each year
        ("interest_shock", [-1.2 * M] * 3),
        # transfers 50 M x 10 % = 5 M each year
        ("social_transfers", [-5 * M] * 3),
        # 2 % of ordinary expenses (50 + 30 = 80 M; interest is financial) = 1.6 M, then 1.6 M x 3 % interest
        ("contingent_liability", [-1.6 * M, -48_000, -48_000]),
        # taxes 0.85 x 0.99 = 0.8415 -> -15.85; -1.2 -5 -1.6 => -23.65; later -1.99 -1.2 -5 -0.048 = -8.238
        ("combined", [-23.65 * M, -8.238 * M, -8.238 * M]),
    ],
)
def test_presets_shock_the_results_path(base, preset_id, expected_delta):
    # When
    stressed = run_stress_test(base, preset_id)
    # Then
    np.testing.assert_allclose(stressed.base_results, [18 * M] * 3)  # 100 - 50 - 30 - 2
    np.testing.assert_allclose(stressed.delta, expected_delta, atol=1e-6)
    assert stressed.preset_id == preset_id
    assert PRESETS[preset_id].name_de and PRESETS[preset_id].name_en and PRESETS[preset_id].description_en


def test_trade_tax_drop_uses_the_gewerbesteuer_account_when_planned_separately():
    # Given Grundsteuer B (4012) 20 M and Gewerbesteuer (4013) 30 M
    groups = (Group("4012", "Grundsteuer B", "revenue"), Group("4013", "Gewerbesteuer", "revenue"))
    base = BasePath((2025, 2026), groups, np.array([[20.0 * M] * 2, [30.0 * M] * 2]))
    # When
    stressed = run_stress_test(base, "trade_tax_drop", year_offset=1)
    # Then a third of 30 M drops in the second year
    np.testing.assert_allclose(stressed.delta, [0, -10 * M])
    assert stressed.notes == ()


def test_interest_shock_reaches_fixed_rate_loans_as_they_are_refinanced(base):
    # Given 10 % of the 60 M fixed-rate loans are refinanced each year
    debt = DebtInfo(100 * M, 0.4, 20 * M, 0.03, refinancing_share_per_year=0.1)
    shocked_base = BasePath(base.years, base.groups, base.amounts, debt=debt)
    # When
    stressed = run_stress_test(shocked_base, "interest_shock")
    # Then 2 % x (60 M variable + 6 M, 12 M, 18 M refinanced)
    np.testing.assert_allclose(stressed.delta, [-1.32 * M, -1.44 * M, -1.56 * M])


def test_interest_shock_without_debt_data_has_no_effect_and_says_so(base):
    no_debt = BasePath(base.years, base.groups, base.amounts)
    stressed = run_stress_test(no_debt, "interest_shock")
    np.testing.assert_array_equal(stressed.delta, [0, 0, 0])
    assert "Schuldendaten" in stressed.notes[0]


def test_user_defined_shocks(base):
    # Given user shocks: +5 % transfers in the second year, -3 M taxes in 2027, -2 pp growth from year 2 on
    shocks = shocks_from_dicts(
        [
            {"group": "53", "year_offset": 1, "kind": "percent", "value": 5},
            {"group": "40", "years": [2027], "kind": "absolute", "value": -3 * M},
            {"group": "40", "year_offset": 1, "duration": None, "kind": "growth_pp", "value": -2},
            {"group": None, "years": [2025], "kind": "absolute", "value": 0.5 * M},
        ]
    )
    # When
    stressed = apply_shocks(base, shocks)
    # Then
    # 2025: extra expense 0.5 M
    # 2026: transfers 50 x 5 % = 2.5 M; taxes 100 x 0.98 = 98 -> -2 M; total -4.5 M
    # 2027: taxes 100 x 0.98² = 96.04 -> -3.96 M, then -3 M absolute; total -6.96 M
    np.testing.assert_allclose(stressed.delta, [-0.5 * M, -4.5 * M, -6.96 * M])
    assert stressed.results_by_year() == {
        2025: D("17500000.00"),
        2026: D("13500000.00"),
        2027: D("11040000.00"),
    }


@pytest.mark.parametrize(
    ("shock", "error"),
    [
        (Shock("99", "percent", 5), KeyError),
        (Shock(None, "percent", 5), ValueError),
        (Shock("40", "tripled", 5), ValueError),  # type: ignore[arg-type]
    ],
)
def test_inconsistent_shocks_fail_loudly(base, shock, error):
    with pytest.raises(error):
        apply_shocks(base, [shock])


def test_stress_result_feeds_the_reserve_path(base):
    # Given a base path with a deficit: taxes 60 M instead of 100 M -> result -22 M per year
    weak = BasePath(
        base.years, base.groups, base.amounts * np.array([[0.6], [1.0], [1.0], [1.0]]), debt=base.debt
    )
    # When the combined stress costs 17.31 M in 2025 (taxes 60 x 0.85 x 0.99 = 50.49; -1.2 -5 -1.6)
    stressed = run_stress_test(weak, "combined")
    path = run_reserve_path(OpeningBalances(D(10 * M), D(100 * M)), stressed.results_by_year())
    # Then 2025: -22 - 9.51 - 1.2 - 5 - 1.6 = -39.31 M: 10 M Ausgleichsrücklage, 29.31 % of the allgemeine
    assert path.years[0].annual_result == D("-39310000.00")
    assert path.years[0].general_reserve_end == D("70690000.00")
    assert [t.code for t in path.years[0].triggers] == [HSK25]


def test_recession_can_be_calibrated_to_own_history():
    # Given tax levels whose log growth is +10 %, -10 %, +10 % (sd = 0.11547 with ddof=1)
    levels = 100 * np.exp(np.cumsum([0.0, 0.1, -0.1, 0.1]))
    # When / Then: one standard deviation in percentage points
    assert calibrated_growth_pp(levels) == pytest.approx(11.547005, rel=1e-6)
    assert calibrated_growth_pp(levels, n_sd=2) == pytest.approx(23.09401, rel=1e-6)


def test_fraction_cap_default_is_one_third():
    from planning.engine.resilience import DEFAULT_EQUALISATION_CAP

    assert Fraction(1, 3) == DEFAULT_EQUALISATION_CAP
