"""Population by age band: labels, parsers for GENESIS tables and plain CSV, re-banding.

Pure computation, no Django: the planning app reads an upload, calls a parser here, shows the
``PopulationIssue`` list or stores the ``PopulationTable``.

Conventions (documented in docs/projection-method.md):

- An ``AgeBand(lo, hi)`` is the half-open interval of completed years of age ``[lo, hi)``;
  ``hi=None`` is the open top band ("85 Jahre und mehr").
- Plain labels ``"a-b"`` are inclusive, as people write them: ``"0-2"`` means ages 0, 1 and 2, that is
  ``[0, 3)``; ``"85+"`` means ``[85, None)``. GENESIS labels say so explicitly ("3 bis unter 6 Jahre").
- A reference date 31.12.YYYY is the population of year YYYY (Bevölkerungsstand am Jahresende).
- Counts are float64: files hold whole persons (exact in float64), re-banded or projected counts are
  fractional. Round only for display, with ``round_preserving_total`` when the parts must add up.
- Parsing is all-or-nothing: a file with any bad row yields issues and no data, because a planner
  must not project from a table that silently lost an age group.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Width in years assumed for the open top band when it has to be split (e.g. 85+ -> 85..99).
#: 15 years keeps almost everybody of an "85 Jahre und mehr" band inside the split; documented rule.
OPEN_BAND_SPLIT_WIDTH = 15

#: Oldest single year of age the cohort model keeps separately; the last entry is "100 and older".
MAX_SINGLE_AGE = 100


_TOTAL_LABELS = {"insgesamt", "total", "gesamt", "summe", "zusammen", "alle", "all"}


@dataclass(frozen=True, order=True, slots=True)
class AgeBand:
    """Ages ``lo`` up to but excluding ``hi`` (completed years); ``hi=None`` is open-ended.

    Ordering sorts by lower bound, so a list of bands sorts youngest first.
    """

    lo: int
    hi: int | None = None

    def __post_init__(self) -> None:
        if self.lo < 0:
            raise ValueError(f"age band lower bound must be >= 0, got {self.lo}")
        if self.hi is not None and self.hi <= self.lo:
            raise ValueError(f"age band [{self.lo}, {self.hi}) is empty")

    @property
    def is_open(self) -> bool:
        return self.hi is None

    @property
    def width(self) -> int | None:
        """Years covered; None for the open top band."""
        return None if self.hi is None else self.hi - self.lo

    @property
    def split_width(self) -> int:
        """Years used when a count is spread uniformly: the open band counts as 15 years."""
        return OPEN_BAND_SPLIT_WIDTH if self.hi is None else self.hi - self.lo

    @property
    def split_hi(self) -> int:
        """Upper bound used for uniform splitting (``lo + 15`` for the open band)."""
        return self.lo + self.split_width

    @property
    def label(self) -> str:
        """Plain label, inclusive: ``[0, 3)`` -> "0-2", ``[7, 8)`` -> "7", ``[85, None)`` -> "85+"."""
        if self.hi is None:
            return f"{self.lo}+"
        if self.hi == self.lo + 1:
            return str(self.lo)
        return f"{self.lo}-{self.hi - 1}"

    @property
    def label_de(self) -> str:
        """Label in the wording of the statistical offices ("3 bis unter 6 Jahre")."""
        if self.hi is None:
            return f"{self.lo} Jahre und mehr"
        if self.lo == 0:
            return f"unter {self.hi} Jahre" if self.hi != 1 else "unter 1 Jahr"
        return f"{self.lo} bis unter {self.hi} Jahre"

    def __str__(self) -> str:
        return self.label

    def contains(self, age: int) -> bool:
        return age >= self.lo and (self.hi is None or age < self.hi)

    def overlap_years(self, lo: int, hi: int | None) -> int:
        """Whole years this band's split range shares with ``[lo, hi)`` (``hi=None``: unbounded)."""
        top = self.split_hi if hi is None else min(self.split_hi, hi)
        return max(0, top - max(self.lo, lo))

    @classmethod
    def parse(cls, label: str) -> AgeBand:
        """Read a German statistical label or a plain label; raise ValueError if it is neither.

        >>> AgeBand.parse("6 bis unter  10 Jahre"), AgeBand.parse("0-2"), AgeBand.parse("85+")
        (AgeBand(lo=6, hi=10), AgeBand(lo=0, hi=3), AgeBand(lo=85, hi=None))
        """
        text = " ".join(str(label).replace("\u00a0", " ").split()).lower()
        text = text.replace("–", "-").replace("—", "-")
        for pattern, build in _LABEL_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                return build(*(int(g) for g in match.groups()))
        raise ValueError(f"unknown age group label: {label!r}")


