import subprocess
import sys
from pathlib import Path

from rest_framework.authtoken.models import Token

from core.models import Role

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_schema_is_valid():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_token_authentication_lists_only_own_municipalities(
    api_client, municipality, other_municipality, member_factory
):
    user = member_factory(municipality, Role.FINANCE)
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    data = api_client.get("/api/v1/municipalities/").json()
    assert data["count"] == 1
    assert data["results"][0] == {
        "slug": "musterstadt",
        "name": "Musterstadt",
        "ags": "05999001",
        "land": "NW",
        "kind": "kreisangehoerige_gemeinde",
        "population": 61240,
        "role": "finance",
    }
    assert api_client.get(f"/api/v1/municipalities/{other_municipality.slug}/").status_code == 404


def test_anonymous_api_request_is_refused(api_client, municipality):
    assert api_client.get("/api/v1/municipalities/").status_code in (401, 403)


def test_members_endpoint_needs_admin(api_client, municipality, member_factory):
    api_client.force_authenticate(member_factory(municipality, Role.VIEWER))
    assert api_client.get("/api/v1/municipalities/musterstadt/members/").status_code == 403
    api_client.force_authenticate(member_factory(municipality, Role.ADMIN))
    assert api_client.get("/api/v1/municipalities/musterstadt/members/").json()["count"] == 2


def test_selftest_via_api_returns_a_job(api_client, municipality, member_factory):
    api_client.force_authenticate(member_factory(municipality, Role.ADMIN))
    response = api_client.post("/api/v1/municipalities/musterstadt/selftest/")
    assert response.status_code == 202
    assert response.json()["kind"] == "core.selftest"


def test_api_docs_are_served_without_cdn(client, planner):
    client.force_login(planner)
    html = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
