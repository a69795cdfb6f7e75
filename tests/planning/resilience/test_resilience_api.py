"""REST API of balance sheets and resilience checks: permissions, 202 jobs, shapes, query counts."""

import pytest

from core.models import Role
from planning.resilience.models import BalanceSheet, ResilienceRun
from planning.resilience.services import resilience_run_create, resilience_run_execute
from tests.planning.resilience.test_resilience_support import make_balance_sheet, make_plan

BASE = "/api/v1/municipalities/musterstadt"


@pytest.fixture
def plan(municipality):
    return make_plan(municipality)


@pytest.fixture
def run(municipality, plan):
    created = resilience_run_create(municipality=municipality, n_paths=500, seed=1)
    return resilience_run_execute(run_id=created.pk)


def _reads(run_id: int) -> list[str]:
    return [
        f"{BASE}/balance-sheets/",
        f"{BASE}/balance-sheets/2025/",
        f"{BASE}/resilience/runs/",
        f"{BASE}/resilience/runs/{run_id}/",
        f"{BASE}/resilience/presets/",
        f"{BASE}/resilience/indicators/",
        f"{BASE}/resilience/comparison/",
    ]


def _writes() -> list[tuple[str, str]]:
    return [
        ("post", f"{BASE}/balance-sheets/"),
        ("put", f"{BASE}/balance-sheets/2025/"),
        ("patch", f"{BASE}/balance-sheets/2025/"),
        ("delete", f"{BASE}/balance-sheets/2025/"),
        ("post", f"{BASE}/balance-sheets/import/"),
        ("post", f"{BASE}/resilience/runs/"),
    ]


def test_outsider_gets_404_everywhere(api_client, outsider, run):
    api_client.force_authenticate(outsider)
    for url in _reads(run.pk):
        assert api_client.get(url).status_code == 404, url
    for method, url in _writes():
        assert getattr(api_client, method)(url, {}, format="json").status_code == 404, url
    # ... and cannot reach the run through their own municipality either
    assert api_client.get(f"/api/v1/municipalities/anderstadt/resilience/runs/{run.pk}/").status_code == 404
    assert BalanceSheet.objects.count() == 1


def test_anonymous_is_refused(api_client, run):
    assert api_client.get(f"{BASE}/resilience/runs/").status_code in (401, 403)


def test_viewer_reads_but_cannot_write(api_client, municipality, member_factory, run):
    api_client.force_authenticate(member_factory(municipality, Role.VIEWER))
    for url in _reads(run.pk):
        assert api_client.get(url).status_code == 200, url
    for method, url in _writes():
        assert getattr(api_client, method)(url, {}, format="json").status_code == 403, url


