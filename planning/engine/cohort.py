"""Cohort-component population projection by single year of age (0..99 and 100+), both sexes combined.

Each projection year: the population ages by one year and is thinned by survival ratios, births come from
age-specific fertility of the women among the population, net migration by age is added. All steps are
whole-array numpy operations, so a projection for one municipality (or a batch with a leading axis) over
30 years takes well under a millisecond per year.

Defaults are national approximations; ``estimate_assumptions`` scales them to the municipality's own
births and deaths (Reilingen-style GENESIS tables) and derives net migration by age from Zuzüge and
Fortzüge by age group. The method and its sources are in docs/projection-method.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planning.engine.population import (
    MAX_SINGLE_AGE,
    AgeBand,
    MigrationByAge,
    PopulationTable,
    VitalStatistics,
    reband,
    single_year_bands,
)

#: Number of single-year age classes: 0..99 and the open class 100+.
N_AGES = MAX_SINGLE_AGE + 1

#: Longest horizon: beyond 30 years a status-quo projection says nothing a planner can act on.
MAX_HORIZON = 30

#: Abridged life table, both sexes combined: probability q(x) of dying between exact ages x and x+1,
#: at 5-year nodes (log-linear in between; 100 stands for the open class 100+). Approximates German
#: period life tables of the early 2020s (Destatis, Sterbetafel 2021/2023 and neighbouring tables,
#: sexes averaged, rounded to two significant digits). It reproduces a life expectancy at birth of about
#: 80.4 years and at 65 of about 19.3 years; Destatis reports for those years roughly 78 (men) and 83
#: (women) at birth. Not an official table: the local calibration in ``estimate_assumptions`` scales it.
DEFAULT_QX_NODES: Mapping[int, float] = {
    0: 0.0031,
    1: 0.00022,
    5: 0.00008,
    10: 0.00008,
    15: 0.00017,
    20: 0.00030,
    25: 0.00037,
    30: 0.00050,
    35: 0.00072,
    40: 0.00110,
    45: 0.00180,
    50: 0.0030,
    55: 0.0048,
    60: 0.0076,
    65: 0.0118,
    70: 0.0182,
    75: 0.0290,
    80: 0.0490,
    85: 0.0860,
    90: 0.1500,
    95: 0.2550,
    100: 0.3800,
}

#: Total fertility rate, children per woman: Destatis reports 1.35 for Germany in 2023.
DEFAULT_TFR = 1.35
#: Mean age of mothers at birth (Destatis: about 31.5-32 years in the early 2020s) and spread of the
#: age pattern; a discretised normal curve over ages 15-49, normalised to the TFR.
DEFAULT_MEAN_AGE_AT_BIRTH = 31.5
DEFAULT_FERTILITY_SD = 5.5
FERTILE_AGES = (15, 50)
#: Share of women among the population at ages 15-49 (Germany: slightly under one half, as men
#: outnumber women at younger adult ages). Only the product fertility x female share matters, and the
#: local calibration of fertility absorbs any error in it.
DEFAULT_FEMALE_SHARE = 0.49
#: Share of the first-year mortality q(0) that falls before the 31 December of the birth year: most
#: infant deaths happen in the first weeks of life.
INFANT_DEATHS_BEFORE_YEAR_END = 0.85


def default_mortality() -> np.ndarray:
    """q(x) for ages 0..100+ from the abridged table, interpolated log-linearly between nodes."""
    ages = np.arange(N_AGES)
    nodes = np.array(sorted(DEFAULT_QX_NODES))
    values = np.log([DEFAULT_QX_NODES[int(a)] for a in nodes])
    return np.exp(np.interp(ages, nodes, values))


def default_fertility(
    tfr: float = DEFAULT_TFR,
    mean_age: float = DEFAULT_MEAN_AGE_AT_BIRTH,
    sd: float = DEFAULT_FERTILITY_SD,
) -> np.ndarray:
    """Age-specific fertility rates f(x), births per woman aged x per year, summing to ``tfr``."""
    ages = np.arange(N_AGES, dtype=np.float64)
    shape = np.exp(-0.5 * ((ages + 0.5 - mean_age) / sd) ** 2)
    shape[(ages < FERTILE_AGES[0]) | (ages >= FERTILE_AGES[1])] = 0.0
    return tfr * shape / shape.sum()


def life_table_person_years(q: np.ndarray) -> np.ndarray:
    """Person-years L(x) lived at each age by a radix of 1 (stationary population by age).

    Used as the within-band density when wide bands (85+, 65+) are spread to single years: a uniform
    spread would put as many people at 99 as at 85.
    """
    q = np.asarray(q, dtype=np.float64)
    lx = np.concatenate([[1.0], np.cumprod(1.0 - q[:-1])])
    person_years = np.empty_like(lx)
    person_years[:-1] = (lx[:-1] + lx[1:]) / 2.0
    person_years[-1] = lx[-1] / max(q[-1], 1e-9)  # open class: l(100) x expectancy 1/m
    return person_years


def survival_ratios(q: np.ndarray) -> np.ndarray:
    """s(x): share of those aged x on 31.12. who are alive (aged x+1) a year later.

    A year between two reference dates spans half of age x and half of age x+1 on average, hence
    ``1 - (q(x) + q(x+1)) / 2``; the open class 100+ keeps its own q.
    """
    q = np.asarray(q, dtype=np.float64)
    s = np.empty_like(q)
    s[..., :-1] = 1.0 - (q[..., :-1] + q[..., 1:]) / 2.0
    s[..., -1] = 1.0 - q[..., -1]
    return np.clip(s, 0.0, 1.0)


@dataclass(frozen=True)
class CohortAssumptions:
    """Rates by single year of age 0..100+ (arrays of length 101, or (M, 101) for a batch).

    ``mortality`` q(x); ``fertility`` births per woman per year; ``net_migration`` persons per year
    (Zuzüge minus Fortzüge; may be negative).
    """

    mortality: np.ndarray
    fertility: np.ndarray
    net_migration: np.ndarray
    female_share: float = DEFAULT_FEMALE_SHARE


def default_assumptions() -> CohortAssumptions:
    """National approximations and zero net migration."""
    return CohortAssumptions(default_mortality(), default_fertility(), np.zeros(N_AGES))


@dataclass(frozen=True)
class Variant:
    """Multipliers of a projection variant.

    ``fertility`` and ``mortality`` scale f(x) and q(x); net migration becomes ``m + migration x |m|``,
    so "high" always means more people, whether the municipality gains or loses by migration.
    """

    fertility: float = 1.0
    mortality: float = 1.0
    migration: float = 0.0


#: Low/main/high in the spirit of the Destatis coordinated projections (which vary fertility, life
#: expectancy and migration); the sizes are our assumption: +-10 % fertility, -+10 % mortality,
#: +-50 % of the absolute net migration.
VARIANTS: Mapping[str, Variant] = {
    "low": Variant(fertility=0.9, mortality=1.1, migration=-0.5),
    "main": Variant(),
    "high": Variant(fertility=1.1, mortality=0.9, migration=0.5),
}


def apply_variant(assumptions: CohortAssumptions, variant: Variant) -> CohortAssumptions:
    m = np.asarray(assumptions.net_migration, dtype=np.float64)
    return replace(
        assumptions,
        mortality=np.clip(np.asarray(assumptions.mortality) * variant.mortality, 0.0, 1.0),
        fertility=np.asarray(assumptions.fertility) * variant.fertility,
        net_migration=m + variant.migration * np.abs(m),
    )


@dataclass(frozen=True)
class CohortProjection:
    """Projected population ``population[..., age, t]`` for years base_year..base_year+horizon.

    Column 0 is the base population (31.12. of the base year). ``births``, ``deaths`` and
    ``net_migration`` are the flows of each projected year (length horizon).
    """

    base_year: int
    population: np.ndarray
    births: np.ndarray
    deaths: np.ndarray
    net_migration: np.ndarray

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.base_year, self.base_year + self.population.shape[-1]))

    def totals(self) -> np.ndarray:
        return self.population.sum(axis=-2)

    def by_bands(self, bands: Sequence[AgeBand]) -> np.ndarray:
        """Population by the given bands, shape (..., len(bands), T+1): the engine's N matrix."""
        return reband(self.population, single_year_bands(N_AGES - 1), bands, axis=-2)

    def to_frame(self, bands: Sequence[AgeBand] | None = None) -> pd.DataFrame:
        """One row per year, one column per band (single years if no bands are given); single region."""
        if self.population.ndim != 2:
            raise ValueError("to_frame is for a single municipality")
        bands = list(bands) if bands is not None else list(single_year_bands(N_AGES - 1))
        data = self.by_bands(bands).T
        return pd.DataFrame(
            data,
            index=pd.Index(self.years, name="year"),
            columns=pd.Index([b.label for b in bands], name="age_group"),
        )


