"""Write operations for scenarios, cost profiles, task types and the status-quo projection.

The projection of one scenario or of a batch (all scenarios of the installation) runs in three steps:

1. load: the base-year budget items through finance's read API (product x account group x direction,
   Ergebnisplan), the population path, the planner's age profiles, as plain values, a handful of
   queries for the whole batch;
2. compute: ``planning.engine.scenarios.project_scenarios`` applies every rule (drivers, persistence,
   the growth rule) and runs the engine over all scenarios at once (pure, no Django);
3. store: transactions of whole municipalities that replace the scenarios' results, one row per budget
   item holding every year as arrays of exact cents and ratios (binary COPY on PostgreSQL,
   ``bulk_create`` elsewhere), so a re-run is idempotent and readers never see half a result.

Amounts are rounded half-up to cents once (``round_cents`` semantics); the yearly totals are the sums of
the stored cents, so every figure on a page adds up to the cent.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import audit, pgcopy
from core.jobs import job_start
from core.models import Job, Municipality
from finance import selectors as finance_selectors
from finance.models import BudgetVersion
from finance.vocabulary import REVENUE
from planning.engine.measures import MEASURE_DRIVER, with_measure_items
from planning.engine.plan_years import continue_plan
from planning.engine.population import AgeBand, PopulationTable, combined_population
from planning.engine.projection import EXPENSE_SIGN, FLAT_GROUPS, REVENUE_SIGN, TARGET_GROUPS
from planning.engine.scenarios import DriverChoice, Item, ScenarioData, ScenarioOutput, project_scenarios
from planning.measures import selectors as measure_selectors
from planning.models import AgeProfile, PopulationSeries, ProjectionItem, ProjectionYear, Scenario
from planning.population.selectors import population_tables
from planning.projection import binary_copy
from planning.projection.models import ProfileLevel, TaskTypeAssignment

#: Demographic ratios are stored to 6 decimals (enough to explain a line; shorter COPY text).
RATIO_DECIMALS = 6


class ProjectionError(ValueError):
    """Inputs that do not allow a projection, in words for the planner."""


class ScenarioConflict(ProjectionError):
    """The scenario was changed by someone else since the editor loaded it (``current`` is the new state)."""

    def __init__(self, current: Scenario):
        self.current = current
        super().__init__(
            _(
                "Das Szenario wurde inzwischen geändert (jetzt Revision %(rev)s, zuletzt %(when)s). "
                "Ihre Eingaben wurden nicht gespeichert; bitte prüfen und erneut speichern."
            )
            % {"rev": current.revision, "when": formats.localize(timezone.localtime(current.updated_at))}
        )


# -- scenarios ------------------------------------------------------------------------------------------
SCENARIO_FIELDS = (
    "name",
    "description",
    "budget_version",
    "base_year",
    "base_phase",
    "population",
    "horizon",
    "inflation",
    "wage_growth",
    "revenue_growth",
    "interest_rate",
    "cost_persistence",
    "continue_plan",
)


def default_base_year(version: BudgetVersion | None, phase: str = "plan") -> int | None:
    """The first year of ``phase`` in the version's Ergebnisplan (the budget year), else its last year."""
    return finance_selectors.first_year(version, phase=phase) or finance_selectors.latest_year(version)


def _check_ownership(municipality: Municipality, values: Mapping[str, Any]) -> None:
    version, series = values.get("budget_version"), values.get("population")
    if version is not None and version.municipality_id != municipality.pk:
        raise ProjectionError(_("Die Haushaltsversion gehört zu einer anderen Kommune."))
    if series is not None and (
        series.municipality_id != municipality.pk or series.kind == PopulationSeries.Kind.ACTUAL
    ):
        raise ProjectionError(_("Bitte eine Bevölkerungsvariante (Projektion) dieser Kommune wählen."))


def scenario_create(*, municipality: Municipality, name: str, actor=None, **values: Any) -> Scenario:
    """Create a scenario; unknown fields are refused, missing ones take the documented defaults."""
    unknown = set(values) - set(SCENARIO_FIELDS)
    if unknown:
        raise TypeError(f"unknown scenario fields: {sorted(unknown)}")
    _check_ownership(municipality, values)
    if values.get("base_year") is None:
        values["base_year"] = default_base_year(
            values.get("budget_version"), values.get("base_phase", "plan")
        )
    if values.get("base_year") is None:
        raise ProjectionError(_("Bitte ein Basisjahr angeben."))
    try:
        with transaction.atomic():
            scenario = Scenario.objects.create(municipality=municipality, name=name, **values)
            audit.record(action="scenario.created", municipality=municipality, actor=actor, target=scenario)
            return scenario
    except IntegrityError:  # created concurrently under the same name: the other one won
        current = Scenario.objects.filter(municipality=municipality, name=name).first()
        if current is None:
            raise
        raise ScenarioConflict(current) from None


