"""Reserve mechanics and the legal triggers of GO NRW for a multi-year path of annual results.

Why this module exists: a municipality does not fail when it runs a deficit, it fails when the deficit
eats through the reserves in a way the Gemeindeordnung forbids or sanctions. Planners therefore need to
see, year by year, which part of equity (Eigenkapital) absorbs a result and when a budget security plan
(Haushaltssicherungskonzept, HSK) or over-indebtedness (Überschuldung) is reached.

Equity model (documented in docs/resilience-method.md)::

    equity = equalisation_reserve  # Ausgleichsrücklage
           + general_reserve       # allgemeine Rücklage
           + other_equity          # Sonderrücklagen, Ergebnisvortrag ... (may turn negative)

Rules per year, in this order:

* Deficit (result < 0): taken from the Ausgleichsrücklage first (§ 75 Abs. 2 Satz 3 GO NRW, "fiktiver
  Haushaltsausgleich"), the rest from the allgemeine Rücklage (needs approval, § 75 Abs. 4), anything
  beyond that reduces other equity, which may become negative (nicht durch Eigenkapital gedeckter
  Fehlbetrag).
* Surplus (result >= 0): first restores other equity up to its opening value (a loss carried forward is
  covered first), then flows into the Ausgleichsrücklage as long as it stays at or below one third of the
  year-end equity (§ 75 Abs. 3 Satz 2 GO NRW), the rest into the allgemeine Rücklage (§ 96 GO NRW).
  Assumption: the council always decides to fill the Ausgleichsrücklage as far as allowed.
* Triggers (§ 76 Abs. 1 GO NRW, strict inequalities: exactly 25 % or 5 % is *not* "more than"):
  ``HSK_25_PERCENT`` general reserve falls by more than a quarter of that year's opening value,
  ``HSK_5_PERCENT_TWO_YEARS`` it falls by more than 5 % of the opening value in each of two successive
  years (flagged in the second year of each such pair), ``OVERINDEBTED`` equity at year end <= 0
  (§ 75 Abs. 7; also § 76 Abs. 1 Nr. 3).

Two implementations share these rules: an exact one on :class:`~decimal.Decimal` for the deterministic
plan (what the finance department compares to the cent) and a vectorised float64 one over many paths for
Monte Carlo (``simulate_reserves``). ``reserve_path_float`` is the plain-Python float version of the exact
one; tests use it to prove the vectorised code applies the very same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

CENT = Decimal("0.01")
DEFAULT_EQUALISATION_CAP = Fraction(1, 3)  # § 75 Abs. 3 GO NRW: höchstens ein Drittel des Eigenkapitals
HSK_SINGLE_YEAR_SHARE = Fraction(1, 4)  # § 76 Abs. 1 Nr. 1: mehr als ein Viertel
HSK_TWO_YEAR_SHARE = Fraction(1, 20)  # § 76 Abs. 1 Nr. 2: jeweils mehr als ein Zwanzigstel


class Status(IntEnum):
    """Budget status of one year under § 75 GO NRW; the integer is the code used in path arrays."""

    BALANCED = 0
    BALANCED_BY_EQUALISATION_RESERVE = 1
    GENERAL_RESERVE_USED = 2
    GENERAL_RESERVE_EXHAUSTED = 3
    OVERINDEBTED = 4

    @property
    def label_de(self) -> str:
        return _STATUS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _STATUS_LABELS[self][1]


_STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.BALANCED: (
        "Haushalt ausgeglichen (§ 75 Abs. 2 Satz 1 GO NRW)",
        "Budget balanced (§ 75 (2) sentence 1 GO NRW)",
    ),
    Status.BALANCED_BY_EQUALISATION_RESERVE: (
        "Fiktiver Haushaltsausgleich durch Ausgleichsrücklage (§ 75 Abs. 2 Satz 3 GO NRW)",
        "Balanced by drawing on the equalisation reserve (§ 75 (2) sentence 3 GO NRW)",
    ),
    Status.GENERAL_RESERVE_USED: (
        "Inanspruchnahme der allgemeinen Rücklage, genehmigungspflichtig (§ 75 Abs. 4 GO NRW)",
        "General reserve drawn on, needs supervisory approval (§ 75 (4) GO NRW)",
    ),
    Status.GENERAL_RESERVE_EXHAUSTED: (
        "Allgemeine Rücklage aufgebraucht, Fehlbetrag mindert übriges Eigenkapital",
        "General reserve used up, the deficit reduces the remaining equity",
    ),
    Status.OVERINDEBTED: (
        "Überschuldung: Eigenkapital aufgebraucht (§ 75 Abs. 7 GO NRW)",
        "Over-indebted: equity used up (§ 75 (7) GO NRW)",
    ),
}


class TriggerCode(StrEnum):
    """Legal thresholds that force a budget security plan (HSK) or signal over-indebtedness."""

    HSK_25_PERCENT = "HSK_25_PERCENT"
    HSK_5_PERCENT_TWO_YEARS = "HSK_5_PERCENT_TWO_YEARS"
    OVERINDEBTED = "OVERINDEBTED"


#: Order of the last axis of ``ReservePathArrays.triggers``.
TRIGGER_ORDER: tuple[TriggerCode, ...] = tuple(TriggerCode)


@dataclass(frozen=True)
class OpeningBalances:
    """Equity components at the start of the first year of the path (Eröffnungswerte).

    ``other_equity`` holds whatever equity is neither Ausgleichsrücklage nor allgemeine Rücklage
    (Sonderrücklagen, Ergebnisvortrag). Pass 0 for the strict reading in which only the two reserves
    can absorb deficits.
    """

    equalisation_reserve: Decimal  # Ausgleichsrücklage
    general_reserve: Decimal  # allgemeine Rücklage
    other_equity: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("equalisation_reserve", "general_reserve", "other_equity"):
            object.__setattr__(self, name, _to_decimal(getattr(self, name)))
        if self.equalisation_reserve < 0 or self.general_reserve < 0:
            raise ValueError("Ausgleichsrücklage and allgemeine Rücklage cannot be negative")

    @property
    def equity(self) -> Decimal:
        """Eigenkapital = Ausgleichsrücklage + allgemeine Rücklage + übriges Eigenkapital."""
        return self.equalisation_reserve + self.general_reserve + self.other_equity


@dataclass(frozen=True)
class Trigger:
    """One legal trigger in one year, with a reason sentence that quotes the numbers."""

    code: TriggerCode
    year: int
    reason_de: str
    reason_en: str


@dataclass(frozen=True)
class ReserveYear:
    """Movement of the reserves in one year and the legal assessment of that year."""

    year: int
    annual_result: Decimal  # Jahresergebnis (negativ = Fehlbetrag)
    equalisation_reserve_start: Decimal
    equalisation_reserve_end: Decimal
    general_reserve_start: Decimal
    general_reserve_end: Decimal
    other_equity_end: Decimal
    equity_end: Decimal
    #: (start - end) / start of the allgemeine Rücklage; negative when it grows; None when start <= 0
    general_reserve_reduction_share: Decimal | None
    status: Status
    triggers: tuple[Trigger, ...]


@dataclass(frozen=True)
class ReservePath:
    """The deterministic reserve path of a plan and whether it requires an HSK."""

    years: tuple[ReserveYear, ...]
    hsk_required: bool
    first_trigger_year: int | None

    @property
    def triggers(self) -> tuple[Trigger, ...]:
        return tuple(t for y in self.years for t in y.triggers)


# --------------------------------------------------------------------------------------------------
# Scalar rules (shared by the Decimal and the plain-float implementation)
# --------------------------------------------------------------------------------------------------


def _year_step[N: (Decimal, float)](
    eq: N, gen: N, other: N, result: N, other_opening: N, cap: Callable[[N], N] | None, zero: N
) -> tuple[N, N, N, N, N]:
    """Apply one year's result; returns (eq_end, gen_end, other_end, drawn_from_gen, drawn_from_other)."""
    drawn_gen = zero
    drawn_other = zero
    if result < zero:
        deficit = -result
        from_eq = min(deficit, max(eq, zero))
        eq = eq - from_eq
        deficit = deficit - from_eq
        drawn_gen = min(deficit, max(gen, zero))
        gen = gen - drawn_gen
        drawn_other = deficit - drawn_gen
        other = other - drawn_other
    else:
        surplus = result
        repay = min(surplus, max(other_opening - other, zero))
        other = other + repay
        surplus = surplus - repay
        if cap is None:
            to_eq = surplus
        else:
            room = max(cap(eq + gen + other + surplus) - eq, zero)
            to_eq = min(surplus, room)
        eq = eq + to_eq
        gen = gen + (surplus - to_eq)
    return eq, gen, other, drawn_gen, drawn_other


