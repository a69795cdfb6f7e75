"""REST API of population, scenarios and projections: the flow a script would use, and permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Job, Role
from planning.models import Scenario
from tests.planning.factories import budget_version, population_variant

pytestmark = pytest.mark.django_db

LINES = [("060101", "5311", 2024, "plan", "100000.00"), ("160101", "4011", 2024, "plan", "200000.00")]
YEARS = [2024, 2025, 2026]
COUNTS = [[100, 200, 600, 100], [90, 200, 600, 110], [80, 210, 600, 120]]


def base(municipality) -> str:
    return f"/api/v1/municipalities/{municipality.slug}"


def test_population_upload_and_detail(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    text = "Jahr;Altersgruppe;Anzahl\n2024;0-17;100\n2024;18+;300\n2024;Insgesamt;400\n"
    response = api_client.post(
        f"{base(municipality)}/population/",
        {"file": SimpleUploadedFile("p.csv", text.encode())},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["total_by_year"] == {"2024": 400}
    again = api_client.post(
        f"{base(municipality)}/population/",
        {"file": SimpleUploadedFile("p.csv", text.encode())},
        format="multipart",
    )
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    listing = api_client.get(f"{base(municipality)}/population/").json()
    assert listing["count"] == 1
    series_id = listing["results"][0]["id"]
    detail = api_client.get(f"{base(municipality)}/population/{series_id}/").json()
    assert detail["age_groups"] == ["0-17", "18+"] and detail["counts"] == [[100.0, 300.0]]


def test_rejected_upload_is_400_with_lines(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    text = "Jahr;Altersgruppe;Anzahl\n2024;0-17;-5\n"
    response = api_client.post(
        f"{base(municipality)}/population/",
        {"file": SimpleUploadedFile("p.csv", text.encode())},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["line"] == 2


def test_scenario_create_run_results(api_client, municipality, planner, django_capture_on_commit_callbacks):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    api_client.force_authenticate(planner)
    created = api_client.post(
        f"{base(municipality)}/scenarios/",
        {
            "name": "API",
            "budget_version": version.pk,
            "population": series.pk,
            "horizon": 2,
            "inflation": "0.02",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    scenario_id = created.json()["id"]
    assert created.json()["base_year"] == 2024
    with django_capture_on_commit_callbacks(execute=True):
        run = api_client.post(f"{base(municipality)}/scenarios/{scenario_id}/run/")
    assert run.status_code == 202
    assert Job.objects.get(pk=run.json()["id"]).status == Job.Status.SUCCEEDED
    results = api_client.get(f"{base(municipality)}/scenarios/{scenario_id}/results/").json()
    assert [y["year"] for y in results["years"]] == YEARS
    assert results["years"][0]["balance"] == "100000.00"
    assert {a["area"] for a in results["by_area"]} == {"06", "16"}
    patched = api_client.patch(
        f"{base(municipality)}/scenarios/{scenario_id}/", {"inflation": "0.03"}, format="json"
    )
    assert patched.status_code == 200
    scenario = Scenario.objects.get(pk=scenario_id)
    assert scenario.inflation == Decimal("0.03") and scenario.computed_at is None


def test_scenario_refuses_foreign_version(api_client, municipality, other_municipality, planner):
    version = budget_version(other_municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    api_client.force_authenticate(planner)
    response = api_client.post(
        f"{base(municipality)}/scenarios/",
        {"name": "X", "budget_version": version.pk, "population": series.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "budget_version" in response.json()


def test_viewer_reads_but_cannot_write(api_client, municipality, member_factory):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    api_client.force_authenticate(member_factory(municipality, Role.VIEWER))
    assert api_client.get(f"{base(municipality)}/scenarios/").status_code == 200
    response = api_client.post(
        f"{base(municipality)}/scenarios/",
        {"name": "X", "budget_version": version.pk, "population": series.pk},
        format="json",
    )
    assert response.status_code == 403
    assert (
        api_client.post(f"{base(municipality)}/population/projection/", {}, format="json").status_code == 403
    )


def test_list_query_count_is_constant(api_client, municipality, planner, django_assert_max_num_queries):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    from planning.projection.services import scenario_create

    for k in range(12):
        scenario_create(municipality=municipality, name=f"S{k}", budget_version=version, population=series)
    api_client.force_authenticate(planner)
    with django_assert_max_num_queries(8):
        response = api_client.get(f"{base(municipality)}/scenarios/")
    assert response.json()["count"] == 12


def test_patch_with_an_old_revision_is_409_and_stores_nothing(api_client, municipality, planner):
    version = budget_version(municipality, LINES)
    series = population_variant(municipality, YEARS, COUNTS)
    api_client.force_authenticate(planner)
    created = api_client.post(
        f"{base(municipality)}/scenarios/",
        {"name": "Basis", "budget_version": version.pk, "population": series.pk, "horizon": 2},
        format="json",
    )
    assert created.status_code == 201, created.content
    detail = f"{base(municipality)}/scenarios/{created.json()['id']}/"
    loaded = api_client.get(detail).json()["revision"]
    ok = api_client.patch(detail, {"inflation": "0.03", "revision": loaded}, format="json")
    assert ok.status_code == 200 and ok.json()["revision"] == loaded + 1
    stale = api_client.patch(detail, {"inflation": "0.05", "revision": loaded}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == loaded + 1
    assert "geändert" in stale.json()["detail"]
    assert api_client.get(detail).json()["inflation"] == "0.03000"
