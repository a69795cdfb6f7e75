"""One shape for every import's problems and outcome (core.imports)."""

from dataclasses import dataclass

import pytest

from core.imports import REJECTED, ImportOutcome, issue_json
from finance.importing.issues import ImportIssue
from planning.engine.population_files import PopulationIssue


def test_issue_json_names_line_column_and_both_languages_and_a_code_when_there_is_one():
    # Given a population problem (no code) and a budget problem (with a code)
    population = PopulationIssue(7, "age_group", "90-", "Unbekannte Altersgruppe.", "Unknown age group.")
    budget = ImportIssue(3, "Betrag", "x", "Kein Betrag.", "Not an amount.", code="amount")
    # Then both report the same fields; the stable code only where the issue has one
    assert issue_json(population) == {
        "line": 7,
        "column": "age_group",
        "value": "90-",
        "message": "Unbekannte Altersgruppe.",
        "message_en": "Unknown age group.",
    }
    assert issue_json(budget)["code"] == "amount"
    assert issue_json(budget)["line"] == 3


@dataclass
class _Outcome(ImportOutcome):
    years: list[int] | None = None

    def payload_json(self):
        return {"years": self.years}


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (_Outcome("imported", years=[2024]), {"status": "imported", "years": [2024]}),
        (
            _Outcome(REJECTED, errors=["Zeile 2: kein Jahr"]),
            {"status": "rejected", "errors": ["Zeile 2: kein Jahr"]},
        ),
    ],
)
def test_outcome_json_is_the_payload_or_the_errors(outcome, expected):
    assert outcome.to_json() == expected
    assert outcome.ok is (outcome.status != REJECTED)
