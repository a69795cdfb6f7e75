"""Status-quo projection of budget items from population by age (the seed's "Status quo-Projektionen").

For item j (a budget line: product x account) and year t (t = 0 is the base year):

    driver(j, t) = sum_a profile(j, a) x N(a, t)
    ratio(j, t)  = driver(j, t) / driver(j, 0)                    demographic ratio, 1 without a driver
    eff(j, t)    = ratio if ratio >= 1 else r_j + (1 - r_j) x ratio   Kostenremanenz (cost persistence)
    E(j, t)      = E(j, 0) x eff(j, t) x price(j, t)

``profile(j, a)`` are relative per-capita weights by age band: the base-year amount attributed to band a
divided by its population (the DOMAIN's p(j, a)); only their proportions matter. ``price(j, t)`` is
(1 + g_j)^t with g_j the inflation, wage or revenue growth of the item's account group, or any factor
matrix the caller supplies. Persistence compares with the base year, not with an earlier peak: the
status quo is the base year's capacity, and the rule stays path-independent and explainable ("of the
fall in children, the share r of the cost remains"). Revenues use the same formula; their default
persistence is 0 because a shrinking tax base does not keep paying.

The heavy part is P @ N; everything else is element-wise on (J, T+1), done per chunk of municipalities
while the chunk is in cache, in one compiled pass (numba) where the price factors are shared, else
in numpy steps that compute the same numbers (bench/projection_engine.py measures it against the
bare matmul).
Method, defaults and sources: docs/projection-method.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from planning.engine.population import (
    AgeBand,
)

# --------------------------------------------------------------------------------------------
# Target groups (Zielgruppen) and default drivers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetGroup:
    """Ages a budget item serves: ``[lo, hi)`` in completed years; ``hi=None`` open, ``lo=None`` no driver."""

    key: str
    lo: int | None
    hi: int | None
    label_de: str
    label_en: str


TARGET_GROUPS: Mapping[str, TargetGroup] = {
    "kita": TargetGroup("kita", 0, 6, "Kinder unter 6 Jahren (Kita-Alter)", "Children under 6 (day care)"),
    "schule": TargetGroup("schule", 6, 18, "Schulpflichtige 6 bis unter 18", "School age 6-17"),
    "jugend": TargetGroup(
        "jugend", 0, 21, "Kinder und Jugendliche unter 21", "Children and young people under 21"
    ),
    "erwerbsfaehig": TargetGroup(
        "erwerbsfaehig", 18, 65, "Erwerbsfähige 18 bis unter 65", "Working age 18-64"
    ),
    "senioren": TargetGroup("senioren", 65, None, "Senioren 65 und älter", "Older people 65+"),
    "hochbetagte": TargetGroup("hochbetagte", 80, None, "Hochbetagte 80 und älter", "Very old people 80+"),
    "gesamt": TargetGroup("gesamt", 0, None, "Gesamtbevölkerung", "Whole population"),
    "keine": TargetGroup("keine", None, None, "Kein demografischer Treiber", "No demographic driver"),
}


def target_group_weights(group: str | TargetGroup, bands: Sequence[AgeBand]) -> np.ndarray:
    """Per-capita weights (A,) of a target group: the share of each band's years inside the group's ages.

    A band half inside the group (20-24 for "jugend" < 21 counts 1/5) gets a fractional weight, the
    same uniform-within-band rule as re-banding.
    """
    g = TARGET_GROUPS[group] if isinstance(group, str) else group
    if g.lo is None:
        return np.zeros(len(bands))
    return np.array([b.overlap_years(g.lo, g.hi) / b.split_width for b in bands], dtype=np.float64)


def profile_from_shares(
    shares: str | Mapping[str, float], bands: Sequence[AgeBand], base_population: np.ndarray
) -> np.ndarray:
    """Profile (A,) for an item whose base amount is split over target groups by ``shares``.

    p(a) = sum_g share_g x w_g(a) / driver_g(0), so the item's ratio is the share-weighted mean of the
    groups' ratios. A single group (a string) gives its weights unchanged. "keine" stands only alone: a
    fixed part inside a mix has no per-capita form.
    """
    if isinstance(shares, str):
        return target_group_weights(shares, bands)
    pop = np.asarray(base_population, dtype=np.float64)
    total = sum(shares.values())
    if total <= 0:
        raise ValueError("shares must add up to more than 0")
    profile = np.zeros(len(bands))
    for key, share in shares.items():
        if key == "keine":
            raise ValueError('target group "keine" cannot be part of a mix')
        weights = target_group_weights(key, bands)
        driver = float(weights @ pop)
        if driver <= 0:
            raise ValueError(f"target group {key!r} has no population in the base year")
        profile += (share / total) * weights / driver
    return profile


def build_profiles(
    targets: Sequence[str | Mapping[str, float]], bands: Sequence[AgeBand], base_population: np.ndarray
) -> np.ndarray:
    """Profile matrix P (J, A) from a target group or a mix of groups per item."""
    return (
        np.vstack([profile_from_shares(t, bands, base_population) for t in targets])
        if targets
        else np.zeros((0, len(bands)))
    )


@dataclass(frozen=True)
class DriverDefault:
    """Default demographic driver of a product area or account group, for the planner to override."""

    shares: str | Mapping[str, float]
    persistence: float  # Kostenremanenz share r
    reason: str


#: Defaults per NRW product area (01-17). Persistence reflects how much of the area is buildings,
#: networks and staff that do not shrink with fewer users (our assumption, to be replaced locally).
PRODUCT_AREA_DRIVERS: Mapping[str, DriverDefault] = {
    "01": DriverDefault(
        "gesamt", 0.75, "administration serves all residents; mostly fixed staff and buildings"
    ),
    "02": DriverDefault("gesamt", 0.5, "registration, public order and fire service serve all residents"),
    "03": DriverDefault("schule", 0.5, "school buildings and transport follow pupils aged 6-17"),
    "04": DriverDefault(
        "gesamt", 0.7, "culture, libraries and adult education serve all; buildings are fixed"
    ),
    "05": DriverDefault(
        {"erwerbsfaehig": 0.5, "senioren": 0.3, "hochbetagte": 0.2},
        0.0,
        "SGB II/XII, asylum: working age; basic income in old age: 65+; care assistance: 80+ (rough split)",
    ),
    "06": DriverDefault("jugend", 0.3, "day care, youth welfare and youth work serve under-21s"),
    "07": DriverDefault("gesamt", 0.5, "health services serve all residents"),
    "08": DriverDefault(
        {"jugend": 0.5, "gesamt": 0.5}, 0.7, "sport facilities: schools and youth clubs, and all"
    ),
    "09": DriverDefault("keine", 0.0, "planning workload follows projects, not residents"),
    "10": DriverDefault("keine", 0.0, "building permits follow construction activity, not residents"),
    "11": DriverDefault("gesamt", 0.8, "supply and disposal networks serve all; networks do not shrink"),
    "12": DriverDefault("keine", 0.0, "road network length does not follow population"),
    "13": DriverDefault("keine", 0.0, "green areas and landscape do not follow population"),
    "14": DriverDefault("keine", 0.0, "environmental programmes do not follow population"),
    "15": DriverDefault("keine", 0.0, "economic development follows businesses, not residents"),
    "16": DriverDefault(
        "erwerbsfaehig", 0.0, "income-tax share and allocations follow the working-age population"
    ),
    "17": DriverDefault("keine", 0.0, "foundations follow their statutes"),
}

#: Account groups (NKF) whose amount does not follow residents, whatever the product area.
ACCOUNT_GROUP_DRIVERS: Mapping[str, DriverDefault] = {
    "46": DriverDefault("keine", 0.0, "financial revenue follows assets, not residents"),
    "48": DriverDefault("keine", 0.0, "internal charges net out inside the budget"),
    "51": DriverDefault("keine", 0.0, "pensions (Versorgung) are owed to former staff"),
    "55": DriverDefault("keine", 0.0, "interest follows debt, not residents"),
    "57": DriverDefault("keine", 0.0, "depreciation follows existing assets"),
    "58": DriverDefault("keine", 0.0, "internal charges net out inside the budget"),
}


def default_driver(product_area: str | int, account_group: str | int | None = None) -> DriverDefault:
    """Driver for a product area 1..17, overridden by a few account groups (first two account digits)."""
    if account_group is not None:
        hit = ACCOUNT_GROUP_DRIVERS.get(str(account_group).strip()[:2])
        if hit:
            return hit
    key = f"{int(str(product_area).strip()):02d}"
    if key not in PRODUCT_AREA_DRIVERS:
        raise KeyError(f"unknown NRW product area {product_area!r} (expected 1..17)")
    return PRODUCT_AREA_DRIVERS[key]


# --------------------------------------------------------------------------------------------
# Price factors
# --------------------------------------------------------------------------------------------

#: General price growth: the ECB's medium-term inflation target.
DEFAULT_INFLATION = 0.02
#: Wage growth of personnel accounts: about 3 % a year, roughly the TVöD settlement of April 2025.
DEFAULT_WAGE_GROWTH = 0.03
#: Nominal tax revenue growth; replace with the Land's Orientierungsdaten for municipal planning.
DEFAULT_TAX_GROWTH = 0.03
#: NKF account groups paid as wages: 50 Personalaufwendungen, 51 Versorgungsaufwendungen.
PERSONNEL_GROUPS = ("50", "51")


#: Interest (Zinsen, NKF group 55) stays nominally constant: the status quo keeps today's debt.
FLAT_GROUPS = ("55",)
#: Länder whose chart of accounts is not numbered like the NKF (NKHR Baden-Württemberg: 3 revenue,
#: 4 expense), with their personnel groups: the NKF account-group rules (wages, interest, account-group
#: drivers) do not apply there.
NON_NKF_PERSONNEL_GROUPS: Mapping[str, tuple[str, ...]] = {"BW": ("40", "41")}
REVENUE_SIGN, EXPENSE_SIGN = 1.0, -1.0


def is_nkf(land: str | None) -> bool:
    """Whether the Land's municipalities book on the NKF chart of accounts (the account-group rules apply)."""
    return land not in NON_NKF_PERSONNEL_GROUPS


