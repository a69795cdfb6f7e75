"""Another municipality's member gets 404 on every budget page, export and API endpoint; roles decide
the rest (viewers read, the Kämmerei imports and deletes)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver

from core.models import Role
from finance import services
from finance.models import BudgetUpload, BudgetVersion
from tests.finance.factories import import_bytes, sample_csv

pytestmark = pytest.mark.django_db
URL = "/kommunen/musterstadt/haushalt/"


@pytest.fixture
def objects(municipality):
    version = import_bytes(municipality, sample_csv()).version
    mapping, _, _ = services.mapping_resolve(municipality=municipality, source=sample_csv())
    profile = services.profile_save(municipality=municipality, name="SAP", mapping=mapping)
    upload = services.budget_upload_create(
        municipality=municipality, file=SimpleUploadedFile("x.csv", sample_csv(r1c5="-5,00")), user=None
    )
    return {
        "version_id": version.pk,
        "dataset_id": version.dataset_id,
        "profile_id": profile.pk,
        "upload_id": upload.pk,
    }


def _finance_routes(objects) -> list[str]:
    """Every page of the finance app, with the ids of real objects of Musterstadt filled in."""
    resolver = next(
        r for r in get_resolver().url_patterns if str(r.pattern) == "kommunen/<slug:slug>/haushalt/"
    )
    urls = []
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        for key, value in objects.items():
            route = route.replace(f"<int:{key}>", str(value))
        assert "<" not in route, route
        urls.append(URL + route)
    return urls


def test_outsider_gets_404_on_every_page_and_export(client, outsider, objects):
    client.force_login(outsider)
    urls = _finance_routes(objects)
    assert len(urls) >= 10
    for url in [*urls, URL + "export/?format=xlsx", URL + "export/?table=years", URL + "?version=1"]:
        get, post = client.get(url).status_code, client.post(url).status_code
        # 405 only where the method is never allowed (the same answer for every municipality)
        assert get in (404, 405) and post in (404, 405) and 404 in (get, post), (url, get, post)
    # nothing was changed by the attempts
    assert BudgetVersion.objects.filter(pk=objects["version_id"]).exists()
    assert BudgetUpload.objects.filter(pk=objects["upload_id"]).exists()


def test_ids_of_another_municipality_are_404_for_a_member(
    client, municipality, other_municipality, member_factory
):
    foreign = import_bytes(other_municipality, sample_csv()).version
    client.force_login(member_factory(municipality, Role.ADMIN))
    for url in (f"versionen/{foreign.pk}/quelle/", f"versionen/{foreign.pk}/loeschen/",
                f"versionen/{foreign.pk}/standard-datensatz/", f"versionen/{foreign.pk}/fiscal-data-package/",
                f"datensaetze/{foreign.dataset_id}/loeschen/"):  # fmt: skip
        assert client.get(URL + url).status_code == 404
    assert client.post(URL + f"versionen/{foreign.pk}/loeschen/").status_code == 404
    assert BudgetVersion.objects.filter(pk=foreign.pk).exists()
    # a foreign version id in the explorer falls back to the member's own data, never shows foreign data
    response = client.get(URL, {"version": foreign.pk})
    assert response.status_code == 200 and f'value="{foreign.pk}" selected' not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "page", "status"),
    [
        (Role.VIEWER, "", 200),
        (Role.VIEWER, "daten/", 200),
        (Role.VIEWER, "export/", 200),
        (Role.VIEWER, "import/", 403),
        (Role.PLANNER, "import/", 403),
        (Role.FINANCE, "import/", 200),
        (Role.ADMIN, "import/", 200),
    ],
)
def test_roles(client, municipality, member_factory, role, page, status):
    client.force_login(member_factory(municipality, role))
    assert client.get(URL + page).status_code == status


def test_anonymous_is_sent_to_login(client, objects):
    response = client.get(URL + "export/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
