"""``run_resilience``: JSON shape, exit codes, stress and Monte Carlo options."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from planning.resilience.models import ResilienceRun
from tests.planning.resilience.test_resilience_support import (
    PLAN,
    make_balance_sheet,
    make_plan,
    make_version,
)


def _run(capsys, *args) -> dict:
    call_command("run_resilience", "--municipality=musterstadt", "--json", *args)
    return json.loads(capsys.readouterr().out)


def test_json_shape_of_the_deterministic_check(municipality, capsys):
    make_plan(municipality)
    data = _run(capsys)
    assert data["hsk_required"] is True and data["first_trigger_year"] == 2027
    assert data["years"][0] == {
        "year": 2025,
        "annual_result": "-10000000.00",
        "equalisation_reserve_end": "0.00",
        "general_reserve_end": "100000000.00",
        "equity_end": "110000000.00",
        "status": "BALANCED_BY_EQUALISATION_RESERVE",
        "triggers": [],
    }
    assert data["years"][2]["triggers"] == ["HSK_25_PERCENT", "HSK_5_PERCENT_TWO_YEARS"]
    assert "monte_carlo" not in data
    assert ResilienceRun.objects.get().pk == data["run"]


def test_paths_add_probabilities_per_year_and_are_reproducible(municipality, capsys):
    make_plan(municipality)
    first = _run(capsys, "--paths=800", "--seed=42")
    second = _run(capsys, "--paths=800", "--seed=42")
    probabilities = first["years"][3]["trigger_probability"]
    assert set(probabilities) == {"HSK_25_PERCENT", "HSK_5_PERCENT_TWO_YEARS", "OVERINDEBTED"}
    assert all(0 <= p <= 1 for p in probabilities.values())
    assert first["years"] == second["years"]
    assert first["monte_carlo"]["paths"] == 800 and first["monte_carlo"]["seed"] == 42


def test_paths_without_a_number_means_10000(municipality, capsys):
    make_plan(municipality)
    assert _run(capsys, "--paths")["monte_carlo"]["paths"] == 10_000


def test_stress_and_own_shock(municipality, capsys):
    make_plan(municipality)
    data = _run(capsys, "--stress=trade_tax_drop")
    # Gewerbesteuer (20 M, own account 4013) falls by a third in the first year
    assert data["stress"] == "trade_tax_drop"
    assert data["years"][0]["annual_result"] == "-16666666.67"
    shock = '{"group": "41", "kind": "absolute", "value": 10000000, "years": [2027]}'
    assert _run(capsys, f"--shock={shock}")["years"][2]["annual_result"] == "-20000000.00"


def test_budget_version_by_name(municipality, capsys):
    make_plan(municipality)
    make_version(municipality, plan={"40100000": {2025: 1}}, dataset="Anderer Plan")
    assert _run(capsys, "--budget-version=Haushalt v1")["years"][0]["annual_result"] == "-10000000.00"
    assert _run(capsys)["years"][0]["annual_result"] == "1.00"  # latest version by default


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("none", [], "keine Haushaltsversion"),
        ("budget", [], "keine Eröffnungsbilanz"),
        ("sheet", [], "keine Haushaltsversion"),
        ("all", ["--budget-version=fehlt"], "nicht gefunden"),
        ("all", ["--scenario=fehlt"], "Szenario „fehlt“"),
        ("all", ["--shock=kein json"], "not valid JSON"),
        ("all", ["--paths=999999"], "Pfade"),
    ],
)
def test_missing_inputs_exit_1_with_a_clear_message(municipality, setup, args, message):
    if setup in ("budget", "all"):
        make_version(municipality, plan=PLAN)
    if setup in ("sheet", "all"):
        make_balance_sheet(municipality)
    with pytest.raises(CommandError, match=message) as exc:
        call_command("run_resilience", "--municipality=musterstadt", *args)
    assert exc.value.returncode == 1


def test_exit_code_of_the_command_line_is_1(municipality, capsys):
    # run_from_argv is what manage.py calls: a CommandError becomes exit status 1 and a message on stderr
    from planning.management.commands.run_resilience import Command

    with pytest.raises(SystemExit) as exc:
        Command().run_from_argv(["manage.py", "run_resilience", "--municipality=musterstadt", "--json"])
    assert exc.value.code == 1
    assert "keine Haushaltsversion mit Planjahren" in capsys.readouterr().err