def item_growth_rates(
    account_groups: Sequence[str | int],
    direction: npt.ArrayLike,
    *,
    inflation: float = DEFAULT_INFLATION,
    wage_growth: float = DEFAULT_WAGE_GROWTH,
    revenue_growth: Mapping[str, float] | None = None,
    land: str | None = None,
) -> np.ndarray:
    """Annual growth rate per item from its account group (first two digits) and direction.

    Personnel expense (NKF 50, 51; the Land's own groups outside the NKF) grows with wages, revenue of
    the groups in ``revenue_growth`` (default {"40": 3 %}, Steuern) with their rate, interest expense
    (NKF 55) not at all, everything else with inflation. Direction-aware (``direction`` +1 revenue,
    -1 expense, as in ``project_status_quo``), so a revenue rule never hits an expense group of the same
    number. The one growth rule: production (``planning.engine.scenarios``) and the benchmark use it.
    """
    revenue = (
        {"40": DEFAULT_TAX_GROWTH}
        if revenue_growth is None
        else {str(k): v for k, v in revenue_growth.items()}
    )
    personnel = set(NON_NKF_PERSONNEL_GROUPS.get(land or "", PERSONNEL_GROUPS))
    flat = set(FLAT_GROUPS) if is_nkf(land) else set()
    signs = np.broadcast_to(np.asarray(direction, dtype=np.float64), (len(account_groups),))
    rates = np.full(len(account_groups), float(inflation), dtype=np.float64)
    for j, account in enumerate(account_groups):
        group = str(account).strip()[:2]
        if signs[j] < 0 and group in personnel:
            rates[j] = wage_growth
        elif signs[j] < 0 and group in flat:
            rates[j] = 0.0
        elif signs[j] > 0 and group in revenue:
            rates[j] = float(revenue[group])
    return rates


