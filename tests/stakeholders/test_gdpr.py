"""Personal data of persons: field-level access by role, Art. 15/20 export (JSON, PDF), Art. 17 erasure
that leaves no personal field in any page, API response or export while the aggregates stay, and the
access log."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stakeholders import selectors, services
from stakeholders.models import Assessment, Engagement, PersonAccess, Relationship
from tests.stakeholders.factories import PersonFactory, RelationshipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

SECRETS = (
    "Henriette Geheimnis",
    "henriette@geheim.example",
    "0151 998877",
    "Kita-Platz für Enkel",
    "Ringstr. 99",
)


@pytest.fixture
def person(municipality, planner):
    person = PersonFactory(
        municipality=municipality,
        name=SECRETS[0],
        email=SECRETS[1],
        phone=SECRETS[2],
        interests=SECRETS[3],
        address=SECRETS[4],
        tags=["Nachbarschaft"],
    )
    club = StakeholderFactory(municipality=municipality, name="Nachbarschaftsverein", sector="third")
    RelationshipFactory(source=person, target=club, note=f"kennt {SECRETS[0]}")
    services.assessment_add(
        stakeholder=person, assessor=planner, assessed_on=dt.date(2025, 1, 1), influence=2, interest=5,
        comment=f"{SECRETS[0]} ist sehr engagiert",
    )  # fmt: skip
    services.engagement_log(
        stakeholder=person, user=planner, occurred_on=dt.date(2025, 2, 1), topic=f"Treffen mit {SECRETS[0]}",
        outcome=SECRETS[3], follow_up="Rückruf", due_on=dt.date(2025, 3, 1), participants=SECRETS[0],
    )  # fmt: skip
    return person


def _urls(municipality, person) -> list[str]:
    slug = municipality.slug
    pages = ["index", "grid", "network", "resources"]
    urls = [reverse(f"stakeholders:{p}", kwargs={"slug": slug}) for p in pages]
    urls += [
        reverse("stakeholders:index", kwargs={"slug": slug}) + f"?q={SECRETS[0][:9]}",
        reverse("stakeholders:grid", kwargs={"slug": slug}) + "?date=2026-01-01",
        reverse("stakeholders:detail", kwargs={"slug": slug, "pk": person.pk}),
        reverse("stakeholders:export", kwargs={"slug": slug}) + "?format=csv",
        reverse("stakeholder-list", kwargs={"slug": slug}),
        reverse("stakeholder-list", kwargs={"slug": slug}) + f"?q={SECRETS[0][:9]}",
        reverse("stakeholder-detail", kwargs={"slug": slug, "pk": person.pk}),
        reverse("stakeholder-assessments", kwargs={"slug": slug, "pk": person.pk}),
        reverse("stakeholder-engagements", kwargs={"slug": slug, "pk": person.pk}),
        reverse("stakeholder-relationship-list", kwargs={"slug": slug}),
        reverse("stakeholder-engagement-list", kwargs={"slug": slug}),
        reverse("stakeholder-grid", kwargs={"slug": slug}) + "?date=2026-01-01",
        reverse("stakeholder-network", kwargs={"slug": slug}),
    ]
    return urls


def _leaks(client, urls) -> list[str]:
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        found += [f"{url}: {s}" for s in SECRETS if s in body or json.dumps(s)[1:-1] in body]
    return found


def test_viewers_see_organisations_but_no_personal_data(client, municipality, person, viewer):
    client.force_login(viewer)
    assert _leaks(client, _urls(municipality, person)) == []
    index = client.get(reverse("stakeholders:index", kwargs={"slug": municipality.slug})).content.decode()
    assert "Nachbarschaftsverein" in index and f"Person #{person.pk}" in index
    # nor the record, nor the erasure
    for name, kwargs in (("person-record", {"fmt": "json"}), ("erase", {})):
        url = reverse(f"stakeholders:{name}", kwargs={"slug": municipality.slug, "pk": person.pk, **kwargs})
        assert client.get(url).status_code == 403
    assert (
        client.get(
            reverse("stakeholder-record", kwargs={"slug": municipality.slug, "pk": person.pk})
        ).status_code
        == 403
    )
    assert not PersonAccess.objects.filter(user=viewer).exists()


def test_xlsx_export_for_viewers_hides_persons(client, municipality, person, viewer):
    client.force_login(viewer)
    response = client.get(reverse("stakeholders:export", kwargs={"slug": municipality.slug}) + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Nachbarschaftsverein" in cells and not any(s in c for s in SECRETS for c in cells)


def test_planners_see_the_person_and_every_view_is_logged(client, municipality, person, planner):
    client.force_login(planner)
    detail = client.get(reverse("stakeholders:detail", kwargs={"slug": municipality.slug, "pk": person.pk}))
    assert SECRETS[1] in detail.content.decode()
    client.get(reverse("stakeholder-detail", kwargs={"slug": municipality.slug, "pk": person.pk}))
    actions = list(PersonAccess.objects.filter(user=planner).values_list("action", flat=True))
    assert actions.count("view") == 2


def test_art15_export_as_json_and_pdf(client, municipality, person, planner):
    client.force_login(planner)
    url = reverse(
        "stakeholders:person-record", kwargs={"slug": municipality.slug, "pk": person.pk, "fmt": "json"}
    )
    response = client.get(url)
    record = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert record["person"]["email"] == SECRETS[1] and record["person"]["legal_basis"] == "a"
    assert record["assessments"][0]["interest"] == 5 and record["engagements"][0]["outcome"] == SECRETS[3]
    assert record["relationships"][0]["with"] == "Nachbarschaftsverein"
    pdf = client.get(url.replace(".json", ".pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 1000
    assert set(PersonAccess.objects.filter(user=planner).values_list("action", flat=True)) >= {
        "export_json",
        "export_pdf",
    }
    api = client.get(reverse("stakeholder-record", kwargs={"slug": municipality.slug, "pk": person.pk}))
    assert api.json()["person"]["name"] == SECRETS[0]


def test_art17_erasure_leaves_no_personal_field_and_keeps_the_aggregates(
    client, municipality, person, planner
):
    snapshot_before = services.network_snapshot_create(municipality=municipality, on=dt.date(2026, 1, 1))
    counts_before = selectors.counts(municipality)
    scores_before = list(Assessment.objects.filter(stakeholder=person).values_list("influence", "interest"))
    client.force_login(planner)
    erase = reverse("stakeholders:erase", kwargs={"slug": municipality.slug, "pk": person.pk})
    assert "Endgültig anonymisieren" in client.get(erase).content.decode()
    assert client.post(erase).status_code == 302
    person.refresh_from_db()
    assert person.is_erased and person.name == f"Person #{person.pk}"

    urls = _urls(municipality, person)
    urls.append(
        reverse(
            "stakeholders:person-record", kwargs={"slug": municipality.slug, "pk": person.pk, "fmt": "json"}
        )
    )
    urls.append(reverse("stakeholder-record", kwargs={"slug": municipality.slug, "pk": person.pk}))
    assert _leaks(client, urls) == []
    assert not selectors.stakeholder_search(municipality, {"q": SECRETS[0][:9]}, personal=True).exists()
    # the aggregates stay: the number of engagements and ties, the network's shape, the scores
    assert selectors.counts(municipality) == counts_before
    assert Engagement.objects.filter(stakeholder=person).count() == 1
    assert Relationship.objects.filter(source=person).count() == 1
    snapshot_after = services.network_snapshot_create(municipality=municipality, on=dt.date(2026, 1, 1))
    assert (snapshot_after.nodes, snapshot_after.edges) == (snapshot_before.nodes, snapshot_before.edges)
    assert snapshot_after.measures == snapshot_before.measures
    assert (
        list(Assessment.objects.filter(stakeholder=person).values_list("influence", "interest"))
        == scores_before
    )
    assert PersonAccess.objects.filter(stakeholder=person, action="erase", user=planner).exists()
    # an erased person cannot be filled in again
    services.stakeholder_update(stakeholder=person, name="Neu", email="neu@example.org", district_note="Süd")
    person.refresh_from_db()
    assert (person.name, person.email, person.district_note) == (f"Person #{person.pk}", "", "Süd")


def test_erasure_discards_pending_imports_that_name_the_person(municipality, person, planner):
    batch = services.import_check(
        municipality=municipality, data=f"Name;Sektor\n{SECRETS[0]} II;informell\n".encode(), filename="x.csv"
    )
    services.person_erase(stakeholder=person, user=planner)
    assert not type(batch).objects.filter(pk=batch.pk).exists()
