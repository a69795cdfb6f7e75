"""Room to act by task type (seed, Tabelle 1): defaults per NRW product area and group, overrides per
municipality, and the page that sums today's and projected expenses per type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from planning.projection.selectors import room_to_act, task_type_of
from planning.projection.services import projection_run, scenario_create, task_type_reset, task_type_set
from tests.planning.factories import budget_version, population_variant

pytestmark = pytest.mark.django_db

YEARS = [2024, 2025, 2026]
COUNTS = [[100, 200, 600, 100], [90, 200, 600, 110], [80, 210, 600, 120]]
LINES = [
    ("060101", "5311", 2024, "plan", "100000.00"),  # 06 youth welfare: mandatory self-government
    ("050101", "5331", 2024, "plan", "70000.00"),  # 05.01 SGB II: by instruction (Tabelle 1)
    ("080101", "5311", 2024, "plan", "30000.00"),  # 08 sport: voluntary
    ("160101", "4011", 2024, "plan", "200000.00"),  # revenue: not in the expense view
]


@pytest.fixture
def computed(municipality):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    scenario = scenario_create(
        municipality=municipality, name="Basis", budget_version=version, population=series, horizon=2
    )
    return projection_run(scenario=scenario)


def url(name, municipality):
    return reverse(f"planning:{name}", kwargs={"slug": municipality.slug})


@pytest.mark.parametrize(
    ("area", "group", "expected"),
    [
        ("06", "06.01", "mandatory_self_government"),
        ("06", "06.02", "voluntary_self_government"),
        ("05", "05.01", "mandatory_by_instruction"),
        ("08", "08.01", "voluntary_self_government"),
        ("", "", None),
    ],
)
def test_defaults_follow_the_engine_table(area, group, expected):
    assert task_type_of(area, group, f"{group}.01", {})[0] == expected


def test_sums_per_type_today_and_projected(municipality, computed):
    room = room_to_act(municipality, computed)
    totals = {k: v["today"] for k, v in room["totals"].items()}
    assert totals == {
        "mandatory_self_government": Decimal("100000.00"),
        "mandatory_by_instruction": Decimal("70000.00"),
        "voluntary_self_government": Decimal("30000.00"),
    }
    assert (room["first"], room["last"]) == (2024, 2026)
    assert all(v["projected"] > 0 for v in room["totals"].values())


def test_override_and_reset(municipality, computed):
    task_type_set(municipality=municipality, level="area", code="08", task_type="mandatory_self_government")
    room = room_to_act(municipality, computed)
    assert room["totals"]["mandatory_self_government"]["today"] == Decimal("130000.00")
    task_type_reset(municipality=municipality, level="area", code="08")
    assert room_to_act(municipality, computed)["totals"]["voluntary_self_government"]["today"] == Decimal(
        "30000.00"
    )


def test_without_scenario_uses_the_latest_plan(municipality):
    budget_version(municipality, LINES)
    room = room_to_act(municipality, None)
    assert room["first"] == 2024 and room["last"] is None
    assert sum(v["today"] for v in room["totals"].values()) == Decimal("200000.00")


def test_room_page_query_count_is_constant(
    client, municipality, planner, computed, django_assert_max_num_queries
):
    client.force_login(planner)
    with django_assert_max_num_queries(16):
        assert client.get(url("room-index", municipality)).status_code == 200


def test_page_and_override(client, municipality, planner, computed):
    client.force_login(planner)
    page = client.get(url("room-index", municipality))
    types = {t["info"].task_type.value: t for t in page.context["types"]}
    # area 06 defaults to mandatory self-government (youth welfare)
    assert types["mandatory_self_government"]["today"] == Decimal("100000.00")
    response = client.post(
        url("room-task-type", municipality),
        {"level": "product", "code": "060101", "task_type": "voluntary_self_government"},
    )
    assert response.status_code == 302
    page = client.get(url("room-index", municipality))
    types = {t["info"].task_type.value: t for t in page.context["types"]}
    assert types["voluntary_self_government"]["today"] == Decimal("130000.00")  # with sport (08)
    assert types["voluntary_self_government"]["projected"] > 0