def _status[N: (Decimal, float)](result: N, equity_end: N, drawn_gen: N, drawn_other: N, zero: N) -> Status:
    if equity_end <= zero:
        return Status.OVERINDEBTED
    if result >= zero:
        return Status.BALANCED
    if drawn_other > zero:
        return Status.GENERAL_RESERVE_EXHAUSTED
    if drawn_gen > zero:
        return Status.GENERAL_RESERVE_USED
    return Status.BALANCED_BY_EQUALISATION_RESERVE


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # also numpy.float64, whose repr is not a plain number
        return Decimal(repr(float(value)))
    return Decimal(value)


def _decimal_cap(share: Fraction) -> Callable[[Decimal], Decimal]:
    def cap(equity: Decimal) -> Decimal:
        # Round down to the cent so the Ausgleichsrücklage never exceeds the legal maximum.
        return (equity * share.numerator / share.denominator).quantize(CENT, rounding=ROUND_FLOOR)

    return cap


def _check_years(years: Sequence[int]) -> None:
    if not years:
        raise ValueError("the results path is empty")
    if any(b - a != 1 for a, b in pairwise(years)):
        raise ValueError(f"years must be consecutive, got {list(years)}")


# --------------------------------------------------------------------------------------------------
# Formatting of reason sentences
# --------------------------------------------------------------------------------------------------


