"""Monte Carlo: covariance estimation, reproducibility, vectorised == per-path loop, summaries."""

import json
import math
from decimal import Decimal as D

import numpy as np
import pytest

from planning.engine.montecarlo import (
    CovarianceEstimate,
    cholesky_factor,
    contributions,
    default_covariance,
    draw_standard_normals,
    estimate_growth_covariance,
    run_monte_carlo,
    shrink_correlation,
    simulate_paths,
    simulate_paths_reference,
    summarise,
)
from planning.engine.montecarlo import _first_year_above as first_year_above
from planning.engine.resilience import OpeningBalances, run_reserve_path
from planning.engine.stress import BasePath, Group

M = 1_000_000.0

GROUPS = (
    Group("40", "Steuern", "revenue"),
    Group("41", "Zuwendungen", "revenue"),
    Group("50", "Personal", "expense"),
    Group("52", "Sach- und Dienstleistungen", "expense"),
    Group("53", "Transferaufwendungen", "expense"),
)


def make_base(horizon: int = 8, tax: float = 100 * M) -> BasePath:
    growth = 1.02 ** np.arange(horizon)
    amounts = np.array([tax * growth, 60 * M * growth, 50 * M * growth, 30 * M * growth, 78 * M * growth])
    return BasePath(tuple(range(2025, 2025 + horizon)), GROUPS, amounts)


# A small equity cushion so that a fair share of paths hits the triggers.
OPENING = OpeningBalances(D(5 * 10**6), D(40 * 10**6), D(2 * 10**6))


# --------------------------------------------------------------------------------------------------
# Covariance
# --------------------------------------------------------------------------------------------------


def test_shrinkage_intensity_matches_hand_computation():
    # Given growth x = [1, -1, 1, -1], y = [1, -1, 1, 1] (n = 4)
    #   sample correlation r = (2/3) / (sqrt(4/3) * 1) = 1/sqrt(3) = 0.57735
    #   standardised products w = 0.866 * [0.5, 1.5, 0.5, -0.5], mean 0.433
    #   Var(r) = n/(n-1)^3 * Σ(w - mean)^2 = 4/27 * 1.5 = 0.2222;  λ = 0.2222 / (1/3) = 2/3
    growth = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    # When
    corr, lam = shrink_correlation(growth)
    # Then
    assert lam == pytest.approx(2 / 3)
    assert corr[0, 1] == pytest.approx((1 - 2 / 3) / math.sqrt(3))  # 0.19245
    assert corr[0, 0] == corr[1, 1] == 1.0


def test_covariance_from_own_history_blends_variances_with_defaults():
    # Given 5 years of levels whose log growth is 0.1·x for taxes (40) and 0.05·y for transfers (53)
    x = np.array([1.0, -1.0, 1.0, -1.0])
    y = np.array([1.0, -1.0, 1.0, 1.0])
    levels = np.column_stack(
        [100 * np.exp(np.cumsum([0.0, *(0.1 * x)])), 50 * np.exp(np.cumsum([0.0, *(0.05 * y)]))]
    )
    groups = (Group("40", "Steuern", "revenue"), Group("53", "Transfer", "expense"))
    # When
    est = estimate_growth_covariance(levels, groups)
    # Then
    # taxes: s² = 0.04/3 = 0.013333, default 0.08² = 0.0064 -> (4·0.013333 + 3·0.0064)/7 = 0.0103619
    # transfers: s² = 0.0025, default 0.03² = 0.0009 -> (4·0.0025 + 3·0.0009)/7 = 0.00181429
    assert est.sd == pytest.approx([math.sqrt(0.0103619048), math.sqrt(0.0018142857)])
    assert est.corr[0, 1] == pytest.approx(0.19245009)  # shrunk with λ = 2/3 as above
    assert est.shrinkage == pytest.approx(2 / 3)
    assert est.sources == ("history", "history")
    assert est.n_observations == 4
    np.testing.assert_allclose(est.cov, est.corr * np.outer(est.sd, est.sd))


def test_short_or_unusable_history_falls_back_to_defaults():
    # Given only three years (two growth observations) -> defaults
    short = estimate_growth_covariance(np.array([[100.0, 50.0], [90.0, 52.0], [95.0, 53.0]]), GROUPS[:2])
    # Given a group with a zero level -> its volatility stays the default
    levels = np.array([[100.0, 0.0], [90.0, 52.0], [95.0, 53.0], [99.0, 50.0], [97.0, 51.0]])
    mixed = estimate_growth_covariance(levels, GROUPS[:2])
    # Then
    assert short.sources == ("default", "default")
    assert short.sd.tolist() == [0.08, 0.05]
    assert mixed.sources == ("history", "default")
    assert mixed.sd[1] == 0.05
    assert mixed.corr[0, 1] == pytest.approx(0.3)  # default correlation 40/41 kept


