"""The composite social index of districts, its ranks and a grouping by profile (no Django).

Formula (docs/districts.md): for year t and indicator i with weight w_i > 0 and direction s_i (+1 when
a higher value means more need, -1 when it means less; neutral indicators are not in the index):

    z(d, i, t) = (x(d, i, t) - mean_t(x_i)) / sd_t(x_i)          (over the districts with a value in t;
                                                                    population SD; sd = 0 -> z = 0)
    index(d, t) = sum_i w_i * s_i * z(d, i, t) / sum_i w_i        (over the indicators d has in t)

A district whose indicators in t carry less than half of the total weight gets no index that year.
Higher index = more need; rank 1 is the district with the highest index (ties share the better rank).
Everything is computed from the stored values in a fixed order (districts and indicators sorted), so
importing the same file again gives the same numbers to the last bit.

Groups: k-means (scikit-learn, fixed seed, 10 starts) on the weighted, signed z-profiles of one year;
groups are numbered by their mean index, 1 = most need, so numbering does not depend on the seed's luck.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

HIGHER_IS_WORSE = "worse"
HIGHER_IS_BETTER = "better"
NEUTRAL = "neutral"
DIRECTION_SIGN = {HIGHER_IS_WORSE: 1.0, HIGHER_IS_BETTER: -1.0, NEUTRAL: 0.0}
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class IndexSpec:
    """How one indicator enters the index."""

    weight: float
    direction: str

    @property
    def signed_weight(self) -> float:
        return self.weight * DIRECTION_SIGN[self.direction] if self.weight > 0 else 0.0


def z_scores(values: pd.DataFrame, specs: Mapping[str, IndexSpec]) -> pd.DataFrame:
    """Signed z-scores per (year, district) x indicator, for the indicators in the index.

    ``values``: long frame with columns district, indicator, year, value.
    """
    used = sorted(k for k, spec in specs.items() if spec.signed_weight != 0)
    frame = values[values["indicator"].isin(used)]
    if frame.empty:
        return pd.DataFrame(columns=used, index=pd.MultiIndex.from_tuples([], names=["year", "district"]))
    wide = frame.pivot_table(index=["year", "district"], columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(columns=used).sort_index()
    grouped = wide.groupby(level="year")
    mean = grouped.transform("mean")
    sd = grouped.transform(lambda col: col.std(ddof=0))
    z = (wide - mean) / sd.where(sd > 0)
    z = z.where(sd > 0, 0.0).where(wide.notna())
    signs = pd.Series({k: DIRECTION_SIGN[specs[k].direction] for k in used})
    return z * signs


def social_index(values: pd.DataFrame, specs: Mapping[str, IndexSpec]) -> pd.DataFrame:
    """Index, rank and change per district and year.

    Returns columns year, district, index, rank, coverage, change (index minus the district's index in
    its previous year with an index), rank_change (positive: moved towards rank 1, more need).
    """
    columns = ["year", "district", "index", "rank", "coverage", "change", "rank_change"]
    z = z_scores(values, specs)
    if z.empty:
        return pd.DataFrame(columns=columns)
    weights = pd.Series({k: specs[k].weight for k in z.columns})
    present = z.notna()
    weight_present = present.mul(weights, axis=1).sum(axis=1)
    total = float(weights.sum())
    index = z.fillna(0.0).mul(weights, axis=1).sum(axis=1) / weight_present.where(weight_present > 0)
    coverage = weight_present / total
    out = pd.DataFrame({"index": index.where(coverage >= MIN_COVERAGE), "coverage": coverage}).reset_index()
    out = out.sort_values(["year", "district"], kind="mergesort")
    out["rank"] = out.groupby("year")["index"].rank(method="min", ascending=False)
    out = out.sort_values(["district", "year"], kind="mergesort")
    valid = out["index"].notna()
    previous = out[valid].groupby("district")[["index", "rank"]].shift(1)
    out["change"] = np.nan
    out["rank_change"] = np.nan
    out.loc[valid, "change"] = out.loc[valid, "index"] - previous["index"]
    out.loc[valid, "rank_change"] = previous["rank"] - out.loc[valid, "rank"]
    return out.sort_values(["year", "district"], kind="mergesort").reset_index(drop=True)[columns]


@dataclass(frozen=True)
class Group:
    """A group of districts with a similar profile: number (1 = most need), members, and the
    indicators that set it apart (mean signed z >= 0.5, strongest first)."""

    number: int
    districts: list
    mean_index: float
    marked: list[tuple[str, float]]


def profile_groups(
    values: pd.DataFrame, specs: Mapping[str, IndexSpec], year: int, *, k: int = 4, seed: int = 0
) -> list[Group]:
    """Group the districts of ``year`` by their weighted, signed z-profile with k-means."""
    from sklearn.cluster import KMeans  # imported lazily: loading scikit-learn costs a second
    from threadpoolctl import threadpool_limits

    z = z_scores(values, specs)
    if z.empty or year not in z.index.get_level_values("year"):
        return []
    profile = z.xs(year, level="year").sort_index()
    weights = np.array([specs[c].weight for c in profile.columns])
    matrix = profile.fillna(0.0).to_numpy() * weights / weights.sum()
    distinct = len(np.unique(matrix.round(9), axis=0))
    k = max(1, min(k, distinct))
    if k == 1:
        labels = np.zeros(len(profile), dtype=int)
    else:
        # a few hundred rows: one thread is fastest (OpenMP threads only contend on a busy server)
        with threadpool_limits(limits=1):
            labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(matrix)
    index = profile.fillna(0.0).mul(weights).sum(axis=1) / weights.sum()
    groups = []
    for label in range(k):
        members = profile.index[labels == label]
        mean_z = profile.loc[members].mean()
        marked = sorted(
            ((name, round(float(v), 2)) for name, v in mean_z.items() if v >= 0.5), key=lambda kv: -kv[1]
        )
        groups.append((float(index.loc[members].mean()), list(members), marked))
    groups.sort(key=lambda g: (-g[0], str(g[1][0])))
    return [Group(n, members, round(mean, 3), marked) for n, (mean, members, marked) in enumerate(groups, 1)]