def _format_share(share: Fraction | Decimal | float, threshold: Fraction, decimal_comma: bool) -> str:
    """Percent with one decimal, more if rounding would make "31.2 % (> 25 %)" read as not above."""
    if isinstance(share, Fraction):
        pct = Decimal(share.numerator * 100) / Decimal(share.denominator)
    elif isinstance(share, float):
        pct = Decimal(repr(float(share) * 100))
    else:
        pct = share * 100
    limit = Decimal(threshold.numerator * 100) / threshold.denominator
    text = ""
    for places in range(1, 5):
        shown = pct.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{shown:.{places}f}"
        if shown > limit:
            break
    return text.replace(".", ",") if decimal_comma else text


def format_eur(amount: Decimal | float, *, german: bool = True) -> str:
    """Amount in EUR with thousands separators, German (1.234,56) or English (1,234.56) style."""
    text = f"{Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    if german:
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} EUR"


def _trigger_hsk25(year: int, share: Fraction | Decimal | float) -> Trigger:
    de = _format_share(share, HSK_SINGLE_YEAR_SHARE, True)
    en = _format_share(share, HSK_SINGLE_YEAR_SHARE, False)
    return Trigger(
        TriggerCode.HSK_25_PERCENT,
        year,
        f"Allgemeine Rücklage sinkt {year} um {de} % (> 25 %): Haushaltssicherungskonzept nötig "
        "(§ 76 Abs. 1 Nr. 1 GO NRW)",
        f"General reserve falls by {en} % in {year} (> 25 %): budget security plan required "
        "(§ 76 (1) no. 1 GO NRW)",
    )