def scenario_update(
    *, scenario: Scenario, expected_revision: int | None = None, actor=None, **values: Any
) -> Scenario:
    """Change a scenario's settings; stored results of the old settings are removed (they would
    no longer describe the scenario).

    ``expected_revision`` is the revision the editor started from (the form and the API send it): if
    someone saved in between, ``ScenarioConflict`` is raised and nothing is changed, so two planners
    never silently overwrite each other. Without it the change applies to the current state.
    """
    unknown = set(values) - set(SCENARIO_FIELDS)
    if unknown:
        raise TypeError(f"unknown scenario fields: {sorted(unknown)}")
    _check_ownership(scenario.municipality, values)
    with transaction.atomic():
        locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if expected_revision is not None and expected_revision != locked.revision:
            raise ScenarioConflict(locked)
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        if changed:
            audit.record(
                action="scenario.updated",
                municipality=locked.municipality,
                actor=actor,
                target=locked,
                changes={k: (getattr(locked, k), values[k]) for k in changed},
            )
        for key in changed:
            setattr(locked, key, values[key])
        if changed:
            locked.revision += 1
        if changed and set(changed) - {"name", "description"}:
            _clear_results(locked.pk)
            locked.computed_at, locked.computation = None, {}
        locked.save()
    return locked


@transaction.atomic
def scenario_measures_set(*, scenario: Scenario, measures: Sequence[Any], actor=None) -> Scenario:
    """The set of measures the scenario includes; a changed set clears its stored projection and writes an
    audit entry (the measures' titles before and after)."""
    chosen = list(measures)
    if any(m.municipality_id != scenario.municipality_id for m in chosen):
        raise ProjectionError(_("Eine Maßnahme gehört nicht zu dieser Kommune."))
    if set(scenario.measures.values_list("pk", flat=True)) == {m.pk for m in chosen}:
        return scenario
    locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
    before = ", ".join(sorted(str(m.title) for m in locked.measures.all())) or None
    after = ", ".join(sorted(str(m.title) for m in chosen)) or None
    audit.record(
        action="scenario.updated",
        municipality=locked.municipality,
        actor=actor,
        target=locked,
        changes={"measures": (before, after)},
    )
    locked.measures.set(chosen)
    _clear_results(locked.pk)
    locked.revision += 1
    locked.computed_at = None
    locked.save(update_fields=["revision", "computed_at", "updated_at"])
    return locked


def scenario_delete(*, scenario: Scenario, actor=None) -> None:
    with transaction.atomic():
        audit.record(
            action="scenario.deleted", municipality=scenario.municipality, actor=actor, target=scenario
        )
        _clear_results(scenario.pk)
        scenario.delete()


def _clear_results(scenario_id: int) -> None:
    ProjectionItem.objects.filter(scenario_id=scenario_id)._raw_delete(ProjectionItem.objects.db)
    ProjectionYear.objects.filter(scenario_id=scenario_id).delete()


# -- age profiles and task types ------------------------------------------------------------------------
def age_profile_set(
    *,
    municipality: Municipality,
    level: str,
    code: str,
    target_group: str = "",
    shares: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
    persistence: Decimal | None = None,
    note: str = "",
) -> AgeProfile:
    """Assign a driver to a product, product group, account group or product area: a target group,
    a mix of target groups, or a table of per-capita weights by age band."""
    if level not in ProfileLevel.values:
        raise ProjectionError(_("Unbekannte Ebene: %(level)s") % {"level": level})
    if target_group and target_group not in TARGET_GROUPS:
        raise ProjectionError(_("Unbekannte Zielgruppe: %(key)s") % {"key": target_group})
    for key in shares or {}:
        if key not in TARGET_GROUPS or key == "keine":
            raise ProjectionError(_("Unbekannte Zielgruppe in der Mischung: %(key)s") % {"key": key})
    clean_weights: dict[str, float] = {}
    for label, value in (weights or {}).items():
        try:
            band = AgeBand.parse(label)
        except ValueError as exc:
            raise ProjectionError(_("Unbekannte Altersgruppe: %(label)s") % {"label": label}) from exc
        if float(value) < 0:
            raise ProjectionError(_("Gewichte dürfen nicht negativ sein."))
        clean_weights[band.label] = float(value)
    if not (target_group or shares or clean_weights):
        raise ProjectionError(_("Bitte eine Zielgruppe, eine Mischung oder eine Gewichtstabelle angeben."))
    with transaction.atomic():
        profile, _created = AgeProfile.objects.update_or_create(
            municipality=municipality,
            level=level,
            code=code.strip(),
            defaults={
                "target_group": target_group if not shares else "",
                "shares": dict(shares or {}),
                "weights": clean_weights if not (target_group or shares) else {},
                "persistence": persistence,
                "note": note[:300],
            },
        )
    return profile


