"""The explorer's cache (``finance.explorer_cache``): pages, htmx fragments, exports and the API's version
detail are served from the cache while the municipality's versions stay the same, change when a version
is imported (becomes the default) or deleted, are never shared across municipalities or roles, and are
revalidated by ETag."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from finance import explorer
from finance.services import version_delete
from tests.finance.factories import import_bytes, sample_csv

pytestmark = pytest.mark.django_db
URL = "/kommunen/musterstadt/haushalt/"
HTMX = {"HX-Request": "true"}
TABLE = {"slice": "2024-plan", "level": "product", "area": "05", "partial": "table"}


@pytest.fixture
def viewer(client, municipality, member_factory):
    client.force_login(member_factory(municipality, Role.VIEWER))
    return client


def _queries(client, url, params=None, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {}, headers=headers)
    assert response.status_code in (200, 304)
    return len(queries), response


def _without_tokens(response) -> str:
    """The page without its CSRF tokens (masked anew for every response)."""
    return re.sub(r'(value=|"X-CSRFToken": )"[^"]{64}"', "", response.content.decode())


def _selected_version(response) -> int:
    select = re.search(r'<select name="version">(.*?)</select>', response.content.decode(), re.S).group(1)
    return int(re.search(r'value="(\d+)" selected', select).group(1))


def test_a_repeated_view_is_served_from_the_cache_with_a_constant_query_count(
    viewer, municipality, version, monkeypatch, django_assert_num_queries
):
    cold, first = _queries(viewer, URL)
    warm, second = _queries(viewer, URL)
    assert _without_tokens(second) == _without_tokens(first) and warm < cold
    table_cold, _ = _queries(viewer, URL, {**TABLE, "slice": "2025-plan"}, **HTMX)
    table_warm, table = _queries(viewer, URL, {**TABLE, "slice": "2025-plan"}, **HTMX)
    assert table_warm < table_cold and "<html" not in table.content.decode()
    monkeypatch.setattr(explorer.selectors, "breakdown", lambda *a, **k: pytest.fail("not cached"))
    with django_assert_num_queries(warm):  # the same for every explorer query and any data size
        assert viewer.get(URL).status_code == 200
    # more data in another dataset: still the same number of queries, cold and warm
    monkeypatch.undo()
    import_bytes(municipality, sample_csv(r1c6="-3,00"), dataset_name="Nachtrag")
    assert _queries(viewer, URL)[0] == cold
    assert _queries(viewer, URL)[0] == warm


def test_cached_page_changes_when_a_new_version_arrives_or_a_version_is_deleted(
    viewer, municipality, version
):
    assert _selected_version(viewer.get(URL)) == version.pk
    newer = import_bytes(municipality, sample_csv(r2c6="11.500,00"), label="beschlossen").version
    page = viewer.get(URL)
    assert _selected_version(page) == newer.pk and "Haushalt v2 (beschlossen)" in page.content.decode()
    table = viewer.get(URL, TABLE, headers=HTMX).content.decode()
    assert "Haushalt v2 (beschlossen)" in table
    version_delete(version=newer)
    page = viewer.get(URL)
    assert _selected_version(page) == version.pk and "beschlossen" not in page.content.decode()
    assert "beschlossen" not in viewer.get(URL, TABLE, headers=HTMX).content.decode()
    version_delete(version=version)
    assert "noch keine Haushaltsdaten" in viewer.get(URL).content.decode()


def test_a_changed_version_row_changes_the_page(viewer, municipality, version):
    """Adopting (whatever column marks it) or relabelling a version is a change of its row."""
    assert "Entwurf" in viewer.get(URL).content.decode()
    type(version).objects.filter(pk=version.pk).update(label="Beschluss")  # no signal, no save()
    html = viewer.get(URL).content.decode()
    assert "Beschluss" in html and "(Entwurf)" not in html


def test_another_municipality_never_gets_a_cached_fragment(
    viewer, client, municipality, other_municipality, member_factory, version
):
    own = viewer.get(URL).content.decode()
    own_table = viewer.get(URL, TABLE, headers=HTMX).content.decode()
    assert "34.400,00\u00a0€" in own and "Grundsicherung" in own_table
    other_url = URL.replace("musterstadt", other_municipality.slug)
    other_client = client.__class__()
    other_client.force_login(member_factory(other_municipality, Role.VIEWER))
    # the same parameters, a warm cache: the other municipality sees its own (empty) budget
    other = other_client.get(other_url).content.decode()
    assert "noch keine Haushaltsdaten" in other and "34.400,00" not in other
    assert "Grundsicherung" not in other_client.get(other_url, TABLE, headers=HTMX).content.decode()
    export = other_client.get(other_url + "export/", {"table": "breakdown", "format": "csv"})
    assert "Innere Verwaltung" not in export.content.decode("utf-8-sig")
    # and its members cannot reach the cached entries of the first one
    assert other_client.get(URL).status_code == 404
    assert other_client.get(URL, TABLE, headers=HTMX).status_code == 404
    tag = viewer.get(URL + "export/", {"table": "breakdown", "format": "csv"})["ETag"]
    assert other_client.get(URL + "export/", {"table": "breakdown", "format": "csv"},
                            headers={"If-None-Match": tag}).status_code == 404  # fmt: skip


def test_roles_do_not_share_a_cached_page(client, municipality, member_factory, version):
    client.force_login(member_factory(municipality, Role.VIEWER))
    assert "Haushaltsdatei importieren" not in client.get(URL).content.decode()
    client.force_login(member_factory(municipality, Role.FINANCE))
    assert "Haushaltsdatei importieren" in client.get(URL).content.decode()
    client.force_login(member_factory(municipality, Role.VIEWER, username="zweiter"))
    assert "Haushaltsdatei importieren" not in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("path", "params", "headers"),
    [
        ("", {}, {}),
        ("", TABLE, HTMX),
        ("export/", {"table": "breakdown", "format": "xlsx"}, {}),
        ("export/", {"table": "years", "format": "csv"}, {}),
    ],
    ids=["page", "table", "xlsx", "csv"],
)
def test_conditional_requests(viewer, municipality, version, path, params, headers):
    first = viewer.get(URL + path, params, headers=headers)
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith('"') and "private" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = viewer.get(URL + path, params, headers={**headers, "If-None-Match": tag})
    assert again.status_code == 304 and again["ETag"] == tag and not again.content
    assert len(queries) <= _queries(viewer, URL + path, params, **headers)[0]
    import_bytes(municipality, sample_csv(r2c6="11.500,00"), label="beschlossen")
    changed = viewer.get(URL + path, params, headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_api_version_detail_and_lines_are_revalidated_by_etag(viewer, municipality, version):
    api = f"/api/v1/municipalities/{municipality.slug}/budget/"
    detail = viewer.get(f"{api}versions/{version.pk}/")
    assert detail.status_code == 200 and detail.json()["totals"]
    assert (
        viewer.get(f"{api}versions/{version.pk}/", headers={"If-None-Match": detail["ETag"]}).status_code
        == 304
    )
    assert viewer.get(f"{api}versions/{version.pk}/").json() == detail.json()  # from the cache
    lines = viewer.get(f"{api}lines/", {"version": version.pk})
    assert lines.status_code == 200
    again = viewer.get(f"{api}lines/", {"version": version.pk}, headers={"If-None-Match": lines["ETag"]})
    assert again.status_code == 304
    other_page = viewer.get(
        f"{api}lines/", {"version": version.pk, "page": 2}, headers={"If-None-Match": lines["ETag"]}
    )
    assert other_page.status_code != 304
    version_delete(version=version)
    assert (
        viewer.get(f"{api}versions/{version.pk}/", headers={"If-None-Match": detail["ETag"]}).status_code
        == 404
    )


# -- issue 16: the cheap warm path keeps every check ------------------------------------------------------
def _tables(queries) -> set[str]:
    return {table for q in queries.captured_queries for table in re.findall(r'FROM "(\w+)"', q["sql"])}


@pytest.mark.parametrize(("params", "headers"), [({}, {}), (TABLE, HTMX)], ids=["page", "table"])
def test_a_warm_request_reads_no_budget_data_whatever_the_data_size(
    viewer, municipality, version, params, headers
):
    """Given a warm cache, a request only authenticates, checks the role and reads the version stamp (and
    the page its navigation); importing more data changes none of it."""
    viewer.get(URL, params, headers=headers)
    with CaptureQueriesContext(connection) as warm:
        assert viewer.get(URL, params, headers=headers).status_code == 200
    assert _tables(warm) <= {"auth_user", "core_municipality", "finance_budgetversion", "core_membership",
                             "django_session"}  # fmt: skip
    expected = len(warm)
    import_bytes(municipality, sample_csv(r1c6="-3,00", r2c6="99.000,00"), dataset_name="Nachtrag")
    viewer.get(URL, params, headers=headers)
    with CaptureQueriesContext(connection) as after:
        assert viewer.get(URL, params, headers=headers).status_code == 200
    assert len(after) == expected and _tables(after) == _tables(warm)


@pytest.mark.parametrize(("params", "headers"), [({}, {}), (TABLE, HTMX)], ids=["page", "table"])
def test_a_changed_role_counts_at_once_on_a_warm_page(
    client, municipality, member_factory, version, params, headers
):
    from core.models import Membership
    from core.services import membership_role_change

    user = member_factory(municipality, Role.FINANCE)
    client.force_login(user)
    warm = client.get(URL, params, headers=headers)
    tag = warm["ETag"]
    assert client.get(URL, params, headers={**headers, "If-None-Match": tag}).status_code == 304
    membership = Membership.objects.get(user=user, municipality=municipality)
    membership_role_change(membership=membership, role=Role.VIEWER, actor=None)
    # the old entity tag no longer matches: the role is part of the key
    again = client.get(URL, params, headers={**headers, "If-None-Match": tag})
    assert again.status_code == 200 and again["ETag"] != tag
    if not params:
        assert "Haushaltsdatei importieren" in warm.content.decode()
        assert "Haushaltsdatei importieren" not in again.content.decode()


@pytest.mark.parametrize(("params", "headers"), [({}, {}), (TABLE, HTMX)], ids=["page", "table"])
def test_a_removed_member_loses_the_warm_page_at_once(
    client, municipality, member_factory, version, params, headers
):
    from core.models import Membership
    from core.services import membership_deactivate

    user = member_factory(municipality, Role.VIEWER)
    client.force_login(user)
    tag = client.get(URL, params, headers=headers)["ETag"]
    membership_deactivate(membership=Membership.objects.get(user=user, municipality=municipality), actor=None)
    # the user is left without membership, so also deactivated: the session no longer authenticates
    conditional = client.get(URL, params, headers={**headers, "If-None-Match": tag})
    assert conditional.status_code == 302 and "/login" in conditional["Location"]


def test_a_member_removed_from_one_municipality_keeps_no_access_to_its_warm_page(
    client, municipality, other_municipality, member_factory, version
):
    from core.models import Membership
    from core.services import membership_deactivate, membership_set

    user = member_factory(municipality, Role.VIEWER)
    membership_set(municipality=other_municipality, username=user.username, role=Role.VIEWER)
    client.force_login(user)
    tag = client.get(URL)["ETag"]
    membership_deactivate(membership=Membership.objects.get(user=user, municipality=municipality), actor=None)
    # still active (a member elsewhere), but no longer here: 404, with or without the entity tag
    assert client.get(URL, headers={"If-None-Match": tag}).status_code == 404
    assert client.get(URL, TABLE, headers=HTMX).status_code == 404
    assert client.get(URL.replace("musterstadt", other_municipality.slug)).status_code == 200


def test_a_deactivated_user_is_refused_on_a_warm_page(viewer, municipality, version, django_user_model):
    tag = viewer.get(URL)["ETag"]
    django_user_model.objects.update(is_active=False)  # e.g. by the administration, no signal
    for response in (viewer.get(URL), viewer.get(URL, headers={"If-None-Match": tag})):
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_csp_nonce_is_never_cached_in_a_page(viewer, municipality, version, monkeypatch):
    """What the cache holds (page fragment, table) has no nonce, so a cached page can never carry another
    response's nonce; any nonce on a page is the one of its own Content-Security-Policy header."""
    from finance import explorer_cache

    stored = []
    real = explorer_cache.cached

    def spy(key, build):
        stored.append(real(key, build))
        return stored[-1]

    monkeypatch.setattr(explorer_cache, "cached", spy)
    pages = [viewer.get(URL), viewer.get(URL), viewer.get(URL, TABLE, headers=HTMX)]
    assert len(stored) == 3 and stored[0] == stored[1] and "fin-table" in stored[2]
    assert not any("nonce" in value for value in stored)
    for page in pages:
        assert page.status_code == 200
        own = set(re.findall(r"'nonce-([^']+)'", page.get("Content-Security-Policy", "")))
        assert set(re.findall(r'nonce="([^"]+)"', page.content.decode())) <= own


def test_a_logged_out_session_is_not_served_from_the_session_cache(viewer, municipality, version):
    """Sessions are read through the cache (cached_db): logging out must end the session there too."""
    assert viewer.get(URL).status_code == 200
    old_cookie = viewer.cookies["sessionid"].value
    viewer.logout()
    viewer.cookies["sessionid"] = old_cookie  # replay the old session cookie
    response = viewer.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]
