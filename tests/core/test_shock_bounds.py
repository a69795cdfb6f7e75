"""A user-defined shock's range is one rule (planning.resilience.services.shock_value_error) that the
service applies to every caller and the page form and the API ask for their field message: percent and
growth_pp within -100 .. 1,000 (percent points), absolute within ±10^12 EUR (docs/security.md)."""

import json

import pytest
from django.urls import reverse

from planning.resilience.forms import ShockForm
from planning.resilience.models import ResilienceRun
from planning.resilience.selectors import ResilienceInputError, resilience_inputs
from planning.resilience.services import resilience_evaluate, shock_value_error
from tests.planning.resilience.test_resilience_support import make_plan

pytestmark = pytest.mark.django_db
BASE = "/api/v1/municipalities/musterstadt"


@pytest.fixture
def inputs(municipality):
    make_plan(municipality)
    return resilience_inputs(municipality=municipality)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("percent", -100), ("percent", 1000), ("growth_pp", -100), ("growth_pp", 1000), ("absolute", -(10**12)),
     ("absolute", 10**12), ("absolute", 5000)],
)  # fmt: skip
def test_values_at_the_edges_of_their_kind_are_shocks(inputs, kind, value):
    assert shock_value_error(kind, value) is None
    result, _base, _path = resilience_evaluate(
        inputs, shocks=[{"group": "4013", "kind": kind, "value": value}]
    )
    assert result["stress"]["name"] == "Eigene Schocks"


@pytest.mark.parametrize(
    ("shock", "message"),
    [
        ({"kind": "percent", "value": 1000.01}, "zwischen -100 und 1.000"),
        ({"kind": "percent", "value": -101}, "zwischen -100 und 1.000"),
        ({"kind": "growth_pp", "value": 5000}, "zwischen -100 und 1.000"),
        ({"kind": "absolute", "value": 1e13}, "1.000.000.000.000 EUR"),
        ({"kind": "percent", "value": float("nan")}, "Zahl"),
        ({"kind": "percent", "value": float("inf")}, "Zahl"),
        ({"kind": "percent", "value": "5"}, "Zahl"),
        ({"kind": "percent", "value": True}, "Zahl"),
        ({"kind": "doubling", "value": 5}, "Art"),
        ({"kind": "percent", "value": 5, "years": [2026] * 101}, "Jahre"),
        ({"kind": "percent", "value": 5, "years": [10**30]}, "Jahre"),
        ({"kind": "percent", "value": 5, "years": "2026"}, "Jahre"),
        ({"kind": "percent", "value": 5, "year_offset": -1}, "Beginn"),
        ({"kind": "percent", "value": 5, "duration": 10**9}, "dauert"),
        ({"kind": "percent", "value": 5, "share": 2}, "Anteil"),
        ({"kind": "percent", "value": 5, "label": ["x"]}, "Bezeichnung"),
        ({"kind": "percent", "value": 5, "group": ["40"]}, "Gruppe"),
    ],
)
def test_the_service_refuses_a_shock_outside_its_range_with_a_message(inputs, shock, message):
    with pytest.raises(ResilienceInputError, match=message):
        resilience_evaluate(inputs, shocks=[{"group": "4013", **shock}])


def test_the_service_refuses_shocks_that_are_not_objects_or_too_many(inputs):
    with pytest.raises(ResilienceInputError, match="Objekt"):
        resilience_evaluate(inputs, shocks=["4013"])
    with pytest.raises(ResilienceInputError, match="Höchstens"):
        resilience_evaluate(inputs, shocks=[{"group": "4013", "kind": "percent", "value": 1}] * 101)


@pytest.mark.parametrize(
    ("kind", "value", "valid"),
    [("percent", "1.000", True), ("percent", "1.000,5", False), ("growth_pp", "-100,5", False),
     ("absolute", "5.000", True), ("absolute", "2.000.000.000.000", False)],
)  # fmt: skip
def test_the_page_form_checks_the_range_of_the_kind(inputs, kind, value, valid):
    data = {"shock_group": "4013", "shock_kind": kind, "shock_value": value, "shock_year": "2026",
            "shock_duration": "1"}  # fmt: skip
    form = ShockForm(data, groups=inputs.base.groups, years=inputs.years)
    assert form.is_valid() is valid, form.errors
    if not valid:
        assert list(form.errors) == ["shock_value"]


def test_the_page_shows_the_message_and_no_stressed_result(client, planner, municipality, inputs):
    client.force_login(planner)
    url = reverse("planning:resilience-index", kwargs={"slug": municipality.slug})
    params = {"shock_group": "4013", "shock_kind": "percent", "shock_value": "5000", "shock_year": "2026",
              "shock_duration": "1"}  # fmt: skip
    response = client.get(url, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert "zwischen -100 und 1.000" in html
    assert "-16.000.000,00 €" not in html  # no shock applied


@pytest.mark.parametrize(
    "shocks",
    [
        [{"group": "4013", "kind": "percent", "value": 5000}],
        '[{"group": "4013", "kind": "percent", "value": NaN}]',
        [{"group": ["4013"], "kind": "percent", "value": 5}],
        [{"group": "4013", "kind": "absolute", "value": 1e300}],
    ],
)
def test_a_run_with_a_forged_shock_field_is_refused(client, planner, municipality, inputs, shocks):
    # Given the run form's hidden shocks field, edited by hand
    client.force_login(planner)
    url = reverse("planning:resilience-run-start", kwargs={"slug": municipality.slug})
    raw = shocks if isinstance(shocks, str) else json.dumps(shocks)
    response = client.post(url, {"paths": 500, "seed": 1, "stress": "", "shocks": raw}, follow=True)
    # Then the page says why, and no run was stored
    assert response.status_code == 200
    assert response.context["messages"] and not ResilienceRun.objects.exists()


@pytest.mark.parametrize(("kind", "value"), [("percent", 1001), ("growth_pp", -101), ("absolute", 2e12)])
def test_the_api_answers_400_naming_the_value(api_client, planner, inputs, kind, value):
    api_client.force_authenticate(planner)
    shock = {"group": "4013", "kind": kind, "value": value}
    response = api_client.post(f"{BASE}/resilience/runs/", {"shocks": [shock], "paths": 100}, format="json")
    assert response.status_code == 400
    assert "value" in json.dumps(response.json()), response.json()
    assert not ResilienceRun.objects.exists()
