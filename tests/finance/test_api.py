"""Budget REST API: permissions, pagination, filters, uploads as jobs, preview, profiles, query counts."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from finance import services
from finance.models import BudgetLine, BudgetUpload, BudgetVersion, ImportProfile
from tests.finance.factories import generated_csv, import_bytes, sample_csv

pytestmark = pytest.mark.django_db
BASE = "/api/v1/municipalities/musterstadt/budget"


@pytest.fixture
def finance_client(api_client, municipality, member_factory):
    api_client.force_authenticate(member_factory(municipality, Role.FINANCE))
    return api_client


@pytest.fixture
def viewer_client(api_client, municipality, member_factory):
    api_client.force_authenticate(member_factory(municipality, Role.VIEWER))
    return api_client


def test_outsider_gets_404_everywhere(api_client, outsider, version):
    api_client.force_authenticate(outsider)
    upload = {"file": SimpleUploadedFile("x.csv", sample_csv())}
    for method, url, data in [
        ("get", f"{BASE}/datasets/", None),
        ("get", f"{BASE}/datasets/{version.dataset_id}/", None),
        ("delete", f"{BASE}/datasets/{version.dataset_id}/", None),
        ("get", f"{BASE}/versions/", None),
        ("get", f"{BASE}/versions/{version.pk}/", None),
        ("delete", f"{BASE}/versions/{version.pk}/", None),
        ("get", f"{BASE}/lines/", None),
        ("get", f"{BASE}/lines/?version={version.pk}", None),
        ("get", f"{BASE}/profiles/", None),
        ("post", f"{BASE}/profiles/", {"name": "x", "mapping": "{}"}),
        ("get", f"{BASE}/uploads/", None),
        ("post", f"{BASE}/uploads/", upload),
        ("post", f"{BASE}/preview/", {"file": SimpleUploadedFile("x.csv", sample_csv())}),
    ]:
        response = getattr(api_client, method)(url, data, format="multipart" if method == "post" else None)
        assert response.status_code == 404, (method, url, response.status_code)
    assert BudgetVersion.objects.filter(pk=version.pk).exists()
    assert BudgetUpload.objects.count() == 0


def test_version_of_another_municipality_is_404_even_by_id(api_client, other_municipality, member_factory):
    foreign = import_bytes(other_municipality, sample_csv()).version
    client_user = member_factory(other_municipality, Role.ADMIN)
    api_client.force_authenticate(client_user)
    assert api_client.get(f"{BASE}/versions/{foreign.pk}/").status_code == 404  # wrong slug
    own = "/api/v1/municipalities/anderstadt/budget"
    assert api_client.get(f"{own}/versions/{foreign.pk}/").status_code == 200


def test_lines_of_another_municipalitys_version_are_404(finance_client, other_municipality, version):
    foreign = import_bytes(other_municipality, sample_csv(r1c5="-1,00")).version
    assert finance_client.get(f"{BASE}/lines/?version={foreign.pk}").status_code == 404


def test_anonymous_is_refused(api_client, version):
    assert api_client.get(f"{BASE}/versions/").status_code in (401, 403)


def test_viewer_reads_but_cannot_write(viewer_client, version):
    assert viewer_client.get(f"{BASE}/versions/").status_code == 200
    assert viewer_client.delete(f"{BASE}/versions/{version.pk}/").status_code == 403
    upload = {"file": SimpleUploadedFile("x.csv", sample_csv())}
    assert viewer_client.post(f"{BASE}/uploads/", upload, format="multipart").status_code == 403
    assert (
        viewer_client.post(f"{BASE}/profiles/", {"name": "x", "mapping": {}}, format="json").status_code
        == 403
    )


def test_datasets_and_versions(finance_client, version):
    datasets = finance_client.get(f"{BASE}/datasets/").json()
    assert datasets["count"] == 1 and datasets["results"][0]["version_count"] == 1
    versions = finance_client.get(f"{BASE}/versions/").json()["results"]
    assert versions[0]["label"] == "Entwurf" and versions[0]["lines"] == 14
    detail = finance_client.get(f"{BASE}/versions/{version.pk}/").json()
    plan = next(t for t in detail["totals"] if (t["year"], t["phase"]) == (2024, "plan"))
    assert (plan["revenue"], plan["expense"]) == ("6600.00", "32000.00")
    assert detail["mapping"]["sign_convention"] == "revenue_negative"


def test_delete_version(finance_client, version):
    assert finance_client.delete(f"{BASE}/versions/{version.pk}/").status_code == 204
    assert BudgetLine.objects.count() == 0


def test_lines_are_paginated_and_named(finance_client, version):
    data = finance_client.get(f"{BASE}/lines/").json()
    assert data["count"] == 14 and len(data["results"]) == 14
    first = data["results"][0]
    assert first["product_name"] == "Rat und Ausschüsse" and first["account_name"] == "Mieten und Pachten"
    assert first["amount"] == "1000.00" and first["direction"] == "revenue"


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("year=2024", 4),
        ("phase=actual", 5),
        ("phase=plan&direction=revenue", 4),
        ("statement=financial", 0),
        ("area=05", 6),
        ("account_group=53", 3),
        ("product_code=060101", 2),
        ("year=2025&area=01&direction=expense", 1),
    ],
)
def test_line_filters(finance_client, version, query, count):
    response = finance_client.get(f"{BASE}/lines/?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_lines_pagination_over_pages(finance_client, municipality):
    import_bytes(municipality, generated_csv(products=20))  # 20 x 6 x 3 = 360 lines
    page1 = finance_client.get(f"{BASE}/lines/").json()
    assert page1["count"] == 360 and len(page1["results"]) == 50 and page1["next"]
    page8 = finance_client.get(f"{BASE}/lines/?page=8").json()
    assert len(page8["results"]) == 10 and page8["next"] is None


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_of_lists_does_not_grow_with_the_data(finance_client, municipality):
    import_bytes(municipality, generated_csv(products=3))
    small = [_queries(finance_client, f"{BASE}/{e}/") for e in ("lines", "versions", "datasets")]
    import_bytes(municipality, generated_csv(products=120, accounts=8), dataset_name="Groß")
    import_bytes(municipality, sample_csv(), dataset_name="Klein")
    large = [_queries(finance_client, f"{BASE}/{e}/") for e in ("lines", "versions", "datasets")]
    assert small == large


def test_lines_list_query_budget(finance_client, version, django_assert_num_queries):
    # auth-free force_authenticate: the municipality with the member's role (one query, the permission,
    # which the view reuses), version stamp (ETag, finance.explorer_cache), versions (default), count,
    # page, product names, account names; a revalidation with a matching If-None-Match stops after the stamp
    with django_assert_num_queries(7):
        finance_client.get(f"{BASE}/lines/")


def test_upload_returns_a_job_202_and_imports(finance_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = finance_client.post(
            f"{BASE}/uploads/",
            {"file": SimpleUploadedFile("haushalt.csv", sample_csv()), "dataset": "Haushalt", "label": "v1"},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["job"]["kind"] == "finance.import_budget"
    assert body["job"]["status"] in ("queued", "succeeded")  # runs after the request's transaction
    # Following the job (as the progress bar does) shows the outcome
    job = finance_client.get(f"/api/v1/jobs/{body['job']['id']}/").json()
    assert job["status"] == "succeeded"
    assert job["result"]["status"] == "imported" and job["result"]["lines"] == 14
    detail = finance_client.get(f"{BASE}/uploads/{body['upload']['id']}/").json()
    assert detail["status"] == "imported"
    assert detail["version"] == BudgetVersion.objects.get().pk


def test_upload_of_a_bad_file_fails_the_job_with_problems(finance_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = finance_client.post(
            f"{BASE}/uploads/",
            {"file": SimpleUploadedFile("x.csv", sample_csv(r3c6="12,3,4"))},
            format="multipart",
        )
    assert response.status_code == 202
    upload = finance_client.get(f"{BASE}/uploads/{response.json()['upload']['id']}/").json()
    assert upload["job"]["status"] == "failed"
    assert upload["status"] == "rejected"
    assert upload["errors"][0]["line"] == 4
    assert BudgetVersion.objects.count() == 0


def test_upload_with_mapping_saves_profile_and_later_upload_uses_profile(
    finance_client, municipality, django_capture_on_commit_callbacks
):
    mapping, _, _ = services.mapping_resolve(municipality=municipality, source=sample_csv())
    mapping.value_columns = [v for v in mapping.value_columns if v.phase == "plan"]
    mapping.ignore_columns = ["Ist 2023"]
    with django_capture_on_commit_callbacks(execute=True):
        first = finance_client.post(
            f"{BASE}/uploads/",
            {
                "file": SimpleUploadedFile("a.csv", sample_csv()),
                "mapping": json.dumps(mapping.to_dict()),
                "save_profile": "Nur Plan",
            },
            format="multipart",
        )
    assert first.status_code == 202
    assert (
        finance_client.get(f"{BASE}/uploads/{first.json()['upload']['id']}/").json()["status"] == "imported"
    )
    assert ImportProfile.objects.filter(name="Nur Plan").exists()
    with django_capture_on_commit_callbacks(execute=True):
        second = finance_client.post(
            f"{BASE}/uploads/",
            {"file": SimpleUploadedFile("b.csv", sample_csv(r1c6="-9,00"))},
            format="multipart",
        )
    assert (
        finance_client.get(f"{BASE}/uploads/{second.json()['upload']['id']}/").json()["status"] == "imported"
    )
    assert not BudgetLine.objects.filter(phase="actual").exists()


def test_upload_with_invalid_mapping_or_unknown_profile_is_400(finance_client):
    for extra in ({"mapping": "{not json"}, {"mapping": json.dumps({"version": 7})}, {"profile": "fehlt"}):
        data = {"file": SimpleUploadedFile("a.csv", sample_csv()), **extra}
        assert finance_client.post(f"{BASE}/uploads/", data, format="multipart").status_code == 400
    assert BudgetUpload.objects.count() == 0


def test_preview_shows_detection_and_totals_without_storing(finance_client):
    response = finance_client.post(
        f"{BASE}/preview/", {"file": SimpleUploadedFile("x.csv", sample_csv())}, format="multipart"
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["format"], data["encoding"], data["delimiter"], data["layout"]) == (
        "csv",
        "cp1252",
        ";",
        "wide",
    )
    assert data["mapping"]["sign_convention"] == "revenue_negative"
    assert data["ok"] is True and len(data["records"]) == 14
    assert any(t["year"] == 2024 and t["revenue"] == "6600.00" for t in data["totals"])
    assert BudgetUpload.objects.count() == 0 and BudgetVersion.objects.count() == 0


def test_preview_reports_problems(finance_client):
    response = finance_client.post(
        f"{BASE}/preview/",
        {"file": SimpleUploadedFile("x.csv", sample_csv(r3c6="12,3,4"))},
        format="multipart",
    )
    data = response.json()
    assert data["ok"] is False
    assert data["issues"][0]["line"] == 4


def test_profiles_crud(finance_client, municipality):
    mapping, _, _ = services.mapping_resolve(municipality=municipality, source=sample_csv())
    created = finance_client.post(
        f"{BASE}/profiles/", {"name": "SAP", "mapping": mapping.to_dict()}, format="json"
    )
    assert created.status_code == 201, created.content
    profile_id = created.json()["id"]
    assert created.json()["header_fingerprint"] == mapping.header_fingerprint
    assert finance_client.get(f"{BASE}/profiles/").json()["count"] == 1
    duplicate = finance_client.post(
        f"{BASE}/profiles/", {"name": "SAP", "mapping": mapping.to_dict()}, format="json"
    )
    assert duplicate.status_code == 400
    renamed = finance_client.patch(f"{BASE}/profiles/{profile_id}/", {"name": "SAP neu"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "SAP neu"
    without_fingerprint = {**mapping.to_dict(), "header_fingerprint": None}
    bad = finance_client.post(
        f"{BASE}/profiles/", {"name": "x", "mapping": without_fingerprint}, format="json"
    )
    assert bad.status_code == 400
    assert finance_client.delete(f"{BASE}/profiles/{profile_id}/").status_code == 204
    assert ImportProfile.objects.count() == 0