def expand_base_population(
    counts: np.ndarray, bands: Sequence[AgeBand], mortality: np.ndarray | None = None
) -> np.ndarray:
    """Spread counts by band to single years 0..100+, in proportion to life-table person-years L(x)."""
    q = default_mortality() if mortality is None else np.asarray(mortality)
    return reband(counts, bands, single_year_bands(N_AGES - 1), weights=life_table_person_years(q))


def project_cohort(
    base_population: np.ndarray,
    assumptions: CohortAssumptions | None = None,
    *,
    horizon: int = MAX_HORIZON,
    base_year: int = 0,
    variant: Variant | str = "main",
) -> CohortProjection:
    """Project a population by single year of age (shape (..., 101)) ``horizon`` years ahead.

    Per year t -> t+1 (reference dates 31.12.):
      survivors  N(x+1, t+1) = N(x, t) s(x);  N(100+, t+1) += N(100+, t) s(100)
      births     B(t) = female share x sum_x f(x) (N(x, t) + N(x, t+1)) / 2   (mid-year women)
      newborns   N(0, t+1) = B(t) (1 - 0.85 q(0))
      migration  N(x, t+1) += m(x), never below zero (clipped; the flow reports what was applied)
    """
    if not 1 <= horizon <= MAX_HORIZON:
        raise ValueError(f"horizon must be 1..{MAX_HORIZON} years, got {horizon}")
    a = assumptions or default_assumptions()
    a = apply_variant(a, VARIANTS[variant] if isinstance(variant, str) else variant)
    base = np.asarray(base_population, dtype=np.float64)
    if base.shape[-1] != N_AGES:
        raise ValueError(f"base population needs {N_AGES} single-year ages, got {base.shape[-1]}")
    if np.any(base < 0) or not np.all(np.isfinite(base)):
        raise ValueError("base population must be finite and non-negative")
    q = np.asarray(a.mortality, dtype=np.float64)
    s = survival_ratios(q)
    fert = np.asarray(a.fertility, dtype=np.float64) * a.female_share
    mig = np.asarray(a.net_migration, dtype=np.float64)
    s_birth = 1.0 - INFANT_DEATHS_BEFORE_YEAR_END * q[..., 0]

    lead = base.shape[:-1]
    pop = np.empty((*lead, N_AGES, horizon + 1))
    births = np.empty((*lead, horizon))
    deaths = np.empty((*lead, horizon))
    applied = np.empty((*lead, horizon))
    current = base.copy()
    pop[..., 0] = current
    for t in range(horizon):
        aged = np.empty_like(current)
        aged[..., 1:] = current[..., :-1] * s[..., :-1]
        aged[..., -1] += current[..., -1] * s[..., -1]
        aged[..., 0] = 0.0
        b = ((current + aged) * 0.5 * fert).sum(axis=-1)
        aged[..., 0] = b * s_birth
        after = np.maximum(aged + mig, 0.0)
        births[..., t] = b
        deaths[..., t] = (current * (1.0 - s)).sum(axis=-1) + b * (1.0 - s_birth)
        applied[..., t] = after.sum(axis=-1) - aged.sum(axis=-1)
        pop[..., t + 1] = after
        current = after
    return CohortProjection(base_year, pop, births, deaths, applied)


