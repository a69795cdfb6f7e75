"""Wiring of the resilience checks: budget version plan years -> reserve path -> stored run -> JSON.

The engine tests cover the rules; these reproduce a hand-computed path through the database.
"""

from decimal import Decimal as D

import numpy as np
import pytest

from planning.resilience.models import ResilienceRun, ResilienceRunYear
from planning.resilience.selectors import (
    ResilienceInputError,
    overview_summary,
    resilience_inputs,
    run_json,
)
from planning.resilience.services import (
    resilience_demo_load,
    resilience_evaluate,
    resilience_run_create,
    resilience_run_execute,
)
from tests.planning.resilience.test_resilience_support import (
    ACTUAL,
    PLAN,
    PLAN_RESULTS,
    M,
    make_balance_sheet,
    make_plan,
    make_version,
)


def _run(municipality, **options) -> ResilienceRun:
    run = resilience_run_create(municipality=municipality, **options)
    return resilience_run_execute(run_id=run.pk)


def test_plan_years_of_a_budget_version_give_the_hand_computed_reserve_path(municipality):
    # Given actuals 2021-2024, a plan 2025-2028 and the opening balance sheet 2025 (see the support module)
    make_plan(municipality)
    # When the check runs
    run = _run(municipality)
    # Then the stored run reproduces the hand-computed path to the cent
    data = run_json(run)
    assert data["hsk_required"] is True
    assert data["first_trigger_year"] == 2027
    assert [y["year"] for y in data["years"]] == [2025, 2026, 2027, 2028]
    assert [y["annual_result"] for y in data["years"]] == [
        "-10000000.00",
        "-6000000.00",
        "-30000000.00",
        "3000000.00",
    ]
    assert [y["equalisation_reserve_end"] for y in data["years"]] == [
        "0.00",
        "0.00",
        "0.00",
        "3000000.00",
    ]
    assert [y["general_reserve_end"] for y in data["years"]] == [
        "100000000.00",
        "94000000.00",
        "64000000.00",
        "64000000.00",
    ]
    assert [y["triggers"] for y in data["years"]] == [
        [],
        [],
        ["HSK_25_PERCENT", "HSK_5_PERCENT_TWO_YEARS"],
        [],
    ]
    assert [y["status"] for y in data["years"]] == [
        "BALANCED_BY_EQUALISATION_RESERVE",
        "GENERAL_RESERVE_USED",
        "GENERAL_RESERVE_USED",
        "BALANCED",
    ]
    # ... with the reason in words, and one row per year
    reason = run.result["deterministic"]["years"][2]["triggers"][0]["reason"]
    assert reason.startswith("Allgemeine Rücklage sinkt 2027 um 31,9 % (> 25 %)")
    rows = ResilienceRunYear.objects.filter(run=run).order_by("year")
    assert [r.general_reserve_end for r in rows] == [D(100 * M), D(94 * M), D(64 * M), D(64 * M)]
    assert run.status == ResilienceRun.Status.SUCCEEDED
    assert run.hsk_required and run.first_trigger_year == 2027
    assert run.inputs["balance_sheet"]["year"] == 2025


def test_trade_tax_is_planned_as_its_own_group_and_results_are_exact(municipality):
    make_plan(municipality)
    inputs = resilience_inputs(municipality=municipality)
    codes = [g.code for g in inputs.base.groups]
    assert codes == ["40", "4013", "41", "50", "53"]
    assert inputs.results == {y: D(v) for y, v in PLAN_RESULTS.items()}
    np.testing.assert_allclose(inputs.base.results(), [float(v) for v in PLAN_RESULTS.values()])
    # Actuals history 2021-2024 per group, Gewerbesteuer split as in the plan
    assert inputs.history_years == [2021, 2022, 2023, 2024]
    assert inputs.history[:, codes.index("4013")].tolist() == [float(v) for v in ACTUAL["40130000"].values()]


def test_versions_without_rollup_are_read_from_their_lines(municipality):
    make_version(municipality, plan=PLAN, rollup=False)
    make_balance_sheet(municipality)
    inputs = resilience_inputs(municipality=municipality)
    assert inputs.results[2027] == D(-30 * M)


