"""Read side of the resilience checks: the inputs of a check (opening balance sheet, multi-year results
path, actuals history), stored runs, NKF indicators and the inter-municipal comparison.

Budget amounts are read from ``finance.BudgetRollup`` (a few thousand rows per version; the lines only
when a version has no rollup, and for the Gewerbesteuer account 4013), so the number of queries does
not grow with the size of a budget. Everything here only reads; computing and storing a check is in
``planning.resilience.services``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.models import Municipality
from finance import selectors as finance_selectors
from finance.models import BudgetVersion
from finance.vocabulary import EXPENSE, RESULTS, REVENUE, scheme_for_land
from planning.engine.resilience import OpeningBalances, run_reserve_path
from planning.engine.stress import TRADE_TAX_ACCOUNT, BasePath, DebtInfo, Group
from planning.projection.models import Scenario
from planning.projection.selectors import scenario_annual_results, scenario_group_paths
from planning.resilience.models import BalanceSheet, ResilienceRun

ZERO = Decimal("0.00")
NO_GROUP = "-"  # lines without an account group
TRADE_TAX_GROUP = "40"

GroupKey = tuple[str, str]  # (account group, direction)
YearSums = dict[int, dict[GroupKey, Decimal]]


class ResilienceInputError(Exception):
    """Inputs of a check are missing or inconsistent; the message is shown as it is (German)."""


# --------------------------------------------------------------------------------------------------
# Balance sheets and budget versions
# --------------------------------------------------------------------------------------------------


def balance_sheets_of(municipality: Municipality) -> QuerySet[BalanceSheet]:
    return BalanceSheet.objects.for_municipality(municipality).order_by("-year")


def budget_versions_of(municipality: Municipality) -> QuerySet[BudgetVersion]:
    """Versions of the municipality, the current adopted budget first, then the most recently imported."""
    return finance_selectors.versions_by_import(municipality)


def version_label(version: BudgetVersion) -> str:
    label = f" – {version.label}" if version.label else ""
    return f"{version.dataset.name} v{version.number}{label}"


def budget_version_find(municipality: Municipality, name: str | int | None = None) -> BudgetVersion:
    """The version named ``name`` (id, label, "Dataset vN", or dataset name = its newest version), or,
    without a name, the most recently imported version that has plan years in the results statement."""
    versions = budget_versions_of(municipality)
    if name in (None, ""):
        with_plan = finance_selectors.versions_with_rows(versions, phase="plan", statement=RESULTS).first()
        if with_plan is None:
            raise ResilienceInputError(
                _("Für %(m)s ist keine Haushaltsversion mit Planjahren (Ergebnisplan) importiert.")
                % {"m": municipality.name}
            )
        return with_plan
    text = str(name).strip()
    for version in versions:
        names = {
            str(version.pk),
            version.label,
            version_label(version),
            f"{version.dataset.name} v{version.number}",
        }
        if text in names:
            return version
    newest = versions.filter(dataset__name=text).order_by("-number").first()
    if newest is not None:
        return newest
    raise ResilienceInputError(
        _("Haushaltsversion „%(name)s“ von %(m)s nicht gefunden.") % {"name": text, "m": municipality.name}
    )


def group_sums(version_ids: Iterable[int], *, phase: str, statement: str = RESULTS) -> dict[int, YearSums]:
    """version id -> year -> (account group, direction) -> amount, from the rollup (lines as fallback)."""
    out: dict[int, YearSums] = defaultdict(lambda: defaultdict(dict))
    for vid, year, group, direction, total in finance_selectors.account_group_sums(
        version_ids, phase=phase, statement=statement
    ):
        key = (group or NO_GROUP, direction)
        bucket = out[vid][year]
        bucket[key] = bucket.get(key, ZERO) + total
    return out


def _trade_tax(version_ids: Iterable[int], *, phase: str) -> dict[tuple[int, int], Decimal]:
    """(version id, year) -> Gewerbesteuer (accounts 4013…) of the results statement."""
    return finance_selectors.account_sums(
        version_ids,
        phase=phase,
        statement=RESULTS,
        direction=REVENUE,
        account_group=TRADE_TAX_GROUP,
        account_prefix=TRADE_TAX_ACCOUNT,
    )


def _split_trade_tax(sums: YearSums, trade_tax: dict[int, Decimal]) -> YearSums:
    """Move Gewerbesteuer out of group 40 into its own group 4013 (the most volatile revenue)."""
    out: YearSums = {}
    for year, groups in sums.items():
        groups = dict(groups)
        amount = trade_tax.get(year, ZERO)
        key = (TRADE_TAX_GROUP, REVENUE)
        if amount and key in groups:
            groups[key] -= amount
            groups[(TRADE_TAX_ACCOUNT, REVENUE)] = amount
        out[year] = groups
    return out


def actual_year_sums(municipality: Municipality, *, split_trade_tax: bool = False) -> YearSums:
    """Actual results per year and group: for each year the most recently imported version that has it."""
    version_ids = list(finance_selectors.versions_by_import(municipality).values_list("pk", flat=True))
    by_version = group_sums(version_ids, phase="actual")
    chosen: dict[int, int] = {}
    for vid in sorted(by_version):  # later imports (higher ids) win
        for year in by_version[vid]:
            chosen[year] = vid
    sums = {year: dict(by_version[vid][year]) for year, vid in sorted(chosen.items())}
    if split_trade_tax and sums:
        tax = _trade_tax(set(chosen.values()), phase="actual")
        sums = _split_trade_tax(sums, {y: tax.get((vid, y), ZERO) for y, vid in chosen.items()})
    return sums


def annual_result(groups: dict[GroupKey, Decimal]) -> Decimal:
    """Jahresergebnis = Σ Erträge − Σ Aufwendungen."""
    return sum((a if d == REVENUE else -a for (_c, d), a in groups.items()), ZERO)


# --------------------------------------------------------------------------------------------------
# Inputs of a check
# --------------------------------------------------------------------------------------------------


@dataclass
class ResilienceInputs:
    """Everything a check needs, resolved from the database (see ``resilience_inputs``)."""

    municipality: Municipality
    source_kind: str
    source_label: str
    balance_sheet: BalanceSheet
    opening: OpeningBalances  # at the start of the first path year
    base: BasePath  # planned amounts per group, path years only
    results: dict[int, Decimal]  # exact annual results of the path years
    history: np.ndarray | None = None  # (years, G) actual levels of the base's groups, NaN = missing
    history_years: list[int] = field(default_factory=list)
    budget_version: BudgetVersion | None = None
    scenario: Scenario | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def years(self) -> tuple[int, ...]:
        return self.base.years

    def to_json(self) -> dict[str, Any]:
        """Snapshot stored with a run: what went in, readable after the sources change."""
        bs = self.balance_sheet
        return {
            "source_kind": self.source_kind,
            "source_label": self.source_label,
            "budget_version": self.budget_version.pk if self.budget_version else None,
            "scenario": getattr(self.scenario, "pk", None),
            "balance_sheet": {
                "year": bs.year,
                "equity": _s(bs.total_equity),
                "equalisation_reserve": _s(bs.equalisation_reserve),
                "general_reserve": _s(bs.general_reserve),
                "balance_sheet_total": _s(bs.balance_sheet_total),
                "investment_loans": _s(bs.investment_loans),
                "liquidity_loans": _s(bs.liquidity_loans),
            },
            "opening": {
                "equalisation_reserve": _s(self.opening.equalisation_reserve),
                "general_reserve": _s(self.opening.general_reserve),
                "other_equity": _s(self.opening.other_equity),
            },
            "years": list(self.years),
            "results": {str(y): _s(r) for y, r in self.results.items()},
            "groups": [
                {"code": g.code, "name": g.name, "kind": g.kind, "amounts": [round(float(a), 2) for a in row]}
                for g, row in zip(self.base.groups, self.base.amounts, strict=True)
            ],
            "history_years": self.history_years,
            "notes": self.notes,
        }


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(Decimal('0.01'))}"


def _group_name(code: str, land: str, split: bool) -> str:
    if code == TRADE_TAX_ACCOUNT:
        return _("Gewerbesteuer")
    if code == NO_GROUP:
        return _("ohne Kontengruppe")
    scheme, _unknown = scheme_for_land(land)
    name = scheme.account_groups.get(code) or code
    if code == TRADE_TAX_GROUP and split:
        return _("%(name)s (ohne Gewerbesteuer)") % {"name": name}
    return name


def base_from_sums(sums: YearSums, years: list[int], *, land: str) -> tuple[tuple[Group, ...], np.ndarray]:
    """Groups and their (G, T) amounts; a code booked in both directions is netted as revenue."""
    directions: dict[str, set[str]] = defaultdict(set)
    for year in years:
        for code, direction in sums.get(year, {}):
            directions[code].add(direction)
    split = TRADE_TAX_ACCOUNT in directions
    codes = sorted(directions, key=lambda c: (REVENUE not in directions[c], c))
    groups = tuple(
        Group(code, _group_name(code, land, split), "revenue" if REVENUE in directions[code] else "expense")
        for code in codes
    )
    amounts = np.zeros((len(groups), len(years)))
    for g, group in enumerate(groups):
        for t, year in enumerate(years):
            year_sums = sums.get(year, {})
            revenue = year_sums.get((group.code, REVENUE), ZERO)
            expense = year_sums.get((group.code, EXPENSE), ZERO)
            amounts[g, t] = float(revenue - expense if group.kind == "revenue" else expense)
    return groups, amounts


def _check_consecutive(years: list[int], what: str) -> None:
    if not years:
        raise ResilienceInputError(_("%(what)s enthält keine Planjahre im Ergebnisplan.") % {"what": what})
    if any(b - a != 1 for a, b in pairwise(years)):
        raise ResilienceInputError(
            _("Die Planjahre von %(what)s sind nicht lückenlos (%(years)s).")
            % {"what": what, "years": ", ".join(map(str, years))}
        )


def _debt(bs: BalanceSheet) -> DebtInfo | None:
    if not bs.investment_loans and not bs.liquidity_loans:
        return None
    rate = bs.liquidity_loans_rate or bs.investment_loans_rate
    return DebtInfo(
        investment_loans=float(bs.investment_loans),
        variable_rate_share=float(bs.variable_rate_share),
        liquidity_loans=float(bs.liquidity_loans),
        interest_rate=float(rate),
    )


def _opening(
    municipality: Municipality, years: list[int], actual_results: dict[int, Decimal]
) -> tuple[BalanceSheet, OpeningBalances, list[int], list[str]]:
    """Choose the balance sheet and the first path year.

    1. the balance sheet of the first plan year; 2. an earlier one whose gap years have actual results
    (rolled forward with the reserve rules); 3. the earliest one inside the plan years (the path starts
    there); otherwise an error that says what is missing.
    """
    sheets = {bs.year: bs for bs in balance_sheets_of(municipality)}
    if not sheets:
        raise ResilienceInputError(
            _(
                "Für %(m)s ist keine Eröffnungsbilanz erfasst (Eigenkapital, Ausgleichsrücklage, allgemeine "
                "Rücklage). Bitte unter „Eröffnungsbilanz“ eintragen oder mit set_balance_sheet setzen."
            )
            % {"m": municipality.name}
        )
    first = years[0]

    def balances(bs: BalanceSheet) -> OpeningBalances:
        return OpeningBalances(bs.equalisation_reserve, bs.general_reserve, bs.other_equity)

    if first in sheets:
        return sheets[first], balances(sheets[first]), years, []
    earlier = [y for y in sheets if y < first]
    if earlier:
        start = max(earlier)
        gap = list(range(start, first))
        if all(y in actual_results for y in gap):
            path = run_reserve_path(balances(sheets[start]), {y: actual_results[y] for y in gap})
            last = path.years[-1]
            opening = OpeningBalances(
                last.equalisation_reserve_end, last.general_reserve_end, last.other_equity_end
            )
            note = _(
                "Eröffnungsbilanz %(start)s mit den Ist-Ergebnissen %(gap)s bis %(first)s fortgeschrieben."
            ) % {
                "start": start,
                "gap": ", ".join(map(str, gap)),
                "first": first,
            }
            return sheets[start], opening, years, [note]
    inside = sorted(y for y in sheets if first < y <= years[-1])
    if inside:
        start = inside[0]
        note = _(
            "Keine Eröffnungsbilanz für %(first)s: die Prüfung beginnt mit der Eröffnungsbilanz %(start)s."
        ) % {
            "first": first,
            "start": start,
        }
        return sheets[start], balances(sheets[start]), [y for y in years if y >= start], [note]
    raise ResilienceInputError(
        _(
            "Keine passende Eröffnungsbilanz für %(m)s: benötigt wird das Jahr %(first)s "
            "(vorhanden: %(have)s; für frühere Jahre fehlen die Ist-Ergebnisse der Zwischenjahre)."
        )
        % {"m": municipality.name, "first": first, "have": ", ".join(map(str, sorted(sheets)))}
    )


def scenario_find(municipality: Municipality, name: str | int) -> Scenario:
    """A projection scenario of the municipality by name (or id)."""
    scenarios = Scenario.objects.filter(municipality=municipality)
    text = str(name).strip()
    found = scenarios.filter(name=text).first()
    if found is None and text.isdigit():
        found = scenarios.filter(pk=int(text)).first()
    if found is None:
        raise ResilienceInputError(
            _("Szenario „%(name)s“ von %(m)s nicht gefunden.") % {"name": text, "m": municipality.name}
        )
    return found


def scenarios_of(municipality: Municipality) -> QuerySet[Scenario]:
    return Scenario.objects.filter(municipality=municipality).order_by("name")


def _scenario_sums(scenario: Scenario) -> tuple[YearSums, dict[int, Decimal]]:
    """The projection's amounts per group and year in the shape of budget sums, and its results."""
    years, groups, amounts = scenario_group_paths(scenario)
    if not len(years):
        raise ResilienceInputError(_("Das Szenario „%(s)s“ ist noch nicht berechnet.") % {"s": scenario.name})
    sums: YearSums = {int(y): {} for y in years}
    for g, (code, direction) in enumerate(groups):
        for t, year in enumerate(years):
            key = (code or NO_GROUP, direction)
            sums[int(year)][key] = sums[int(year)].get(key, ZERO) + Decimal(repr(float(amounts[g, t])))
    results = {int(y): Decimal(v) for y, v in scenario_annual_results(scenario).items()}
    return sums, results


