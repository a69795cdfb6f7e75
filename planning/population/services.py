"""Write operations for population data: imports (GENESIS 12411-0012, plain CSV), entry by form,
movements (births, deaths, migration), and the cohort-component projection variants.

Imports are all-or-nothing: the engine's parsers return either a complete table or line-numbered
issues, and nothing is stored when there are issues. Re-importing the same numbers is ``unchanged``.
The actual population of a municipality is one series; an import adds or replaces the years it holds
(a later GENESIS export with one more year simply extends it). An official projection variant is
replaced as a whole.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from core.imports import REJECTED, ImportOutcome
from core.models import Municipality
from planning.engine.cohort import (
    DEFAULT_TFR,
    VARIANTS,
    CohortAssumptions,
    default_assumptions,
    estimate_assumptions,
    life_table_person_years,
    project_variants,
)
from planning.engine.population import (
    AgeBand,
    MigrationByAge,
    PopulationTable,
    VitalStatistics,
    reband,
    single_year_bands,
)
from planning.engine.population_files import (
    PopulationIssue,
    parse_genesis_migration_by_age,
    parse_genesis_population,
    parse_genesis_vital_statistics,
    parse_population_csv,
    read_text,
)
from planning.models import MigrationCount, PopulationCount, PopulationMovement, PopulationSeries
from planning.population.selectors import actual_series, population_table

Source = str | bytes | Path

#: The 20 age groups of GENESIS table 12411-0012, offered by the entry form.
GENESIS_BANDS: tuple[AgeBand, ...] = tuple(
    AgeBand(lo, hi)
    for lo, hi in [
        (0, 3), (3, 6), (6, 10), (10, 15), (15, 18), (18, 20), (20, 25), (25, 30), (30, 35), (35, 40),
        (40, 45), (45, 50), (50, 55), (55, 60), (60, 65), (65, 70), (70, 75), (75, 80), (80, 85), (85, None),
    ]
)  # fmt: skip

_GENESIS_ROW = re.compile(r"^\s*\d{2}\.\d{2}\.\d{4};\d{5,8};", re.MULTILINE)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 6)


@dataclass
class PopulationImportOutcome(ImportOutcome):
    """What a population import did: ``imported``, ``unchanged`` or ``rejected`` (nothing stored)."""

    errors: list[PopulationIssue] = field(default_factory=list)
    series: PopulationSeries | None = None
    table: PopulationTable | None = None
    source_format: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.table is None:  # nothing was read: reported like a rejection
            return ImportOutcome(REJECTED, self.errors).to_json()
        return super().to_json()

    def payload_json(self) -> dict[str, Any]:
        table = self.table
        assert table is not None
        return {
            "format": self.source_format,
            "kind": self.series.kind if self.series else "",
            "variant": self.series.variant if self.series else "",
            "years": list(table.years),
            "age_groups": [b.label for b in table.bands],
            "total_by_year": {str(y): _number(t) for y, t in zip(table.years, table.totals(), strict=True)},
        }


def detect_population_format(text: str) -> str:
    """``genesis`` for a 12411-0012 export (rows ``31.12.YYYY;AGS;name;age group;...``), else ``csv``."""
    return "genesis" if _GENESIS_ROW.search(text) else "csv"


def _read(source: Source) -> tuple[str, str]:
    raw = source.read_bytes() if isinstance(source, Path) else source
    data = raw.encode() if isinstance(raw, str) else raw
    return read_text(data), hashlib.sha256(data).hexdigest()


def _count_rows(series: PopulationSeries, table: PopulationTable) -> list[PopulationCount]:
    return [
        PopulationCount(series=series, year=year, age_lo=band.lo, age_hi=band.hi, count=float(value))
        for year, row in zip(table.years, table.counts, strict=True)
        for band, value in zip(table.bands, row, strict=True)
    ]


def _same_counts(series: PopulationSeries, table: PopulationTable, *, whole: bool) -> bool:
    """True when the series already holds exactly these counts (for these years, or in total)."""
    stored = PopulationCount.objects.filter(series=series)
    if not whole:
        stored = stored.filter(year__in=table.years)
    have = {(c.year, c.age_lo, c.age_hi): c.count for c in stored}
    want = {
        (year, band.lo, band.hi): float(value)
        for year, row in zip(table.years, table.counts, strict=True)
        for band, value in zip(table.bands, row, strict=True)
    }
    return have == want


def population_store(
    *,
    municipality: Municipality,
    table: PopulationTable,
    variant: str | None = None,
    source_name: str = "",
    checksum: str = "",
) -> tuple[str, PopulationSeries]:
    """Store a parsed table: as the actual population (``variant`` None: its years are added or
    replaced) or as an official projection variant (replaced as a whole). Returns (status, series)."""
    kind = PopulationSeries.Kind.ACTUAL if variant is None else PopulationSeries.Kind.OFFICIAL
    with transaction.atomic():
        series, created = PopulationSeries.objects.select_for_update().get_or_create(
            municipality=municipality, kind=kind, variant=variant or ""
        )
        whole = kind != PopulationSeries.Kind.ACTUAL
        if not created and _same_counts(series, table, whole=whole):
            return "unchanged", series
        stale = PopulationCount.objects.filter(series=series)
        if not whole:
            stale = stale.filter(year__in=table.years)
        stale.delete()
        PopulationCount.objects.bulk_create(_count_rows(series, table), batch_size=2000)
        series.source_name = source_name[:255]
        series.checksum = checksum
        if whole:
            series.base_year = table.years[0]
        series.save()
    return "imported", series


def population_import(
    *, municipality: Municipality, source: Source, filename: str = "", variant: str | None = None
) -> PopulationImportOutcome:
    """Import population by age group and year from a GENESIS 12411-0012 export or a plain CSV
    (year; age group; count). Without ``variant`` it is the actual population, with one an official
    projection variant (e.g. "main")."""
    text, checksum = _read(source)
    fmt = detect_population_format(text)
    result = parse_genesis_population(text) if fmt == "genesis" else parse_population_csv(text)
    if result.data is None or result.issues:
        return PopulationImportOutcome("rejected", errors=list(result.issues), source_format=fmt)
    name = filename or (source.name if isinstance(source, Path) else "")
    status, series = population_store(
        municipality=municipality,
        table=result.data,
        variant=variant.strip() if variant else None,
        source_name=name,
        checksum=checksum,
    )
    return PopulationImportOutcome(status, series=series, table=result.data, source_format=fmt)


def population_enter(
    *, municipality: Municipality, year: int, counts: Mapping[AgeBand, float]
) -> PopulationImportOutcome:
    """Store one year of the actual population entered by hand (the entry form): bands must tile the
    ages from 0; the year's earlier counts are replaced."""
    from planning.engine.population import (
        band_problems,
    )

    bands = tuple(sorted(counts))
    problems = band_problems(bands)
    errors = [PopulationIssue(None, "age_group", None, de, en) for de, en in problems]
    errors += [
        PopulationIssue(None, band.label, f"{value:g}", _("Negative Anzahl."), "Negative count.")
        for band, value in counts.items()
        if value < 0
    ]
    if errors:
        return PopulationImportOutcome("rejected", errors=errors, source_format="form")
    table = PopulationTable((int(year),), bands, np.array([[float(counts[b]) for b in bands]]))
    status, series = population_store(
        municipality=municipality, table=table, source_name=_("Eingabe im Formular")
    )
    return PopulationImportOutcome(status, series=series, table=table, source_format="form")