def test_an_older_balance_sheet_is_rolled_forward_with_actual_results(municipality):
    # Given the opening sheet of 2024 and the actual result 2024 (+1 M), plan from 2025
    make_version(municipality, actual={"40100000": {2024: 81 * M}, "50110000": {2024: 80 * M}})
    make_version(municipality, plan=PLAN)
    make_balance_sheet(municipality, year=2024)
    # When the inputs are resolved
    inputs = resilience_inputs(municipality=municipality)
    # Then the opening of 2025 includes the 2024 surplus (into the Ausgleichsrücklage) and says so
    assert inputs.opening.equalisation_reserve == D(11 * M)
    assert inputs.years[0] == 2025
    assert "fortgeschrieben" in inputs.notes[0]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_budget", "keine Haushaltsversion mit Planjahren"),
        ("no_balance_sheet", "keine Eröffnungsbilanz erfasst"),
        ("unknown_version", "nicht gefunden"),
    ],
)
def test_missing_inputs_give_a_clear_message(municipality, setup, message):
    if setup != "no_budget":
        make_version(municipality, plan=PLAN)
    if setup != "no_balance_sheet":
        make_balance_sheet(municipality)
    with pytest.raises(ResilienceInputError, match=message):
        resilience_run_create(
            municipality=municipality, budget_version="gibt es nicht" if setup == "unknown_version" else None
        )
    assert not ResilienceRun.objects.exists()


def test_stress_preset_changes_the_exact_results_by_the_shock(municipality):
    make_plan(municipality)
    inputs = resilience_inputs(municipality=municipality)
    # social transfers (53) +10 % permanently: 5 M, 4.6 M, 7 M, 4 M more expenses
    result, _base, path = resilience_evaluate(inputs, stress_preset="social_transfers")
    years = result["deterministic"]["years"]
    assert [y["annual_result"] for y in years] == [
        "-15000000.00",
        "-10600000.00",
        "-37000000.00",
        "-1000000.00",
    ]
    assert [y["delta"] for y in years] == ["-5000000.00", "-4600000.00", "-7000000.00", "-4000000.00"]
    assert result["stress"]["name"] == "Anstieg der Sozialtransfers"
    # 2025 draws exactly 5 M (5 %, not "more than") from the allgemeine Rücklage, so 2026 (11.2 %) is
    # only the first year above 5 %; 2027 triggers both rules
    assert years[0]["reduction_share"] == 0.05
    assert years[1]["triggers"] == []
    assert path.first_trigger_year == 2027


def test_own_shock_on_a_group_and_unknown_groups(municipality):
    make_plan(municipality)
    inputs = resilience_inputs(municipality=municipality)
    shock = {"group": "4013", "kind": "percent", "value": -50, "years": [2026]}
    result, _base, _path = resilience_evaluate(inputs, shocks=[shock])
    assert result["deterministic"]["years"][1]["annual_result"] == "-16000000.00"
    with pytest.raises(ResilienceInputError, match="Gruppe"):
        resilience_evaluate(inputs, shocks=[{"group": "99", "kind": "percent", "value": 5}])
    with pytest.raises(ResilienceInputError):
        resilience_evaluate(inputs, shocks=[{"group": "53", "kind": "percent", "value": 5, "bogus": 1}])
    with pytest.raises(ResilienceInputError, match="Stressszenario"):
        resilience_evaluate(inputs, stress_preset="meteor")