def _trigger_hsk5(year: int, prev_share: Any, share: Any) -> Trigger:
    p_de = _format_share(prev_share, HSK_TWO_YEAR_SHARE, True)
    p_en = _format_share(prev_share, HSK_TWO_YEAR_SHARE, False)
    de = _format_share(share, HSK_TWO_YEAR_SHARE, True)
    en = _format_share(share, HSK_TWO_YEAR_SHARE, False)
    return Trigger(
        TriggerCode.HSK_5_PERCENT_TWO_YEARS,
        year,
        f"Allgemeine Rücklage sinkt {year - 1} um {p_de} % und {year} um {de} % (jeweils > 5 %): "
        "Haushaltssicherungskonzept nötig (§ 76 Abs. 1 Nr. 2 GO NRW)",
        f"General reserve falls by {p_en} % in {year - 1} and by {en} % in {year} (each > 5 %): "
        "budget security plan required (§ 76 (1) no. 2 GO NRW)",
    )


def _trigger_overindebted(year: int, equity_end: Decimal | float) -> Trigger:
    return Trigger(
        TriggerCode.OVERINDEBTED,
        year,
        f"Eigenkapital Ende {year} bei {format_eur(equity_end)} (≤ 0): Überschuldung "
        "(§ 75 Abs. 7 GO NRW), Haushaltssicherungskonzept nötig (§ 76 Abs. 1 Nr. 3 GO NRW)",
        f"Equity at the end of {year} is {format_eur(equity_end, german=False)} (≤ 0): over-indebted "
        "(§ 75 (7) GO NRW), budget security plan required (§ 76 (1) no. 3 GO NRW)",
    )


# --------------------------------------------------------------------------------------------------
# Exact deterministic path
# --------------------------------------------------------------------------------------------------


def run_reserve_path(
    opening: OpeningBalances,
    results: Mapping[int, Decimal | int | str | float],
    *,
    equalisation_cap: Fraction | None = DEFAULT_EQUALISATION_CAP,
) -> ReservePath:
    """Roll the reserves forward over consecutive years with exact Decimal arithmetic.

    ``results`` maps year -> annual result (negative = Fehlbetrag). Amounts are not rounded except for
    the cap of the Ausgleichsrücklage (rounded down to the cent); money outputs are quantized to cents
    for display. ``equalisation_cap=None`` lets every surplus flow into the Ausgleichsrücklage.
    """
    years = sorted(results)
    _check_years(years)
    zero = Decimal(0)
    cap = None if equalisation_cap is None else _decimal_cap(equalisation_cap)
    eq, gen, other = opening.equalisation_reserve, opening.general_reserve, opening.other_equity
    rows: list[ReserveYear] = []
    prev_exceeds_5: Fraction | None = None  # last year's reduction share when it was above 5 %
    for year in years:
        result = _to_decimal(results[year])
        eq0, gen0 = eq, gen
        eq, gen, other, drawn_gen, drawn_other = _year_step(
            eq, gen, other, result, opening.other_equity, cap, zero
        )
        equity = eq + gen + other
        reduction = gen0 - gen
        share = reduction / gen0 if gen0 > 0 else None
        triggers: list[Trigger] = []
        # Integer multiples instead of share > 0.25 keep the comparison exact at the boundary.
        if gen0 > 0 and reduction * 4 > gen0:
            triggers.append(_trigger_hsk25(year, Fraction(reduction) / Fraction(gen0)))
        exceeds_5 = gen0 > 0 and reduction * 20 > gen0
        if exceeds_5 and prev_exceeds_5 is not None:
            triggers.append(_trigger_hsk5(year, prev_exceeds_5, Fraction(reduction) / Fraction(gen0)))
        prev_exceeds_5 = Fraction(reduction) / Fraction(gen0) if exceeds_5 else None
        if equity <= 0:
            triggers.append(_trigger_overindebted(year, equity))
        rows.append(
            ReserveYear(
                year=year,
                annual_result=result.quantize(CENT),
                equalisation_reserve_start=eq0.quantize(CENT),
                equalisation_reserve_end=eq.quantize(CENT),
                general_reserve_start=gen0.quantize(CENT),
                general_reserve_end=gen.quantize(CENT),
                other_equity_end=other.quantize(CENT),
                equity_end=equity.quantize(CENT),
                general_reserve_reduction_share=share,
                status=_status(result, equity, drawn_gen, drawn_other, zero),
                triggers=tuple(triggers),
            )
        )
    first = next((r.year for r in rows if r.triggers), None)
    return ReservePath(years=tuple(rows), hsk_required=first is not None, first_trigger_year=first)