def age_profile_delete(*, profile: AgeProfile) -> None:
    with transaction.atomic():
        profile.delete()


def task_type_set(
    *, municipality: Municipality, level: str, code: str, task_type: str, note: str = ""
) -> TaskTypeAssignment:
    """Override the task type (Aufgabenart) of a product, product group or product area."""
    from planning.engine.task_types import TaskType

    if task_type not in TaskType._value2member_map_ or level not in ProfileLevel.values:
        raise ProjectionError(_("Unbekannte Aufgabenart oder Ebene."))
    with transaction.atomic():
        assignment, _created = TaskTypeAssignment.objects.update_or_create(
            municipality=municipality,
            level=level,
            code=code.strip(),
            defaults={"task_type": task_type, "note": note[:300]},
        )
    return assignment


def task_type_reset(*, municipality: Municipality, level: str, code: str) -> None:
    with transaction.atomic():
        TaskTypeAssignment.objects.filter(municipality=municipality, level=level, code=code).delete()


# -- load -----------------------------------------------------------------------------------------------
def _driver_choice(profile: AgeProfile) -> DriverChoice:
    return DriverChoice(
        target_group=profile.target_group,
        shares=profile.shares or None,
        weights=profile.weights or None,
        persistence=None if profile.persistence is None else float(profile.persistence),
    )


def scenario_inputs_load(scenarios: Sequence[Scenario]) -> tuple[list[ScenarioData], dict[int, str]]:
    """Load what the engine needs for many scenarios, as plain values, with a fixed number of queries;
    returns (data, errors by scenario id)."""
    errors: dict[int, str] = {}
    scenarios = list(scenarios)
    sums = finance_selectors.result_sums_by_item(
        version_ids={s.budget_version_id for s in scenarios if s.budget_version_id},
        years={s.base_year for s in scenarios},
        phases=("plan", "actual"),
    )
    municipality_ids = {s.municipality_id for s in scenarios}
    actual_ids = dict(
        PopulationSeries.objects.filter(
            municipality_id__in=municipality_ids, kind=PopulationSeries.Kind.ACTUAL, variant=""
        ).values_list("municipality_id", "pk")
    )
    tables = population_tables(
        [s.population_id for s in scenarios if s.population_id] + list(actual_ids.values())
    )
    assigned: dict[int, dict[tuple[str, str], DriverChoice]] = defaultdict(dict)
    for profile in AgeProfile.objects.filter(municipality_id__in=municipality_ids):
        assigned[profile.municipality_id][(profile.level, profile.code)] = _driver_choice(profile)
    loaded = []
    for scenario in scenarios:
        try:
            loaded.append(
                _scenario_data(
                    scenario,
                    sums.get((scenario.budget_version_id or 0, scenario.base_year, scenario.base_phase), []),
                    tables.get(scenario.population_id or 0),
                    tables.get(actual_ids.get(scenario.municipality_id, 0)),
                    assigned[scenario.municipality_id],
                )
            )
        except ProjectionError as exc:
            errors[scenario.pk] = str(exc)
    return loaded, errors


