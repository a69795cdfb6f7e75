"""A facilitator runs the Herten example from an empty board to TOWS strategies and measures."""

from decimal import Decimal

import pytest

from swot import selectors, services
from swot.demo import HERTEN_FACTORS
from swot.models import BoardEvent, Card, Measure, Phase
from tests.swot.conftest import reload

pytestmark = pytest.mark.django_db


def test_herten_workshop_from_empty_board_to_measures(board, fac, part, guest):
    # Collect: participants and a guest write the factors of Abbildung 1 (one duplicate on purpose)
    writers = [part, guest, fac]
    cards: dict[str, list[Card]] = {q: [] for q in HERTEN_FACTORS}
    for i, (quadrant, texts) in enumerate((q, t) for q, ts in HERTEN_FACTORS.items() for t in ts):
        actor = writers[i % len(writers)]
        cards[quadrant].append(
            services.card_create(board_id=board.pk, actor=actor, quadrant=quadrant, text=texts)
        )
    duplicate = services.card_create(
        board_id=board.pk, actor=guest, quadrant="T", text="Verödung der Innenstadt!"
    )

    # Cluster: merge the duplicate, group the social risks
    services.board_set_phase(board_id=board.pk, actor=fac, phase=Phase.CLUSTER)
    services.cards_merge(board_id=board.pk, actor=fac, target_id=cards["T"][1].pk, source_ids=[duplicate.pk])
    services.cluster_create(
        board_id=board.pk, actor=part, quadrant="T", title="Soziale Spaltung",
        card_ids=[cards["T"][0].pk, cards["T"][2].pk],
    )  # fmt: skip

    # Vote: three dots each
    services.board_set_phase(board_id=board.pk, actor=fac, phase=Phase.VOTE)
    for actor in (part, guest):
        for c in (cards["S"][3], cards["O"][0], cards["W"][3]):
            services.vote_cast(board_id=board.pk, actor=actor, card_id=c.pk)

    # Weight: IFE/EFE weights summing to 1 per side, ratings 1-4
    services.board_set_phase(board_id=board.pk, actor=fac, phase=Phase.WEIGHT)
    internal = cards["S"] + cards["W"]
    external = cards["O"] + cards["T"]
    for side in (internal, external):
        share = Decimal(1) / len(side)
        weights = [share.quantize(Decimal("0.001"))] * len(side)
        weights[0] += Decimal(1) - sum(weights)
        for c, w in zip(side, weights, strict=True):
            rating = 4 if c.quadrant in ("S", "O") else 2
            services.card_rate(board_id=board.pk, actor=fac, card_id=c.pk, weight=w, rating=rating)
    scores = selectors.board_snapshot(reload(board), fac)["scores"]
    assert scores["internal"]["complete"] and scores["external"]["complete"]
    assert scores["internal"]["score"] == "3.000"  # half strengths at 4, half weaknesses at 2

    # Derive: TOWS strategies from linked factors, rate and select, turn into measures
    services.board_set_phase(board_id=board.pk, actor=fac, phase=Phase.DERIVE)
    so = services.strategy_create(
        board_id=board.pk, actor=part, title="Soziokulturelles Zentrum in der Innenstadt",
        card_ids=[cards["S"][3].pk, cards["O"][0].pk, cards["O"][2].pk],
    )  # fmt: skip
    wt = services.strategy_create(
        board_id=board.pk, actor=guest, title="Sozialraumorientierte Beratung bündeln",
        card_ids=[cards["W"][0].pk, cards["T"][4].pk, cards["T"][5].pk],
    )  # fmt: skip
    assert (so.kind, wt.kind) == ("SO", "WT")
    for strategy, rating in ((so, 5), (wt, 4)):
        services.strategy_rate(board_id=board.pk, actor=fac, strategy_id=strategy.pk, rating=rating)
        services.strategy_select(board_id=board.pk, actor=fac, strategy_id=strategy.pk)
    services.strategy_to_measure(
        board_id=board.pk, actor=fac, strategy_id=so.pk, owner="Fachbereich Soziales und Kultur",
        deadline="2027-12-31", indicator="Nutzungen des Zentrums je Monat", cost_estimate="480000",
        budget_product_code="04.01.01",
    )  # fmt: skip
    services.strategy_to_measure(
        board_id=board.pk, actor=fac, strategy_id=wt.pk, owner="Sozialplanung", deadline="2026-09-30",
        indicator="Beratungsfälle mit Verweisung", cost_estimate="60000", budget_product_code="05.02.03",
    )  # fmt: skip
    services.board_lock(board_id=board.pk, actor=fac, locked=True)

    # Then: two measures of the municipality, each linked to its strategy, and a complete event log
    measures = Measure.objects.filter(municipality=board.municipality).order_by("title")
    assert sorted(m.source_strategy.kind for m in measures) == ["SO", "WT"]
    board = reload(board)
    assert BoardEvent.objects.filter(board=board).count() == board.seq
    assert list(BoardEvent.objects.filter(board=board).values_list("seq", flat=True)) == list(
        range(1, board.seq + 1)
    )
    snapshot = selectors.board_snapshot(board, guest)
    assert len(snapshot["cards"]) == 19 and len(snapshot["measures"]) == 2
    assert next(c for c in snapshot["cards"] if c["id"] == cards["S"][3].pk)["votes"] == 2
