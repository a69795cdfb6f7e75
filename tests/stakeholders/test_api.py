"""The stakeholder API: CRUD with filters, 409 on a stale revision, assessments and the engagement log,
relationships inside one municipality, the grid, network and resources endpoints, and permissions."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import Role
from stakeholders.models import Assessment, NetworkSnapshot, Stakeholder
from tests.stakeholders.factories import (
    AssessmentFactory,
    EngagementFactory,
    PersonFactory,
    RelationshipFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def api(name, municipality, **kwargs):
    return reverse(name, kwargs={"slug": municipality.slug, **kwargs})


def test_create_list_filter_and_update_with_revision(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    created = api_client.post(
        api("stakeholder-list", municipality),
        {
            "name": "Caritas",
            "sector": "third",
            "kind": "welfare",
            "tags": ["Migration"],
            "district_note": "Nord",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    StakeholderFactory(municipality=municipality, name="Sparkasse", sector="market")
    listed = api_client.get(api("stakeholder-list", municipality) + "?sector=third").json()
    assert [r["name"] for r in listed["results"]] == ["Caritas"]
    assert api_client.get(api("stakeholder-list", municipality) + "?tag=Migration").json()["count"] == 1
    detail = api("stakeholder-detail", municipality, pk=pk)
    ok = api_client.patch(detail, {"attitude": "supportive", "revision": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["revision"] == 2
    stale = api_client.patch(detail, {"attitude": "opposed", "revision": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_revision"] == 2
    assert Stakeholder.objects.get(pk=pk).attitude == "supportive"
    bad = api_client.post(api("stakeholder-list", municipality), {"name": "X", "sector": "x"}, format="json")
    assert bad.status_code == 400 and "sector" in bad.json()


def test_assessments_and_engagements(api_client, municipality, planner):
    club = StakeholderFactory(municipality=municipality)
    api_client.force_authenticate(planner)
    url = api("stakeholder-assessments", municipality, pk=club.pk)
    response = api_client.post(
        url,
        {"assessed_on": "2026-02-01", "influence": 5, "interest": 2, "power": True, "urgency": True},
        format="json",
    )
    assert response.status_code == 201
    assert (
        response.json()
        | {"salience": "dangerous", "quadrant": "keep_satisfied", "strategy": "keep_satisfied"}
        == response.json()
    )
    assert api_client.post(url, {"influence": 9, "interest": 1}, format="json").status_code == 400
    assert api_client.get(url).json()["count"] == 1
    log = api("stakeholder-engagements", municipality, pk=club.pk)
    entry = api_client.post(
        log, {"topic": "Zentrum", "follow_up": "Antwort", "due_on": "2020-01-01"}, format="json"
    ).json()
    assert entry["overdue"] is True
    overdue = api_client.get(api("stakeholder-engagement-list", municipality) + "?overdue=1").json()
    assert [e["id"] for e in overdue["results"]] == [entry["id"]]
    done = api_client.patch(
        api("stakeholder-engagement-detail", municipality, pk=entry["id"]), {}, format="json"
    )
    assert done.json()["overdue"] is False and done.json()["done_on"]
    assert api_client.post(log, {"topic": "x", "follow_up": "y"}, format="json").status_code == 400


def test_relationships_stay_inside_the_municipality(api_client, municipality, planner):
    a = StakeholderFactory(municipality=municipality)
    b = StakeholderFactory(municipality=municipality)
    foreign = StakeholderFactory()
    api_client.force_authenticate(planner)
    url = api("stakeholder-relationship-list", municipality)
    assert (
        api_client.post(url, {"source": a.pk, "target": b.pk, "kind": "funding"}, format="json").status_code
        == 201
    )
    refused = api_client.post(url, {"source": a.pk, "target": foreign.pk}, format="json")
    assert refused.status_code == 400 and "target" in refused.json()
    assert api_client.post(url, {"source": a.pk, "target": a.pk}, format="json").status_code == 400


def test_grid_network_and_resources_endpoints(api_client, municipality, viewer):
    a = StakeholderFactory(municipality=municipality, sector="public", volunteer_hours=0)
    b = StakeholderFactory(municipality=municipality, sector="third", volunteer_hours=100)
    AssessmentFactory(stakeholder=a, assessed_on=dt.date(2025, 1, 1), influence=1, interest=1)
    AssessmentFactory(stakeholder=a, assessed_on=dt.date(2026, 1, 1), influence=5, interest=5)
    RelationshipFactory(source=a, target=b)
    api_client.force_authenticate(viewer)
    grid = api_client.get(
        api("stakeholder-grid", municipality) + "?date=2026-06-01&compare=2025-06-01"
    ).json()
    assert grid[0]["moved_from"]["influence"] == 1 and grid[0]["quadrant"] == "manage_closely"
    live = api_client.get(api("stakeholder-network", municipality) + "?date=2026-06-01").json()
    assert live["stored"] is False and live["edges"] == 1
    assert api_client.post(api("stakeholder-network", municipality) + "?date=2026-06-01").status_code == 403
    resources = api_client.get(api("stakeholder-resources", municipality) + "?date=2026-06-01").json()
    assert (
        resources["shadow_wage"]["eur_per_hour"] == "13.90" and resources["total"]["hours_value"] == "1390.00"
    )


def test_snapshot_through_the_api(api_client, municipality, planner):
    RelationshipFactory(source__municipality=municipality)
    api_client.force_authenticate(planner)
    url = api("stakeholder-network", municipality) + "?date=2026-03-01"
    assert api_client.post(url).status_code == 201
    stored = api_client.get(url).json()
    assert stored["stored"] is True and stored["graph_date"] == "2026-03-01"
    assert NetworkSnapshot.objects.get().graph_date == dt.date(2026, 3, 1)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FACILITATOR])
def test_roles_without_plan_read_but_do_not_write_or_see_persons(
    api_client, municipality, member_factory, role
):
    person = PersonFactory(municipality=municipality)
    EngagementFactory(stakeholder=person, topic="Vertrauliches Gespräch")
    user = member_factory(municipality, role)
    api_client.force_authenticate(user)
    listed = api_client.get(api("stakeholder-list", municipality)).json()["results"]
    assert listed[0]["name"] == f"Person #{person.pk}" and listed[0]["email"] == ""
    log = api_client.get(api("stakeholder-engagements", municipality, pk=person.pk)).json()["results"]
    assert log[0]["topic"] == ""
    assert (
        api_client.post(api("stakeholder-list", municipality), {"name": "x", "sector": "third"}).status_code
        == 403
    )
    assert api_client.post(api("stakeholder-erase", municipality, pk=person.pk)).status_code == 403


def test_deleting_needs_manage(api_client, municipality, planner, admin):
    club = StakeholderFactory(municipality=municipality)
    url = api("stakeholder-detail", municipality, pk=club.pk)
    api_client.force_authenticate(planner)
    assert api_client.delete(url).status_code == 403
    api_client.force_authenticate(admin)
    assert api_client.delete(url).status_code == 204


def test_outsiders_get_404(api_client, municipality, outsider):
    club = StakeholderFactory(municipality=municipality)
    api_client.force_authenticate(outsider)
    assert api_client.get(api("stakeholder-list", municipality)).status_code == 404
    assert api_client.get(api("stakeholder-detail", municipality, pk=club.pk)).status_code == 404


def test_list_query_count_is_constant(api_client, municipality, planner, django_assert_max_num_queries):
    StakeholderFactory.create_batch(30, municipality=municipality)
    api_client.force_authenticate(planner)
    with django_assert_max_num_queries(8):
        assert api_client.get(api("stakeholder-list", municipality)).status_code == 200
    assert Assessment.objects.count() == 0