# --------------------------------------------------------------------------------------------------
# Plain-float per-path reference (same rules, no numpy) and the vectorised version
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloatReserveYear:
    """One year of :func:`reserve_path_float` (float twin of :class:`ReserveYear`, no texts)."""

    equalisation_reserve_start: float
    equalisation_reserve_end: float
    general_reserve_start: float
    general_reserve_end: float
    other_equity_end: float
    equity_end: float
    reduction_share: float  # nan when the opening general reserve is <= 0
    status: Status
    triggers: tuple[TriggerCode, ...]


def reserve_path_float(
    results: Sequence[float],
    equalisation_reserve: float,
    general_reserve: float,
    other_equity: float = 0.0,
    *,
    equalisation_cap: float | None = 1 / 3,
) -> list[FloatReserveYear]:
    """Readable per-path loop in plain floats; the reference that ``simulate_reserves`` must equal."""
    cap = None if equalisation_cap is None else (lambda equity: equity * equalisation_cap)
    eq, gen, other = float(equalisation_reserve), float(general_reserve), float(other_equity)
    other_opening = other
    out: list[FloatReserveYear] = []
    prev_exceeds_5 = False
    for raw in results:
        result = float(raw)
        eq0, gen0 = eq, gen
        eq, gen, other, drawn_gen, drawn_other = _year_step(eq, gen, other, result, other_opening, cap, 0.0)
        equity = eq + gen + other
        reduction = gen0 - gen
        triggers: list[TriggerCode] = []
        if gen0 > 0 and reduction * 4 > gen0:
            triggers.append(TriggerCode.HSK_25_PERCENT)
        exceeds_5 = gen0 > 0 and reduction * 20 > gen0
        if exceeds_5 and prev_exceeds_5:
            triggers.append(TriggerCode.HSK_5_PERCENT_TWO_YEARS)
        prev_exceeds_5 = exceeds_5
        if equity <= 0:
            triggers.append(TriggerCode.OVERINDEBTED)
        out.append(
            FloatReserveYear(
                equalisation_reserve_start=eq0,
                equalisation_reserve_end=eq,
                general_reserve_start=gen0,
                general_reserve_end=gen,
                other_equity_end=other,
                equity_end=equity,
                reduction_share=reduction / gen0 if gen0 > 0 else float("nan"),
                status=_status(result, equity, drawn_gen, drawn_other, 0.0),
                triggers=tuple(triggers),
            )
        )
    return out


@dataclass(frozen=True)
class ReservePathArrays:
    """Reserve paths of many simulations; every array has shape (P, T) unless noted."""

    annual_result: NDArray[np.float64]
    equalisation_reserve_start: NDArray[np.float64]
    equalisation_reserve_end: NDArray[np.float64]
    general_reserve_start: NDArray[np.float64]
    general_reserve_end: NDArray[np.float64]
    other_equity_end: NDArray[np.float64]
    equity_end: NDArray[np.float64]
    reduction_share: NDArray[np.float64]  # nan where the opening general reserve is <= 0
    status: NDArray[np.int8]  # Status codes
    triggers: NDArray[np.bool_]  # (P, T, K), K in TRIGGER_ORDER

    def trigger(self, code: TriggerCode | str) -> NDArray[np.bool_]:
        """Boolean (P, T) array of one trigger."""
        return self.triggers[:, :, TRIGGER_ORDER.index(TriggerCode(code))]

    @property
    def any_trigger(self) -> NDArray[np.bool_]:
        """(P, T): any HSK trigger or over-indebtedness in that year."""
        return self.triggers.any(axis=2)