def population_series_delete(*, series: PopulationSeries) -> None:
    with transaction.atomic():
        series.delete()


# -- movements ------------------------------------------------------------------------------------------
@dataclass
class MovementsImportOutcome(ImportOutcome):
    """What a movements import did; ``kind`` is ``vital`` (births, deaths, migration totals),
    ``migration_in`` or ``migration_out`` (by age group)."""

    errors: list[PopulationIssue] = field(default_factory=list)
    kind: str = ""
    years: list[int] = field(default_factory=list)
    age_groups: list[str] = field(default_factory=list)
    totals: dict[str, dict[str, int | float]] = field(default_factory=dict)

    def payload_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "years": self.years}
        if self.age_groups:
            data["age_groups"] = self.age_groups
        data["by_year"] = self.totals
        return data


def movements_import(
    *, municipality: Municipality, source: Source, filename: str = ""
) -> MovementsImportOutcome:
    """Import births/deaths/migration per year (GENESIS "Bevölkerungsbewegung") or Zuzüge/Fortzüge by
    age group (GENESIS 12711-0011/-0012); the table type is recognised from its header."""
    text, _checksum = _read(source)
    name = filename or (source.name if isinstance(source, Path) else "")
    head = "\n".join(text.splitlines()[:8]).lower()
    if "altersgruppe" in head:
        parsed_m = parse_genesis_migration_by_age(text)
        if parsed_m.data is None or parsed_m.issues:
            return MovementsImportOutcome("rejected", errors=list(parsed_m.issues))
        return _store_migration(municipality, parsed_m.data)
    parsed = parse_genesis_vital_statistics(text)
    if parsed.data is None or parsed.issues:
        return MovementsImportOutcome("rejected", errors=list(parsed.issues))
    return _store_vital(municipality, parsed.data, name)


