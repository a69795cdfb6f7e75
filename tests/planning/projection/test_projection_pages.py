"""Projection pages: what a member sees (demo comparison, charts' data, drivers, exports), and who may
see or change what (outsiders 404 everywhere, including routes with ids; viewers cannot run)."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import Job, Role
from planning.models import AgeProfile, PopulationSeries, Scenario
from planning.projection.services import projection_run, scenario_create
from tests.planning.factories import budget_version, population_variant
from tests.planning.projection.stored import one_result

pytestmark = pytest.mark.django_db

YEARS = [2024, 2025, 2026]
COUNTS = [[100, 200, 600, 100], [90, 200, 600, 110], [80, 210, 600, 120]]
LINES = [
    ("060101", "5311", 2024, "plan", "100000.00"),
    ("=HYPERLINK(1)", "5211", 2024, "plan", "5000.00"),  # a hostile product code from an uploaded file
    ("160101", "4011", 2024, "plan", "200000.00"),
]


@pytest.fixture
def computed(municipality) -> Scenario:
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    scenario = scenario_create(
        municipality=municipality, name="Basis", budget_version=version, population=series, horizon=2
    )
    return projection_run(scenario=scenario)


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"planning:{name}", kwargs={"slug": municipality.slug, **kwargs})


def id_routes(municipality, scenario: Scenario) -> list[tuple[str, str]]:
    """(method, url) of every projection page and API endpoint that addresses an object by id."""
    series = scenario.population
    profile = AgeProfile.objects.create(
        municipality=municipality, level="area", code="06", target_group="jugend"
    )
    api = f"/api/v1/municipalities/{municipality.slug}"
    return [
        ("get", url("scenario-detail", municipality, scenario_id=scenario.pk)),
        ("get", url("scenario-edit", municipality, scenario_id=scenario.pk)),
        ("post", url("scenario-run", municipality, scenario_id=scenario.pk)),
        ("post", url("scenario-delete", municipality, scenario_id=scenario.pk)),
        ("get", url("scenario-export", municipality, scenario_id=scenario.pk, fmt="csv")),
        ("get", url("scenario-export", municipality, scenario_id=scenario.pk, fmt="xlsx")),
        ("get", url("population-series", municipality, series_id=series.pk)),
        ("post", url("population-series-delete", municipality, series_id=series.pk)),
        ("post", url("projection-profile-delete", municipality, profile_id=profile.pk)),
        ("get", f"{api}/scenarios/{scenario.pk}/"),
        ("patch", f"{api}/scenarios/{scenario.pk}/"),
        ("delete", f"{api}/scenarios/{scenario.pk}/"),
        ("post", f"{api}/scenarios/{scenario.pk}/run/"),
        ("get", f"{api}/scenarios/{scenario.pk}/results/"),
        ("get", f"{api}/population/{series.pk}/"),
        ("delete", f"{api}/population/{series.pk}/"),
    ]


def slug_routes(municipality) -> list[tuple[str, str]]:
    api = f"/api/v1/municipalities/{municipality.slug}"
    pages = [
        "projection-index", "projection-compare", "projection-profiles", "population-index",
        "scenario-create", "room-index",
    ]  # fmt: skip
    posts = [
        "projection-batch", "population-import", "population-movements-import", "population-entry",
        "population-project", "room-task-type",
    ]  # fmt: skip
    return (
        [("get", url(n, municipality)) for n in pages]
        + [("post", url(n, municipality)) for n in posts]
        + [("get", f"{api}/population/"), ("post", f"{api}/population/"), ("get", f"{api}/scenarios/")]
        + [("post", f"{api}/scenarios/"), ("post", f"{api}/population/projection/")]
        + [("post", f"{api}/population/movements/")]
    )


def test_outsider_gets_404_everywhere(client, municipality, outsider, computed):
    # Given an admin of another municipality
    client.force_login(outsider)
    routes = id_routes(municipality, computed) + slug_routes(municipality)
    # When they call every page, export and endpoint of Musterstadt, then each answers 404
    for method, path in routes:
        response = (
            getattr(client, method)(path, content_type="application/json")
            if method in ("patch", "delete")
            else getattr(client, method)(path)
        )
        assert response.status_code == 404, (method, path, response.status_code)
    assert Scenario.objects.filter(pk=computed.pk).exists()


def test_foreign_ids_answer_404_to_members(client, municipality, other_municipality, member_factory):
    # Given a scenario of another municipality and a planner of Musterstadt
    version = budget_version(other_municipality, LINES)
    series = population_variant(other_municipality, YEARS, COUNTS)
    foreign = scenario_create(
        municipality=other_municipality, name="Fremd", budget_version=version, population=series, horizon=2
    )
    client.force_login(member_factory(municipality, Role.PLANNER))
    # When they address it through their own municipality's URLs
    for _method, path in id_routes(municipality, foreign)[:7]:
        assert client.get(path).status_code in (404, 405), path


def test_viewer_cannot_run_or_change(client, municipality, member_factory, computed):
    client.force_login(member_factory(municipality, Role.VIEWER))
    assert client.get(url("scenario-detail", municipality, scenario_id=computed.pk)).status_code == 200
    assert client.post(url("scenario-run", municipality, scenario_id=computed.pk)).status_code == 403
    assert client.get(url("scenario-create", municipality)).status_code == 403
    assert client.post(url("projection-profiles", municipality), {"level": "area"}).status_code == 403
    api = f"/api/v1/municipalities/{municipality.slug}/scenarios/{computed.pk}/run/"
    assert client.post(api).status_code == 403
    assert not Job.objects.exists()


def test_batch_is_for_installation_admins(
    client, municipality, member_factory, django_user_model, django_capture_on_commit_callbacks
):
    client.force_login(member_factory(municipality, Role.ADMIN))
    assert client.post(url("projection-batch", municipality)).status_code == 403
    assert client.post("/api/v1/projection-batch/").status_code == 403
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/projection-batch/")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.municipality is None and job.kind == "planning.run_projection_batch"
    assert job.status == Job.Status.SUCCEEDED  # eager in tests


def test_pages_render_for_a_member(client, municipality, member_factory, computed):
    client.force_login(member_factory(municipality, Role.VIEWER))
    for name in (
        "projection-index",
        "projection-compare",
        "projection-profiles",
        "population-index",
        "room-index",
    ):
        assert client.get(url(name, municipality)).status_code == 200, name
    page = client.get(url("scenario-detail", municipality, scenario_id=computed.pk))
    html = page.content.decode()
    assert 'src="/static/plotly/plotly.min.js"' in html
    chart = page.context["chart"]
    assert chart["years"] == YEARS and {a["area"] for a in chart["areas"]} == {"06", "16", ""}
    assert "Kinder und Jugendliche unter 21" in html  # the default driver of area 06, in words
    assert "100.000" in html  # German number format


def test_planner_creates_scenario_and_job_runs(
    client, municipality, planner, django_capture_on_commit_callbacks
):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    client.force_login(planner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("scenario-create", municipality),
            {
                "name": "Neu",
                "budget_version": version.pk,
                "base_phase": "plan",
                "population": series.pk,
                "horizon": 2,
                "inflation": "2,5",
                "wage_growth": "3",
                "revenue_growth": "40=3; 41=1,5",
                "interest_rate": "3",
            },
        )
    assert response.status_code == 302
    scenario = Scenario.objects.get(name="Neu")
    assert scenario.inflation == Decimal("0.025")
    assert scenario.revenue_growth == {"40": 0.03, "41": 0.015}
    assert scenario.computed_at is not None  # the job ran (eager)
    detail = client.get(response.url)
    assert detail.status_code == 200


def test_export_is_formula_safe(client, municipality, planner, computed):
    client.force_login(planner)
    response = client.get(url("scenario-export", municipality, scenario_id=computed.pk, fmt="csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    codes = {row[3] for row in rows[2:]}
    assert "'=HYPERLINK(1)" in codes and "=HYPERLINK(1)" not in codes
    assert len(rows) == 2 + 3 * 3
    xlsx = client.get(url("scenario-export", municipality, scenario_id=computed.pk, fmt="xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_demo_has_two_scenarios_whose_difference_the_comparison_shows(client, settings):
    from core.demo import DEMO_SLUG, demo_load

    # Given the demo installation (finance's demo budget first, then the projection demo)
    municipality = demo_load()
    scenarios = list(Scenario.objects.filter(municipality=municipality).order_by("name"))
    # (the third is the coproduction demo's scenario with the socio-cultural centre as a measure)
    assert [s.name for s in scenarios] == ["Basis", "Basis mit Soziokulturellem Zentrum", "Hohe Inflation"]
    assert all(s.computed_at for s in scenarios)
    assert set(
        PopulationSeries.objects.filter(municipality=municipality, kind="cohort").values_list(
            "variant", flat=True
        )
    ) == {"low", "main", "high"}
    # When a demo user opens the comparison page
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="gast"))
    response = client.get(
        reverse("planning:projection-compare", kwargs={"slug": DEMO_SLUG}),
        {"s": [scenarios[0].pk, scenarios[2].pk]},
    )
    # Then it shows both scenarios and a non-zero difference in the last year
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert [r["scenario"].name for r in comparison["rows"]] == ["Basis", "Hohe Inflation"]
    last = comparison["years"][-1]
    delta = comparison["rows"][1]["delta"][last]
    assert delta != 0
    html = response.content.decode()
    assert 'data-role="delta"' in html and "Hohe Inflation" in html
    data = json.loads(re.search(r'id="comparison-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["scenarios"][1]["delta"][-1] == pytest.approx(float(delta))
    # and loading the demo again changes nothing
    before = {s.pk: s.computed_at for s in scenarios}
    demo_load()
    assert {s.pk: s.computed_at for s in Scenario.objects.filter(municipality=municipality)} == before


def test_overview_panel_shows_last_balance(client, municipality, planner, computed):
    client.force_login(planner)
    html = client.get(municipality.get_absolute_url()).content.decode()
    assert 'data-panel="projection"' in html
    assert 'data-role="final-balance"' in html


def test_scenario_page_query_count_does_not_grow_with_items(client, municipality, planner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.planning.factories import synthetic_budget_lines

    client.force_login(planner)
    counts = []
    for n, name in ((3, "klein"), (80, "gross")):
        version = budget_version(municipality, synthetic_budget_lines(2024, n, seed=n), dataset=name)
        series = population_variant(municipality, YEARS, COUNTS, variant=name)
        scenario = projection_run(
            scenario=scenario_create(
                municipality=municipality, name=name, budget_version=version, population=series, horizon=2
            )
        )
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(url("scenario-detail", municipality, scenario_id=scenario.pk)).status_code == 200
            )
        with CaptureQueriesContext(connection) as compare:
            assert (
                client.get(url("projection-compare", municipality) + f"?s={scenario.pk}").status_code == 200
            )
        counts.append((len(queries), len(compare)))
    assert counts[0] == counts[1]


def test_profiles_form_sets_target_group_mix_and_table(client, municipality, planner, computed):
    client.force_login(planner)
    page = url("projection-profiles", municipality)
    assert client.post(page, {"level": "area", "code": "06", "target_group": "kita"}).status_code == 302
    assert (
        client.post(
            page, {"level": "area", "code": "05", "shares": "senioren=60; hochbetagte=40"}
        ).status_code
        == 302
    )
    weights = {"level": "product", "code": "060101", "persistence": "40", "w_0": "2", "w_6": "1,5"}
    assert client.post(page, weights).status_code == 302
    profiles = {p.code: p for p in AgeProfile.objects.filter(municipality=municipality)}
    assert profiles["06"].target_group == "kita"
    assert profiles["05"].shares == {"senioren": 0.6, "hochbetagte": 0.4}
    assert profiles["060101"].weights == {"0-5": 2.0, "6-17": 1.5}
    assert profiles["060101"].persistence == Decimal("0.4")
    assert client.post(page, {"level": "area", "code": "07"}).status_code == 400  # nothing chosen
    # the table drives the Kita line: weights 2 x (0-5) + 1.5 x (6-17) -> (2*80 + 1.5*210) / (2*100 + 1.5*200)
    scenario = projection_run(scenario=computed)
    row = one_result(scenario, "060101", 2026)
    assert row.driver == "table"
    assert row.demographic_ratio == pytest.approx((2 * 80 + 1.5 * 210) / (2 * 100 + 1.5 * 200))


def test_two_planners_editing_one_scenario_do_not_overwrite_each_other(
    client, municipality, planner, member_factory, computed
):
    other = member_factory(municipality, Role.PLANNER)
    edit = url("scenario-edit", municipality, scenario_id=computed.pk)

    def form_data(page, **changes):
        """What the browser would post: the form as loaded (hidden revision included) plus the edits."""
        html = page.content.decode()
        data = {"revision": re.search(r'name="revision" value="(\d+)"', html).group(1)}
        data.update(
            name=computed.name, budget_version=computed.budget_version_id, base_year=computed.base_year,
            base_phase=computed.base_phase, population=computed.population_id, horizon=computed.horizon,
            inflation="2", wage_growth="3", revenue_growth="40=3", interest_rate="3",
        )  # fmt: skip
        data.update(changes)
        return data

    client.force_login(planner)
    mine = form_data(client.get(edit), inflation="4")
    client.force_login(other)
    theirs = form_data(client.get(edit), inflation="5")
    assert client.post(edit, theirs).status_code == 302  # the other planner saves first

    client.force_login(planner)
    refused = client.post(edit, mine)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "wurde inzwischen geändert" in html
    assert 'name="inflation" value="4"' in html  # my input is still in the form
    assert Scenario.objects.get(pk=computed.pk).inflation == Decimal("0.05")

    # Saving again from the conflict page applies my change deliberately.
    resubmit = form_data(refused, inflation="4")
    assert client.post(edit, resubmit).status_code == 302
    assert Scenario.objects.get(pk=computed.pk).inflation == Decimal("0.04")
