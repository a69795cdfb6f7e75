"""Read queries of the finance app: versions, totals and the explorer's breakdowns.

Every aggregation runs in the database (``values().annotate(Sum(...))``) and the number of queries of a
page does not depend on the amount of data: level totals come from ``BudgetRollup`` (a few thousand
rows per version), account detail of one product from ``BudgetLine`` through its (version, product)
index, names from the small per-version product and account tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Max, Min, QuerySet, Sum

from core.models import Municipality
from finance.importing.reference import RESULTS, REVENUE, product_area_name, scheme_for_land
from finance.models import (
    BudgetAccount,
    BudgetDataset,
    BudgetLine,
    BudgetProduct,
    BudgetRollup,
    BudgetUpload,
    BudgetVersion,
    ImportProfile,
)

ZERO = Decimal("0.00")
LEVELS = ("area", "product", "account", "account_group")
PHASE_ORDER = {"actual": 0, "plan": 1, "commitment": 2}


# -- versions -------------------------------------------------------------------------------------------
def versions_of(municipality: Municipality) -> QuerySet[BudgetVersion]:
    """All versions of the municipality, newest first within each dataset."""
    return (
        BudgetVersion.objects.filter(municipality=municipality)
        .select_related("dataset", "uploaded_by")
        .order_by("dataset__name", "-number")
    )


def latest_versions(municipality: Municipality) -> QuerySet[BudgetVersion]:
    """The newest version of each dataset."""
    return versions_of(municipality).latest_per_dataset()


_ADOPTED = (BudgetVersion.Status.ADOPTED, BudgetVersion.Status.SUPPLEMENTARY)


def _default_key(version: BudgetVersion) -> tuple:
    """The current budget first, then adopted/supplementary versions, then the newest upload."""
    return (version.is_current, version.status in _ADOPTED, version.uploaded_at, version.pk)


def default_version(versions: list[BudgetVersion]) -> BudgetVersion | None:
    """The default of every page among ``versions``: the current adopted budget (``is_current``); when
    none is marked, the newest adopted (or supplementary) version; only when nothing was adopted yet the
    newest upload, so that a fresh installation shows something. An upload never displaces a marked
    current budget (issue: an old year's file became the default just by being uploaded last)."""
    return max(versions, key=_default_key, default=None)


def current_budget_version(municipality: Municipality) -> BudgetVersion | None:
    """The municipality's current adopted budget (see ``default_version``); one query."""
    return (
        BudgetVersion.objects.filter(municipality=municipality)
        .select_related("dataset")
        .order_by(
            "-is_current",
            models.Case(models.When(status__in=_ADOPTED, then=0), default=1),
            "-uploaded_at",
            "-pk",
        )
        .first()
    )


def current_version_ids(municipality_ids: Iterable[int]) -> dict[int, int]:
    """Municipality id -> id of its current budget version (one query for all)."""
    chosen: dict[int, int] = {}
    rows = (
        BudgetVersion.objects.filter(municipality_id__in=list(municipality_ids))
        .order_by(
            "municipality_id",
            "-is_current",
            models.Case(models.When(status__in=_ADOPTED, then=0), default=1),
            "-uploaded_at",
            "-pk",
        )
        .values_list("municipality_id", "pk")
    )
    for municipality_id, pk in rows:
        chosen.setdefault(municipality_id, pk)
    return chosen


def datasets_of(municipality: Municipality) -> QuerySet[BudgetDataset]:
    return BudgetDataset.objects.filter(municipality=municipality).annotate(version_count=Count("versions"))


def profiles_of(municipality: Municipality) -> QuerySet[ImportProfile]:
    return ImportProfile.objects.filter(municipality=municipality).order_by("name")


def uploads_pending(municipality: Municipality) -> QuerySet[BudgetUpload]:
    """Uploads not (yet) imported: staged, running or rejected ones."""
    return BudgetUpload.objects.filter(
        municipality=municipality,
        status__in=[
            BudgetUpload.Status.STAGED,
            BudgetUpload.Status.IMPORTING,
            BudgetUpload.Status.REJECTED,
            BudgetUpload.Status.FAILED,
        ],
    ).select_related("job")


def land_of(version: BudgetVersion) -> str:
    return (version.mapping or {}).get("land") or version.municipality.land


# -- totals ---------------------------------------------------------------------------------------------
def totals_rows(sums: dict[tuple[int, str, str, str], Decimal]) -> list[dict[str, Any]]:
    """(year, phase, statement, direction) -> amount, as the importer's ``totals`` rows: revenue and
    expense per year, phase and statement, ordered by year, phase (actual, plan, commitment), statement."""
    rows: dict[tuple[int, str, str], dict[str, Any]] = {}
    for (year, phase, statement, direction), amount in sums.items():
        row = rows.setdefault(
            (year, phase, statement),
            {"year": year, "phase": phase, "statement": statement, "revenue": ZERO, "expense": ZERO},
        )
        row["revenue" if direction == REVENUE else "expense"] += amount or ZERO
    return sorted(
        rows.values(),
        key=lambda r: (r["year"], PHASE_ORDER.get(r["phase"], 9), r["statement"] != RESULTS, r["statement"]),
    )


def version_totals(
    versions: BudgetVersion | list[BudgetVersion], *, stored: bool = True
) -> list[dict[str, Any]]:
    """Revenue and expense per year, phase and statement of what is stored (summed over ``versions``),
    in the importer's ``totals`` shape and order. One version's totals come from its ``summary`` (written
    at import) unless ``stored=False``; otherwise one aggregation over the rollup."""
    if isinstance(versions, BudgetVersion) and stored and versions.summary:
        return [
            {**row, "revenue": Decimal(row["revenue"]), "expense": Decimal(row["expense"])}
            for row in versions.summary
        ]
    ids = [versions.pk] if isinstance(versions, BudgetVersion) else [v.pk for v in versions]
    sums = {
        (row["year"], row["phase"], row["statement"], row["direction"]): row["total"]
        for row in BudgetRollup.objects.filter(version_id__in=ids)
        .values("year", "phase", "statement", "direction")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    return totals_rows(sums)


def year_overview(version: BudgetVersion, statement: str = RESULTS) -> list[dict[str, Any]]:
    """Revenue, expense and balance per (year, phase) of one statement, ordered by year and phase."""
    rows = [row for row in version_totals(version) if row["statement"] == statement]
    for row in rows:
        row["balance"] = row["revenue"] - row["expense"]
    return rows


def slices_of(overview: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """The (year, phase) pairs present, in display order."""
    return [(row["year"], row["phase"]) for row in overview]


def default_slice(overview: list[dict[str, Any]]) -> tuple[int, str] | None:
    """The latest plan year if there is one (what a Kämmerei looks at first), else the latest year."""
    plans = [(row["year"], row["phase"]) for row in overview if row["phase"] == "plan"]
    if plans:
        return max(plans)
    pairs = [(row["year"], row["phase"]) for row in overview if row["phase"] != "commitment"]
    return max(pairs, default=None)


# -- breakdowns -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slice:
    """What a breakdown shows: one version, statement, year and phase."""

    version: BudgetVersion
    statement: str
    year: int
    phase: str


def _pivot(rows, key: str) -> dict[str, dict[str, Decimal]]:
    """Rows of (key, direction, total) -> {key: {revenue, expense}}."""
    result: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        entry = result.setdefault(row[key], {"revenue": ZERO, "expense": ZERO})
        entry["revenue" if row["direction"] == REVENUE else "expense"] += row["total"] or ZERO
    return result


def breakdown_sums(
    selection: Slice, level: str, *, area: str | None = None, product: str | None = None
) -> dict[str, dict[str, Any]]:
    """Sums per code of ``level`` (area, product, account, account_group) for one slice: one query."""
    filters = {
        "version": selection.version,
        "statement": selection.statement,
        "year": selection.year,
        "phase": selection.phase,
    }
    if level == "account":
        query = BudgetLine.objects.filter(**filters, product_code=product or "")
        key = "account_code"
    else:
        query = BudgetRollup.objects.filter(**filters)
        key = {"area": "area", "product": "product_code", "account_group": "account_group"}[level]
        if level == "product":
            query = query.filter(area=area or "")
    rows = query.values(key, "direction").annotate(total=Sum("amount")).order_by()
    return _pivot(rows, key)


def names_for(version_ids: list[int], level: str, codes: set[str], land: str) -> dict[str, str]:
    """Display names of codes: reference names for areas and account groups, the file's names for
    products and accounts (one query for those)."""
    if level == "area":
        return {code: product_area_name(code, land) or "" for code in codes}
    if level == "account_group":
        scheme, _ = scheme_for_land(land)
        return {code: scheme.account_groups.get(code) or "" for code in codes}
    model = BudgetProduct if level == "product" else BudgetAccount
    names: dict[str, str] = {}
    for code, name in (
        model.objects.filter(version_id__in=version_ids, code__in=codes)
        .order_by("-version_id")
        .values_list("code", "name")
    ):
        names[code] = name if name or code not in names else names[code]
    return names


def product_groups(version_ids: list[int], codes: set[str]) -> dict[str, str]:
    return dict(
        BudgetProduct.objects.filter(version_id__in=version_ids, code__in=codes).values_list("code", "group")
    )


def breakdown(
    selection: Slice,
    level: str,
    *,
    area: str | None = None,
    product: str | None = None,
    base: Slice | None = None,
    population: int | None = None,
) -> list[dict[str, Any]]:
    """The explorer's table: one row per code with revenue, expense, balance (revenue - expense), per
    inhabitant, and, with a ``base`` slice to compare with, the base balance and the change.

    Queries: one for the slice, one for the base, one for product/account names.
    """
    current = breakdown_sums(selection, level, area=area, product=product)
    compared = breakdown_sums(base, level, area=area, product=product) if base else {}
    codes = set(current) | set(compared)
    version_ids = [selection.version.pk] + ([base.version.pk] if base else [])
    names = names_for(version_ids, level, codes, land_of(selection.version))
    rows = []
    for code in codes:
        values = current.get(code, {"revenue": ZERO, "expense": ZERO})
        row: dict[str, Any] = {
            "code": code,
            "name": names.get(code, ""),
            "revenue": values["revenue"],
            "expense": values["expense"],
            "balance": values["revenue"] - values["expense"],
        }
        row["per_inhabitant"] = _per_inhabitant(row["balance"], population)
        if base is not None:
            other = compared.get(code, {"revenue": ZERO, "expense": ZERO})
            row["base_revenue"], row["base_expense"] = other["revenue"], other["expense"]
            row["base_balance"] = other["revenue"] - other["expense"]
            row["delta"] = row["balance"] - row["base_balance"]
            row["delta_percent"] = (
                (row["delta"] / abs(row["base_balance"]) * 100).quantize(Decimal("0.1"))
                if row["base_balance"]
                else None
            )
        rows.append(row)
    rows.sort(key=lambda r: (r["code"] == "", r["code"]))
    return rows


def breakdown_total(rows: list[dict[str, Any]], population: int | None = None) -> dict[str, Any]:
    """The footer row of a breakdown table."""
    total: dict[str, Any] = {"code": "", "name": ""}
    for key in ("revenue", "expense", "balance", "base_revenue", "base_expense", "base_balance", "delta"):
        if rows and key in rows[0]:
            total[key] = sum((r[key] for r in rows), ZERO)
    if "balance" not in total:
        total.update(revenue=ZERO, expense=ZERO, balance=ZERO)
    total["per_inhabitant"] = _per_inhabitant(total["balance"], population)
    if "delta" in total:
        total["delta_percent"] = (
            (total["delta"] / abs(total["base_balance"]) * 100).quantize(Decimal("0.1"))
            if total["base_balance"]
            else None
        )
    return total


def _per_inhabitant(amount: Decimal, population: int | None) -> Decimal | None:
    if not population:
        return None
    return (amount / population).quantize(Decimal("0.01"))


def sunburst_sums(selection: Slice, direction: str = "expense") -> list[dict[str, Any]]:
    """Amounts of one direction per area, product group and product (one query), for the sunburst."""
    return list(
        BudgetRollup.objects.filter(
            version=selection.version,
            statement=selection.statement,
            year=selection.year,
            phase=selection.phase,
            direction=direction,
        )
        .values("area", "product_group", "product_code")
        .annotate(total=Sum("amount"))
        .order_by("area", "product_group", "product_code")
    )


def product_names(version: BudgetVersion) -> dict[str, str]:
    return dict(BudgetProduct.objects.filter(version=version).values_list("code", "name"))


def latest_plan_summary(municipality: Municipality) -> dict[str, Any] | None:
    """For the overview panel: the current budget and the totals of its latest plan year (2 queries)."""
    version = current_budget_version(municipality)
    if version is None:
        return None
    overview = year_overview(version)
    chosen = default_slice(overview)
    row = next((r for r in overview if (r["year"], r["phase"]) == chosen), None)
    return {"version": version, "row": row}


# -- read API for the apps above finance (planning) ------------------------------------------------------
# Planning reads budget data only through these functions (and ``finance.vocabulary``); they return
# querysets of versions or plain values, so the tables behind them (rollup, lines) can change.
BudgetItem = tuple[str, str, str, str, str]  # area, product group, product code, account group, direction


def versions_by_import(municipality: Municipality) -> QuerySet[BudgetVersion]:
    """Versions of the municipality, the current adopted budget first, then the most recently imported
    (with their dataset): the first one is the default of planning's pages."""
    return (
        BudgetVersion.objects.filter(municipality=municipality)
        .select_related("dataset")
        .order_by("-is_current", "-uploaded_at", "-pk")
    )


def newest_version_ids(municipalities) -> dict[int, int]:
    """municipality id -> id of its current budget version (see ``current_version_ids``; one query).
    Kept under this name for planning's callers: the default is the current adopted budget, not the
    last upload."""
    return current_version_ids(getattr(m, "pk", m) for m in municipalities)


def versions_with_rows(versions: QuerySet[BudgetVersion], *, phase: str, statement: str) -> QuerySet:
    """The versions among ``versions`` that hold rows of this phase and statement (rollup or lines)."""
    with_rollup = versions.filter(
        pk__in=BudgetRollup.objects.filter(phase=phase, statement=statement).values("version_id")
    )
    if with_rollup.exists():
        return with_rollup
    return versions.filter(
        pk__in=BudgetLine.objects.filter(phase=phase, statement=statement).values("version_id")
    )


def account_group_sums(
    version_ids, *, phase: str, statement: str = RESULTS
) -> list[tuple[int, int, str | None, str, Decimal]]:
    """(version id, year, account group, direction, amount) summed in the database, from the rollup
    (the lines for versions without one)."""
    ids = list(version_ids)
    if not ids:
        return []
    with_rollup = set(
        BudgetRollup.objects.filter(version_id__in=ids).values_list("version_id", flat=True).distinct()
    )
    queries = [BudgetRollup.objects.filter(version_id__in=with_rollup)]
    if set(ids) - with_rollup:
        queries.append(BudgetLine.objects.filter(version_id__in=set(ids) - with_rollup))
    out = []
    for query in queries:
        rows = (
            query.filter(phase=phase, statement=statement)
            .values("version_id", "year", "account_group", "direction")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        out += [
            (r["version_id"], r["year"], r["account_group"], r["direction"], r["total"] or ZERO) for r in rows
        ]
    return out


def account_sums(
    version_ids, *, phase: str, statement: str, direction: str, account_group: str, account_prefix: str
) -> dict[tuple[int, int], Decimal]:
    """(version id, year) -> sum of the lines whose account code starts with ``account_prefix``."""
    rows = (
        BudgetLine.objects.filter(
            version_id__in=list(version_ids),
            phase=phase,
            statement=statement,
            direction=direction,
            account_group=account_group,
            account_code__startswith=account_prefix,
        )
        .values("version_id", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(r["version_id"], r["year"]): r["total"] or ZERO for r in rows}


def result_sums_by_item(
    *, version_ids, years, phases
) -> dict[tuple[int, int, str], list[tuple[BudgetItem, Decimal]]]:
    """(version id, year, phase) -> [(item, amount)] of the results statement, one row per product x
    account group x direction, ordered (the projection's base-year items; one query for a batch)."""
    sums: dict[tuple[int, int, str], list[tuple[BudgetItem, Decimal]]] = defaultdict(list)
    rows = (
        BudgetRollup.objects.filter(
            version_id__in=list(version_ids), statement=RESULTS, year__in=list(years), phase__in=list(phases)
        )
        .values(
            "version_id",
            "year",
            "phase",
            "area",
            "product_group",
            "product_code",
            "account_group",
            "direction",
        )
        .annotate(total=Sum("amount"))
        .order_by("version_id", "year", "phase", "area", "product_code", "account_group", "direction")
    )
    for row in rows.iterator(chunk_size=20_000):
        item = (
            row["area"],
            row["product_group"],
            row["product_code"],
            row["account_group"],
            row["direction"],
        )
        sums[(row["version_id"], row["year"], row["phase"])].append((item, row["total"]))
    return sums


def latest_year(
    version: BudgetVersion | None, *, phase: str | None = None, statement: str = RESULTS
) -> int | None:
    """The last year of this phase (any phase: None) and statement in the version's rollup."""
    if version is None:
        return None
    rows = BudgetRollup.objects.filter(version=version, statement=statement)
    return (rows.filter(phase=phase) if phase else rows).aggregate(y=Max("year"))["y"]


def first_year(version: BudgetVersion | None, *, phase: str, statement: str = RESULTS) -> int | None:
    """The first year of this phase and statement in the version's rollup."""
    if version is None:
        return None
    rows = BudgetRollup.objects.filter(version=version, statement=statement, phase=phase)
    return rows.aggregate(y=Min("year"))["y"]


def product_sums(version: BudgetVersion, *, year: int, phase: str, direction: str) -> QuerySet:
    """Rows {area, product_group, product_code, today} of one year of the results statement."""
    return (
        BudgetRollup.objects.filter(
            version=version, statement=RESULTS, phase=phase, year=year, direction=direction
        )
        .values("area", "product_group", "product_code")
        .annotate(today=Sum("amount"))
        .order_by("area", "product_group", "product_code")
    )