def movements_preview(
    *, municipality: Municipality, source: Source, filename: str = ""
) -> tuple[MovementsImportOutcome, list[int]]:
    """What ``movements_import`` would do, without storing anything: the outcome (status ``imported`` means
    "would change") and the years whose stored values it would replace. Runs the import in a savepoint
    that is rolled back, so preview and import can never disagree."""
    with transaction.atomic():
        outcome = movements_import(municipality=municipality, source=source, filename=filename)
        transaction.set_rollback(True)
    replaced: list[int] = []
    if outcome.ok:
        if outcome.kind == "vital":
            stored = PopulationMovement.objects.filter(municipality=municipality, year__in=outcome.years)
        else:
            stored = MigrationCount.objects.filter(
                municipality=municipality,
                direction=outcome.kind.removeprefix("migration_"),
                year__in=outcome.years,
            )
        replaced = sorted(set(stored.values_list("year", flat=True)))
    return outcome, replaced


def _store_vital(municipality: Municipality, vital: VitalStatistics, name: str) -> MovementsImportOutcome:
    rows = {
        year: {
            "births": int(vital.births[i]),
            "deaths": int(vital.deaths[i]),
            "in_migration": int(vital.in_migration[i]),
            "out_migration": int(vital.out_migration[i]),
        }
        for i, year in enumerate(vital.years)
    }
    with transaction.atomic():
        existing = {
            m.year: {
                "births": m.births,
                "deaths": m.deaths,
                "in_migration": m.in_migration,
                "out_migration": m.out_migration,
            }
            for m in PopulationMovement.objects.select_for_update().filter(
                municipality=municipality, year__in=list(rows)
            )
        }
        status = "unchanged" if existing == rows else "imported"
        if status == "imported":
            PopulationMovement.objects.filter(municipality=municipality, year__in=list(rows)).delete()
            PopulationMovement.objects.bulk_create(
                PopulationMovement(municipality=municipality, year=y, source_name=name[:255], **values)
                for y, values in rows.items()
            )
    return MovementsImportOutcome(
        status, kind="vital", years=list(vital.years), totals={str(y): v for y, v in rows.items()}
    )


