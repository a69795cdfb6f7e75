"""import_budget and budget_summary: JSON output and exit codes."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from finance import services
from finance.models import BudgetLine, BudgetVersion
from tests.finance.factories import PLAN_2024, real_path, sample_csv

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, dict]:
    """Run a command, return (exit code, the one JSON object it printed)."""
    out = StringIO()
    try:
        call_command(*args, stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exc:
        code = exc.code
    text = out.getvalue().strip()
    assert text.count("\n") == 0, "exactly one JSON object on stdout"
    return code, json.loads(text)


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "haushalt_2024.csv"
    path.write_bytes(sample_csv())
    return path


def test_import_json_success_then_unchanged(municipality, sample):
    code, data = run(
        "import_budget", str(sample), "--municipality", "musterstadt", "--json", "--label", "Entwurf"
    )
    assert code == 0
    assert data["status"] == "imported"
    assert (data["rows"], data["lines"]) == (5, 14)
    plan = next(t for t in data["totals"] if (t["year"], t["phase"]) == (2024, "plan"))
    assert plan == {
        "year": 2024,
        "phase": "plan",
        "statement": "results",
        "revenue": f"{PLAN_2024['revenue']:.2f}",
        "expense": f"{PLAN_2024['expense']:.2f}",
    }
    assert BudgetVersion.objects.get().label == "Entwurf"
    # When the identical file is imported again, nothing new is stored and the status says so
    code, again = run("import_budget", str(sample), "--municipality", "musterstadt", "--json")
    assert (code, again["status"], again["totals"]) == (0, "unchanged", data["totals"])
    assert BudgetVersion.objects.count() == 1


def test_import_json_rejection_exits_1_and_stores_nothing(municipality, tmp_path):
    path = tmp_path / "kaputt.csv"
    path.write_bytes(sample_csv(r3c6="12,3,4"))
    code, data = run("import_budget", str(path), "--municipality", "musterstadt", "--json")
    assert code == 1
    assert data["status"] == "rejected"
    assert data["errors"][0]["line"] == 4
    assert data["errors"][0]["column"] == "Plan 2024"
    assert data["errors"][0]["value"] == "12,3,4"
    assert "keine Zahl" in data["errors"][0]["message"]
    assert set(data) == {"status", "errors"}
    assert BudgetLine.objects.count() == 0 and BudgetVersion.objects.count() == 0


def test_dry_run_reports_totals_and_stores_nothing(municipality, sample):
    code, data = run("import_budget", str(sample), "--municipality", "musterstadt", "--json", "--dry-run")
    assert (code, data["status"], data["lines"]) == (0, "dry-run", 14)
    assert BudgetVersion.objects.count() == 0


def test_phase_sets_the_phase_of_a_long_file(municipality, tmp_path, make_csv):
    path = tmp_path / "lang.csv"
    path.write_bytes(
        make_csv([["Produkt", "Konto", "Jahr", "Betrag"], ["05.01.01", "53310000", "2023", "1.000,00"]])
    )
    code, data = run(
        "import_budget", str(path), "--municipality", "musterstadt", "--json", "--phase", "actual"
    )
    assert code == 0
    assert data["totals"][0]["phase"] == "actual"


def test_mapping_file_and_profile(municipality, sample, tmp_path):
    mapping, _, _ = services.mapping_resolve(municipality=municipality, source=sample)
    mapping.value_columns = [v for v in mapping.value_columns if v.phase == "plan"]
    mapping.ignore_columns = ["Ist 2023"]
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps(mapping.to_dict()))
    args = ["--mapping", str(mapping_file), "--save-profile", "Nur Plan", "--dataset", "Plan"]
    code, data = run("import_budget", str(sample), "--municipality", "musterstadt", "--json", *args)
    assert code == 0 and {t["phase"] for t in data["totals"]} == {"plan"}
    # The saved profile is found by name for another file of the same layout
    other = tmp_path / "naechstes_jahr.csv"
    other.write_bytes(sample_csv(r1c6="-2.000,00"))
    code, data = run(
        "import_budget", str(other), "--municipality", "musterstadt", "--json", "--profile", "Nur Plan"
    )
    assert code == 0 and {t["phase"] for t in data["totals"]} == {"plan"}


def test_unknown_municipality_profile_or_mapping_are_command_errors(municipality, sample, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_budget", str(sample), "--municipality", "nirgendwo")
    with pytest.raises(CommandError):
        call_command("import_budget", str(sample), "--municipality", "musterstadt", "--profile", "fehlt")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 99}')
    with pytest.raises(CommandError):
        call_command("import_budget", str(sample), "--municipality", "musterstadt", "--mapping", str(bad))


def test_budget_summary_matches_what_was_imported(municipality, sample):
    _, imported = run("import_budget", str(sample), "--municipality", "musterstadt", "--json")
    code, summary = run("budget_summary", "--municipality", "musterstadt", "--json")
    assert code == 0
    assert summary["totals"] == imported["totals"]
    assert summary["versions"][0]["id"] == imported["version"]
    code, one = run(
        "budget_summary", "--municipality", "musterstadt", "--json", "--version", str(imported["version"])
    )
    assert one["totals"] == imported["totals"]


def test_budget_summary_defaults_to_the_latest_version_of_each_dataset(municipality, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(sample_csv())
    second.write_bytes(sample_csv(r2c6="11.500,00"))
    run("import_budget", str(first), "--municipality", "musterstadt", "--json")
    _, latest = run("import_budget", str(second), "--municipality", "musterstadt", "--json")
    _, summary = run("budget_summary", "--municipality", "musterstadt", "--json")
    assert [v["id"] for v in summary["versions"]] == [latest["version"]]
    assert summary["totals"] == latest["totals"]


def test_moers_cli_totals(municipality):
    path = real_path("moers_haushalt_2015-2017.csv")
    code, data = run("import_budget", str(path), "--municipality", "musterstadt", "--json")
    assert code == 0
    plan = next(
        t for t in data["totals"] if (t["year"], t["phase"], t["statement"]) == (2017, "plan", "results")
    )
    assert (plan["revenue"], plan["expense"]) == ("284894948.47", "285670171.25")
    assert data["rows"] == 2119
    _, summary = run("budget_summary", "--municipality", "musterstadt", "--json")
    assert summary["totals"] == data["totals"]


def test_encoding_override(municipality, tmp_path):
    path = tmp_path / "utf8.csv"
    path.write_bytes(sample_csv().decode("cp1252").encode("utf-8"))
    code, data = run(
        "import_budget", str(path), "--municipality", "musterstadt", "--json", "--encoding", "cp1252"
    )
    assert code == 0 and data["status"] == "imported"
    assert BudgetVersion.objects.get().detected["encoding"] == "cp1252"
