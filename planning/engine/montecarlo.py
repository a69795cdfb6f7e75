"""Monte Carlo simulation of correlated shocks to revenue and expense groups, with the GO NRW checks.

Why: a single stress scenario says "what if"; planners also ask "how likely" — how likely is an HSK
(Haushaltssicherungskonzept) within the plan horizon, in which year does it become likely, and which
revenue or expense group drives the risk. The model is deliberately simple and explainable:

* For each path p, year t and group g a growth deviation ``e[p,t,g] ~ N(-σ_g²/2, Σ)`` is drawn
  (multivariate normal, independent across years, correlated across groups via the Cholesky factor of Σ).
* Deviations accumulate as a random walk in log level: ``level[p,t,g] = base[g,t] · exp(Σ_{s<=t} e)``.
  A shock therefore persists as a level shift (a lost trade-tax payer does not come back next year). The
  drift -σ²/2 makes the *expected* level equal the plan (mean-preserving); the median lies slightly below.
* Annual result = Σ_g sign_g · level[p,t,g] - additional expenses; then the reserve mechanics and
  triggers of :mod:`planning.engine.resilience` run on every path.

Σ is estimated from the municipality's own actuals (log growth rates) with shrinkage of the correlations
toward zero (Schäfer & Strimmer 2005) and credibility-weighted variances; documented defaults fill in
where history is missing. Everything is seeded (PCG64) so a run can be reproduced exactly.

The vectorised :func:`simulate_paths` has no Python loop over paths; :func:`simulate_paths_reference` is a
plain per-path loop of the same model on the same draws, used by tests and the benchmark.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planning.engine.resilience import (
    TRIGGER_ORDER,
    OpeningBalances,
    ReservePathArrays,
    Status,
    reserve_path_float,
    simulate_reserves,
)
from planning.engine.stress import BasePath, Group

DEFAULT_QUANTILES: tuple[float, ...] = (0.10, 0.25, 0.50, 0.75, 0.90)
DEFAULT_N_PATHS = 10_000
LIKELY_PROBABILITY = 0.5  # "HSK becomes likely": cumulative probability above 50 %
POSSIBLE_PROBABILITY = 0.1  # "HSK becomes a serious possibility": cumulative probability above 10 %
TAIL_SHARE = 0.10  # worst 10 % of paths for the shortfall contribution

#: Default standard deviation of annual growth (log) per NKF group, used where no history exists.
#: Exact account codes take precedence over two-digit group prefixes.
DEFAULT_GROWTH_SD: dict[str, float] = {
    "4013": 0.20,  # Gewerbesteuer alone: drops of a third within a year are documented
    "40": 0.08,  # Steuern incl. Gewerbesteuer: trade-tax volatility dominates
    "41": 0.05,  # Zuwendungen, Schlüsselzuweisungen (follow the Land's tax revenue)
    "42": 0.05,  # sonstige Transfererträge
    "43": 0.03,  # öffentlich-rechtliche Leistungsentgelte (fees)
    "44": 0.04,  # privatrechtliche Leistungsentgelte, Kostenerstattungen
    "45": 0.06,  # sonstige ordentliche Erträge
    "46": 0.10,  # Finanzerträge (dividends of municipal companies)
    "47": 0.05,  # aktivierte Eigenleistungen
    "48": 0.02,  # interne Leistungsbeziehungen
    "49": 0.15,  # außerordentliche Erträge
    "50": 0.02,  # Personal (collective agreements, known well ahead)
    "51": 0.03,  # Versorgung
    "52": 0.04,  # Sach- und Dienstleistungen
    "53": 0.03,  # Transferaufwendungen (social benefits)
    "54": 0.04,  # sonstige ordentliche Aufwendungen
    "55": 0.08,  # Zinsen (interest rates)
    "57": 0.02,  # Abschreibungen
    "58": 0.02,  # interne Leistungsbeziehungen
    "59": 0.15,  # außerordentliche Aufwendungen
}
DEFAULT_SD_REVENUE = 0.05
DEFAULT_SD_EXPENSE = 0.03

#: Default correlations between two-digit group prefixes (symmetric; 0 where not listed). Same prefix
#: appears when a group is planned on several accounts (e.g. 4012 Grundsteuer B and 4013 Gewerbesteuer).
DEFAULT_CORRELATION: dict[frozenset[str], float] = {
    frozenset({"40"}): 0.5,
    frozenset({"40", "41"}): 0.3,  # Schlüsselzuweisungen follow the same tax cycle
    frozenset({"40", "53"}): -0.3,  # recession: less tax, more social benefits
    frozenset({"41", "53"}): -0.1,
    frozenset({"53"}): 0.5,
    frozenset({"50"}): 0.7,
    frozenset({"50", "51"}): 0.5,  # pay rises drive pensions
    frozenset({"50", "52"}): 0.2,
    frozenset({"52", "54"}): 0.3,
}


# --------------------------------------------------------------------------------------------------
# Covariance of growth deviations
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CovarianceEstimate:
    """Covariance Σ of annual log-growth deviations of the groups, and where it came from."""

    cov: NDArray[np.float64]  # (G, G)
    sd: NDArray[np.float64]  # (G,)
    corr: NDArray[np.float64]  # (G, G)
    sources: tuple[str, ...]  # per group: "history" or "default"
    n_observations: int  # growth observations used (years of history - 1)
    shrinkage: float | None  # Schäfer-Strimmer λ applied to the correlations, None without history


def _default_sd(group: Group) -> float:
    if group.code in DEFAULT_GROWTH_SD:
        return DEFAULT_GROWTH_SD[group.code]
    prefix = group.code[:2]
    if prefix in DEFAULT_GROWTH_SD:
        return DEFAULT_GROWTH_SD[prefix]
    return DEFAULT_SD_REVENUE if group.kind == "revenue" else DEFAULT_SD_EXPENSE


def _default_corr(groups: Sequence[Group]) -> NDArray[np.float64]:
    n = len(groups)
    corr = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            key = frozenset({groups[i].code[:2], groups[j].code[:2]})
            corr[i, j] = corr[j, i] = DEFAULT_CORRELATION.get(key, 0.0)
    return corr


def _nearest_correlation(corr: NDArray[np.float64], floor: float = 1e-6) -> NDArray[np.float64]:
    """Clip negative eigenvalues and rescale to unit diagonal, so Cholesky always succeeds."""
    vals, vecs = np.linalg.eigh((corr + corr.T) / 2)
    if vals.min() >= floor:
        return corr
    fixed = (vecs * np.maximum(vals, floor)) @ vecs.T
    d = np.sqrt(np.diag(fixed))
    out = fixed / np.outer(d, d)
    np.fill_diagonal(out, 1.0)
    return out


def default_covariance(groups: Sequence[Group]) -> CovarianceEstimate:
    """Covariance from the documented default volatilities and correlations (no history needed)."""
    sd = np.array([_default_sd(g) for g in groups])
    corr = _nearest_correlation(_default_corr(groups))
    return CovarianceEstimate(
        cov=corr * np.outer(sd, sd),
        sd=sd,
        corr=corr,
        sources=tuple("default" for _ in groups),
        n_observations=0,
        shrinkage=None,
    )


def shrink_correlation(growth: ArrayLike) -> tuple[NDArray[np.float64], float]:
    """Sample correlation of (n, G) observations shrunk toward the identity (Schäfer & Strimmer 2005,
    target "D": keep variances, shrink correlations to zero) with the analytic optimal intensity

        λ* = Σ_{i≠j} Var̂(r_ij) / Σ_{i≠j} r_ij²,  clipped to [0, 1].

    Few years -> noisy correlations -> large λ -> close to independence, which is the cautious default.
    """
    x = np.asarray(growth, dtype=np.float64)
    n, g = x.shape
    sd = x.std(axis=0, ddof=1)
    safe = np.where(sd > 0, sd, 1.0)
    z = np.where(sd > 0, (x - x.mean(axis=0)) / safe, 0.0)
    w = z[:, :, None] * z[:, None, :]  # (n, G, G)
    w_mean = w.mean(axis=0)
    r = w_mean * n / (n - 1)
    var_r = ((w - w_mean) ** 2).sum(axis=0) * n / (n - 1) ** 3
    off = ~np.eye(g, dtype=np.bool_)
    denom = float((r[off] ** 2).sum())
    lam = 1.0 if denom == 0 else float(np.clip(var_r[off].sum() / denom, 0.0, 1.0))
    shrunk = np.where(off, (1.0 - lam) * r, 1.0)
    return shrunk, lam


def estimate_growth_covariance(
    history: ArrayLike,
    groups: Sequence[Group],
    *,
    min_observations: int = 3,
    prior_weight: float = 3.0,
) -> CovarianceEstimate:
    """Estimate Σ from the municipality's own actuals: ``history`` is a (years, G) array of levels.

    * growth = diff(log(levels)); a group is usable when all its levels are finite and > 0.
    * variance_g = (n·s²_g + k·σ²_default,g) / (n + k) with k = ``prior_weight`` pseudo-years, so a short
      or flat series (s = 0 for amounts simply carried forward in the plan) cannot claim zero risk.
    * correlations among usable groups: sample correlation shrunk toward zero (:func:`shrink_correlation`);
      pairs with an unusable group keep the default correlation.
    * fewer than ``min_observations`` growth observations: defaults only.
    """
    levels = np.asarray(history, dtype=np.float64)
    if levels.ndim != 2 or levels.shape[1] != len(groups):
        raise ValueError(f"history must have shape (years, {len(groups)})")
    default = default_covariance(groups)
    n_obs = levels.shape[0] - 1
    usable = np.all(np.isfinite(levels) & (levels > 0), axis=0) if n_obs >= 1 else np.zeros(len(groups), bool)
    if n_obs < min_observations or not usable.any():
        return default
    growth = np.diff(np.log(np.where(usable, levels, 1.0)), axis=0)[:, usable]
    sample_var = growth.var(axis=0, ddof=1)
    sd = default.sd.copy()
    prior_var = default.sd[usable] ** 2
    sd[usable] = np.sqrt((n_obs * sample_var + prior_weight * prior_var) / (n_obs + prior_weight))
    corr = default.corr.copy()
    lam: float | None = None
    if usable.sum() >= 2:
        shrunk, lam = shrink_correlation(growth)
        idx = np.flatnonzero(usable)
        corr[np.ix_(idx, idx)] = shrunk
    corr = _nearest_correlation(corr)
    return CovarianceEstimate(
        cov=corr * np.outer(sd, sd),
        sd=sd,
        corr=corr,
        sources=tuple("history" if u else "default" for u in usable),
        n_observations=n_obs,
        shrinkage=lam,
    )


def cholesky_factor(cov: ArrayLike) -> NDArray[np.float64]:
    """Lower Cholesky factor L with L Lᵀ = Σ (a tiny ridge is added if Σ is only semi-definite)."""
    c = np.asarray(cov, dtype=np.float64)
    try:
        return np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        return np.linalg.cholesky(c + np.eye(len(c)) * 1e-12 * max(float(np.trace(c)), 1.0))


# --------------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------------


def draw_standard_normals(seed: int, n_paths: int, horizon: int, n_groups: int) -> NDArray[np.float64]:
    """The only source of randomness: (P, T, G) standard normals from PCG64(seed)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return rng.standard_normal((n_paths, horizon, n_groups))