def test_default_covariance_is_documented_and_positive_definite():
    # Given / When
    est = default_covariance(GROUPS)
    # Then
    assert est.sd.tolist() == [0.08, 0.05, 0.02, 0.04, 0.03]
    assert est.corr[0, 4] == pytest.approx(-0.3)  # taxes vs. transfers: recession
    assert np.linalg.eigvalsh(est.cov).min() > 0
    lower = cholesky_factor(est.cov)
    np.testing.assert_allclose(lower @ lower.T, est.cov, atol=1e-15)


# --------------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------------


def test_draws_are_pcg64_and_reproducible():
    # Given / When
    first = draw_standard_normals(42, 4, 3, 2)
    again = draw_standard_normals(42, 4, 3, 2)
    # Then
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, np.random.Generator(np.random.PCG64(42)).standard_normal((4, 3, 2)))
    assert not np.array_equal(first, draw_standard_normals(43, 4, 3, 2))


def test_same_seed_gives_identical_results():
    base = make_base()
    a = run_monte_carlo(base, OPENING, n_paths=500, seed=3)
    b = run_monte_carlo(base, OPENING, n_paths=500, seed=3)
    c = run_monte_carlo(base, OPENING, n_paths=500, seed=4)
    np.testing.assert_array_equal(a.result_quantiles, b.result_quantiles)
    assert a.as_dict() == b.as_dict()
    assert not np.array_equal(a.result_quantiles, c.result_quantiles)


def test_vectorised_simulation_equals_per_path_python_loop():
    # Given the same model and the same draws
    base = make_base(horizon=8)
    chol = cholesky_factor(default_covariance(GROUPS).cov)
    normals = draw_standard_normals(11, 400, 8, len(GROUPS))
    # When
    vec = simulate_paths(base, OPENING, chol, normals)
    ref = simulate_paths_reference(base, OPENING, chol, normals)
    # Then the numbers agree to rounding (BLAS sums in another order) and every legal outcome is identical
    np.testing.assert_allclose(vec.results, ref.results, rtol=1e-12, atol=1e-5)
    np.testing.assert_allclose(vec.reserves.equity_end, ref.reserves.equity_end, rtol=1e-12, atol=1e-5)
    np.testing.assert_allclose(vec.group_impact, ref.group_impact, rtol=1e-12, atol=1e-5)
    np.testing.assert_array_equal(vec.reserves.triggers, ref.reserves.triggers)
    np.testing.assert_array_equal(vec.reserves.status, ref.reserves.status)
    assert 0 < vec.reserves.triggers.mean() < 0.5  # the test data does exercise the triggers
    s_vec, s_ref = summarise(base, vec, seed=11), summarise(base, ref, seed=11)
    for code, prob in s_vec.trigger_probability_cumulative.items():
        np.testing.assert_array_equal(prob, s_ref.trigger_probability_cumulative[code])
    assert s_vec.first_year_hsk_likely == s_ref.first_year_hsk_likely
    np.testing.assert_allclose(s_vec.equity_quantiles, s_ref.equity_quantiles, rtol=1e-12, atol=1e-5)


def test_reference_flag_runs_the_python_loop_end_to_end():
    base = make_base(horizon=5)
    fast = run_monte_carlo(base, OPENING, n_paths=100, seed=5)
    slow = run_monte_carlo(base, OPENING, n_paths=100, seed=5, reference=True)
    np.testing.assert_array_equal(fast.any_hsk_probability_cumulative, slow.any_hsk_probability_cumulative)
    np.testing.assert_allclose(fast.result_quantiles, slow.result_quantiles, rtol=1e-12, atol=1e-5)


def test_without_shocks_every_path_is_the_deterministic_plan():
    # Given a plan whose taxes fall short so that the reserves run down (result -18.x M per year)
    base = make_base(horizon=6, tax=80 * M)
    zero_chol = np.zeros((len(GROUPS), len(GROUPS)))
    normals = draw_standard_normals(1, 3, 6, len(GROUPS))
    # When
    opening = OpeningBalances(D(20 * 10**6), D(200 * 10**6))
    paths = simulate_paths(base, opening, zero_chol, normals)
    exact = run_reserve_path(opening, dict(zip(base.years, base.results(), strict=True)))
    # Then the vectorised float paths reproduce the exact Decimal assessment (HSK 5 % pair in 2027)
    for p in range(3):
        np.testing.assert_allclose(paths.results[p], base.results())
        assert paths.reserves.status[p].tolist() == [int(r.status) for r in exact.years]
        np.testing.assert_allclose(
            paths.reserves.equity_end[p], [float(r.equity_end) for r in exact.years], atol=0.01
        )
    assert exact.first_trigger_year is not None
    summary = summarise(base, paths, seed=1)
    year_index = base.years.index(exact.first_trigger_year)
    assert summary.any_hsk_probability_cumulative[year_index] == 1.0
    assert summary.any_hsk_probability_cumulative[year_index - 1] == 0.0
    assert summary.first_year_hsk_likely == exact.first_trigger_year
    np.testing.assert_array_equal(paths.group_impact, 0.0)


