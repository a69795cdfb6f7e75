"""Benchmark: vectorised Monte Carlo with the GO NRW checks vs. a bare numpy draw and a Python loop.

Run: ``.venv/bin/python bench/resilience_montecarlo.py`` (standalone, no Django). Size: 10,000 paths x
30 years x 20 revenue/expense groups, reserve mechanics and trigger checks on every path.

Prints
* ``mc_vs_bare_ratio``: full Monte Carlo (draw + correlation + paths + reserves + triggers + quantiles,
  probabilities, contributions) / bare ``standard_normal((P, T, G))`` + ``cumsum`` over T of the same
  size, both measured in this run (best of several repetitions). Target <= 3.
* ``speedup_vs_python_loop``: the per-path Python loop reference (same model, same draws) is run on a
  subset of paths and extrapolated linearly to the full path count (it is linear in P by construction).
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planning.engine.montecarlo import default_covariance, run_monte_carlo
from planning.engine.resilience import OpeningBalances
from planning.engine.stress import BasePath, Group

N_PATHS = 10_000
HORIZON = 30
LOOP_PATHS = int(os.environ.get("BENCH_LOOP_PATHS", "500"))
REPEAT = 5
SEED = 2025

# (code, name, kind, amount in million EUR in the first year, annual growth)
GROUP_SPEC = [
    ("4012", "Grundsteuer B", "revenue", 28.0, 0.015),
    ("4013", "Gewerbesteuer", "revenue", 45.0, 0.025),
    ("4021", "Gemeindeanteil Einkommensteuer", "revenue", 38.0, 0.03),
    ("4022", "Gemeindeanteil Umsatzsteuer", "revenue", 7.0, 0.02),
    ("41", "Zuwendungen und allgemeine Umlagen", "revenue", 62.0, 0.02),
    ("42", "Sonstige Transfererträge", "revenue", 4.0, 0.01),
    ("43", "Öffentlich-rechtliche Leistungsentgelte", "revenue", 21.0, 0.015),
    ("44", "Privatrechtliche Leistungsentgelte", "revenue", 6.0, 0.01),
    ("45", "Sonstige ordentliche Erträge", "revenue", 9.0, 0.01),
    ("46", "Finanzerträge", "revenue", 2.0, 0.0),
    ("50", "Personalaufwendungen", "expense", 58.0, 0.025),
    ("51", "Versorgungsaufwendungen", "expense", 7.0, 0.02),
    ("52", "Sach- und Dienstleistungen", "expense", 36.0, 0.02),
    ("53.SGB-XII", "Transfer: Sozialhilfe", "expense", 22.0, 0.03),
    ("53.SGB-VIII", "Transfer: Kinder- und Jugendhilfe", "expense", 31.0, 0.035),
    ("53.Kreisumlage", "Transfer: Kreisumlage", "expense", 40.0, 0.025),
    ("54", "Sonstige ordentliche Aufwendungen", "expense", 14.0, 0.015),
    ("55", "Zinsen und sonstige Finanzaufwendungen", "expense", 4.5, 0.0),
    ("57", "Bilanzielle Abschreibungen", "expense", 12.0, 0.01),
    ("59", "Außerordentliche Aufwendungen", "expense", 0.5, 0.0),
]


def make_base() -> BasePath:
    t = np.arange(HORIZON)
    groups = tuple(Group(code, name, kind) for code, name, kind, _, _ in GROUP_SPEC)  # type: ignore[arg-type]
    amounts = np.array([amount * 1e6 * (1 + g) ** t for _, _, _, amount, g in GROUP_SPEC])
    return BasePath(tuple(range(2026, 2026 + HORIZON)), groups, amounts)


def best_of(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_draw_and_cumsum() -> None:
    rng = np.random.Generator(np.random.PCG64(SEED))
    draws = rng.standard_normal((N_PATHS, HORIZON, len(GROUP_SPEC)))
    np.cumsum(draws, axis=1, out=draws)


def main() -> None:
    base = make_base()
    opening = OpeningBalances(Decimal("15000000"), Decimal("120000000"), Decimal("10000000"))
    cov = default_covariance(base.groups)

    def full() -> None:
        run_monte_carlo(base, opening, covariance=cov, n_paths=N_PATHS, seed=SEED)

    full()  # warm-up (imports, BLAS threads, page faults)
    bare_draw_and_cumsum()
    t_bare = best_of(bare_draw_and_cumsum)
    t_full = best_of(full)
    start = time.perf_counter()
    run_monte_carlo(base, opening, covariance=cov, n_paths=LOOP_PATHS, seed=SEED, reference=True)
    t_loop_subset = time.perf_counter() - start
    t_loop = t_loop_subset * N_PATHS / LOOP_PATHS

    result = run_monte_carlo(base, opening, covariance=cov, n_paths=N_PATHS, seed=SEED)
    within_5 = float(result.any_hsk_probability_cumulative[4])
    print(f"size: paths={N_PATHS} years={HORIZON} groups={len(GROUP_SPEC)}, best of {REPEAT}")
    print(f"bare_draw_cumsum_seconds={t_bare:.3f}")
    print(f"monte_carlo_seconds={t_full:.3f}")
    print(f"mc_vs_bare_ratio={t_full / t_bare:.2f}")
    print(
        f"python_loop_seconds_{LOOP_PATHS}_paths={t_loop_subset:.2f} "
        f"(extrapolated linearly to {N_PATHS} paths: {t_loop:.1f})"
    )
    print(f"speedup_vs_python_loop={t_loop / t_full:.0f}")
    print(
        f"check: P(any HSK trigger within 5 years)={within_5:.3f}, first year likely="
        f"{result.first_year_hsk_likely}, possible={result.first_year_hsk_possible}, "
        f"main driver={result.main_driver}"
    )


if __name__ == "__main__":
    main()