@dataclass(frozen=True)
class SimulatedPaths:
    """All simulated paths: annual results, reserves and triggers, and each group's cumulative impact."""

    results: NDArray[np.float64]  # (P, T) annual results
    reserves: ReservePathArrays
    #: (P, G) sum over the horizon of sign_g · (shocked - planned amount): the EUR effect of each group's
    #: shocks on the final equity. Their row sum is final equity minus planned final equity.
    group_impact: NDArray[np.float64]


def _weights(base: BasePath) -> NDArray[np.float64]:
    """(T, G) signed planned amounts: revenue positive, expenses negative."""
    return (base.signs[:, None] * base.amounts).T


def simulate_paths(
    base: BasePath,
    opening: OpeningBalances,
    chol: ArrayLike,
    normals: NDArray[np.float64],
    *,
    equalisation_cap: float | None = 1 / 3,
) -> SimulatedPaths:
    """Vectorised simulation: one BLAS product for the correlation, cumulative sum over years, exp,
    weighted sum over groups, then :func:`simulate_reserves` (loop over years only)."""
    n_paths, horizon, n_groups = normals.shape
    lower = np.asarray(chol, dtype=np.float64)
    half_var = 0.5 * (lower**2).sum(axis=1)  # σ²/2 = diag(L Lᵀ)/2
    growth = (normals.reshape(-1, n_groups) @ lower.T).reshape(n_paths, horizon, n_groups)
    growth -= half_var
    np.cumsum(growth, axis=1, out=growth)
    factors = np.exp(growth, out=growth)  # level factor vs. plan, reusing the buffer
    weights = _weights(base)
    assert base.additional_expenses is not None
    results = np.einsum("ptg,tg->pt", factors, weights) - base.additional_expenses
    impact = np.einsum("ptg,tg->pg", factors, weights) - weights.sum(axis=0)
    reserves = simulate_reserves(
        results,
        float(opening.equalisation_reserve),
        float(opening.general_reserve),
        float(opening.other_equity),
        equalisation_cap=equalisation_cap,
    )
    return SimulatedPaths(results=results, reserves=reserves, group_impact=impact)


