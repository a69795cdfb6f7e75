"""Builders for projection tests: budget versions written straight into the finance tables (lines and
rollup, as the import leaves them), populations and scenarios."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from core.models import Municipality
from finance.bulkload import account_group_of, rollup_build
from finance.importing.reference import classify_account, derive_product_path
from finance.models import BudgetDataset, BudgetLine, BudgetVersion
from planning.engine.population import (
    AgeBand,
    PopulationTable,
)
from planning.models import PopulationSeries
from planning.population.services import population_store

#: (product code, account code, year, phase, amount) — statement and direction follow the account class.
Line = tuple[str, str, int, str, str | Decimal]

FOUR_BANDS = (AgeBand(0, 6), AgeBand(6, 18), AgeBand(18, 65), AgeBand(65, None))


def budget_version(
    municipality: Municipality, lines: Sequence[Line], *, dataset: str = "Haushalt", label: str = ""
) -> BudgetVersion:
    """A version with these NKF lines (accounts 4xxx revenue, 5xxx expense) and its rollup."""
    data, _ = BudgetDataset.objects.get_or_create(municipality=municipality, name=dataset)
    number = data.versions.count() + 1
    checksum = hashlib.sha256(f"{municipality.pk}-{dataset}-{number}-{lines!r}".encode()).hexdigest()
    version = BudgetVersion.objects.create(
        dataset=data,
        municipality=municipality,
        number=number,
        label=label,
        source_file=f"finance/test/{checksum[:12]}.csv",
        source_name="test.csv",
        checksum=checksum,
        mapping={"land": municipality.land},
    )
    rows = []
    for i, (product, account, year, phase, amount) in enumerate(lines, start=1):
        path = derive_product_path(product, municipality.land)
        kind = classify_account(account)
        rows.append(
            BudgetLine(
                version=version,
                line=i + 1,
                product_code=product,
                area=path.area or "",
                product_group=path.group or "",
                account_code=account,
                account_group=account_group_of(account),
                year=year,
                phase=phase,
                statement=kind.statement,
                direction=kind.direction,
                amount=Decimal(amount),
            )
        )
    BudgetLine.objects.bulk_create(rows)
    version.line_count = len(rows)
    version.save(update_fields=["line_count"])
    rollup_build(version)
    return version


def population_variant(
    municipality: Municipality,
    years: Sequence[int],
    counts: Sequence[Sequence[float]],
    *,
    bands: Sequence[AgeBand] = FOUR_BANDS,
    variant: str = "test",
) -> PopulationSeries:
    """An official projection variant with these counts (rows: years, columns: bands)."""
    table = PopulationTable(tuple(years), tuple(bands), np.array(counts, dtype=float))
    _status, series = population_store(municipality=municipality, table=table, variant=variant)
    return series


def synthetic_budget_lines(year: int, items: int, *, seed: int = 1) -> list[Line]:
    """``items`` lines over the NRW product areas 01-16, a third of them revenue."""
    rng = np.random.default_rng(seed)
    lines: list[Line] = []
    for j in range(items):
        area = 1 + j % 16
        product = f"{area:02d}{1 + (j // 16) % 9:02d}{1 + j // 144:02d}"
        account = ("4011", "4211", "4321")[j % 3] if j % 3 == 0 else ("5011", "5211", "5311", "5411")[j % 4]
        lines.append((product, account, year, "plan", f"{rng.uniform(1e4, 5e6):.2f}"))
    return lines
