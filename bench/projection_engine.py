"""Benchmark: status-quo projection engine at NRW scale against the bare numpy kernel.

396 municipalities x 300 budget items x 20 age groups x 30 years (+ base year). The engine call
(``project_status_quo_batch`` with Kostenremanenz, price factors and the demographic-ratio output) is
timed against one ``np.matmul(P, N)`` over the same arrays, the arithmetic core every implementation
pays. All runs alternate in the same process (order rotated per repetition); the best of N counts.
For context it also times the engine with the balance output, and the kernel plus writing one more
array of the kernel's size (the memory floor of any engine that returns two arrays of that size).

Run: ``.venv/bin/python bench/projection_engine.py [--repeat 30] [--seed 0]``
Prints ``engine_vs_kernel_ratio=<x>`` plus absolute times in milliseconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning.engine.projection import (
    item_growth_rates,
    project_status_quo_batch,
)

M, J, A, T = 396, 300, 20, 30


def make_inputs(seed: int) -> dict[str, np.ndarray]:
    """Synthetic but realistic shapes: each municipality its own profiles, population and amounts.

    Items: 15 % without a driver (all-zero profile), the rest with band weights; accounts drawn from the
    NKF groups so the price factors mix inflation, wage and tax growth; persistence on every item.
    """
    rng = np.random.default_rng(seed)
    profiles = rng.uniform(0.0, 1.0, (M, J, A))
    profiles[:, rng.random(J) < 0.15, :] = 0.0
    population = rng.uniform(50.0, 8000.0, (M, A, 1)) * np.cumprod(
        rng.normal(1.0, 0.01, (M, A, T + 1)), axis=2
    )
    accounts = rng.choice(["40", "41", "43", "50", "51", "52", "53", "54"], J)
    direction = np.where(np.char.startswith(accounts.astype(str), "4"), 1.0, -1.0)
    return {
        "base": rng.uniform(1e3, 5e7, (M, J)),
        "profiles": profiles,
        "population": population,
        "growth": item_growth_rates(list(accounts), direction),  # the production growth rule
        "persistence": rng.uniform(0.0, 0.8, J),
        "direction": direction,
    }


def timed(fn: Callable[[], object], times: list[float]) -> None:
    start = time.perf_counter()
    fn()
    times.append(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="repetitions; the best is reported")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    x = make_inputs(args.seed)

    def engine(direction: np.ndarray | None = None) -> object:
        return project_status_quo_batch(
            x["base"],
            x["profiles"],
            x["population"],
            growth_rates=x["growth"],
            persistence=x["persistence"],
            direction=direction,
        )

    def kernel() -> np.ndarray:
        return np.matmul(x["profiles"], x["population"])

    def two_outputs() -> object:
        # reference only: the kernel plus writing one more array of its size, i.e. the memory traffic
        # any engine pays for returning amounts and the demographic ratio
        d = kernel()
        return d, np.multiply(d, 1.0)

    runs: dict[str, Callable[[], object]] = {
        "engine": engine,
        "kernel": kernel,
        "engine_with_balance": lambda: engine(x["direction"]),
        "kernel_plus_second_output": two_outputs,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for fn in runs.values():  # warm-up: BLAS, allocator
        fn()
    names = list(runs)
    for rep in range(args.repeat):
        # rotate the order so that no run always follows the same allocation pattern
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            timed(runs[name], times[name])
    best = {name: min(t) for name, t in times.items()}
    print(f"shape: municipalities={M} items={J} age_groups={A} years={T}+1, best of {args.repeat}")
    for name, t in times.items():
        print(f"{name}_ms={best[name] * 1e3:.2f} (median {np.median(t) * 1e3:.2f})")
    print(f"two_output_floor_ratio={best['kernel_plus_second_output'] / best['kernel']:.2f}")
    print(f"engine_with_balance_vs_kernel_ratio={best['engine_with_balance'] / best['kernel']:.2f}")
    print(f"engine_vs_kernel_ratio={best['engine'] / best['kernel']:.2f}")


if __name__ == "__main__":
    main()
