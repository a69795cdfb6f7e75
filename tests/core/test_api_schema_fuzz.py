"""Property-based test of the whole REST API against its own OpenAPI schema (schemathesis).

As a planner of one municipality (the demo *Musterstadt*, with its real budget, population, scenarios,
balance sheets and SWOT board), every operation of ``/api/v1/schema/`` gets generated requests, valid and
invalid (schemathesis' examples, coverage and fuzzing of each parameter and body), with the path's ids set
to real objects of that municipality. A request fails the test if the answer is a 5xx, does not match the
response schema, or is a 4xx that does not say why. ``API_FUZZ_EXAMPLES`` (default 12) bounds the examples
per operation, so the run stays within a few minutes; the figures of the last full run are in
docs/security.md.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from core.models import Membership, Municipality, Role
from tests.factories import UserFactory

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
# Locally, to fuzz a few operations with many examples: API_FUZZ_ONLY=/swot/boards/{id}/actions/ (a part of
# the path); the CI run takes every operation.
ONLY = os.environ.get("API_FUZZ_ONLY", "")
pytestmark = pytest.mark.django_db(transaction=False)


def _real_ids(municipality: Municipality) -> dict[str, dict[str, object]]:
    """Path parameter values per path prefix: real objects of the municipality."""
    from finance.models import BudgetDataset, BudgetUpload, BudgetVersion, ImportProfile
    from planning.models import BalanceSheet, PopulationSeries, ResilienceRun, Scenario
    from swot.models import Board, Card, Invite, Measure

    def first(qs):
        obj = qs.filter(municipality=municipality).order_by("pk").first()
        return obj.pk if obj else 1

    board = Board.objects.filter(municipality=municipality).order_by("pk").first()
    card = Card.objects.filter(board=board).order_by("pk").first() if board else None
    invite = Invite.objects.filter(board=board).order_by("pk").first() if board else None
    sheet = BalanceSheet.objects.filter(municipality=municipality).order_by("year").first()
    return {
        "/budget/datasets/": {"id": first(BudgetDataset.objects)},
        "/budget/versions/": {"id": first(BudgetVersion.objects)},
        "/budget/profiles/": {"id": first(ImportProfile.objects)},
        "/budget/uploads/": {"id": first(BudgetUpload.objects)},
        "/population/": {"series_id": first(PopulationSeries.objects)},
        "/scenarios/": {"scenario_id": first(Scenario.objects)},
        "/balance-sheets/": {"year": sheet.year if sheet else 2024},
        "/resilience/runs/": {"id": first(ResilienceRun.objects)},
        "/swot/boards/": {
            "id": board.pk if board else 1,
            "card_id": card.pk if card else 1,
            "invite_id": invite.pk if invite else 1,
        },
        "/swot/measures/": {"id": first(Measure.objects)},
    }


def client_error_says_why(ctx, response, case) -> None:
    """A 4xx answer carries a message: a JSON body that is not empty (bad input is told, never a 500)."""
    if 400 <= response.status_code < 500:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not body:
            raise AssertionError(f"{response.status_code} without a message: {response.text[:200]!r}")


CHECKS = [not_a_server_error, response_schema_conformance, client_error_says_why]


def _fuzz(operation, slug: str, ids: dict, key: str, tried: Counter, failures: list[str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case):
        if case.path_parameters is not None and "slug" in case.path_parameters:
            case.path_parameters["slug"] = slug
            for prefix, values in ids.items():
                if prefix in operation.path:
                    for name, value in values.items():
                        if name in case.path_parameters:
                            case.path_parameters[name] = value
        response = case.call(headers={"Authorization": f"Token {key}"})
        tried[label] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # collect all operations' failures, not only the first
            failures.append(f"{label}: {str(exc)[:600]}")

    exercise()


def test_api_answers_every_generated_request_without_5xx_and_as_its_schema_says():
    # Given the demo municipality with its data, and one of its planners with a token
    call_command("load_demo", verbosity=0)
    municipality = Municipality.objects.get(slug="musterstadt")
    user = UserFactory(username="fuzz-planner")
    Membership.objects.create(user=user, municipality=municipality, role=Role.PLANNER)
    token = Token.objects.create(user=user)
    ids = _real_ids(municipality)
    # as Django's test client does: the test's transaction must outlive each request
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)

    # When every operation gets its generated requests
    tried: Counter[str] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith(("/projection-batch/", "/selftest/")):
            continue  # installation-wide / admin jobs: covered by their own tests
        if ONLY not in operation.path:
            continue
        _fuzz(operation, municipality.slug, ids, token.key, tried, failures)

    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)

    # Then no answer was a 5xx or off-schema
    total = sum(tried.values())
    print(f"\nAPI fuzz: {total} requests over {len(tried)} operations in {time.monotonic() - started:.0f} s")
    assert len(tried) >= (60 if not ONLY else 1), tried
    assert not failures, "\n".join(dict.fromkeys(failures))