def _scenario_data(
    scenario: Scenario,
    items_sums: list[tuple[Item, Decimal]],
    projection: PopulationTable | None,
    actual: PopulationTable | None,
    assigned: Mapping[tuple[str, str], DriverChoice],
) -> ScenarioData:
    if scenario.budget_version_id is None:
        raise ProjectionError(_("Dem Szenario ist keine Haushaltsversion zugeordnet."))
    if not items_sums:
        raise ProjectionError(
            _("Die Haushaltsversion enthält für %(year)s (%(phase)s) keine Zeilen des Ergebnisplans.")
            % {"year": scenario.base_year, "phase": scenario.get_base_phase_display()}
        )
    if projection is None:
        raise ProjectionError(_("Dem Szenario ist keine Bevölkerungsvariante mit Daten zugeordnet."))
    years = scenario.years
    try:
        bands, population = combined_population(projection, actual, years)
    except ValueError as exc:
        raise ProjectionError(
            _(
                "Für diese Jahre fehlen Bevölkerungszahlen: %(years)s. Bitte den Horizont verkürzen "
                "oder eine längere Projektion wählen."
            )
            % {"years": str(exc)}
        ) from exc
    items = [item for item, _total in items_sums]
    return ScenarioData(
        scenario=scenario,
        land=scenario.municipality.land,
        years=years,
        bands=bands,
        population=population,
        items=items,
        base=np.array([float(total) for _item, total in items_sums]),
        direction=np.array([REVENUE_SIGN if item[4] == REVENUE else EXPENSE_SIGN for item in items]),
        assigned=assigned,
        inflation=float(scenario.inflation),
        wage_growth=float(scenario.wage_growth),
        revenue_growth={str(k): float(v) for k, v in (scenario.revenue_growth or {}).items()},
        cost_persistence=None if scenario.cost_persistence is None else float(scenario.cost_persistence),
    )


# -- store ----------------------------------------------------------------------------------------------
def _copy_tuples(output: ScenarioOutput) -> list[bytes]:
    """Binary COPY tuples of one scenario, one per item, built from the engine's arrays (``binary_copy``)."""
    e = output.inputs
    return binary_copy.item_tuples(
        scenario_id=e.scenario.pk,
        first_year=e.years[0],
        items=e.items,
        drivers=e.drivers,
        cents=output.cents,
        ratio=output.ratio.round(RATIO_DECIMALS),
    )


def _item_objects(output: ScenarioOutput) -> list[ProjectionItem]:
    """The same rows as ``_copy_tuples`` as model instances (SQLite and other databases)."""
    e = output.inputs
    cents = np.ascontiguousarray(output.cents, dtype=ProjectionItem.CENTS_DTYPE)
    ratios = np.ascontiguousarray(output.ratio.round(RATIO_DECIMALS), dtype=ProjectionItem.RATIO_DTYPE)
    return [
        ProjectionItem(
            scenario_id=e.scenario.pk,
            area=area,
            product_group=group,
            product_code=product,
            account_group=account_group,
            direction=direction,
            driver=e.drivers[j],
            first_year=e.years[0],
            cents=cents[j].tobytes(),
            ratios=ratios[j].tobytes(),
        )
        for j, (area, group, product, account_group, direction) in enumerate(e.items)
    ]


def _year_rows(output: ScenarioOutput) -> list[ProjectionYear]:
    e = output.inputs
    revenue_mask = e.direction > 0
    revenue = output.cents[revenue_mask].sum(axis=0)
    expense = output.cents[~revenue_mask].sum(axis=0)
    population = e.population.sum(axis=0)
    return [
        ProjectionYear(
            scenario_id=e.scenario.pk,
            year=year,
            population=float(population[t]),
            price_index=float(e.price_index[t]),
            revenue=Decimal(int(revenue[t])).scaleb(-2),
            expense=Decimal(int(expense[t])).scaleb(-2),
            balance=Decimal(int(revenue[t] - expense[t])).scaleb(-2),
        )
        for t, year in enumerate(e.years)
    ]


YEAR_COLUMNS = ("scenario_id", "year", "population", "price_index", "revenue", "expense", "balance")


def _money_text(cents: int) -> str:
    """Exact cents as a numeric literal (no float)."""
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _year_lines(output: ScenarioOutput) -> str:
    """The rows of ``_year_rows`` as COPY text (a few dozen lines per scenario)."""
    e = output.inputs
    revenue_mask = e.direction > 0
    revenue = output.cents[revenue_mask].sum(axis=0).tolist()
    expense = output.cents[~revenue_mask].sum(axis=0).tolist()
    population = e.population.sum(axis=0).tolist()
    price = np.asarray(e.price_index, dtype=np.float64).tolist()
    sid = e.scenario.pk
    return "".join(
        f"{sid}\t{year}\t{population[t]!r}\t{price[t]!r}\t{_money_text(revenue[t])}\t"
        f"{_money_text(expense[t])}\t{_money_text(revenue[t] - expense[t])}\n"
        for t, year in enumerate(e.years)
    )