def test_monte_carlo_is_seeded_stored_and_uses_the_actuals_history(municipality):
    make_plan(municipality)
    first = _run(municipality, n_paths=2000, seed=7)
    again = _run(municipality, n_paths=2000, seed=7)
    mc = first.result["monte_carlo"]
    assert mc["result_quantiles"] == again.result["monte_carlo"]["result_quantiles"]
    assert mc["covariance"]["sources"] == ["history"] * 5
    assert mc["covariance"]["history_years"] == [2021, 2022, 2023, 2024]
    assert len(mc["quantile_levels"]) == 5
    # The deterministic plan already triggers in 2027, so most paths do too
    assert 0.3 < mc["any_hsk_probability_cumulative"][-1] <= 1
    assert first.probability_within_5_years == mc["any_hsk_probability_cumulative"][-1]
    assert first.main_driver in {"40", "4013", "41", "50", "53"}
    data = run_json(first)
    assert set(data["years"][0]["trigger_probability"]) == {
        "HSK_25_PERCENT",
        "HSK_5_PERCENT_TWO_YEARS",
        "OVERINDEBTED",
    }
    assert data["monte_carlo"]["paths"] == 2000 and data["monte_carlo"]["seed"] == 7
    years = ResilienceRunYear.objects.filter(run=first).order_by("year")
    assert years[3].probability_cumulative == pytest.approx(mc["any_hsk_probability_cumulative"][3])


def test_executing_a_run_twice_replaces_its_rows(municipality):
    make_plan(municipality)
    run = _run(municipality)
    resilience_run_execute(run_id=run.pk)
    assert ResilienceRunYear.objects.filter(run=run).count() == 4


def test_scenario_source_uses_the_projection_selectors(municipality, monkeypatch):
    from planning.projection.models import Scenario
    from planning.resilience import selectors as selectors

    scenario = Scenario.objects.create(
        municipality=municipality, name="Status quo", base_year=2025, horizon=2
    )
    make_balance_sheet(municipality)
    groups = [("40", "revenue"), ("53", "expense"), ("53", "revenue")]
    amounts = np.array(
        [[100.0 * M, 100 * M, 100 * M], [105.0 * M, 120 * M, 130 * M], [1.0 * M, 1 * M, 1 * M]]
    )
    monkeypatch.setattr(selectors, "scenario_group_paths", lambda s: ([2025, 2026, 2027], groups, amounts))
    monkeypatch.setattr(
        selectors, "scenario_annual_results", lambda s: {2025: D(-4 * M), 2026: D(-19 * M), 2027: D(-29 * M)}
    )
    run = _run(municipality, scenario="Status quo")
    assert run.source_kind == ResilienceRun.SourceKind.SCENARIO and run.scenario == scenario
    assert [y["annual_result"] for y in run_json(run)["years"]] == [
        "-4000000.00",
        "-19000000.00",
        "-29000000.00",
    ]
    assert [g["code"] for g in run.inputs["groups"]] == ["40", "53"]  # 53 netted (expense 105 - revenue 1)


def test_overview_summary_in_plain_language(municipality):
    make_plan(municipality)
    assert overview_summary(municipality)["summary"] == ""
    _run(municipality)
    _run(municipality, stress_preset="recession", n_paths=1000, seed=1)
    summary = overview_summary(municipality)["summary"]
    assert summary.startswith("HSK erforderlich ab 2027 im Hauptszenario; Wahrscheinlichkeit ")
    assert summary.endswith("% innerhalb von 4 Jahren unter Stress")
    mc_run = overview_summary(municipality)["mc_run"]
    names = {g["code"]: g["name"] for g in mc_run.result["monte_carlo"]["groups"]}
    # The panel names the driver ("Steuern", "Transferaufwendungen"), not only its code.
    assert overview_summary(municipality)["driver_name"] == names[mc_run.main_driver] != mc_run.main_driver


def test_demo_loader_creates_sheet_and_one_monte_carlo_run_idempotently(municipality):
    make_version(municipality, plan=PLAN)
    resilience_demo_load(municipality)
    resilience_demo_load(municipality)
    sheet = municipality.balance_sheets.get()
    assert sheet.year == 2025 and sheet.general_reserve == D(180 * M)
    run = ResilienceRun.objects.get()
    assert run.n_paths == 10_000 and run.status == ResilienceRun.Status.SUCCEEDED


def test_demo_loader_without_budget_only_sets_the_balance_sheet(municipality):
    resilience_demo_load(municipality)
    assert municipality.balance_sheets.count() == 1
    assert not ResilienceRun.objects.exists()