_YEARS = r"(?: ?(?:jahre?n?|j\.?|years?))?"
_LABEL_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    # GENESIS: "unter 3 Jahre", "unter 1 Jahr"
    (re.compile(rf"unter (\d+){_YEARS}"), lambda hi: AgeBand(0, hi)),
    # GENESIS: "3 bis unter 6 Jahre"
    (re.compile(rf"(\d+) bis unter (\d+){_YEARS}"), lambda lo, hi: AgeBand(lo, hi)),
    # GENESIS: "85 Jahre und mehr", "85 und älter", "85 Jahre und älter"
    (re.compile(rf"(\d+){_YEARS} und (?:mehr|älter|aelter|darüber|ueber|über)"), lambda lo: AgeBand(lo)),
    # "über 85", "ab 85 Jahre", "85 and over"
    (re.compile(rf"(?:über|ueber|ab) (\d+){_YEARS}"), lambda lo: AgeBand(lo)),
    (re.compile(rf"(\d+){_YEARS} (?:and over|and older|or older|plus)"), lambda lo: AgeBand(lo)),
    # plain, inclusive: "0-2", "3 - 5", "3 bis 5 Jahre", "18 to 64"
    (re.compile(rf"(\d+) ?(?:-|bis|to) ?(\d+){_YEARS}"), lambda lo, hi: AgeBand(lo, hi + 1)),
    # plain open: "85+", "85 +"
    (re.compile(rf"(\d+) ?\+{_YEARS}"), lambda lo: AgeBand(lo)),
    # single year of age: "7", "7 Jahre"
    (re.compile(rf"(\d+){_YEARS}"), lambda age: AgeBand(age, age + 1)),
]


def is_total_label(label: str) -> bool:
    """True for the total row of a table ("Insgesamt", "total")."""
    return " ".join(str(label).split()).lower() in _TOTAL_LABELS


def single_year_bands(max_age: int = MAX_SINGLE_AGE) -> tuple[AgeBand, ...]:
    """Bands 0, 1, ..., max_age-1 and the open band ``max_age+`` used by the cohort model."""
    return (*(AgeBand(a, a + 1) for a in range(max_age)), AgeBand(max_age))


def band_problems(bands: Sequence[AgeBand]) -> list[tuple[str, str]]:
    """Check that bands tile ages from 0 without gap or overlap; return (German, English) messages.

    A population table must describe the whole population, otherwise a driver like "gesamt" is wrong
    without anyone noticing. Only the last band may be open; the top may also be closed (nobody older).
    """
    problems: list[tuple[str, str]] = []
    ordered = sorted(bands)
    if not ordered:
        return [("Keine Altersgruppen gefunden.", "No age groups found.")]
    if ordered[0].lo != 0:
        problems.append(
            (
                f"Die Altersgruppen beginnen erst bei {ordered[0].lo} Jahren (Lücke ab 0).",
                f"Age groups start at {ordered[0].lo}, not at 0 (gap).",
            )
        )
    for prev, nxt in itertools.pairwise(ordered):
        if prev.hi is None or prev.hi > nxt.lo:
            problems.append(
                (
                    f"Altersgruppen überschneiden sich: {prev.label_de} und {nxt.label_de}.",
                    f"Age groups overlap: {prev.label} and {nxt.label}.",
                )
            )
        elif prev.hi < nxt.lo:
            problems.append(
                (
                    f"Lücke zwischen {prev.label_de} und {nxt.label_de}.",
                    f"Gap between age groups {prev.label} and {nxt.label}.",
                )
            )
    return problems


