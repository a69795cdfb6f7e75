"""Pages of the registry: forms with optimistic concurrency, the grid with movement arrows, the network
with snapshots, the resource overview, exports; constant query counts on grid and network."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stakeholders import services
from stakeholders.models import Assessment, NetworkSnapshot, Relationship, Stakeholder
from tests.stakeholders.factories import AssessmentFactory, RelationshipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def url(municipality, name, **kwargs):
    return reverse(f"stakeholders:{name}", kwargs={"slug": municipality.slug, **kwargs})


def _figure(html: str, element: str) -> dict:
    match = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


@pytest.mark.parametrize("name", ["index", "grid", "network", "resources", "create", "import"])
def test_pages_render_for_a_planner(client, municipality, planner, name):
    StakeholderFactory(municipality=municipality)
    client.force_login(planner)
    assert client.get(url(municipality, name)).status_code == 200


@pytest.mark.parametrize("name", ["create", "import"])
def test_viewers_cannot_open_editing_pages(client, municipality, viewer, name):
    client.force_login(viewer)
    assert client.get(url(municipality, name)).status_code == 403


def test_create_edit_and_a_stale_edit(client, municipality, planner):
    client.force_login(planner)
    response = client.post(
        url(municipality, "create"),
        {"entity": "organisation", "name": "Tafel", "sector": "third", "kind": "club", "attitude": "neutral",
         "volunteer_hours": 100, "money": "0", "staff": "0", "tags": "Armut, Ehrenamt"},
    )  # fmt: skip
    tafel = Stakeholder.objects.get(name="Tafel")
    assert response.status_code == 302 and tafel.tags == ["Armut", "Ehrenamt"]
    form = {
        "entity": "organisation", "name": "Tafel e.V.", "sector": "third", "kind": "club",
        "attitude": "supportive", "volunteer_hours": 100, "money": "0", "staff": "0", "revision": 1,
    }  # fmt: skip
    assert client.post(url(municipality, "edit", pk=tafel.pk), form).status_code == 302
    stale = client.post(url(municipality, "edit", pk=tafel.pk), {**form, "name": "Tafel Alt"})
    assert stale.status_code == 200 and "inzwischen geändert" in stale.content.decode()
    tafel.refresh_from_db()
    assert tafel.name == "Tafel e.V." and tafel.revision == 2
    # saving again applies the input knowingly on top of the current revision
    again = client.post(url(municipality, "edit", pk=tafel.pk), {**form, "name": "Tafel Alt", "revision": 2})
    assert again.status_code == 302


def test_assess_link_and_log_from_the_detail_page(client, municipality, planner):
    a = StakeholderFactory(municipality=municipality, name="Caritas")
    b = StakeholderFactory(municipality=municipality, name="Diakonie")
    client.force_login(planner)
    client.post(
        url(municipality, "assess", pk=a.pk),
        {"assessed_on": "2026-01-01", "influence": 4, "interest": 5, "power": "on"},
    )
    client.post(
        url(municipality, "link", pk=a.pk),
        {
            "target": b.pk,
            "kind": "cooperation",
            "strength": 3,
            "direction": "mutual",
            "valid_from": "2025-01-01",
        },
    )
    client.post(
        url(municipality, "engage", pk=a.pk),
        {
            "occurred_on": "2026-01-02",
            "format": "meeting",
            "topic": "Zentrum",
            "follow_up": "Raumplan",
            "due_on": "2026-01-10",
        },
    )
    assert Assessment.objects.get(stakeholder=a).salience == "dormant"
    assert Relationship.objects.get(source=a).target == b
    page = client.get(url(municipality, "detail", pk=a.pk)).content.decode()
    assert "Diakonie" in page and "überfällig" in page and "Raumplan" in page
    index = client.get(url(municipality, "index")).content.decode()
    assert "Überfällige nächste Schritte" in index
    # a stakeholder of another municipality cannot be linked
    foreign = {"target": StakeholderFactory().pk, "kind": "cooperation", "strength": 3, "direction": "mutual"}
    response = client.post(url(municipality, "link", pk=a.pk), {**foreign, "valid_from": "2025-01-01"})
    assert response.status_code == 302 and Relationship.objects.count() == 1


def test_grid_shows_movement_between_two_dates_and_links_each_dot(client, municipality, planner):
    mover = StakeholderFactory(municipality=municipality, name="Quartiersmanagement", sector="public")
    still = StakeholderFactory(municipality=municipality, name="Tafel", sector="third", district_note="Nord")
    AssessmentFactory(stakeholder=mover, assessed_on=dt.date(2025, 1, 1), influence=2, interest=4)
    AssessmentFactory(stakeholder=mover, assessed_on=dt.date(2026, 1, 1), influence=4, interest=5)
    AssessmentFactory(stakeholder=still, assessed_on=dt.date(2025, 1, 1), influence=1, interest=1)
    client.force_login(planner)
    html = client.get(url(municipality, "grid") + "?date=2026-06-01&compare=2025-06-01").content.decode()
    figure = _figure(html, "grid-figure")
    arrows = [a for a in figure["layout"]["annotations"] if a.get("showarrow")]
    assert len(arrows) == 1
    assert round(arrows[0]["ax"]) == 4 and round(arrows[0]["x"]) == 5  # interest 4 -> 5
    assert round(arrows[0]["ay"]) == 2 and round(arrows[0]["y"]) == 4  # influence 2 -> 4
    links = [link for trace in figure["data"] for link in trace["customdata"]]
    assert sorted(links) == sorted([mover.get_absolute_url(), still.get_absolute_url()])
    filtered = _figure(
        client.get(url(municipality, "grid") + "?sector=third").content.decode(), "grid-figure"
    )
    assert [t["name"] for t in filtered["data"]] == ["Dritter Sektor"]
    before_any = _figure(
        client.get(url(municipality, "grid") + "?date=2024-01-01").content.decode(), "grid-figure"
    )
    assert before_any["data"] == []


def test_network_page_computes_and_shows_a_dated_snapshot(client, municipality, planner, viewer):
    tie = RelationshipFactory(
        source__municipality=municipality, source__sector="public", valid_from=dt.date(2025, 1, 1)
    )
    client.force_login(viewer)
    assert client.post(url(municipality, "network") + "?date=2026-01-01").status_code == 403
    client.force_login(planner)
    response = client.post(url(municipality, "network") + "?date=2026-01-01")
    assert response.status_code == 302 and response["Location"].endswith("?date=2026-01-01")
    snapshot = NetworkSnapshot.objects.get()
    assert snapshot.graph_date == dt.date(2026, 1, 1) and snapshot.edges == 1
    html = client.get(response["Location"]).content.decode()
    assert "centrality-table" in html and tie.source.name in html
    figure = _figure(html, "network-figure")
    assert {t["name"] for t in figure["data"]} >= {"Öffentlicher Sektor", "Dritter Sektor", "Kooperation"}


def test_resources_page_names_the_shadow_wage(client, municipality, planner):
    StakeholderFactory(municipality=municipality, sector="third", volunteer_hours=1000)
    client.force_login(planner)
    html = client.get(url(municipality, "resources") + "?date=2026-03-01").content.decode()
    assert "13,90" in html and "13.900" in html  # German number format


def test_csv_export_neutralises_formulas(client, municipality, planner):
    StakeholderFactory(municipality=municipality, name='=HYPERLINK("http://x")', district_note="+Nord")
    client.force_login(planner)
    body = client.get(url(municipality, "export") + "?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "'+Nord" in body
    assert body.splitlines()[0].startswith("ID;Name;")


def _registry(municipality, n: int):
    sectors = ["public", "third", "informal", "market"]
    people = StakeholderFactory.create_batch(n, municipality=municipality, sector=factory_cycle(sectors))
    for i, s in enumerate(people):
        AssessmentFactory(
            stakeholder=s, assessed_on=dt.date(2025, 1, 1), influence=1 + i % 5, interest=1 + (i * 3) % 5
        )
        AssessmentFactory(
            stakeholder=s, assessed_on=dt.date(2026, 1, 1), influence=1 + (i + 1) % 5, interest=1 + i % 5
        )
        RelationshipFactory(source=s, target=people[(i + 1) % n], valid_from=dt.date(2025, 1, 1))
    return people


def factory_cycle(values):
    import factory

    return factory.Iterator(values)


@pytest.mark.parametrize("name", ["grid", "network", "index", "resources"])
def test_query_count_does_not_grow_with_the_registry(client, municipality, planner, name):
    client.force_login(planner)
    query = "?date=2026-06-01&compare=2025-06-01" if name == "grid" else "?date=2026-06-01"
    _registry(municipality, 5)
    if name == "network":
        services.network_snapshot_create(municipality=municipality, on=dt.date(2026, 6, 1))
    client.get(url(municipality, name) + query)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(municipality, name) + query).status_code == 200
    _registry(municipality, 30)
    if name == "network":
        services.network_snapshot_create(municipality=municipality, on=dt.date(2026, 6, 1))
    with CaptureQueriesContext(connection) as large:
        assert client.get(url(municipality, name) + query).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