def resilience_inputs(
    *, municipality: Municipality, budget_version: str | int | None = None, scenario: str | int | None = None
) -> ResilienceInputs:
    """Resolve balance sheet and results path; raises ``ResilienceInputError`` with a clear message."""
    actual = actual_year_sums(municipality, split_trade_tax=True)
    actual_results = {y: annual_result(g) for y, g in actual.items()}
    version = None
    scenario_obj = None
    if scenario not in (None, ""):
        scenario_obj = scenario_find(municipality, scenario)
        sums, results = _scenario_sums(scenario_obj)
        years = sorted(sums)
        label = _("Szenario „%(s)s“") % {"s": scenario_obj.name}
        _check_consecutive(years, label)
        groups, amounts = base_from_sums(sums, years, land=municipality.land)
        results = {y: results.get(y, annual_result(sums[y])) for y in years}
        kind = ResilienceRun.SourceKind.SCENARIO
    else:
        version = budget_version_find(municipality, budget_version)
        label = version_label(version)
        kind = ResilienceRun.SourceKind.BUDGET_VERSION
        sums = dict(group_sums([version.pk], phase="plan").get(version.pk, {}))
        years = sorted(sums)
        _check_consecutive(years, label)
        tax = _trade_tax([version.pk], phase="plan")
        sums = _split_trade_tax(sums, {y: tax.get((version.pk, y), ZERO) for y in years})
        groups, amounts = base_from_sums(sums, years, land=municipality.land)
        results = {y: annual_result(sums[y]) for y in years}
    bs, opening, path_years, notes = _opening(municipality, years, actual_results)
    keep = [years.index(y) for y in path_years]
    amounts = amounts[:, keep]
    results = {y: results[y] for y in path_years}
    base = BasePath(years=tuple(path_years), groups=groups, amounts=amounts, debt=_debt(bs))
    # Whatever the groups do not explain (e.g. a scenario's ungrouped items) is an additional expense,
    # so the group path reproduces the exact annual results.
    gap = np.array([float(results[y]) for y in path_years]) - base.results()
    if np.any(np.abs(gap) > 0.005):
        base = BasePath(base.years, base.groups, base.amounts, debt=base.debt, additional_expenses=-gap)
    history_years, history = _history_matrix(actual, base.groups)
    if not history_years:
        notes.append(_("Keine Ist-Daten: Monte Carlo mit dokumentierten Standardannahmen."))
    return ResilienceInputs(
        municipality=municipality,
        source_kind=kind,
        source_label=label,
        balance_sheet=bs,
        opening=opening,
        base=base,
        results=results,
        history=history,
        history_years=history_years,
        budget_version=version,
        scenario=scenario_obj,
        notes=notes,
    )