def project_variants(
    base_population: np.ndarray,
    assumptions: CohortAssumptions | None = None,
    *,
    horizon: int = MAX_HORIZON,
    base_year: int = 0,
    variants: Mapping[str, Variant] = VARIANTS,
) -> dict[str, CohortProjection]:
    """Low / main / high projections (see ``VARIANTS``)."""
    return {
        name: project_cohort(base_population, assumptions, horizon=horizon, base_year=base_year, variant=v)
        for name, v in variants.items()
    }


def project_population_table(
    table: PopulationTable,
    assumptions: CohortAssumptions | None = None,
    *,
    horizon: int = MAX_HORIZON,
    base_year: int | None = None,
    variant: Variant | str = "main",
) -> CohortProjection:
    """Project from a parsed table's base year (default: its latest year), expanding bands first."""
    a = assumptions or default_assumptions()
    year = table.years[-1] if base_year is None else base_year
    single = expand_base_population(table.for_year(year), table.bands, a.mortality)
    return project_cohort(single, a, horizon=horizon, base_year=year, variant=variant)


# --------------------------------------------------------------------------------------------
# Calibration to the municipality's own history
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationReport:
    """What ``estimate_assumptions`` found; shown to the planner next to the projection."""

    years: tuple[int, ...]
    observed_births: float  # mean per year
    modelled_births: float  # mean per year with the national rates, before scaling
    observed_deaths: float
    modelled_deaths: float
    fertility_factor: float
    mortality_factor: float
    net_migration: float  # mean per year used for the projection
    migration_by_age: bool  # True when Zuzüge/Fortzüge by age group were used


