"""The projection continues the adopted medium-term plan: plan years as adopted, projection from the last
plan year on; the base-year-only projection stays available as an option, labelled on the page."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from planning.models import ProjectionYear
from planning.projection.services import projection_run, scenario_create, scenario_update
from tests.planning.factories import budget_version, population_variant
from tests.planning.projection.stored import one_result
from tests.planning.projection.test_projection_service import COUNTS, YEARS

pytestmark = pytest.mark.django_db

LINES = [
    ("060101", "5311", 2024, "plan", "100000.00"),
    ("160101", "4011", 2024, "plan", "200000.00"),
    # the adopted medium-term plan: a deficit in 2025 the status-quo rule would not produce
    ("060101", "5311", 2025, "plan", "150000.00"),
    ("160101", "4011", 2025, "plan", "120000.00"),
    ("060101", "5311", 2026, "plan", "160000.00"),
    ("160101", "4011", 2026, "plan", "130000.00"),
    ("050101", "5211", 2026, "plan", "10000.00"),  # a new product only in the plan
]


@pytest.fixture
def scenario(municipality):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    return scenario_create(
        municipality=municipality, name="Plan", budget_version=version, population=series, horizon=4
    )


def _balances(scenario) -> dict[int, D]:
    return dict(ProjectionYear.objects.filter(scenario=scenario).values_list("year", "balance"))


def test_plan_years_are_taken_as_adopted_and_continued(scenario):
    assert scenario.continue_plan is True  # the default
    scenario = projection_run(scenario=scenario)
    balances = _balances(scenario)
    assert balances[2024] == D("100000.00")
    assert balances[2025] == D("-30000.00")  # 120,000 - 150,000 as adopted
    assert balances[2026] == D("-40000.00")  # 130,000 - 160,000 - 10,000
    assert scenario.computation["plan_years"] == [2024, 2025, 2026]
    # 2027 continues from 2026: taxes grow with their rate (3 %), the new product with inflation (2 %)
    y2027 = ProjectionYear.objects.get(scenario=scenario, year=2027)
    assert y2027.revenue == D("133900.00")
    assert _amount(scenario, "050101", 2027) == D("10200.00")
    # the Kita item grows from its 2026 plan value exactly as the base-year projection grows 2026 -> 2027
    base_only = scenario_create(
        municipality=scenario.municipality,
        name="Nur Basisjahr",
        budget_version=scenario.budget_version,
        population=scenario.population,
        horizon=4,
        continue_plan=False,
    )
    base_only = projection_run(scenario=base_only)
    growth = _amount(base_only, "060101", 2027) / _amount(base_only, "060101", 2026)
    assert abs(_amount(scenario, "060101", 2027) - D("160000") * growth) <= D("0.01")


def _amount(scenario, product: str, year: int) -> D:
    return one_result(scenario, product, year).amount


def test_base_year_only_is_a_labelled_option(client, planner, municipality, scenario):
    scenario = scenario_update(scenario=scenario, continue_plan=False)
    scenario = projection_run(scenario=scenario)
    balances = _balances(scenario)
    assert balances[2025] != D("-30000.00")
    assert scenario.computation["plan_years"] == [2024]
    client.force_login(planner)
    page = client.get(
        reverse("planning:scenario-detail", kwargs={"slug": municipality.slug, "scenario_id": scenario.pk})
    ).content.decode()
    assert "nur vom Basisjahr aus" in page
    assert page.count('data-year-kind="plan"') == 1 and page.count('data-year-kind="projection"') == 4


def test_page_says_which_years_are_plan(client, planner, municipality, scenario):
    projection_run(scenario=scenario)
    client.force_login(planner)
    page = client.get(
        reverse("planning:scenario-detail", kwargs={"slug": municipality.slug, "scenario_id": scenario.pk})
    ).content.decode()
    assert page.count('data-year-kind="plan"') == 3 and page.count('data-year-kind="projection"') == 2