def _history_matrix(actual: YearSums, groups: tuple[Group, ...]) -> tuple[list[int], np.ndarray | None]:
    """Levels of the groups in the most recent run of consecutive actual years (NaN where missing)."""
    years = sorted(actual)
    if not years:
        return [], None
    block = [years[-1]]
    for year in reversed(years[:-1]):
        if block[0] - year != 1:
            break
        block.insert(0, year)
    levels = np.full((len(block), len(groups)), np.nan)
    for i, year in enumerate(block):
        for g, group in enumerate(groups):
            direction = REVENUE if group.kind == "revenue" else EXPENSE
            amount = actual[year].get((group.code, direction))
            if amount is not None:
                levels[i, g] = float(amount)
    return block, levels


# --------------------------------------------------------------------------------------------------
# Stored runs
# --------------------------------------------------------------------------------------------------


def runs_of(municipality: Municipality) -> QuerySet[ResilienceRun]:
    return ResilienceRun.objects.for_municipality(municipality).select_related("job", "created_by")


def latest_monte_carlo_run(municipality: Municipality) -> ResilienceRun | None:
    return runs_of(municipality).succeeded().with_monte_carlo().first()


def latest_main_run(municipality: Municipality) -> ResilienceRun | None:
    """The newest successful check of the plan itself (no stress, no own shocks): the Hauptszenario."""
    return runs_of(municipality).succeeded().filter(stress_preset="", shocks=[]).first()