def simulate_paths_reference(
    base: BasePath,
    opening: OpeningBalances,
    chol: ArrayLike,
    normals: NDArray[np.float64],
    *,
    equalisation_cap: float | None = 1 / 3,
) -> SimulatedPaths:
    """Straightforward per-path Python loop of the same model on the same draws (for tests/benchmark)."""
    n_paths, horizon, n_groups = normals.shape
    lower = np.asarray(chol, dtype=np.float64).tolist()
    half_var = [0.5 * sum(v * v for v in row) for row in lower]
    weights = _weights(base).tolist()
    assert base.additional_expenses is not None
    extra = base.additional_expenses.tolist()
    results = np.empty((n_paths, horizon))
    impact = np.zeros((n_paths, n_groups))
    fields = (
        "equalisation_reserve_start",
        "equalisation_reserve_end",
        "general_reserve_start",
        "general_reserve_end",
        "other_equity_end",
        "equity_end",
        "reduction_share",
    )
    arrays = {f: np.empty((n_paths, horizon)) for f in fields}
    status = np.empty((n_paths, horizon), dtype=np.int8)
    triggers = np.zeros((n_paths, horizon, len(TRIGGER_ORDER)), dtype=np.bool_)
    for p in range(n_paths):
        z = normals[p].tolist()
        log_level = [0.0] * n_groups
        path_results = []
        for t in range(horizon):
            result = 0.0
            for g in range(n_groups):
                e = sum(lower[g][k] * z[t][k] for k in range(g + 1)) - half_var[g]
                log_level[g] += e
                factor = math.exp(log_level[g])
                result += weights[t][g] * factor
                impact[p, g] += weights[t][g] * (factor - 1.0)
            path_results.append(result - extra[t])
        results[p] = path_results
        rows = reserve_path_float(
            path_results,
            float(opening.equalisation_reserve),
            float(opening.general_reserve),
            float(opening.other_equity),
            equalisation_cap=equalisation_cap,
        )
        for t, row in enumerate(rows):
            for f in fields:
                arrays[f][p, t] = getattr(row, f)
            status[p, t] = row.status
            for code in row.triggers:
                triggers[p, t, TRIGGER_ORDER.index(code)] = True
    reserves = ReservePathArrays(
        annual_result=results,
        status=status,
        triggers=triggers,
        **{f: arrays[f] for f in fields},
    )
    return SimulatedPaths(results=results, reserves=reserves, group_impact=impact)