def test_post_starts_a_job_202(api_client, planner, plan, django_capture_on_commit_callbacks):
    api_client.force_authenticate(planner)
    body = {
        "stress": "combined",
        "paths": 1000,
        "seed": 5,
        "shocks": [{"group": "53", "kind": "percent", "value": 2}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"{BASE}/resilience/runs/", body, format="json")
    assert response.status_code == 202
    job = response.json()
    assert job["kind"] == "planning.run_resilience" and job["status"] == "queued"
    run = ResilienceRun.objects.get(pk=job["run"])
    assert run.status == ResilienceRun.Status.SUCCEEDED and run.stress_preset == "combined"
    # Poll the job, then read the check
    assert api_client.get(f"/api/v1/jobs/{job['id']}/").json()["status"] == "succeeded"
    detail = api_client.get(f"{BASE}/resilience/runs/{run.pk}/").json()
    summary = detail["summary"]
    assert summary["hsk_required"] is True
    assert set(summary["years"][0]) >= {
        "year",
        "annual_result",
        "equalisation_reserve_end",
        "general_reserve_end",
    }
    assert "trigger_probability" in summary["years"][0]
    assert summary["monte_carlo"]["paths"] == 1000


def test_post_with_missing_inputs_is_a_clear_400(api_client, planner, municipality):
    api_client.force_authenticate(planner)
    response = api_client.post(f"{BASE}/resilience/runs/", {"paths": 0}, format="json")
    assert response.status_code == 400
    assert "Haushaltsversion" in response.json()["detail"]
    bad = api_client.post(f"{BASE}/resilience/runs/", {"stress": "meteor"}, format="json")
    assert bad.status_code == 400


def test_balance_sheet_crud(api_client, planner, municipality):
    api_client.force_authenticate(planner)
    body = {"year": 2024, "general_reserve": "690000000", "equalisation_reserve": "107200000.00"}
    created = api_client.post(f"{BASE}/balance-sheets/", body, format="json")
    assert created.status_code == 201
    assert created.json()["total_equity"] == "797200000.00" and created.json()["source"] == "api"
    # the list only creates: the same year again is a 409 with the stored sheet, nothing overwritten
    again = api_client.post(f"{BASE}/balance-sheets/", {**body, "general_reserve": "1"}, format="json")
    assert again.status_code == 409
    assert again.json()["current"]["general_reserve"] == "690000000.00"
    patched = api_client.patch(f"{BASE}/balance-sheets/2024/", {"liquidity_loans": "5000000"}, format="json")
    assert patched.json()["liquidity_loans"] == "5000000.00"
    assert patched.json()["general_reserve"] == "690000000.00"
    assert (
        api_client.put(f"{BASE}/balance-sheets/2030/", {"general_reserve": "1"}, format="json").status_code
        == 400
    )
    assert api_client.delete(f"{BASE}/balance-sheets/2024/").status_code == 204
    assert api_client.get(f"{BASE}/balance-sheets/2024/").status_code == 404


def test_balance_sheet_api_takes_german_amount_strings(api_client, planner, municipality):
    api_client.force_authenticate(planner)
    body = {"year": 2024, "general_reserve": "690.000.000", "equalisation_reserve": "107.200.000,50"}
    created = api_client.post(f"{BASE}/balance-sheets/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["general_reserve"] == "690000000.00"
    assert created.json()["equalisation_reserve"] == "107200000.50"
    bad = api_client.post(f"{BASE}/balance-sheets/", {**body, "general_reserve": "1.2.3"}, format="json")
    assert bad.status_code == 400 and "general_reserve" in bad.json()


def test_balance_sheet_put_with_an_old_revision_is_409_and_stores_nothing(api_client, planner, municipality):
    make_balance_sheet(municipality)
    api_client.force_authenticate(planner)
    detail = f"{BASE}/balance-sheets/2025/"
    loaded = api_client.get(detail).json()["revision"]
    ok = api_client.patch(detail, {"liquidity_loans": "5000000", "revision": loaded}, format="json")
    assert ok.status_code == 200 and ok.json()["revision"] == loaded + 1
    stale = api_client.put(detail, {"liquidity_loans": "7000000", "revision": loaded}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == loaded + 1
    assert isinstance(stale.json()["current_revision"], int)
    assert "geändert" in stale.json()["detail"]
    assert api_client.get(detail).json()["liquidity_loans"] == "5000000.00"
    # Without a revision the change applies to the current state.
    fresh = api_client.patch(detail, {"liquidity_loans": "7000000"}, format="json")
    assert fresh.status_code == 200 and fresh.json()["revision"] == loaded + 2
    # The list's POST only creates ("I saw none"): an existing year is a 409 and stays as it is.
    body = {
        "year": 2025,
        "equalisation_reserve": "1",
        "general_reserve": "2",
        "liquidity_loans": "8000000",
        "revision": 1,
    }
    assert api_client.post(f"{BASE}/balance-sheets/", body, format="json").status_code == 409
    assert BalanceSheet.objects.get(year=2025).liquidity_loans == 7_000_000


def test_balance_sheet_import_via_api(api_client, planner, municipality):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api_client.force_authenticate(planner)
    csv = "Jahr;Ausgleichsrücklage;Allgemeine Rücklage\n2025;1.000,00;2.000,00\n".encode("cp1252")
    response = api_client.post(
        f"{BASE}/balance-sheets/import/", {"file": SimpleUploadedFile("b.csv", csv)}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["years"] == [2025]


def test_presets_list_the_plan_groups(api_client, planner, plan):
    api_client.force_authenticate(planner)
    data = api_client.get(f"{BASE}/resilience/presets/").json()
    assert "trade_tax_drop" in [p["id"] for p in data["presets"]]
    assert [g["code"] for g in data["groups"]] == ["40", "4013", "41", "50", "53"]


def test_indicators_and_comparison(api_client, planner, plan):
    api_client.force_authenticate(planner)
    data = api_client.get(f"{BASE}/resilience/indicators/").json()
    plan_2025 = next(y for y in data["years"] if y["year"] == 2025 and y["phase"] == "plan")
    assert plan_2025["values"]["aufwandsdeckungsgrad"]["value"] == pytest.approx(80 / 90 * 100)
    assert any(i["formula"].startswith("Eigenkapital / Bilanzsumme") for i in data["indicators"])
    comparison = api_client.get(f"{BASE}/resilience/comparison/", {"metric": "fehlbetragsquote"}).json()
    assert comparison["year"] == 2025 and comparison["rows"][0]["municipality"] == "musterstadt"
    # Fehlbetragsquote 2025: 10 M deficit / (10 M + 100 M) reserves at opening
    assert comparison["rows"][0]["value"] == pytest.approx(10 / 110 * 100)


def test_run_list_query_count_does_not_grow(
    api_client, planner, municipality, plan, django_assert_max_num_queries
):
    api_client.force_authenticate(planner)
    for _ in range(3):
        resilience_run_execute(run_id=resilience_run_create(municipality=municipality).pk)
    with django_assert_max_num_queries(8):
        data = api_client.get(f"{BASE}/resilience/runs/").json()
    assert data["count"] == 3


def test_outsider_cannot_see_the_balance_sheet_via_comparison(
    api_client, municipality, outsider, other_municipality
):
    make_balance_sheet(municipality)
    make_plan(other_municipality)
    api_client.force_authenticate(outsider)
    rows = api_client.get("/api/v1/municipalities/anderstadt/resilience/comparison/").json()["rows"]
    assert [r["municipality"] for r in rows] == ["anderstadt"]
