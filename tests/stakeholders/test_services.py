"""Registry services: stakeholders with optimistic concurrency, append-only dated assessments,
relationships, the engagement log, network snapshots and the resource overview."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from stakeholders import selectors, services
from stakeholders.models import Assessment, NetworkSnapshot, PersonAccess, ShadowWage, Stakeholder
from tests.stakeholders.factories import (
    AssessmentFactory,
    EngagementFactory,
    PersonFactory,
    RelationshipFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


def test_create_an_organisation_with_resources_and_tags(municipality):
    awo = services.stakeholder_create(
        municipality=municipality,
        name="AWO Ortsverein",
        sector="third",
        kind="welfare",
        district_note="Nord",
        tags="Senioren, Kita, Senioren",
        volunteer_hours=2400,
        money=Decimal("5000"),
    )
    assert awo.tags == ["Kita", "Senioren"]
    assert awo.revision == 1 and awo.municipality == municipality


def test_create_refuses_invalid_values(municipality):
    with pytest.raises(ValidationError) as exc:
        services.stakeholder_create(municipality=municipality, name="X", sector="church")
    assert "sector" in exc.value.message_dict


def test_a_person_needs_a_legal_basis_and_a_purpose(municipality, planner):
    with pytest.raises(ValidationError) as exc:
        services.stakeholder_create(
            municipality=municipality, name="Erika", sector="informal", entity="person"
        )
    assert {"legal_basis", "purpose"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.stakeholder_create(
            municipality=municipality,
            name="Erika",
            sector="informal",
            entity="person",
            legal_basis="a",
            purpose="x",
        )
    assert "consent_given_on" in exc.value.message_dict
    person = services.stakeholder_create(
        municipality=municipality,
        name="Erika",
        sector="informal",
        entity="person",
        legal_basis="e",
        purpose="Beteiligung",
        user=planner,
    )
    assert PersonAccess.objects.get(stakeholder=person).action == "edit"


def test_update_with_a_stale_revision_is_refused_and_changes_nothing(municipality):
    club = StakeholderFactory(municipality=municipality, name="TV 1889")
    first = services.stakeholder_update(stakeholder=club, expected_revision=1, attitude="supportive")
    assert first.revision == 2
    with pytest.raises(services.StakeholderConflict) as exc:
        services.stakeholder_update(stakeholder=club, expected_revision=1, attitude="opposed")
    assert exc.value.current.revision == 2
    club.refresh_from_db()
    assert club.attitude == "supportive" and club.revision == 2
    # an unchanged save does not bump the revision
    assert (
        services.stakeholder_update(stakeholder=club, expected_revision=2, attitude="supportive").revision
        == 2
    )


def test_assessments_are_dated_and_append_only(municipality, planner):
    club = StakeholderFactory(municipality=municipality)
    old = services.assessment_add(
        stakeholder=club, assessor=planner, assessed_on=dt.date(2025, 1, 1), influence=2, interest=4
    )
    new = services.assessment_add(
        stakeholder=club,
        assessor=planner,
        assessed_on=dt.date(2026, 1, 1),
        influence=4,
        interest=4,
        power=True,
        legitimacy=True,
    )
    assert old.strategy == "keep_informed" and new.strategy == "manage_closely"  # from the grid
    assert new.salience == "dominant"
    old.influence = 5
    with pytest.raises(ValueError, match="append-only"):
        old.save()
    assert Assessment.objects.get(pk=old.pk).influence == 2
    assert [a.assessed_on.year for a in club.assessments.all()] == [2026, 2025]
    latest = selectors.latest_assessments(municipality, dt.date(2025, 6, 1))
    assert latest[club.pk]["influence"] == 2


def test_assessment_scores_outside_one_to_five_are_refused(municipality):
    club = StakeholderFactory(municipality=municipality)
    with pytest.raises(ValidationError):
        services.assessment_add(stakeholder=club, influence=6, interest=1)


def test_relationships_stay_inside_one_municipality(municipality, other_municipality):
    a = StakeholderFactory(municipality=municipality)
    b = StakeholderFactory(municipality=other_municipality)
    with pytest.raises(services.RegistryError):
        services.relationship_create(source=a, target=b)
    with pytest.raises(services.RegistryError):
        services.relationship_create(source=a, target=a)


def test_overdue_follow_ups_are_flagged(municipality):
    today = timezone.localdate()
    late = EngagementFactory(
        stakeholder__municipality=municipality, follow_up="Antwort", due_on=today - dt.timedelta(days=1)
    )
    EngagementFactory(
        stakeholder__municipality=municipality, follow_up="später", due_on=today + dt.timedelta(days=3)
    )
    EngagementFactory(
        stakeholder__municipality=municipality, follow_up="", due_on=today - dt.timedelta(days=3)
    )
    assert late.is_overdue()
    assert list(selectors.overdue_follow_ups(municipality)) == [late]
    services.engagement_complete(engagement=late)
    assert not late.is_overdue() and not selectors.overdue_follow_ups(municipality).exists()
    with pytest.raises(ValidationError):
        services.engagement_log(stakeholder=late.stakeholder, topic="x", follow_up="y")


def test_search_and_filters(municipality, planner):
    StakeholderFactory(municipality=municipality, name="Caritas", sector="third", tags=["Migration"])
    StakeholderFactory(municipality=municipality, name="Sparkasse", sector="market", district_note="Süd")
    PersonFactory(municipality=municipality, name="Erika Muster", email="erika@beispiel.example")

    def names(params, personal=True):
        return [s.name for s in selectors.stakeholder_search(municipality, params, personal=personal)]

    assert names({"sector": "market"}) == ["Sparkasse"]
    assert names({"district": "süd"}) == ["Sparkasse"]
    assert names({"tag": "Migration"}) == ["Caritas"]
    assert names({"q": "erika@"}) == ["Erika Muster"]
    assert names({"q": "Erika"}, personal=False) == []  # a viewer's search cannot find persons
    assert names({"entity": "person"}) == ["Erika Muster"]


def test_network_snapshot_keeps_the_date_of_its_graph(municipality):
    a, b, c = (StakeholderFactory(municipality=municipality, sector=s) for s in ("public", "third", "market"))
    RelationshipFactory(source=a, target=b, valid_from=dt.date(2025, 1, 1))
    RelationshipFactory(source=b, target=c, valid_from=dt.date(2026, 1, 1))
    early = services.network_snapshot_create(municipality=municipality, on=dt.date(2025, 6, 1))
    late = services.network_snapshot_create(municipality=municipality, on=dt.date(2026, 6, 1))
    assert (early.graph_date, early.edges) == (dt.date(2025, 6, 1), 1)
    assert late.edges == 2
    # a -> b -> c with three sectors (mutual ties: both directions): b is a liaison twice
    assert late.brokerage[str(b.pk)]["liaison"] == 2
    assert selectors.snapshot_for(municipality, dt.date(2025, 6, 1)) == early
    RelationshipFactory(source=a, target=c, valid_from=dt.date(2025, 1, 1))
    early.refresh_from_db()
    assert early.edges == 1  # what was analysed stays as it was
    assert NetworkSnapshot.objects.count() == 2


def test_resource_overview_values_hours_at_the_dated_shadow_wage(municipality):
    StakeholderFactory(
        municipality=municipality, sector="third", district_note="Nord", volunteer_hours=1000, money=500
    )
    StakeholderFactory(
        municipality=municipality, sector="informal", district_note="Nord", volunteer_hours=100
    )
    StakeholderFactory(municipality=municipality, sector="public", volunteer_hours=999)  # not a partner
    overview = selectors.resource_overview(municipality, dt.date(2025, 7, 1))
    assert overview["wage"].eur_per_hour == Decimal("12.82")
    assert overview["total"]["hours"] == 1100
    assert overview["total"]["hours_value"] == Decimal("14102.00")
    assert overview["total"]["total_value"] == Decimal("14602.00")
    assert selectors.resource_overview(municipality, dt.date(2026, 1, 1))["total"]["hours_value"] == Decimal(
        "15290.00"
    )
    # a municipality's own rate wins from its date on
    ShadowWage.objects.create(
        municipality=municipality, valid_from=dt.date(2026, 1, 1), eur_per_hour=20, source="Rat"
    )
    assert selectors.resource_overview(municipality, dt.date(2026, 2, 1))["total"]["hours_value"] == Decimal(
        "22000.00"
    )


def test_retention_reminder_lists_persons_whose_date_passed(municipality):
    due = PersonFactory(municipality=municipality, retention_until=dt.date(2020, 1, 1))
    PersonFactory(municipality=municipality, retention_until=dt.date(2099, 1, 1))
    assert list(selectors.retention_due(municipality)) == [due]
    assert due.retention_due()


def test_delete_removes_the_stakeholder_with_its_ties(municipality):
    tie = RelationshipFactory(source__municipality=municipality)
    services.stakeholder_delete(stakeholder=tie.source)
    assert not Stakeholder.objects.filter(pk=tie.source_id).exists()
    assert Stakeholder.objects.filter(pk=tie.target_id).exists()


def test_assessment_factory_salience(municipality):
    a = AssessmentFactory(stakeholder__municipality=municipality, power=True, urgency=True)
    assert a.salience == "dangerous" and a.quadrant == "manage_closely"