def price_factors(growth_rates: np.ndarray, horizon: int) -> np.ndarray:
    """(1 + g)^t for t = 0..horizon, shape (..., horizon + 1)."""
    g = np.asarray(growth_rates, dtype=np.float64)
    return np.power(1.0 + g[..., None], np.arange(horizon + 1, dtype=np.float64))


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusQuoResult:
    """Projected amounts and what explains them.

    ``amounts`` (..., J, T+1) in EUR, float64; ``demographic_ratio`` driver(j,t)/driver(j,0), 1 for items
    without a driver (the UI's "why does this grow?"); ``balance`` (..., T+1) = sum of direction x amount
    when directions were given. ``price_factor()`` and ``effective_ratio()`` are derived on demand so the
    batch does not write arrays nobody reads.
    """

    amounts: np.ndarray
    demographic_ratio: np.ndarray
    balance: np.ndarray | None
    base_amounts: np.ndarray
    persistence: np.ndarray
    growth_rates: np.ndarray | None
    factor_matrix: np.ndarray | None

    @property
    def horizon(self) -> int:
        return self.amounts.shape[-1] - 1

    def price_factor(self) -> np.ndarray:
        """Price factor per item and year (1 everywhere when neither rates nor factors were given)."""
        if self.factor_matrix is not None:
            return np.broadcast_to(self.factor_matrix, self.amounts.shape)
        if self.growth_rates is None:
            return np.ones(self.amounts.shape)
        return np.broadcast_to(price_factors(self.growth_rates, self.horizon), self.amounts.shape)

    def effective_ratio(self) -> np.ndarray:
        """Ratio after Kostenremanenz: ratio if >= 1, else r + (1 - r) x ratio."""
        ratio = self.demographic_ratio
        keep = self.persistence[..., None]
        return np.maximum(ratio, keep + (1.0 - keep) * ratio)


