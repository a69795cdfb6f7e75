"""The demo registry of Musterstadt: about 40 actors of the seed, assessments at two dates, a network
that changes between them; idempotent."""

import datetime as dt

import pytest

from stakeholders import demo, selectors, services
from stakeholders.models import Assessment, Stakeholder

pytestmark = pytest.mark.django_db


def test_demo_registry(municipality):
    demo.load(municipality)
    demo.load(municipality)  # idempotent
    stakeholders = Stakeholder.objects.filter(municipality=municipality)
    assert 38 <= stakeholders.count() <= 45
    assert set(stakeholders.values_list("sector", flat=True)) == {"public", "third", "informal", "market"}
    names = " ".join(stakeholders.values_list("name", flat=True))
    for actor in ("AWO", "Caritas", "Diakoni", "DRK", "Paritätische", "Quartiersmanagement", "Sparkasse"):
        assert actor in names
    assert stakeholders.filter(entity="person").count() >= 3
    assert set(
        Assessment.objects.filter(stakeholder__municipality=municipality).values_list(
            "assessed_on", flat=True
        )
    ) == {
        demo.FIRST,
        demo.SECOND,
    }
    points = selectors.grid_points(municipality, {}, on=dt.date(2026, 10, 1), compare=dt.date(2025, 7, 1))
    assert len(points) == stakeholders.count() and sum(1 for p in points if p["from"]) >= 15
    early = services.network_snapshot_create(municipality=municipality, on=dt.date(2025, 7, 1))
    late = services.network_snapshot_create(municipality=municipality, on=dt.date(2026, 10, 1))
    assert early.nodes == late.nodes == stakeholders.count()
    assert late.edges == early.edges + len(demo.NEW_TIES) - len(demo.ENDED_TIES)
    assert late.brokerage["_total"]["liaison"] > 0
    assert selectors.overdue_follow_ups(municipality).exists()