def _store_migration(municipality: Municipality, migration: MigrationByAge) -> MovementsImportOutcome:
    direction = migration.direction
    want = {
        (year, band.lo, band.hi): float(value)
        for year, row in zip(migration.years, migration.counts, strict=True)
        for band, value in zip(migration.bands, row, strict=True)
    }
    with transaction.atomic():
        stored = MigrationCount.objects.select_for_update().filter(
            municipality=municipality, direction=direction, year__in=migration.years
        )
        have = {(c.year, c.age_lo, c.age_hi): c.count for c in stored}
        status = "unchanged" if have == want else "imported"
        if status == "imported":
            stored.delete()
            MigrationCount.objects.bulk_create(
                MigrationCount(
                    municipality=municipality, direction=direction, year=y, age_lo=lo, age_hi=hi, count=v
                )
                for (y, lo, hi), v in want.items()
            )
    totals = {
        str(year): _number(float(row.sum()))
        for year, row in zip(migration.years, migration.counts, strict=True)
    }
    return MovementsImportOutcome(
        status,
        kind=f"migration_{direction}",
        years=list(migration.years),
        age_groups=[b.label for b in migration.bands],
        totals={"total": totals},
    )


def movements_data(
    municipality: Municipality,
) -> tuple[VitalStatistics | None, MigrationByAge | None, MigrationByAge | None]:
    """Stored movements as engine objects (three queries)."""
    rows = list(PopulationMovement.objects.filter(municipality=municipality).order_by("year"))
    vital = None
    if rows:
        vital = VitalStatistics(
            years=tuple(r.year for r in rows),
            births=np.array([r.births for r in rows], dtype=float),
            deaths=np.array([r.deaths for r in rows], dtype=float),
            in_migration=np.array([r.in_migration for r in rows], dtype=float),
            out_migration=np.array([r.out_migration for r in rows], dtype=float),
        )
    migration: dict[str, MigrationByAge | None] = {"in": None, "out": None}
    for direction in ("in", "out"):
        cells = list(
            MigrationCount.objects.filter(municipality=municipality, direction=direction).order_by(
                "year", "age_lo"
            )
        )
        if not cells:
            continue
        years = sorted({c.year for c in cells})
        bands = sorted({AgeBand(c.age_lo, c.age_hi) for c in cells})
        lookup = {(c.year, AgeBand(c.age_lo, c.age_hi)): c.count for c in cells}
        if len(lookup) != len(years) * len(bands):
            continue  # years with other bands: not usable as one table
        counts = np.array([[lookup[(y, b)] for b in bands] for y in years])
        migration[direction] = MigrationByAge(tuple(years), tuple(bands), counts, direction)
    return vital, migration["in"], migration["out"]


# -- cohort-component projection ------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectionSettings:
    """What the planner may set for a Spielraum projection (None: default or estimate).

    ``fertility_factor`` and ``mortality_factor`` multiply the national rates (1 = Germany);
    ``net_migration`` is persons per year (Zuzüge - Fortzüge) for the main variant.
    """

    base_year: int | None = None
    horizon: int = 30
    use_history: bool = True
    fertility_factor: float | None = None
    mortality_factor: float | None = None
    net_migration: float | None = None