def simulate_reserves(
    results: ArrayLike,
    equalisation_reserve: float,
    general_reserve: float,
    other_equity: float = 0.0,
    *,
    equalisation_cap: float | None = 1 / 3,
) -> ReservePathArrays:
    """Vectorised reserve mechanics and trigger checks over paths (P, T): a loop over years only.

    Each operation mirrors :func:`reserve_path_float` element by element (same IEEE operations in the
    same order), so both give identical numbers for the same results.
    """
    res = np.atleast_2d(np.asarray(results, dtype=np.float64))
    n_paths, horizon = res.shape
    eq = np.full(n_paths, float(equalisation_reserve))
    gen = np.full(n_paths, float(general_reserve))
    other = np.full(n_paths, float(other_equity))
    other_opening = float(other_equity)
    shape = (n_paths, horizon)
    out = {name: np.empty(shape) for name in ("eq0", "eq1", "gen0", "gen1", "other1", "equity", "share")}
    status = np.empty(shape, dtype=np.int8)
    triggers = np.zeros((n_paths, horizon, len(TRIGGER_ORDER)), dtype=np.bool_)
    i25 = TRIGGER_ORDER.index(TriggerCode.HSK_25_PERCENT)
    i5 = TRIGGER_ORDER.index(TriggerCode.HSK_5_PERCENT_TWO_YEARS)
    iover = TRIGGER_ORDER.index(TriggerCode.OVERINDEBTED)
    prev_exceeds_5 = np.zeros(n_paths, dtype=np.bool_)
    for t in range(horizon):
        r = res[:, t]
        eq0, gen0 = eq, gen
        deficit_mask = r < 0
        # Deficit branch
        deficit = np.where(deficit_mask, -r, 0.0)
        from_eq = np.minimum(deficit, np.maximum(eq, 0.0))
        deficit = deficit - from_eq
        drawn_gen = np.minimum(deficit, np.maximum(gen, 0.0))
        drawn_other = deficit - drawn_gen
        # Surplus branch
        surplus = np.where(deficit_mask, 0.0, r)
        repay = np.minimum(surplus, np.maximum(other_opening - other, 0.0))
        surplus_left = surplus - repay
        other_s = other + repay
        if equalisation_cap is None:
            to_eq = surplus_left
        else:
            room = np.maximum((eq + gen + other_s + surplus_left) * equalisation_cap - eq, 0.0)
            to_eq = np.minimum(surplus_left, room)
        eq = np.where(deficit_mask, eq - from_eq, eq + to_eq)
        gen = np.where(deficit_mask, gen - drawn_gen, gen + (surplus_left - to_eq))
        other = np.where(deficit_mask, other - drawn_other, other_s)
        drawn_gen = np.where(deficit_mask, drawn_gen, 0.0)
        drawn_other = np.where(deficit_mask, drawn_other, 0.0)
        equity = eq + gen + other
        reduction = gen0 - gen
        positive = gen0 > 0
        triggers[:, t, i25] = positive & (reduction * 4 > gen0)
        exceeds_5 = positive & (reduction * 20 > gen0)
        triggers[:, t, i5] = exceeds_5 & prev_exceeds_5
        prev_exceeds_5 = exceeds_5
        triggers[:, t, iover] = equity <= 0
        st = np.full(n_paths, Status.BALANCED_BY_EQUALISATION_RESERVE, dtype=np.int8)
        st[drawn_gen > 0] = Status.GENERAL_RESERVE_USED
        st[drawn_other > 0] = Status.GENERAL_RESERVE_EXHAUSTED
        st[r >= 0] = Status.BALANCED
        st[equity <= 0] = Status.OVERINDEBTED
        status[:, t] = st
        out["eq0"][:, t], out["eq1"][:, t] = eq0, eq
        out["gen0"][:, t], out["gen1"][:, t] = gen0, gen
        out["other1"][:, t], out["equity"][:, t] = other, equity
        with np.errstate(divide="ignore", invalid="ignore"):
            out["share"][:, t] = np.where(positive, reduction / np.where(positive, gen0, 1.0), np.nan)
    return ReservePathArrays(
        annual_result=res,
        equalisation_reserve_start=out["eq0"],
        equalisation_reserve_end=out["eq1"],
        general_reserve_start=out["gen0"],
        general_reserve_end=out["gen1"],
        other_equity_end=out["other1"],
        equity_end=out["equity"],
        reduction_share=out["share"],
        status=status,
        triggers=triggers,
    )