def _computation(output: ScenarioOutput) -> dict[str, Any]:
    e, s = output.inputs, output.inputs.scenario
    return {
        "items": len(e.items),
        "age_groups": [b.label for b in e.bands],
        "budget_version": s.budget_version_id,
        "population_series": s.population_id,
        "base_phase": s.base_phase,
        "rates": s.growth_rates(),
        "cost_persistence": None if s.cost_persistence is None else float(s.cost_persistence),
        "flat_groups": list(FLAT_GROUPS),
        "warnings": e.warnings[:50],
        "measure_items": sum(d == MEASURE_DRIVER for d in e.drivers),
        "continue_plan": bool(s.continue_plan),
        "plan_years": output.plan_years or [s.base_year],
    }


def projection_store(outputs: Sequence[ScenarioOutput], *, use_copy: bool | None = None) -> int:
    """Replace the stored results of these scenarios in one transaction; returns the number of results
    (items x years) written, in one ``ProjectionItem`` row per item."""
    use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy
    ids = [o.inputs.scenario.pk for o in outputs]
    now = timezone.now()
    written = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # derived data that a re-run recreates: no need to wait for the WAL flush at each commit
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        list(Scenario.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        ProjectionItem.objects.filter(scenario_id__in=ids)._raw_delete(ProjectionItem.objects.db)
        ProjectionYear.objects.filter(scenario_id__in=ids).delete()
        if use_copy:
            table, columns = ProjectionItem._meta.db_table, ", ".join(binary_copy.COLUMNS)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                copy.write(pgcopy.SIGNATURE)
                for output in outputs:
                    for chunk in _copy_tuples(output):
                        copy.write(chunk)
                    written += output.cents.size
                copy.write(pgcopy.TRAILER)
            table, columns = ProjectionYear._meta.db_table, ", ".join(YEAR_COLUMNS)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                copy.write("".join(_year_lines(o) for o in outputs))
        else:
            for output in outputs:
                ProjectionItem.objects.bulk_create(_item_objects(output), batch_size=1000)
                written += output.cents.size
            years = [row for o in outputs for row in _year_rows(o)]
            ProjectionYear.objects.bulk_create(years, batch_size=5000)
        done = [
            Scenario(pk=o.inputs.scenario.pk, computed_at=now, computation=_computation(o)) for o in outputs
        ]
        Scenario.objects.bulk_update(done, ["computed_at", "computation"], batch_size=500)
    return written


# -- the adopted plan years -----------------------------------------------------------------------------
def with_plan_years(outputs: Sequence[ScenarioOutput]) -> list[ScenarioOutput]:
    """Scenarios with ``continue_plan`` take their budget version's plan years after the base year as
    given and continue from the last one (engine/plan_years.py); one query for the whole batch."""
    chosen = [o for o in outputs if o.inputs.scenario.continue_plan and o.inputs.scenario.budget_version_id]
    sums = (
        finance_selectors.result_sums_by_item(
            version_ids={o.inputs.scenario.budget_version_id for o in chosen},
            years={y for o in chosen for y in o.inputs.years[1:]},
            phases=("plan",),
        )
        if chosen
        else {}
    )
    result = []
    for output in outputs:
        s = output.inputs.scenario
        if not s.continue_plan or not s.budget_version_id:
            result.append(output)
            continue
        plan = {y: dict(sums.get((s.budget_version_id, y, "plan"), [])) for y in output.inputs.years[1:]}
        continued, plan_years = continue_plan(output, plan)
        result.append(replace(continued, plan_years=plan_years))
    return result


# -- measures -------------------------------------------------------------------------------------------
def with_measures(outputs: Sequence[ScenarioOutput]) -> list[ScenarioOutput]:
    """Add the effects of each scenario's included (not stopped) measures as extra items (driver
    ``massnahme``): the annual result changes by exactly the sum of the effects (engine/measures.py)."""
    effects = measure_selectors.effects_by_scenario([o.inputs.scenario.pk for o in outputs])
    out = []
    for output in outputs:
        chosen = effects.get(output.inputs.scenario.pk, [])
        out.append(with_measure_items(output, [e for _m, e in chosen]))
    return out


# -- run ------------------------------------------------------------------------------------------------
def projection_run(*, scenario: Scenario) -> Scenario:
    """Compute one scenario now and replace its stored results; raises ProjectionError."""
    loaded, errors = scenario_inputs_load([scenario])
    if errors:
        raise ProjectionError(errors[scenario.pk])
    projection_store(with_measures(with_plan_years(project_scenarios(loaded))))
    scenario.refresh_from_db()
    return scenario


@dataclass
class BatchReport:
    """What a batch did, with wall times of its three steps in seconds."""

    scenarios: int = 0
    municipalities: int = 0
    rows: int = 0  # results (item x year)
    stored_rows: int = 0  # table rows (one per item: ProjectionItem)
    errors: dict[int, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=lambda: {"load": 0.0, "compute": 0.0, "store": 0.0})

    def to_json(self) -> dict[str, Any]:
        return {
            "scenarios": self.scenarios,
            "municipalities": self.municipalities,
            "rows": self.rows,
            "stored_rows": self.stored_rows,
            "errors": {str(k): v for k, v in self.errors.items()},
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


#: Results (items x years) a batch stores per transaction: whole municipalities, about 27 of 300 items and
#: 31 years; one transaction per municipality spent more time in round trips than in the COPY (NRW batch).
STORE_CHUNK_RESULTS = 250_000


def _store_chunks(
    groups: list[tuple[int, list[ScenarioOutput]]],
) -> list[list[tuple[int, list[ScenarioOutput]]]]:
    """Municipalities (with their scenarios) in order, cut into transactions of about
    ``STORE_CHUNK_RESULTS`` results; a municipality is never split."""
    chunks: list[list[tuple[int, list[ScenarioOutput]]]] = []
    size = STORE_CHUNK_RESULTS
    for municipality_id, outputs in groups:
        results = sum(o.cents.size for o in outputs)
        if size + results > STORE_CHUNK_RESULTS and size:
            chunks.append([])
            size = 0
        chunks[-1].append((municipality_id, outputs))
        size += results
    return chunks


def projection_batch(
    *,
    scenarios: Sequence[Scenario] | None = None,
    progress: Callable[[int, int, Municipality], None] | None = None,
    use_copy: bool | None = None,
) -> BatchReport:
    """Compute many scenarios (default: every scenario of the installation) in one engine call and
    store them, whole municipalities per transaction (``STORE_CHUNK_RESULTS``);
    ``progress(done, total, municipality)`` after each municipality's transaction committed."""
    report = BatchReport()
    start = time.perf_counter()
    chosen = list(
        scenarios
        if scenarios is not None
        else Scenario.objects.select_related("municipality").filter(~Q(budget_version=None)).order_by("pk")
    )
    loaded, report.errors = scenario_inputs_load(chosen)
    report.seconds["load"] = time.perf_counter() - start
    start = time.perf_counter()
    outputs = with_measures(with_plan_years(project_scenarios(loaded)))
    report.seconds["compute"] = time.perf_counter() - start
    start = time.perf_counter()
    by_municipality: dict[int, list[ScenarioOutput]] = defaultdict(list)
    for output in outputs:
        by_municipality[output.inputs.scenario.municipality_id].append(output)
    names = {s.municipality_id: s.municipality for s in chosen}
    total, done = len(by_municipality), 0
    for chunk in _store_chunks(list(by_municipality.items())):
        group = [o for _municipality_id, outputs_of in chunk for o in outputs_of]
        report.rows += projection_store(group, use_copy=use_copy)
        report.stored_rows += sum(len(o.inputs.items) for o in group)
        for municipality_id, _outputs in chunk:
            done += 1
            if progress:
                progress(done, total, names[municipality_id])
    report.seconds["store"] = time.perf_counter() - start
    report.scenarios, report.municipalities = len(outputs), total
    return report


def projection_start(*, scenario: Scenario, user=None) -> Job:
    """Queue the projection of one scenario as a background job (dispatched after commit)."""
    return job_start(
        "planning.run_projection",
        municipality=scenario.municipality,
        requested_by=user,
        params={"scenario_id": scenario.pk},
    )


def projection_batch_start(*, user=None) -> Job:
    """Queue the batch over every scenario of the installation (installation admins only; the caller
    checks). The job belongs to no municipality."""
    return job_start("planning.run_projection_batch", municipality=None, requested_by=user, params={})