def _assumptions_for(
    table: PopulationTable, municipality: Municipality, settings: ProjectionSettings, base_year: int
) -> tuple[CohortAssumptions, dict[str, Any], dict[str, Any]]:
    """National defaults, scaled to the municipality's own history when it was imported, then the
    planner's overrides. Returns (assumptions, what was used, calibration report)."""
    base = default_assumptions()
    assumptions, report = base, None
    fert, mort = 1.0, 1.0
    vital, mig_in, mig_out = movements_data(municipality) if settings.use_history else (None, None, None)
    if vital is not None and len(table.years) >= 2:
        vital_years = [y for y in vital.years if y <= base_year]
        if vital_years:
            usable = mig_in is not None and mig_out is not None
            try:
                assumptions, report = estimate_assumptions(
                    table,
                    vital,
                    migration_in=mig_in if usable else None,
                    migration_out=mig_out if usable else None,
                )
            except ValueError:
                assumptions, report = estimate_assumptions(table, vital)
            fert, mort = report.fertility_factor, report.mortality_factor
    if settings.fertility_factor is not None:
        fert = float(settings.fertility_factor)
    if settings.mortality_factor is not None:
        mort = float(settings.mortality_factor)
    net = np.asarray(assumptions.net_migration, dtype=float)
    if settings.net_migration is not None:
        target = float(settings.net_migration)
        if net.sum() != 0 and np.sign(net.sum()) == np.sign(target):
            net = net * (target / net.sum())  # keep the observed age pattern of migration
        else:  # spread like the population (the engine's rule without age detail)
            singles = single_year_bands(len(net) - 1)
            weights = life_table_person_years(base.mortality)
            latest = reband(table.for_year(base_year), table.bands, singles, weights=weights)
            net = target * latest / latest.sum()
    assumptions = CohortAssumptions(
        mortality=np.clip(base.mortality * mort, 0.0, 1.0),
        fertility=base.fertility * fert,
        net_migration=net,
        female_share=base.female_share,
    )
    used = {
        "base_year": base_year,
        "horizon": settings.horizon,
        "fertility_factor": round(fert, 6),
        "mortality_factor": round(mort, 6),
        "tfr": round(DEFAULT_TFR * fert, 4),
        "net_migration": round(float(net.sum()), 3),
        "estimated": report is not None,
        "overrides": {
            k: v
            for k, v in {
                "fertility_factor": settings.fertility_factor,
                "mortality_factor": settings.mortality_factor,
                "net_migration": settings.net_migration,
            }.items()
            if v is not None
        },
    }
    calibration = {} if report is None else {k: v for k, v in asdict(report).items()}
    return assumptions, used, calibration


def population_project(
    *,
    municipality: Municipality,
    settings: ProjectionSettings | None = None,
    variants: Sequence[str] = ("low", "main", "high"),
) -> list[PopulationSeries]:
    """Make Spielraum's cohort-component projection (low / main / high) from the actual population and
    store each variant on the actual population's age groups, base year included. Raises ValueError
    when there is no actual population (or not for the base year)."""
    settings = settings or ProjectionSettings()
    actual = actual_series(municipality)
    table = population_table(actual) if actual else None
    if table is None:
        raise ValueError(_("Es ist noch kein Bevölkerungsstand erfasst."))
    base_year = settings.base_year or table.years[-1]
    if base_year not in table.years:
        raise ValueError(
            _("Für das Basisjahr %(year)s gibt es keinen Bevölkerungsstand.") % {"year": base_year}
        )
    if not 1 <= settings.horizon <= 30:
        raise ValueError(_("Der Horizont muss zwischen 1 und 30 Jahren liegen."))
    assumptions, used, calibration = _assumptions_for(table, municipality, settings, base_year)
    from planning.engine.cohort import expand_base_population

    base_single = expand_base_population(table.for_year(base_year), table.bands, assumptions.mortality)
    projections = project_variants(
        base_single,
        assumptions,
        horizon=settings.horizon,
        base_year=base_year,
        variants={name: VARIANTS[name] for name in variants},
    )
    stored = []
    with transaction.atomic():
        for name, projection in projections.items():
            matrix = projection.by_bands(table.bands)  # (A, T+1)
            result = PopulationTable(projection.years, table.bands, matrix.T)
            series, _created = PopulationSeries.objects.select_for_update().get_or_create(
                municipality=municipality, kind=PopulationSeries.Kind.COHORT, variant=name
            )
            PopulationCount.objects.filter(series=series).delete()
            PopulationCount.objects.bulk_create(_count_rows(series, result), batch_size=2000)
            series.base_year = base_year
            series.assumptions = {**used, "variant": name}
            series.calibration = calibration
            series.source_name = _("Kohorten-Komponenten-Methode")
            series.save()
            stored.append(series)
    return stored