def trigger_probabilities(
    results: ArrayLike,
    equalisation_reserve: float,
    general_reserve: float,
    other_equity: float = 0.0,
    *,
    equalisation_cap: float | None = 1 / 3,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Share of paths (P, T) with any § 76 trigger in each year, and within the first k years.

    The same numbers as ``simulate_reserves(...).triggers.any(axis=2)`` averaged over paths (a test
    checks it), computed in one compiled pass over each path without keeping the reserve arrays: the
    measure comparison needs it once for the status quo and once per left-out measure, where the full
    arrays cost as much as the Monte Carlo itself (measured: bench/resilience_measures.py).
    """
    res = np.ascontiguousarray(np.atleast_2d(np.asarray(results, dtype=np.float64)))
    n_paths, horizon = res.shape
    per_year = np.zeros(horizon, dtype=np.int64)
    cumulative = np.zeros(horizon, dtype=np.int64)
    _compiled_count_triggers()(
        res,
        float(equalisation_reserve),
        float(general_reserve),
        float(other_equity),
        equalisation_cap is not None,
        0.0 if equalisation_cap is None else float(equalisation_cap),
        per_year,
        cumulative,
    )
    return per_year / n_paths, cumulative / n_paths


@cache
def _compiled_count_triggers():
    """Compiled by numba on first use (importing numba costs every process start-up time)."""
    import numba

    return numba.njit(cache=True, nogil=True)(_count_triggers)


def _count_triggers(res, eq_open, gen_open, other_open, has_cap, cap, per_year, cumulative):
    """Per path, the year loop of ``simulate_reserves`` on scalars (same IEEE operations in the same
    order): counts paths with any trigger per year and paths triggered at least once up to each year."""
    n_paths, horizon = res.shape
    for p in range(n_paths):
        eq, gen, other = eq_open, gen_open, other_open
        prev_exceeds_5 = False
        seen = False
        for t in range(horizon):
            r = res[p, t]
            gen0 = gen
            if r < 0:
                deficit = -r
                from_eq = min(deficit, max(eq, 0.0))
                deficit = deficit - from_eq
                drawn_gen = min(deficit, max(gen, 0.0))
                drawn_other = deficit - drawn_gen
                eq = eq - from_eq
                gen = gen - drawn_gen
                other = other - drawn_other
            else:
                surplus = r
                repay = min(surplus, max(other_open - other, 0.0))
                surplus_left = surplus - repay
                other_s = other + repay
                if has_cap:
                    room = max((eq + gen + other_s + surplus_left) * cap - eq, 0.0)
                    to_eq = min(surplus_left, room)
                else:
                    to_eq = surplus_left
                eq = eq + to_eq
                gen = gen + (surplus_left - to_eq)
                other = other_s
            equity = eq + gen + other
            reduction = gen0 - gen
            positive = gen0 > 0
            exceeds_5 = positive and reduction * 20 > gen0
            hit = (positive and reduction * 4 > gen0) or (exceeds_5 and prev_exceeds_5) or equity <= 0
            prev_exceeds_5 = exceeds_5
            if hit:
                per_year[t] += 1
                seen = True
            if seen:
                cumulative[t] += 1