def test_level_shocks_are_mean_preserving():
    # Given one revenue group of 100 M with 10 % volatility, 20 000 paths
    base = BasePath((2025, 2026, 2027), (Group("40", "Steuern", "revenue"),), np.array([[100 * M] * 3]))
    cov = CovarianceEstimate(np.array([[0.01]]), np.array([0.1]), np.eye(1), ("default",), 0, None)
    # When
    res = run_monte_carlo(
        base, OpeningBalances(D(0), D(10**9)), covariance=cov, n_paths=20_000, seed=9, keep_paths=True
    )
    # Then the mean level equals the plan (within 4 standard errors) and the median lies below it
    assert res.paths is not None
    results = res.paths.results
    sd_error = results.std(axis=0) / math.sqrt(results.shape[0])
    assert np.all(np.abs(results.mean(axis=0) - 100 * M) < 4 * sd_error)
    # random walk: sd of the log level grows like sqrt(t) -> 10 %, 14.1 %, 17.3 %
    np.testing.assert_allclose(np.log(results / (100 * M)).std(axis=0), [0.1, 0.1414, 0.1732], rtol=0.03)
    assert np.all(res.result_quantiles[2] < 100 * M)


# --------------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------------


def test_contributions_match_hand_computation():
    # Given three paths and two groups; total = [-2, 0, 2], Var·n = 8
    impact = np.array([[-3.0, 1.0], [1.0, -1.0], [2.0, 0.0]])
    hsk = np.array([True, False, True])
    # When
    contrib = contributions(GROUPS[:2], impact, hsk)
    # Then variance shares: Σ(c_g·total)/8 = (6 + 0 + 4)/8 = 1.25 and (-2 + 0 + 0)/8 = -0.25
    assert [c.variance_share for c in contrib] == pytest.approx([1.25, -0.25])
    # the worst 10 % (ceil(0.3) = 1 path): path 0
    assert [c.tail_mean_impact for c in contrib] == [-3.0, 1.0]
    # HSK paths 0 and 2: (-3 + 2)/2, (1 + 0)/2
    assert [c.hsk_mean_impact for c in contrib] == [-0.5, 0.5]


def test_volatile_group_is_the_main_driver():
    # Given taxes with 15 % volatility and expenses with 1 %
    base = make_base(horizon=6)
    sd = np.array([0.15, 0.01, 0.01, 0.01, 0.01])
    cov = CovarianceEstimate(np.diag(sd**2), sd, np.eye(5), ("default",) * 5, 0, None)
    # When
    res = run_monte_carlo(base, OPENING, covariance=cov, n_paths=2_000, seed=2)
    # Then
    assert res.main_driver == "40"
    shares = {c.code: c.variance_share for c in res.contributions}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["40"] > 0.9
    tax = next(c for c in res.contributions if c.code == "40")
    assert tax.tail_mean_impact < 0 and tax.hsk_mean_impact is not None


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(0.1, 2027), (0.5, 2028), (0.6, None), (0.04, 2025)],
)
def test_first_year_above_uses_strict_threshold(threshold, expected):
    prob = np.array([0.05, 0.1, 0.5, 0.6])
    assert first_year_above((2025, 2026, 2027, 2028), prob, threshold) == expected


def test_summary_shapes_and_monotonicity():
    # Given / When
    res = run_monte_carlo(make_base(horizon=10), OPENING, n_paths=2_000, seed=8)
    # Then
    assert res.result_quantiles.shape == (5, 10)
    assert np.all(np.diff(res.result_quantiles, axis=0) >= 0)
    assert np.all(np.diff(res.equity_quantiles, axis=0) >= 0)
    assert np.all(np.diff(res.any_hsk_probability_cumulative) >= 0)
    assert np.all(res.any_hsk_probability_cumulative >= res.any_hsk_probability)
    for code, cum in res.trigger_probability_cumulative.items():
        assert np.all(cum >= res.trigger_probability[code])
    total = sum(res.status_share.values())
    np.testing.assert_allclose(total, 1.0)
    if res.first_year_hsk_possible is not None and res.first_year_hsk_likely is not None:
        assert res.first_year_hsk_possible <= res.first_year_hsk_likely
    json.dumps(res.as_dict())