def run_json(run: ResilienceRun) -> dict[str, Any]:
    """The documented JSON of a check (CLI ``--json``, API): decimal strings in EUR."""
    det = run.result.get("deterministic", {})
    mc = run.result.get("monte_carlo")
    years = []
    for i, row in enumerate(det.get("years", [])):
        item = {
            "year": row["year"],
            "annual_result": row["annual_result"],
            "equalisation_reserve_end": row["equalisation_reserve_end"],
            "general_reserve_end": row["general_reserve_end"],
            "equity_end": row["equity_end"],
            "status": row["status"],
            "triggers": [t["code"] for t in row["triggers"]],
        }
        if mc:
            item["trigger_probability"] = {
                code: round(v[i], 4) for code, v in mc["trigger_probability"].items()
            }
            item["any_trigger_probability"] = round(mc["any_hsk_probability"][i], 4)
            item["any_trigger_probability_cumulative"] = round(mc["any_hsk_probability_cumulative"][i], 4)
        years.append(item)
    out: dict[str, Any] = {
        "run": run.pk,
        "source": run.source_label,
        "stress": run.stress_preset or None,
        "hsk_required": det.get("hsk_required"),
        "first_trigger_year": det.get("first_trigger_year"),
        "years": years,
    }
    if mc:
        out["monte_carlo"] = {
            "paths": mc["n_paths"],
            "seed": mc["seed"],
            "first_year_hsk_likely": mc["first_year_hsk_likely"],
            "first_year_hsk_possible": mc["first_year_hsk_possible"],
            "probability_within_5_years": run.probability_within_5_years,
            "main_driver": mc["main_driver"],
        }
    return out