@dataclass(frozen=True)
class PopulationTable:
    """Population by year and age band: ``counts[i, k]`` = persons of band ``bands[k]`` in ``years[i]``.

    ``years`` ascend, ``bands`` tile the ages from 0. ``ags`` is the Amtlicher Gemeindeschlüssel if the
    file carried one.
    """

    years: tuple[int, ...]
    bands: tuple[AgeBand, ...]
    counts: np.ndarray
    ags: str | None = None
    municipality: str | None = None

    def __post_init__(self) -> None:
        counts = np.array(self.counts, dtype=np.float64)
        if counts.shape != (len(self.years), len(self.bands)):
            raise ValueError(f"counts shape {counts.shape} != ({len(self.years)}, {len(self.bands)})")
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)

    def for_year(self, year: int) -> np.ndarray:
        """Counts by band of one year."""
        return self.counts[self.years.index(year)]

    def totals(self) -> np.ndarray:
        """Total population per year."""
        return self.counts.sum(axis=1)

    def to_frame(self) -> pd.DataFrame:
        """Wide DataFrame: one row per year, one column per band label."""
        return pd.DataFrame(
            self.counts.copy(),
            index=pd.Index(self.years, name="year"),
            columns=pd.Index([b.label for b in self.bands], name="age_group"),
        )

    def rebanded(self, to_bands: Sequence[AgeBand]) -> PopulationTable:
        """The same table on other bands (see ``reband``)."""
        counts = reband(self.counts, self.bands, to_bands)
        return PopulationTable(self.years, tuple(to_bands), counts, self.ags, self.municipality)


@dataclass(frozen=True)
class VitalStatistics:
    """Births, deaths and migration across the municipal boundary per calendar year.

    (Lebendgeborene, Gestorbene, Zuzüge, Fortzüge; GENESIS "Bevölkerungsbewegung" tables.)
    """

    years: tuple[int, ...]
    births: np.ndarray
    deaths: np.ndarray
    in_migration: np.ndarray
    out_migration: np.ndarray
    municipality: str | None = None

    @property
    def net_migration(self) -> np.ndarray:
        return self.in_migration - self.out_migration


@dataclass(frozen=True)
class MigrationByAge:
    """Moves across the municipal boundary by age group and year (GENESIS 12711-0011/-0012).

    ``direction`` is ``"in"`` (Zuzüge) or ``"out"`` (Fortzüge).
    """

    years: tuple[int, ...]
    bands: tuple[AgeBand, ...]
    counts: np.ndarray
    direction: str
    municipality: str | None = None

    def for_year(self, year: int) -> np.ndarray:
        return self.counts[self.years.index(year)]


# --------------------------------------------------------------------------------------------
# Re-banding
# --------------------------------------------------------------------------------------------


def reband_matrix(
    from_bands: Sequence[AgeBand], to_bands: Sequence[AgeBand], *, weights: np.ndarray | None = None
) -> np.ndarray:
    """Matrix ``W`` (S, T): share of source band s that goes to target band t; rows sum to 1.

    Without ``weights`` a source band spreads uniformly over its years, the open band over 15 years
    (``OPEN_BAND_SPLIT_WIDTH``). With ``weights`` (density by single year of age 0..len-1, last entry the
    open top), each source band spreads in proportion to the weights of the ages it covers; its open band
    covers ages lo..len-1. Target bands that are unions of source bands get 0/1 entries, so re-banding is
    then an exact sum. Raises ValueError when targets do not cover a source band.
    """
    src, dst = list(from_bands), list(to_bands)
    out = np.zeros((len(src), len(dst)), dtype=np.float64)
    if weights is None:
        for s, band in enumerate(src):
            for t, target in enumerate(dst):
                years = band.overlap_years(target.lo, target.hi)
                if years:
                    out[s, t] = years / band.split_width
            # exact 1/0 rows when one target holds the whole source band (no float division residue)
            whole = [t for t, target in enumerate(dst) if _covers(target, band)]
            if whole:
                out[s, :] = 0.0
                out[s, whole[0]] = 1.0
    else:
        w = np.asarray(weights, dtype=np.float64)
        ages = np.arange(len(w))
        # membership of each single age (the last one standing for "top and older") in each band
        src_in = _membership(src, ages)  # (ages, S)
        dst_in = _membership(dst, ages)  # (ages, T)
        for band in src:
            if band.hi is not None and band.hi > len(w):
                raise ValueError(f"weights end at age {len(w) - 1}, band {band.label} goes further")
        mass = w @ src_in  # (S,)
        count = src_in.sum(axis=0)
        # a band whose ages all weigh zero falls back to a uniform spread
        dens = np.where(mass > 0, w[:, None] / np.maximum(mass, 1e-300), 1.0 / np.maximum(count, 1.0))
        out = (src_in * dens).T @ dst_in
    lost = [src[s].label for s in range(len(src)) if abs(out[s].sum() - 1.0) > 1e-9]
    if lost:
        raise ValueError(f"target bands do not cover source band(s): {', '.join(lost)}")
    return out


