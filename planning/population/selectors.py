"""Read queries for population: series, tables by year and age band, overview, movements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db.models import QuerySet, Sum

from core.models import Municipality
from planning.engine.population import (
    AgeBand,
    PopulationTable,
    reband,
)
from planning.models import (
    PopulationCount,
    PopulationMovement,
    PopulationSeries,
)


# -- population -----------------------------------------------------------------------------------------
def population_series_of(municipality: Municipality) -> QuerySet[PopulationSeries]:
    return PopulationSeries.objects.for_municipality(municipality).order_by("kind", "variant")


def actual_series(municipality: Municipality) -> PopulationSeries | None:
    return PopulationSeries.objects.filter(
        municipality=municipality, kind=PopulationSeries.Kind.ACTUAL, variant=""
    ).first()


def _table_from_rows(rows: Iterable[tuple[int, int, int | None, float]]) -> PopulationTable | None:
    """(year, age_lo, age_hi, count) rows -> table; years banded differently are re-banded to the finest
    banding present (most age groups; the latest year among equals), uniform within bands, so sources
    with other age groups still line up."""
    by_year: dict[int, dict[AgeBand, float]] = defaultdict(dict)
    for year, lo, hi, count in rows:
        by_year[year][AgeBand(lo, hi)] = count
    if not by_year:
        return None
    years = sorted(by_year)
    finest = max(reversed(years), key=lambda y: len(by_year[y]))
    bands = tuple(sorted(by_year[finest]))
    counts = []
    for year in years:
        cells = by_year[year]
        own = tuple(sorted(cells))
        values = np.array([cells[b] for b in own])
        counts.append(values if own == bands else reband(values, own, bands))
    return PopulationTable(tuple(years), bands, np.array(counts))


def population_table(series: PopulationSeries) -> PopulationTable | None:
    """The series as an engine table (one query); None when it holds no counts."""
    rows = PopulationCount.objects.filter(series=series).values_list("year", "age_lo", "age_hi", "count")
    return _table_from_rows(rows)


def population_tables(series_ids: Sequence[int]) -> dict[int, PopulationTable]:
    """Tables of many series in one query (for the batch projection)."""
    grouped: dict[int, list[tuple[int, int, int | None, float]]] = defaultdict(list)
    rows = PopulationCount.objects.filter(series_id__in=list(series_ids)).values_list(
        "series_id", "year", "age_lo", "age_hi", "count"
    )
    for series_id, *row in rows.iterator(chunk_size=20_000):
        grouped[series_id].append(tuple(row))  # type: ignore[arg-type]
    return {sid: table for sid, rows_ in grouped.items() if (table := _table_from_rows(rows_)) is not None}


def population_totals(series: PopulationSeries) -> dict[int, float]:
    """Total persons per year (one query)."""
    rows = (
        PopulationCount.objects.filter(series=series)
        .values("year")
        .annotate(total=Sum("count"))
        .order_by("year")
    )
    return {row["year"]: row["total"] for row in rows}


def population_overview(municipality: Municipality) -> list[dict[str, Any]]:
    """Every series with its years and totals per year (two queries)."""
    series = list(population_series_of(municipality))
    totals: dict[int, dict[int, float]] = defaultdict(dict)
    rows = (
        PopulationCount.objects.filter(series__municipality=municipality)
        .values("series_id", "year")
        .annotate(total=Sum("count"))
        .order_by("series_id", "year")
    )
    for row in rows:
        totals[row["series_id"]][row["year"]] = row["total"]
    result = []
    for s in series:
        values = totals.get(s.pk, {})
        years = sorted(values)
        result.append(
            {
                "series": s,
                "totals": values,
                "first": years[0] if years else None,
                "last": years[-1] if years else None,
                "last_total": values[years[-1]] if years else None,
            }
        )
    return result


def movements_of(municipality: Municipality) -> QuerySet[PopulationMovement]:
    return PopulationMovement.objects.filter(municipality=municipality).order_by("year")