def overview_summary(municipality: Municipality) -> dict[str, Any]:
    """Plain-language lines for the overview panel, e.g. "HSK erforderlich ab 2027 im Hauptszenario"."""
    main = latest_main_run(municipality)
    mc = latest_monte_carlo_run(municipality)
    lines = []
    if main is not None:
        if main.hsk_required:
            lines.append(_("HSK erforderlich ab %(y)s im Hauptszenario") % {"y": main.first_trigger_year})
        else:
            lines.append(_("Kein HSK-Auslöser im Hauptszenario"))
    if mc is not None and mc.probability_within_5_years is not None:
        horizon = min(5, len(mc.result["monte_carlo"]["years"]))
        context = _("unter Stress") if mc.stress_preset or mc.shocks else _("bei zufälligen Schocks")
        lines.append(
            _("Wahrscheinlichkeit %(p)s %% innerhalb von %(n)s Jahren %(ctx)s")
            % {"p": round(mc.probability_within_5_years * 100), "n": horizon, "ctx": context}
        )
    driver_name = ""
    if mc is not None and mc.main_driver:
        groups = mc.result.get("monte_carlo", {}).get("groups", [])
        driver_name = next((g["name"] for g in groups if g["code"] == mc.main_driver), mc.main_driver)
    return {"main_run": main, "mc_run": mc, "driver_name": driver_name, "summary": "; ".join(lines)}
