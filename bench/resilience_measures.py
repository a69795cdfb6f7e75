"""Benchmark: Monte Carlo with 50 measures vs. the same run without measures (issue 13).

Run: ``.venv/bin/python bench/resilience_measures.py`` (standalone, no Django). Size: 10,000 paths x 30
years x 20 groups (the groups of ``bench/resilience_montecarlo.py``) plus 50 measures with one or two
effects each (one-off and recurring, extra revenue, lower and higher expenses).

"With measures" is what the resilience service does for a scenario with measures: the measures' effects
per year (``effect_cents``), the base path shifted by them (``additional_expenses``), the full Monte Carlo
keeping the paths, then the status-quo comparison on the same paths (``compare_monte_carlo``: a second
pass counting the triggers). The per-measure leave-one-out passes (P without each measure; the service
runs them up to ``MAX_LEAVE_ONE_OUT`` measures) are printed separately.

Prints ``measures_vs_plain_ratio`` (target <= 1.2), both measured in this run, best of REPEAT.
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from resilience_montecarlo import GROUP_SPEC, N_PATHS, SEED, best_of, make_base

from planning.engine.measures import Effect, EffectKind, compare_monte_carlo, effect_cents
from planning.engine.montecarlo import default_covariance, run_monte_carlo
from planning.engine.resilience import OpeningBalances
from planning.engine.stress import BasePath

N_MEASURES = int(os.environ.get("BENCH_MEASURES", "50"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


def make_measures(years: tuple[int, ...]) -> list[list[Effect]]:
    rng = np.random.default_rng(7)
    kinds = list(EffectKind)
    measures = []
    for m in range(N_MEASURES):
        start = int(rng.integers(years[0], years[0] + 10))
        effects = [Effect(kinds[m % 3], Decimal(int(rng.integers(10_000, 2_000_000))), start)]
        if m % 2:
            effects.append(Effect(EffectKind.HIGHER_EXPENSE, Decimal("250000.00"), start, recurring=False))
        measures.append(effects)
    return measures


def main() -> None:
    base = make_base()
    opening = OpeningBalances(Decimal("15000000"), Decimal("120000000"), Decimal("10000000"))
    cov = default_covariance(base.groups)
    measures = make_measures(base.years)

    def plain() -> None:
        run_monte_carlo(base, opening, covariance=cov, n_paths=N_PATHS, seed=SEED)

    def with_measures(leave_one_out: bool = False) -> None:
        effects = effect_cents(measures, base.years)
        total = effects.sum(axis=0) / 100.0
        shifted = BasePath(base.years, base.groups, base.amounts, additional_expenses=-total)
        mc = run_monte_carlo(shifted, opening, covariance=cov, n_paths=N_PATHS, seed=SEED, keep_paths=True)
        compare_monte_carlo(
            base.years, mc.paths.results - total, opening, effects, leave_one_out=leave_one_out
        )

    plain()  # warm-up
    with_measures()
    t_plain = best_of(plain, REPEAT)
    t_with = best_of(with_measures, REPEAT)
    start = time.perf_counter()
    with_measures(leave_one_out=True)
    t_loo = time.perf_counter() - start
    print(f"size: paths={N_PATHS} years={len(base.years)} groups={len(GROUP_SPEC)} measures={N_MEASURES}")
    print(f"plain_seconds={t_plain:.3f}")
    print(f"with_measures_seconds={t_with:.3f}")
    print(f"measures_vs_plain_ratio={t_with / t_plain:.2f}")
    print(f"with_leave_one_out_per_measure_seconds={t_loo:.3f} (not part of the ratio, see docstring)")


if __name__ == "__main__":
    main()