#: Elements (municipalities x (T+1) x J) per chunk: small enough that a chunk's ratio and amount slices
#: stay in cache while the element-wise steps run over them, large enough to amortise numpy's per-call
#: overhead (measured best around 16 NRW municipalities of 300 items x 31 years).
_CHUNK_ELEMENTS = 150_000


def _as_float(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(f"{name} has shape {arr.shape}, expected {shape} or broadcastable") from None


def _shared(arr: np.ndarray) -> bool:
    """True when a (M, ...) array is one row broadcast to all municipalities (stride 0)."""
    return arr.shape[0] == 1 or arr.strides[0] == 0


def project_status_quo_batch(
    base_amounts: npt.ArrayLike,
    profiles: npt.ArrayLike,
    population: npt.ArrayLike,
    *,
    growth_rates: npt.ArrayLike | None = None,
    factor_matrix: npt.ArrayLike | None = None,
    persistence: npt.ArrayLike | None = None,
    direction: npt.ArrayLike | None = None,
    check: bool = True,
) -> StatusQuoResult:
    """Project M municipalities at once.

    Shapes: base_amounts (M, J); profiles (M, J, A) or (J, A) shared; population (M, A, T+1), column 0 the
    base year; growth_rates (M, J) or (J,) annual rates, or factor_matrix (M, J, T+1) / (J, T+1) price
    factors (give one; none = no price change); persistence (M, J) or (J,) in [0, 1]; direction (M, J) or
    (J,): +1 revenue, -1 expense, only for the balance (amounts keep the caller's sign convention).
    ``check=False`` skips input validation (for trusted inner loops).

    Returns float64 arrays of shape (M, J, T+1). They are views of year-major memory (M, T+1, J),
    because that layout keeps the element-wise steps on long contiguous rows; use
    ``np.ascontiguousarray`` if a consumer needs C order.
    """
    base = np.asarray(base_amounts, dtype=np.float64)
    if base.ndim != 2:
        raise ValueError(f"base_amounts must be (M, J), got shape {base.shape}")
    m, j = base.shape
    pop = np.asarray(population, dtype=np.float64)
    if pop.ndim != 3 or pop.shape[0] != m:
        raise ValueError(f"population must be (M, A, T+1) with M={m}, got {pop.shape}")
    a, t1 = pop.shape[1], pop.shape[2]
    prof = _as_float("profiles", profiles, (m, j, a))
    if growth_rates is not None and factor_matrix is not None:
        raise ValueError("give growth_rates or factor_matrix, not both")
    rates = None if growth_rates is None else _as_float("growth_rates", growth_rates, (m, j))
    factors = None if factor_matrix is None else _as_float("factor_matrix", factor_matrix, (m, j, t1))
    persist = (
        np.broadcast_to(0.0, (m, j)) if persistence is None else _as_float("persistence", persistence, (m, j))
    )
    dirs = None if direction is None else _as_float("direction", direction, (m, j))
    if check:
        _validate(base, prof, pop, rates, factors, persist)

    plan = _ChunkPlan(
        base=base,
        persist=persist,
        any_persist=bool(np.any(persist > 0)),
        price=_PricePlan.build(rates, factors, t1),
        check=check,
    )
    amounts_t = np.empty((m, t1, j))
    ratio_t = np.empty((m, t1, j))
    balance = np.empty((m, t1)) if dirs is not None else None
    step = max(1, _CHUNK_ELEMENTS // max(1, j * t1))
    scratch = np.empty((min(step, m), t1, j))
    for lo in range(0, m, step):
        hi = min(m, lo + step)
        r, out = ratio_t[lo:hi], amounts_t[lo:hi]
        # raw driver, year-major: N^T @ P^T; its first row is driver(j, 0)
        np.matmul(pop[lo:hi].transpose(0, 2, 1), prof[lo:hi].transpose(0, 2, 1), out=r)
        plan.finish(lo, hi, r, out, scratch)
        if balance is not None:
            assert dirs is not None
            np.matmul(out, dirs[lo:hi, :, None], out=balance[lo:hi, :, None])
    return StatusQuoResult(
        amounts=amounts_t.transpose(0, 2, 1),
        demographic_ratio=ratio_t.transpose(0, 2, 1),
        balance=balance,
        base_amounts=base,
        persistence=persist,
        growth_rates=rates,
        factor_matrix=factors,
    )


@dataclass(frozen=True)
class _PricePlan:
    """Price factors in year-major layout (T+1, J) for the chunk loop.

    Rates shared by all municipalities (the usual case: they come from account groups) give one table;
    per-municipality rates gather columns of a table of the few distinct rates, so no pow() per cell.
    """

    shared: np.ndarray | None = None
    factors: np.ndarray | None = None
    index: np.ndarray | None = None
    table: np.ndarray | None = None

    @classmethod
    def build(cls, rates: np.ndarray | None, factors: np.ndarray | None, t1: int) -> _PricePlan:
        if factors is not None:
            return (
                cls(shared=np.ascontiguousarray(factors[0].T)) if _shared(factors) else cls(factors=factors)
            )
        if rates is None:
            return cls()
        if _shared(rates):
            return cls(shared=np.ascontiguousarray(price_factors(rates[0], t1 - 1).T))
        unique, index = np.unique(rates, return_inverse=True)
        table = np.ascontiguousarray(price_factors(unique, t1 - 1).T)  # (T+1, U)
        return cls(index=index.reshape(rates.shape), table=table)

    def apply(self, lo: int, hi: int, out: np.ndarray) -> None:
        if self.shared is not None:
            out *= self.shared
        elif self.factors is not None:
            out *= self.factors[lo:hi].transpose(0, 2, 1)
        elif self.table is not None and self.index is not None:
            out *= np.take(self.table, self.index[lo:hi], axis=1).transpose(1, 0, 2)


@dataclass(frozen=True)
class _ChunkPlan:
    """Element-wise steps after the matmul, for a chunk of municipalities lo..hi-1."""

    base: np.ndarray  # (M, J)
    persist: np.ndarray  # (M, J)
    any_persist: bool
    price: _PricePlan
    check: bool

    def finish(self, lo: int, hi: int, r: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
        """Turn the raw driver chunk ``r`` (c, T+1, J) into the ratio in place; write amounts into ``out``.

        Kostenremanenz in the form base x eff = base (1 - keep) ratio + base keep max(ratio, 1), which
        equals base x max(ratio, keep + (1 - keep) ratio). An item without a driver (all-zero profile,
        or nobody of its group in the base year) gets keep = 1: its ratio is 0 here, so eff = max(0, 1)
        = 1 and it grows with prices only. With shared (or no) price factors this runs as one compiled
        pass (``_finish_chunk``), else as numpy steps in the same order (bitwise the same numbers).
        """
        driver0 = r[:, 0, :]
        if self.check and not np.all(np.isfinite(driver0)):
            # every profile weight enters driver(j, 0): inf x N gives inf, inf x 0 gives NaN
            raise ValueError("profiles must be finite")
        has_driver = driver0 > 0
        inv0 = np.divide(1.0, driver0, out=np.zeros_like(driver0), where=has_driver)
        complete = bool(has_driver.all())
        base = self.base[lo:hi]
        keep = np.where(has_driver, self.persist[lo:hi], 1.0)
        if FUSED and self.price.factors is None and self.price.table is None:
            price = self.price.shared if self.price.shared is not None else np.ones(r.shape[1:])
            _compiled_finish_chunk()(r, out, inv0, base * (1.0 - keep), base * keep, price)
        else:
            r *= inv0[:, None, :]
            if self.any_persist or not complete:
                np.multiply(r, (base * (1.0 - keep))[:, None, :], out=out)
                tmp = np.maximum(r, 1.0, out=scratch[: hi - lo])
                tmp *= (base * keep)[:, None, :]
                out += tmp
            else:
                np.multiply(r, base[:, None, :], out=out)
            self.price.apply(lo, hi, out)
        if not complete:  # the ratio of an item without a driver is 1 by definition
            without = ~has_driver
            if bool(np.all(without == without[0])):
                r[:, :, np.flatnonzero(without[0])] = 1.0
            else:
                for k in range(hi - lo):
                    r[k][:, np.flatnonzero(without[k])] = 1.0


#: Use the compiled one-pass chunk step where it applies (tests switch it off to compare both paths).
FUSED = True


@cache
def _compiled_finish_chunk():
    """``_finish_chunk`` compiled by numba, on first use: importing numba costs every process (web,
    worker, commands) a noticeable start-up time, and only projections need it."""
    import numba

    return numba.njit(cache=True, nogil=True)(_finish_chunk)


def _finish_chunk(r, out, inv0, scaled, kept, price):
    """ratio = raw driver x inv0 (in place); amount = (ratio x base(1 - keep) + max(ratio, 1) x base keep)
    x price: the numpy steps of ``_ChunkPlan.finish`` in the same order, so the results are bitwise equal."""
    c, t1, j = r.shape
    for k in range(c):
        for t in range(t1):
            for i in range(j):
                x = r[k, t, i] * inv0[k, i]
                r[k, t, i] = x
                m = x if x > 1.0 else 1.0
                out[k, t, i] = (x * scaled[k, i] + m * kept[k, i]) * price[t, i]


def _validate(
    base: np.ndarray,
    prof: np.ndarray,
    pop: np.ndarray,
    rates: np.ndarray | None,
    factors: np.ndarray | None,
    persist: np.ndarray,
) -> None:
    # Reductions instead of element-wise masks: NaN propagates through sum/min/max, so one pass each.
    # Infinite profile weights are caught in the chunk loop (they make driver(j, 0) inf or NaN).
    if not np.isfinite(np.sum(base)):
        raise ValueError("base_amounts must be finite")
    if not prof.min(initial=0.0) >= 0:
        raise ValueError("profiles must be non-negative (relative per-capita weights)")
    if not (pop.min(initial=0.0) >= 0 and np.isfinite(pop.max(initial=0.0))):
        raise ValueError("population must be finite and non-negative")
    if rates is not None and not (rates.min(initial=0.0) > -1 and np.isfinite(rates.max(initial=0.0))):
        raise ValueError("growth rates must be finite and > -100 %")
    if factors is not None and not (factors.min(initial=0.0) >= 0 and np.isfinite(factors.max(initial=0.0))):
        raise ValueError("price factors must be finite and non-negative")
    if not (persist.min(initial=0.0) >= 0 and persist.max(initial=0.0) <= 1):
        raise ValueError("persistence (Kostenremanenz) must be between 0 and 1")


def project_status_quo(
    base_amounts: npt.ArrayLike,
    profiles: npt.ArrayLike,
    population: npt.ArrayLike,
    *,
    growth_rates: npt.ArrayLike | None = None,
    factor_matrix: npt.ArrayLike | None = None,
    persistence: npt.ArrayLike | None = None,
    direction: npt.ArrayLike | None = None,
) -> StatusQuoResult:
    """Project one municipality: base_amounts (J,), profiles (J, A), population (A, T+1).

    growth_rates (J,) or factor_matrix (J, T+1); persistence (J,); direction (J,) +1 revenue / -1 expense.
    Returns amounts and demographic_ratio of shape (J, T+1), balance (T+1,).
    """
    base = np.asarray(base_amounts, dtype=np.float64)
    if base.ndim != 1:
        raise ValueError(f"base_amounts must be (J,), got shape {base.shape}")
    pop = np.asarray(population, dtype=np.float64)
    if pop.ndim != 2:
        raise ValueError(f"population must be (A, T+1), got shape {pop.shape}")
    res = project_status_quo_batch(
        base[None],
        np.asarray(profiles, dtype=np.float64)[None],
        pop[None],
        growth_rates=None if growth_rates is None else np.asarray(growth_rates)[None],
        factor_matrix=None if factor_matrix is None else np.asarray(factor_matrix)[None],
        persistence=None if persistence is None else np.asarray(persistence)[None],
        direction=None if direction is None else np.asarray(direction)[None],
    )
    return StatusQuoResult(
        amounts=res.amounts[0],
        demographic_ratio=res.demographic_ratio[0],
        balance=None if res.balance is None else res.balance[0],
        base_amounts=res.base_amounts[0],
        persistence=res.persistence[0],
        growth_rates=None if res.growth_rates is None else res.growth_rates[0],
        factor_matrix=None if res.factor_matrix is None else res.factor_matrix[0],
    )


# --------------------------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------------------------

CENT = Decimal("0.01")


def round_cents(values: npt.ArrayLike) -> np.ndarray:
    """Round EUR amounts half-up to cents as Decimal (object array), for storing in DecimalFields.

    Each float is read as its shortest round-trip decimal (``repr``), so 2.675 becomes 2.68 as the user
    expects, not 2.67 as its binary value would; ties round away from zero (kaufmännisch: -2.675 -> -2.68).
    """
    arr = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError("cannot round NaN or infinite amounts to cents")
    flat = [Decimal(repr(float(x))).quantize(CENT, rounding=ROUND_HALF_UP) + 0 for x in arr.ravel()]
    out = np.empty(arr.size, dtype=object)
    out[:] = flat
    return out.reshape(arr.shape)


def result_frames(
    result: StatusQuoResult, items: Sequence[object] | pd.Index, base_year: int
) -> dict[str, pd.DataFrame]:
    """DataFrames (item x year) for one municipality.

    Keys: amounts, demographic_ratio, effective_ratio, price_factor. ``amounts`` stays float; round with
    ``round_cents`` when storing.
    """
    if result.amounts.ndim != 2:
        raise ValueError("result_frames is for a single municipality")
    index = items if isinstance(items, pd.Index) else pd.Index(list(items), name="item")
    columns = pd.Index(range(base_year, base_year + result.horizon + 1), name="year")
    arrays = {
        "amounts": result.amounts,
        "demographic_ratio": result.demographic_ratio,
        "effective_ratio": result.effective_ratio(),
        "price_factor": result.price_factor(),
    }
    return {name: pd.DataFrame(np.array(arr), index=index, columns=columns) for name, arr in arrays.items()}
