import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.models import Role
from core.permissions import Capability, can, capabilities_of, visible_municipalities


@pytest.mark.parametrize(
    ("role", "capability", "allowed"),
    [
        (Role.VIEWER, Capability.VIEW, True),
        (Role.VIEWER, Capability.PARTICIPATE, False),
        (Role.FINANCE, Capability.EDIT_BUDGET, True),
        (Role.PLANNER, Capability.EDIT_BUDGET, False),
        (Role.PLANNER, Capability.PLAN, True),
        (Role.FACILITATOR, Capability.FACILITATE, True),
        (Role.FACILITATOR, Capability.PLAN, False),
        (Role.ADMIN, Capability.MANAGE, True),
        (Role.FINANCE, Capability.MANAGE, False),
    ],
)
def test_role_capabilities(municipality, member_factory, role, capability, allowed):
    user = member_factory(municipality, role)
    assert can(user, municipality, capability) is allowed


def test_non_member_has_no_capability(municipality, outsider):
    assert capabilities_of(outsider, municipality) == frozenset()
    assert list(visible_municipalities(outsider)) == [outsider.memberships.get().municipality]


def _slug_routes(resolver=None, prefix=""):
    """Every page URL pattern that takes only a municipality slug."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _slug_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if "<slug:slug>" in route and route.count("<") == 1 and not route.startswith("api/"):
                yield route


def test_member_of_another_municipality_gets_404_on_every_page(client, municipality, outsider):
    # Given an admin of Anderstadt, logged in
    client.force_login(outsider)
    routes = sorted(set(_slug_routes()))
    assert len(routes) >= 5  # overview plus one page per app at least
    # When they open every page of Musterstadt, then each answers 404 (existence is not revealed)
    for route in routes:
        url = "/" + route.replace("<slug:slug>", municipality.slug)
        response = client.get(url)
        assert response.status_code in (403, 404, 405), url
        assert response.status_code != 200


def test_member_sees_every_page(client, municipality, member_factory):
    client.force_login(member_factory(municipality, Role.ADMIN))
    for route in sorted(set(_slug_routes())):
        url = "/" + route.replace("<slug:slug>", municipality.slug)
        assert client.get(url).status_code in (200, 405), url


def test_anonymous_is_sent_to_login(client, municipality):
    response = client.get(municipality.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
