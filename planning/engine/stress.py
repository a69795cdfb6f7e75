"""Deterministic stress tests on a base path of revenue and expense groups (IMF fiscal-stress style).

Why: the medium-term plan (§ 84 GO NRW) is a single expected path; planners must also see what a
documented shock does to the annual results and, through :mod:`planning.engine.resilience`, to the
reserves and the HSK triggers. All functions are pure: they take a :class:`BasePath` and return new
arrays, never mutating their inputs.

Shock semantics (see docs/resilience-method.md):

* ``percent``: the affected share of the group is multiplied by ``1 + value/100`` in the affected years
  only (transitory; the level returns to plan afterwards).
* ``growth_pp``: the group's growth rate is lowered/raised by ``value`` percentage points in each affected
  year and the level effect persists for the rest of the horizon. The level factor of one affected year is
  ``1 + value/100``; this approximates ``(1 + g + d) / (1 + g)`` (error d·g/(1+g), below 0.05 pp for
  growth g <= 5 % and d = 1 pp) and does not need the year before the path.
* ``absolute``: ``value`` EUR is added to the group (positive = more revenue or more expense) in the
  affected years. With ``group=None`` it is an additional expense outside every group.

Multiplicative factors are applied first (they multiply), absolute amounts are added afterwards.
Amounts of groups are positive; the sign comes from the group's kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

GroupKind = Literal["revenue", "expense"]
ShockKind = Literal["percent", "absolute", "growth_pp"]

#: Default share of Gewerbesteuer in NKF group 40 (Steuern und ähnliche Abgaben). Typical NRW cities
#: with trade are around 35-50 %; 0.45 is a conservative (higher-risk) middle value. Override per city.
DEFAULT_TRADE_TAX_SHARE = 0.45
#: Prefixes of ordinary expenses in the NKF Ergebnisplan (Personal, Versorgung, Sach- und
#: Dienstleistungen, Transfer, sonstige ordentliche, Abschreibungen), excluding Zinsen (55, financial
#: result), internal (58) and extraordinary (59) items.
ORDINARY_EXPENSE_PREFIXES = ("50", "51", "52", "53", "54", "57")
TRADE_TAX_ACCOUNT = "4013"  # NKF-Kontenrahmen NRW: 4013 Gewerbesteuer


@dataclass(frozen=True)
class Group:
    """A revenue or expense group of the plan, usually an NKF account group ("40", "53") or account."""

    code: str
    name: str
    kind: GroupKind

    @property
    def sign(self) -> float:
        """+1 for revenue (Erträge), -1 for expenses (Aufwendungen): result = sum(sign * amount)."""
        return 1.0 if self.kind == "revenue" else -1.0


@dataclass(frozen=True)
class DebtInfo:
    """Debt that an interest shock can reach (Kredite für Investitionen und zur Liquiditätssicherung)."""

    investment_loans: float  # Investitionskredite, EUR
    variable_rate_share: float  # share of investment loans with variable rate or due for refinancing now
    liquidity_loans: float  # Liquiditätskredite (Kassenkredite), always short-term/variable
    interest_rate: float  # average rate on liquidity loans, e.g. 0.035; prices new borrowing
    #: share of the fixed-rate investment loans that reach refinancing each year (0 = ignore rollover)
    refinancing_share_per_year: float = 0.0

    @property
    def variable_debt(self) -> float:
        """Debt whose interest adjusts at once: variable-rate loans plus all liquidity loans."""
        return self.investment_loans * self.variable_rate_share + self.liquidity_loans


@dataclass(frozen=True)
class BasePath:
    """The planned amounts of revenue and expense groups per year: ``amounts`` has shape (G, T)."""

    years: tuple[int, ...]
    groups: tuple[Group, ...]
    amounts: NDArray[np.float64]
    debt: DebtInfo | None = None
    #: expenses outside every group per year (T,), e.g. a realised contingent liability
    additional_expenses: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        amounts = np.asarray(self.amounts, dtype=np.float64)
        object.__setattr__(self, "years", tuple(int(y) for y in self.years))
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "amounts", amounts)
        if amounts.shape != (len(self.groups), len(self.years)):
            raise ValueError(f"amounts must have shape (G, T) = {(len(self.groups), len(self.years))}")
        extra = self.additional_expenses
        extra = np.zeros(len(self.years)) if extra is None else np.asarray(extra, dtype=np.float64)
        if extra.shape != (len(self.years),):
            raise ValueError("additional_expenses must have shape (T,)")
        object.__setattr__(self, "additional_expenses", extra)

    @property
    def signs(self) -> NDArray[np.float64]:
        return np.array([g.sign for g in self.groups])

    def results(self) -> NDArray[np.float64]:
        """Annual results (Jahresergebnis) per year: revenues - expenses - additional expenses."""
        assert self.additional_expenses is not None
        return self.signs @ self.amounts - self.additional_expenses

    def index(self, code: str) -> int:
        for i, g in enumerate(self.groups):
            if g.code == code:
                return i
        raise KeyError(f"no group {code!r} in the base path")

    def codes_with_prefix(self, *prefixes: str) -> list[str]:
        return [g.code for g in self.groups if g.code.startswith(prefixes)]


@dataclass(frozen=True)
class Shock:
    """One shock on one group (or, with ``group=None`` and kind absolute, an ungrouped expense).

    Years are either absolute (``years``) or relative to the first year of the path: ``year_offset``
    (0 = first year) and ``duration`` years (None = through the end of the horizon).
    """

    group: str | None
    kind: ShockKind
    value: float
    years: tuple[int, ...] | None = None
    year_offset: int = 0
    duration: int | None = 1
    share: float = 1.0  # affected share of the group (e.g. Gewerbesteuer within group 40)
    label: str = ""

    def mask(self, years: Sequence[int]) -> NDArray[np.bool_]:
        """Boolean (T,) mask of the affected years; years outside the horizon are ignored."""
        if self.years is not None:
            wanted = set(self.years)
            return np.array([y in wanted for y in years], dtype=np.bool_)
        idx = np.arange(len(years))
        end = len(years) if self.duration is None else self.year_offset + self.duration
        return (idx >= self.year_offset) & (idx < end)


@dataclass(frozen=True)
class StressResult:
    """Shocked plan: amounts (G, T), results (T,) and the change against the base path."""

    preset_id: str
    years: tuple[int, ...]
    amounts: NDArray[np.float64]
    additional_expenses: NDArray[np.float64]
    results: NDArray[np.float64]
    base_results: NDArray[np.float64]
    shocks: tuple[Shock, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def delta(self) -> NDArray[np.float64]:
        """Change of the annual result against plan (negative = worse)."""
        return self.results - self.base_results

    def results_by_year(self) -> dict[int, Decimal]:
        """Annual results rounded to the cent, ready for :func:`resilience.run_reserve_path`."""
        cent = Decimal("0.01")
        return {
            y: Decimal(repr(float(r))).quantize(cent, rounding=ROUND_HALF_UP)
            for y, r in zip(self.years, self.results, strict=True)
        }


def apply_shocks(base: BasePath, shocks: Sequence[Shock], *, preset_id: str = "custom") -> StressResult:
    """Apply shocks to a base path and return the shocked amounts and annual results.

    Raises ``KeyError`` for an unknown group and ``ValueError`` for an inconsistent shock, because a
    silently ignored shock would show a plan as more resilient than it is.
    """
    amounts = base.amounts.copy()
    assert base.additional_expenses is not None
    extra = base.additional_expenses.copy()
    horizon = len(base.years)
    factors = np.ones_like(amounts)
    absolutes = np.zeros_like(amounts)
    for shock in shocks:
        mask = shock.mask(base.years)
        if shock.group is None:
            if shock.kind != "absolute":
                raise ValueError("a shock without group must be of kind 'absolute' (an extra expense)")
            extra += np.where(mask, shock.value, 0.0)
            continue
        g = base.index(shock.group)
        if shock.kind == "percent":
            factors[g] *= np.where(mask, 1.0 + shock.share * shock.value / 100.0, 1.0)
        elif shock.kind == "growth_pp":
            step = np.where(mask, 1.0 + shock.share * shock.value / 100.0, 1.0)
            factors[g] *= np.cumprod(step)  # level shift persists after the affected years
        elif shock.kind == "absolute":
            absolutes[g] += np.where(mask, shock.value, 0.0)
        else:
            raise ValueError(f"unknown shock kind {shock.kind!r}")
    amounts = amounts * factors + absolutes
    assert amounts.shape == (len(base.groups), horizon)
    shocked = replace(base, amounts=amounts, additional_expenses=extra)
    return StressResult(
        preset_id=preset_id,
        years=base.years,
        amounts=amounts,
        additional_expenses=extra,
        results=shocked.results(),
        base_results=base.results(),
        shocks=tuple(shocks),
    )


# --------------------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StressPreset:
    """A named, documented stress scenario; ``build`` turns a base path and parameters into shocks."""

    id: str
    name_de: str
    name_en: str
    description_de: str
    description_en: str
    defaults: dict[str, Any]
    build: Callable[..., tuple[list[Shock], list[str]]]


def _trade_tax_drop(
    base: BasePath,
    *,
    drop_percent: float = 100 / 3,
    year_offset: int = 0,
    trade_tax_share: float | None = None,
) -> tuple[list[Shock], list[str]]:
    codes = {g.code for g in base.groups}
    if TRADE_TAX_ACCOUNT in codes:
        # Gewerbesteuer is planned on its own account: shock it fully, no share assumption needed.
        return [Shock(TRADE_TAX_ACCOUNT, "percent", -drop_percent, year_offset=year_offset)], []
    share = DEFAULT_TRADE_TAX_SHARE if trade_tax_share is None else trade_tax_share
    taxes = ["40"] if "40" in codes else base.codes_with_prefix("40")
    if not taxes:
        raise KeyError("trade_tax_drop needs a tax group (NKF 40) or the account 4013 Gewerbesteuer")
    note = f"Gewerbesteuer als Anteil {share:.0%} der Gruppe {taxes[0]} angenommen".replace("%", " %")
    return [Shock(taxes[0], "percent", -drop_percent, year_offset=year_offset, share=share)], [note]


def _recession(
    base: BasePath, *, growth_pp: float = 1.0, years: int = 2, year_offset: int = 0
) -> tuple[list[Shock], list[str]]:
    taxes = base.codes_with_prefix("40")
    if not taxes:
        raise KeyError("recession needs at least one tax group (NKF 40)")
    return [
        Shock(code, "growth_pp", -growth_pp, year_offset=year_offset, duration=years) for code in taxes
    ], []


def _interest_shock(
    base: BasePath, *, basis_points: float = 200.0, year_offset: int = 0
) -> tuple[list[Shock], list[str]]:
    if base.debt is None:
        return [], ["Zinsschock ohne Schuldendaten nicht berechenbar (keine Wirkung)"]
    debt = base.debt
    horizon = len(base.years)
    k = np.arange(horizon) - year_offset + 1  # 1 in the first shocked year
    fixed = debt.investment_loans * (1.0 - debt.variable_rate_share)
    refinanced = fixed * np.clip(k * debt.refinancing_share_per_year, 0.0, 1.0)
    extra = np.where(k >= 1, (debt.variable_debt + refinanced) * basis_points / 10_000.0, 0.0)
    target = (base.codes_with_prefix("55") or [None])[0]
    shocks = [
        Shock(target, "absolute", float(v), years=(y,), label="interest")
        for y, v in zip(base.years, extra, strict=True)
        if v
    ]
    return shocks, []


def _social_transfers(
    base: BasePath, *, increase_percent: float = 10.0, year_offset: int = 0
) -> tuple[list[Shock], list[str]]:
    transfers = base.codes_with_prefix("53")
    if not transfers:
        raise KeyError("social_transfers needs a transfer expense group (NKF 53)")
    return [
        Shock(code, "percent", increase_percent, year_offset=year_offset, duration=None) for code in transfers
    ], []


def _contingent_liability(
    base: BasePath, *, share_of_ordinary_expenses: float = 0.02, year_offset: int = 0
) -> tuple[list[Shock], list[str]]:
    codes = base.codes_with_prefix(*ORDINARY_EXPENSE_PREFIXES) or [
        g.code for g in base.groups if g.kind == "expense"
    ]
    idx = [base.index(c) for c in codes]
    year = base.years[year_offset]
    amount = float(base.amounts[idx, year_offset].sum()) * share_of_ordinary_expenses
    shocks = [Shock(None, "absolute", amount, years=(year,), label="contingent liability")]
    notes: list[str] = []
    if base.debt is not None:
        # Financed by liquidity loans: interest in the following years at the current rate.
        later = base.years[year_offset + 1 :]
        shocks += [
            Shock(None, "absolute", amount * base.debt.interest_rate, years=(y,), label="interest")
            for y in later
        ]
    else:
        notes.append("Folgezinsen der Eventualverbindlichkeit ohne Schuldendaten nicht berücksichtigt")
    return shocks, notes


def _combined(base: BasePath, **params: Any) -> tuple[list[Shock], list[str]]:
    shocks: list[Shock] = []
    notes: list[str] = []
    for preset_id in (
        "trade_tax_drop",
        "recession",
        "interest_shock",
        "social_transfers",
        "contingent_liability",
    ):
        preset = PRESETS[preset_id]
        own = {k.split("__", 1)[1]: v for k, v in params.items() if k.startswith(f"{preset_id}__")}
        s, n = preset.build(base, **own)
        shocks += s
        notes += n
    return shocks, notes


PRESETS: dict[str, StressPreset] = {
    p.id: p
    for p in (
        StressPreset(
            "trade_tax_drop",
            "Gewerbesteuereinbruch",
            "Trade tax slump",
            "Die Gewerbesteuer fällt in einem Jahr um ein Drittel und erholt sich im Folgejahr.",
            "Trade tax (Gewerbesteuer) falls by a third in one year and recovers the year after.",
            {"drop_percent": 100 / 3, "year_offset": 0, "trade_tax_share": DEFAULT_TRADE_TAX_SHARE},
            _trade_tax_drop,
        ),
        StressPreset(
            "recession",
            "Rezession",
            "Recession",
            "Das Wachstum der Steuererträge liegt zwei Jahre um 1 Prozentpunkt niedriger; das niedrigere "
            "Niveau bleibt danach bestehen.",
            "Tax revenue grows 1 percentage point slower for two years; the lower level persists.",
            {"growth_pp": 1.0, "years": 2, "year_offset": 0},
            _recession,
        ),
        StressPreset(
            "interest_shock",
            "Zinsschock",
            "Interest rate shock",
            "+200 Basispunkte auf variabel verzinste Kredite und Liquiditätskredite ab dem ersten Jahr.",
            "+200 basis points on variable-rate loans and liquidity loans from the first year on.",
            {"basis_points": 200.0, "year_offset": 0},
            _interest_shock,
        ),
        StressPreset(
            "social_transfers",
            "Anstieg der Sozialtransfers",
            "Rise in social transfers",
            "Transferaufwendungen (Kontengruppe 53) steigen dauerhaft um 10 %.",
            "Transfer expenses (account group 53) rise permanently by 10 %.",
            {"increase_percent": 10.0, "year_offset": 0},
            _social_transfers,
        ),
        StressPreset(
            "contingent_liability",
            "Eventualverbindlichkeit",
            "Contingent liability",
            "Einmaliger Aufwand von 2 % der ordentlichen Aufwendungen (z. B. Bürgschaft für eine "
            "Beteiligung), finanziert über Liquiditätskredite mit Folgezinsen.",
            "One-off expense of 2 % of ordinary expenses (e.g. a guarantee for a municipal company is "
            "called), financed by liquidity loans with follow-up interest.",
            {"share_of_ordinary_expenses": 0.02, "year_offset": 0},
            _contingent_liability,
        ),
        StressPreset(
            "combined",
            "Kombiniertes Szenario",
            "Combined scenario",
            "Alle Schocks gleichzeitig (Wirkungen addieren bzw. multiplizieren sich, keine Wechselwirkung "
            "z. B. Zinsen auf die Eventualverbindlichkeit zum Schockzins).",
            "All shocks at once (effects add up or multiply; no second-round effects such as interest on "
            "the contingent liability at the shocked rate).",
            {},
            _combined,
        ),
    )
}


def run_stress_test(base: BasePath, preset_id: str, **params: Any) -> StressResult:
    """Run a preset; parameters override its defaults (for ``combined``: ``recession__growth_pp=2``)."""
    preset = PRESETS[preset_id]
    shocks, notes = preset.build(base, **params)
    result = apply_shocks(base, shocks, preset_id=preset_id)
    return replace(result, notes=tuple(notes))


def shocks_from_dicts(specs: Sequence[dict[str, Any]]) -> list[Shock]:
    """User-defined shocks as plain dicts, e.g. ``{"group": "53", "year_offset": 1, "kind": "percent",
    "value": 5}``; ``years`` may be a list of absolute years."""
    out = []
    for spec in specs:
        kw = dict(spec)
        if "years" in kw and kw["years"] is not None:
            kw["years"] = tuple(int(y) for y in kw["years"])
        if kw.get("kind") not in ("percent", "absolute", "growth_pp"):
            raise ValueError(f"unknown shock kind {kw.get('kind')!r}")
        out.append(Shock(**kw))
    return out


def calibrated_growth_pp(history: ArrayLike, *, n_sd: float = 1.0) -> float:
    """Size of a growth shock in pp calibrated to ``n_sd`` standard deviations of a level series' own
    history (log growth), the alternative calibration of IMF stress tests."""
    levels = np.asarray(history, dtype=np.float64)
    if levels.size < 3 or np.any(levels <= 0):
        raise ValueError("need at least three positive levels to estimate a growth volatility")
    return float(np.std(np.diff(np.log(levels)), ddof=1) * 100.0 * n_sd)