def population_at(table: PopulationTable, year: int) -> np.ndarray:
    """Counts by band at 31.12. of ``year``: linear interpolation between reference dates, nearest outside.

    GENESIS often publishes only every fifth year back in time (1995, 2000, ...).
    """
    years = np.asarray(table.years, dtype=np.float64)
    counts = table.counts
    return np.array([np.interp(year, years, counts[:, k]) for k in range(counts.shape[1])])


def estimate_assumptions(
    population: PopulationTable,
    vital: VitalStatistics,
    *,
    migration_in: MigrationByAge | None = None,
    migration_out: MigrationByAge | None = None,
    last_years: int = 5,
    base: CohortAssumptions | None = None,
) -> tuple[CohortAssumptions, CalibrationReport]:
    """Scale national rates to the municipality's observed births and deaths of the last N years.

    fertility factor = sum of observed births / sum of births the national rates give for the mid-year
    population (mean of the 31.12. before and after); mortality factor likewise for deaths, computed with
    the projection's own survival ratios from the population at the start of each year (q capped at 1).
    Populations between GENESIS reference dates are interpolated linearly.
    Net migration by age = mean (Zuzüge - Fortzüge) per age group over the same years, spread to single
    years like the life-table population; without age detail, the mean net migration of ``vital`` is
    spread like the base population.
    """
    a = base or default_assumptions()
    window = vital.years[-last_years:]
    q = np.asarray(a.mortality, dtype=np.float64)
    weights = life_table_person_years(q)
    singles = single_year_bands(N_AGES - 1)
    idx = [vital.years.index(y) for y in window]
    observed_births = float(vital.births[idx].sum())
    observed_deaths = float(vital.deaths[idx].sum())
    death_rate = 1.0 - survival_ratios(q)  # the same death arithmetic as project_cohort
    modelled_births = modelled_deaths = 0.0
    for y in window:
        start = reband(population_at(population, y - 1), population.bands, singles, weights=weights)
        end = reband(population_at(population, y), population.bands, singles, weights=weights)
        modelled_births += float(((start + end) * 0.5 * a.fertility * a.female_share).sum())
        modelled_deaths += float((start * death_rate).sum())
    fertility_factor = observed_births / modelled_births if modelled_births > 0 else 1.0
    mortality_factor = observed_deaths / modelled_deaths if modelled_deaths > 0 else 1.0

    use_ages = migration_in is not None and migration_out is not None
    if use_ages:
        assert migration_in is not None and migration_out is not None
        common = [y for y in window if y in migration_in.years and y in migration_out.years]
        if not common:
            raise ValueError("migration by age has none of the calibration years")
        net_in = reband(
            np.mean([migration_in.for_year(y) for y in common], axis=0),
            migration_in.bands,
            singles,
            weights=weights,
        )
        net_out = reband(
            np.mean([migration_out.for_year(y) for y in common], axis=0),
            migration_out.bands,
            singles,
            weights=weights,
        )
        net = net_in - net_out
    else:
        mean_net = float(vital.net_migration[idx].mean())
        latest = reband(population.counts[-1], population.bands, singles, weights=weights)
        net = mean_net * latest / latest.sum()
    assumptions = replace(
        a,
        mortality=np.clip(q * mortality_factor, 0.0, 1.0),
        fertility=np.asarray(a.fertility) * fertility_factor,
        net_migration=net,
    )
    n = len(window)
    report = CalibrationReport(
        years=tuple(window),
        observed_births=observed_births / n,
        modelled_births=modelled_births / n,
        observed_deaths=observed_deaths / n,
        modelled_deaths=modelled_deaths / n,
        fertility_factor=fertility_factor,
        mortality_factor=mortality_factor,
        net_migration=float(net.sum()),
        migration_by_age=use_ages,
    )
    return assumptions, report