def _membership(bands: Sequence[AgeBand], ages: np.ndarray) -> np.ndarray:
    """(len(ages), len(bands)) 0/1 matrix; the last age stands for itself and everybody older."""
    lo = np.array([b.lo for b in bands])
    hi = np.array([np.iinfo(np.int64).max if b.hi is None else b.hi for b in bands])
    member = ((ages[:, None] >= lo[None, :]) & (ages[:, None] < hi[None, :])).astype(np.float64)
    # the open last age belongs to an open band starting at or below it only
    open_top = np.array([b.hi is None for b in bands])
    member[-1] = (open_top & (lo <= ages[-1])).astype(np.float64)
    return member


def _covers(outer: AgeBand, inner: AgeBand) -> bool:
    if outer.lo > inner.lo:
        return False
    if outer.hi is None:
        return True
    return inner.hi is not None and inner.hi <= outer.hi


def reband(
    counts: np.ndarray,
    from_bands: Sequence[AgeBand],
    to_bands: Sequence[AgeBand],
    *,
    axis: int = -1,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Move counts from one set of age bands to another along ``axis``; totals are preserved.

    A source band split across targets is divided by years covered (uniform within the band; the open top
    band counts as 15 years). When every target is a union of source bands, the result is the exact sum of
    the sources. Otherwise totals agree to float rounding (relative ~1e-15); use
    ``round_preserving_total`` for whole persons.
    """
    matrix = reband_matrix(from_bands, to_bands, weights=weights)
    arr = np.moveaxis(np.asarray(counts, dtype=np.float64), axis, -1)
    if arr.shape[-1] != len(from_bands):
        raise ValueError(f"axis has {arr.shape[-1]} entries, {len(from_bands)} source bands given")
    return np.moveaxis(arr @ matrix, -1, axis)


def expand_to_single_years(
    counts: np.ndarray,
    bands: Sequence[AgeBand],
    *,
    max_age: int = MAX_SINGLE_AGE,
    axis: int = -1,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Counts by single year of age 0..max_age-1 plus ``max_age+`` along ``axis`` (for the cohort model).

    Uniform within bands by default (open band over 15 years, so 85+ -> 85..99 and nobody 100+);
    pass ``weights`` (e.g. life-table person-years L(x)) for a more realistic spread of wide bands.
    """
    return reband(counts, bands, single_year_bands(max_age), axis=axis, weights=weights)


def round_preserving_total(values: Iterable[float]) -> np.ndarray:
    """Round to whole numbers so that they still add up to the rounded total (largest remainder).

    For display of re-banded or projected persons: plain rounding of 0.5+0.5+0.5+0.5 would show 4 (or 0)
    persons where the total says 2.
    """
    arr = np.asarray(list(values), dtype=np.float64)
    floor = np.floor(arr)
    target = round(float(arr.sum()))
    short = target - int(floor.sum())
    order = np.argsort(-(arr - floor), kind="stable")
    result = floor.astype(np.int64)
    if short > 0:
        result[order[:short]] += 1
    elif short < 0:
        result[order[::-1][:-short]] -= 1
    return result


def as_bands(labels: Iterable[str | AgeBand]) -> tuple[AgeBand, ...]:
    """Parse a list of labels (or pass bands through)."""
    return tuple(b if isinstance(b, AgeBand) else AgeBand.parse(b) for b in labels)


def combined_population(
    projection: PopulationTable, actual: PopulationTable | None, years: Sequence[int]
) -> tuple[tuple[AgeBand, ...], np.ndarray]:
    """Population (A, len(years)) on the projection's bands: actual counts where the projection does not
    reach back (a budget base year before the projection's base year), projected counts otherwise.

    Raises ValueError naming the missing years.
    """
    bands = projection.bands
    columns: list[np.ndarray] = []
    missing: list[int] = []
    for year in years:
        if year in projection.years:
            columns.append(projection.for_year(year))
        elif actual is not None and year in actual.years:
            columns.append(reband(actual.for_year(year), actual.bands, bands))
        else:
            missing.append(year)
    if missing:
        raise ValueError(", ".join(str(y) for y in missing))
    return bands, np.column_stack(columns)