# --------------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupContribution:
    """How much one group's shocks contribute to the risk (see docs/resilience-method.md)."""

    code: str
    name: str
    #: Cov(impact_g, total) / Var(total): additive variance shares (Euler allocation), sum to 1;
    #: negative for a group that offsets the others.
    variance_share: float
    #: mean EUR impact of the group in the worst 10 % of paths (by final equity); sums to the mean
    #: shortfall of those paths against plan.
    tail_mean_impact: float
    #: mean EUR impact in the paths with any HSK trigger within the horizon; None when there are none.
    hsk_mean_impact: float | None


@dataclass(frozen=True)
class MonteCarloResult:
    """Fan charts, trigger probabilities and risk drivers of a Monte Carlo run."""

    years: tuple[int, ...]
    n_paths: int
    seed: int
    quantile_levels: tuple[float, ...]
    result_quantiles: NDArray[np.float64]  # (Q, T)
    equity_quantiles: NDArray[np.float64]  # (Q, T)
    trigger_probability: dict[str, NDArray[np.float64]]  # code -> (T,) probability in that year
    trigger_probability_cumulative: dict[str, NDArray[np.float64]]  # code -> (T,) within first k years
    any_hsk_probability: NDArray[np.float64]  # (T,) any trigger in that year
    any_hsk_probability_cumulative: NDArray[np.float64]  # (T,) any trigger within the first k years
    first_year_hsk_likely: int | None  # cumulative probability > 50 %
    first_year_hsk_possible: int | None  # cumulative probability > 10 %
    status_share: dict[str, NDArray[np.float64]]  # Status name -> (T,) share of paths
    contributions: tuple[GroupContribution, ...]
    main_driver: str | None  # group code with the most negative tail_mean_impact
    covariance: CovarianceEstimate | None = None
    paths: SimulatedPaths | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready plain values (lists instead of arrays), e.g. for a job result row."""
        return {
            "years": list(self.years),
            "n_paths": self.n_paths,
            "seed": self.seed,
            "quantile_levels": list(self.quantile_levels),
            "result_quantiles": self.result_quantiles.tolist(),
            "equity_quantiles": self.equity_quantiles.tolist(),
            "trigger_probability": {k: v.tolist() for k, v in self.trigger_probability.items()},
            "trigger_probability_cumulative": {
                k: v.tolist() for k, v in self.trigger_probability_cumulative.items()
            },
            "any_hsk_probability": self.any_hsk_probability.tolist(),
            "any_hsk_probability_cumulative": self.any_hsk_probability_cumulative.tolist(),
            "first_year_hsk_likely": self.first_year_hsk_likely,
            "first_year_hsk_possible": self.first_year_hsk_possible,
            "status_share": {k: v.tolist() for k, v in self.status_share.items()},
            "contributions": [c.__dict__ for c in self.contributions],
            "main_driver": self.main_driver,
        }


def _first_year_above(years: Sequence[int], prob: NDArray[np.float64], threshold: float) -> int | None:
    hits = np.flatnonzero(prob > threshold)
    return int(years[hits[0]]) if hits.size else None


def contributions(
    groups: Sequence[Group], impact: NDArray[np.float64], any_hsk_path: NDArray[np.bool_] | None = None
) -> tuple[GroupContribution, ...]:
    """Risk contributions of the groups from their per-path EUR impact (P, G); see the dataclass."""
    n_paths = impact.shape[0]
    total = impact.sum(axis=1)
    centred = impact - impact.mean(axis=0)
    total_c = total - total.mean()
    var_total = float(total_c @ total_c)
    shares = (centred.T @ total_c) / var_total if var_total > 0 else np.zeros(impact.shape[1])
    n_tail = max(1, math.ceil(TAIL_SHARE * n_paths))
    tail = np.argpartition(total, n_tail - 1)[:n_tail] if n_tail < n_paths else np.arange(n_paths)
    tail_mean = impact[tail].mean(axis=0)
    hsk_mean = impact[any_hsk_path].mean(axis=0) if any_hsk_path is not None and any_hsk_path.any() else None
    return tuple(
        GroupContribution(
            code=g.code,
            name=g.name,
            variance_share=float(shares[i]),
            tail_mean_impact=float(tail_mean[i]),
            hsk_mean_impact=None if hsk_mean is None else float(hsk_mean[i]),
        )
        for i, g in enumerate(groups)
    )


def summarise(
    base: BasePath,
    paths: SimulatedPaths,
    *,
    seed: int,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    covariance: CovarianceEstimate | None = None,
    keep_paths: bool = False,
) -> MonteCarloResult:
    """Quantiles, per-year and cumulative trigger probabilities, first likely year and contributions."""
    years = base.years
    trig = paths.reserves.triggers
    cum = np.logical_or.accumulate(trig, axis=1)
    any_year = trig.any(axis=2)
    any_cum = np.logical_or.accumulate(any_year, axis=1)
    any_cum_prob = any_cum.mean(axis=0)
    qs = np.asarray(quantiles, dtype=np.float64)
    status = paths.reserves.status
    return MonteCarloResult(
        years=years,
        n_paths=paths.results.shape[0],
        seed=seed,
        quantile_levels=tuple(float(q) for q in qs),
        result_quantiles=np.quantile(paths.results, qs, axis=0),
        equity_quantiles=np.quantile(paths.reserves.equity_end, qs, axis=0),
        trigger_probability={c.value: trig[:, :, k].mean(axis=0) for k, c in enumerate(TRIGGER_ORDER)},
        trigger_probability_cumulative={
            c.value: cum[:, :, k].mean(axis=0) for k, c in enumerate(TRIGGER_ORDER)
        },
        any_hsk_probability=any_year.mean(axis=0),
        any_hsk_probability_cumulative=any_cum_prob,
        first_year_hsk_likely=_first_year_above(years, any_cum_prob, LIKELY_PROBABILITY),
        first_year_hsk_possible=_first_year_above(years, any_cum_prob, POSSIBLE_PROBABILITY),
        status_share={s.name: (status == s).mean(axis=0) for s in Status},
        contributions=(contrib := contributions(base.groups, paths.group_impact, any_cum[:, -1])),
        main_driver=min(contrib, key=lambda c: c.tail_mean_impact).code if contrib else None,
        covariance=covariance,
        paths=paths if keep_paths else None,
    )


def run_monte_carlo(
    base: BasePath,
    opening: OpeningBalances,
    *,
    covariance: CovarianceEstimate | None = None,
    n_paths: int = DEFAULT_N_PATHS,
    seed: int = 0,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    equalisation_cap: float | None = 1 / 3,
    keep_paths: bool = False,
    reference: bool = False,
) -> MonteCarloResult:
    """Full Monte Carlo run: draws, paths, reserve mechanics, triggers and summary.

    ``covariance`` defaults to :func:`default_covariance`; estimate it with
    :func:`estimate_growth_covariance` from actuals where available. The same ``seed`` gives the same
    result bit for bit. ``reference=True`` uses the slow per-path loop (tests, benchmark).
    """
    cov = covariance or default_covariance(base.groups)
    normals = draw_standard_normals(seed, n_paths, len(base.years), len(base.groups))
    simulate = simulate_paths_reference if reference else simulate_paths
    paths = simulate(base, opening, cholesky_factor(cov.cov), normals, equalisation_cap=equalisation_cap)
    return summarise(base, paths, seed=seed, quantiles=quantiles, covariance=cov, keep_paths=keep_paths)
