"""Board services: sequence numbers, versions and conflicts, ranks, merge, dots, weights, TOWS, history,
invites."""

from datetime import date
from decimal import Decimal

import pytest

from core.permissions import Capability
from swot import selectors, services
from swot.access import actor_for_guest, actor_for_user
from swot.errors import BoardError
from swot.models import BoardEvent, Card, Measure, Phase
from tests.swot.conftest import card, expire, reload, set_phase

pytestmark = pytest.mark.django_db


def test_every_change_gets_the_next_sequence_number(board, fac, part):
    # Given a fresh board, when three changes are made
    a = card(part)
    services.card_update(board_id=board.pk, actor=part, card_id=a.pk, expected_version=1, text="Neu")
    set_phase(fac, Phase.CLUSTER)
    # then the events are numbered 1..3 without gaps and the board's counter matches
    assert list(BoardEvent.objects.filter(board=board).values_list("seq", "kind")) == [
        (1, "card.created"),
        (2, "card.updated"),
        (3, "board.phase"),
    ]
    assert reload(board).seq == 3


def test_failed_operation_allocates_no_number(board, part):
    with pytest.raises(BoardError):
        card(part, text="   ")
    assert reload(board).seq == 0
    assert not BoardEvent.objects.exists()


def test_stale_edit_is_rejected_with_the_current_card(board, part, fac):
    # Given a card edited by the facilitator (version 2)
    c = card(part, text="Preiswerter Wohnraum")
    services.card_update(
        board_id=board.pk, actor=fac, card_id=c.pk, expected_version=1, text="Preiswerter Wohnraum!"
    )
    # When the author saves an edit based on version 1
    with pytest.raises(BoardError) as exc:
        services.card_update(board_id=board.pk, actor=part, card_id=c.pk, expected_version=1, text="Meins")
    # Then it is refused with the current card, and nothing was overwritten
    assert exc.value.code == BoardError.CONFLICT
    assert exc.value.data["card"]["text"] == "Preiswerter Wohnraum!"
    assert exc.value.data["card"]["version"] == 2
    c.refresh_from_db()
    assert (c.text, c.version) == ("Preiswerter Wohnraum!", 2)
    # And re-applying on top of the current version works
    services.card_update(board_id=board.pk, actor=part, card_id=c.pk, expected_version=2, text="Meins")
    c.refresh_from_db()
    assert (c.text, c.version) == ("Meins", 3)


def test_edit_keeps_previous_text_in_the_event(board, part):
    c = card(part, text="Alt")
    services.card_update(board_id=board.pk, actor=part, card_id=c.pk, expected_version=1, text="Neu")
    event = BoardEvent.objects.get(board=board, kind="card.updated")
    assert event.payload["previous"]["text"] == "Alt"
    assert event.payload["card"]["text"] == "Neu"


def test_participant_cannot_edit_or_delete_someone_elses_card(board, fac, part):
    c = card(fac, text="Von der Moderation")
    with pytest.raises(BoardError) as exc:
        services.card_update(board_id=board.pk, actor=part, card_id=c.pk, expected_version=1, text="x")
    assert exc.value.code == BoardError.FORBIDDEN
    with pytest.raises(BoardError):
        services.card_delete(board_id=board.pk, actor=part, card_id=c.pk)
    services.card_delete(board_id=board.pk, actor=fac, card_id=card(part).pk)  # facilitator may


def test_viewer_cannot_write(board, viewer):
    actor = actor_for_user(board, viewer)
    assert actor.can(Capability.VIEW) and not actor.can(Capability.PARTICIPATE)
    with pytest.raises(BoardError) as exc:
        card(actor)
    assert exc.value.code == BoardError.FORBIDDEN


def test_only_facilitators_steer_the_workshop(board, part):
    for call in (
        lambda: services.board_set_phase(board_id=board.pk, actor=part, phase="vote"),
        lambda: services.board_lock(board_id=board.pk, actor=part, locked=True),
        lambda: services.timer_start(board_id=board.pk, actor=part, seconds=60),
        lambda: services.board_reveal(board_id=board.pk, actor=part),
        lambda: services.invite_create(board_id=board.pk, actor=part),
    ):
        with pytest.raises(BoardError) as exc:
            call()
        assert exc.value.code == BoardError.FORBIDDEN


def test_locked_board_refuses_participants_but_not_facilitators(board, fac, part):
    services.board_lock(board_id=board.pk, actor=fac, locked=True)
    with pytest.raises(BoardError) as exc:
        card(part)
    assert exc.value.code == BoardError.LOCKED
    card(fac)
    services.board_lock(board_id=board.pk, actor=fac, locked=False)
    card(part)


def test_phase_rules(board, fac, part):
    set_phase(fac, Phase.VOTE)
    with pytest.raises(BoardError) as exc:
        card(part)
    assert exc.value.code == BoardError.WRONG_PHASE


def test_move_changes_only_the_moved_card(board, part):
    # Given three cards in order a, b, c
    a, b, c = (card(part, text=t) for t in "abc")
    before = {x.pk: x.rank for x in (a, b, c)}
    # When c is moved between a and b
    services.card_move(board_id=board.pk, actor=part, card_id=c.pk, after_id=a.pk)
    # Then the order is a, c, b and only c's rank changed
    order = list(Card.objects.filter(board=board).order_by("rank", "id").values_list("text", flat=True))
    assert order == ["a", "c", "b"]
    after = dict(Card.objects.filter(board=board).values_list("pk", "rank"))
    assert after[a.pk] == before[a.pk] and after[b.pk] == before[b.pk] and after[c.pk] != before[c.pk]
    # When b is moved to the top of another quadrant, it lands there
    moved = services.card_move(board_id=board.pk, actor=part, card_id=b.pk, quadrant="O", after_id=None)
    assert moved.quadrant == "O"
    # Moves do not bump the content version (no false conflicts with text edits)
    assert moved.version == 1


def test_many_moves_to_the_top_keep_order(board, part):
    cards = [card(part, text=str(i)) for i in range(5)]
    for c in cards:
        services.card_move(board_id=board.pk, actor=part, card_id=c.pk, after_id=None)
    order = list(Card.objects.filter(board=board).order_by("rank", "id").values_list("text", flat=True))
    assert order == ["4", "3", "2", "1", "0"]


def test_merge_groups_duplicates_moves_dots_and_is_restorable(board, fac, part):
    a = card(part, text="Verödung der Innenstadt", quadrant="T")
    b = card(fac, text="Leerstand in der Fußgängerzone", quadrant="T")
    set_phase(fac, Phase.VOTE)
    services.vote_cast(board_id=board.pk, actor=part, card_id=b.pk)
    # When b is merged into a
    target = services.cards_merge(board_id=board.pk, actor=fac, target_id=a.pk, source_ids=[b.pk])
    # Then b is gone from the board, its dot sits on a, and its text is kept in a's note
    b.refresh_from_db()
    assert b.deleted_at is not None and b.merged_into_id == a.pk
    assert target.votes.count() == 1
    assert "Leerstand" in target.note and target.version == 2
    # And b can be restored
    services.card_restore(board_id=board.pk, actor=fac, card_id=b.pk)
    b.refresh_from_db()
    assert b.deleted_at is None and b.merged_into_id is None


def test_only_facilitators_merge(board, part):
    a, b = card(part), card(part, text="zwei")
    with pytest.raises(BoardError):
        services.cards_merge(board_id=board.pk, actor=part, target_id=a.pk, source_ids=[b.pk])


def test_dot_budget(board, fac, part):
    # Given a budget of 3 dots
    services.board_update_settings(board_id=board.pk, actor=fac, vote_budget=3)
    a, b = card(part), card(part, text="zwei")
    set_phase(fac, Phase.VOTE)
    # When a participant places 3 dots, stacking two on one card
    for target in (a, a, b):
        services.vote_cast(board_id=board.pk, actor=part, card_id=target.pk)
    # Then a fourth is refused
    with pytest.raises(BoardError) as exc:
        services.vote_cast(board_id=board.pk, actor=part, card_id=b.pk)
    assert exc.value.code == BoardError.BUDGET
    # And taking one back frees a dot
    assert services.vote_retract(board_id=board.pk, actor=part, card_id=a.pk) == 1
    services.vote_cast(board_id=board.pk, actor=part, card_id=b.pk)
    # The event names the voter (presented as "mine" or anonymous later)
    event = BoardEvent.objects.filter(kind="vote.cast").last()
    assert event.payload == {"card_id": b.pk, "votes": 2, "voter": part.participant.pk}


def test_clusters(board, part):
    a, b = card(part, text="eins"), card(part, text="zwei")
    cluster = services.cluster_create(
        board_id=board.pk, actor=part, quadrant="S", title="Wohnen", card_ids=[a.pk]
    )
    services.card_set_cluster(board_id=board.pk, actor=part, card_id=b.pk, cluster_id=cluster.pk)
    assert set(cluster.cards.values_list("pk", flat=True)) == {a.pk, b.pk}
    services.cluster_rename(board_id=board.pk, actor=part, cluster_id=cluster.pk, title="Wohnen und Leben")
    services.cluster_delete(board_id=board.pk, actor=part, cluster_id=cluster.pk)
    assert not Card.objects.filter(cluster__isnull=False).exists()
    w = card(part, quadrant="W", text="schwach")
    with pytest.raises(BoardError):
        services.cluster_create(board_id=board.pk, actor=part, quadrant="S", title="x", card_ids=[w.pk])


def test_weights_and_ratings_give_ife_efe_scores(board, fac, part):
    s1, s2 = card(part, text="s1"), card(part, text="s2")
    w1 = card(part, quadrant="W", text="w1")
    o1 = card(part, quadrant="O", text="o1")
    for c, weight, rating in ((s1, "0,5", 4), (s2, "0.3", 3), (w1, "0.2", 1), (o1, "1", 3)):
        services.card_rate(board_id=board.pk, actor=fac, card_id=c.pk, weight=weight, rating=rating)
    event = BoardEvent.objects.filter(kind="card.rated").last()
    assert event.payload["scores"]["internal"] == {
        "side": "internal", "weight_sum": "1.000", "score": "3.100", "rated": 3, "factors": 3,
        "complete": True,
    }  # fmt: skip
    assert event.payload["scores"]["external"]["score"] == "3.000"
    with pytest.raises(BoardError):
        services.card_rate(board_id=board.pk, actor=fac, card_id=s1.pk, weight="0.5", rating=5)
    with pytest.raises(BoardError):
        services.card_rate(board_id=board.pk, actor=part, card_id=s1.pk, weight="0.5", rating=2)


def test_strategy_to_measure(board, fac, part):
    s = card(part, text="Vielfältige Kultur- und Sportangebote")
    o = card(part, quadrant="O", text="Vielzahl sozialer Akteure")
    w = card(part, quadrant="W", text="Schlechtes Image")
    set_phase(fac, Phase.DERIVE)
    # A strategy's type follows from its cards; a mismatching type or invalid pairing is refused
    strategy = services.strategy_create(
        board_id=board.pk, actor=part, title="Soziokulturelles Zentrum", card_ids=[s.pk, o.pk]
    )
    assert strategy.kind == "SO"
    with pytest.raises(BoardError):
        services.strategy_create(board_id=board.pk, actor=part, title="x", card_ids=[s.pk, w.pk])
    with pytest.raises(BoardError):
        services.strategy_create(board_id=board.pk, actor=part, title="x", card_ids=[w.pk, o.pk], kind="SO")
    # Only a selected strategy becomes a measure
    services.strategy_rate(board_id=board.pk, actor=fac, strategy_id=strategy.pk, rating=5)
    with pytest.raises(BoardError):
        services.strategy_to_measure(board_id=board.pk, actor=fac, strategy_id=strategy.pk)
    services.strategy_select(board_id=board.pk, actor=fac, strategy_id=strategy.pk, selected=True)
    with pytest.raises(BoardError):
        services.strategy_to_measure(board_id=board.pk, actor=part, strategy_id=strategy.pk)
    measure = services.strategy_to_measure(
        board_id=board.pk, actor=fac, strategy_id=strategy.pk, owner="Fachbereich Soziales",
        deadline="2026-06-30", indicator="Besuche je Monat", cost_estimate="250000,50",
        budget_product_code="05.01.02",
    )  # fmt: skip
    assert measure.municipality == board.municipality
    assert (measure.title, measure.owner) == ("Soziokulturelles Zentrum", "Fachbereich Soziales")
    assert measure.deadline == date(2026, 6, 30)
    assert measure.cost_estimate == Decimal("250000.50")
    assert measure.source_strategy == strategy and measure.status == Measure.Status.PLANNED
    assert BoardEvent.objects.filter(kind="measure.created").exists()


def test_history_restore_deleted_card_and_earlier_text(board, part, fac):
    c = card(part, text="Erste Fassung")
    services.card_update(
        board_id=board.pk, actor=part, card_id=c.pk, expected_version=1, text="Zweite Fassung"
    )
    created_seq = BoardEvent.objects.get(kind="card.created").seq
    # Restore the earlier text: a new, logged edit
    services.card_revert(board_id=board.pk, actor=fac, card_id=c.pk, seq=created_seq)
    c.refresh_from_db()
    assert (c.text, c.version) == ("Erste Fassung", 3)
    assert BoardEvent.objects.filter(kind="card.updated").last().payload["reverted_to"] == created_seq
    # Restore a deleted card
    services.card_delete(board_id=board.pk, actor=part, card_id=c.pk)
    assert not Card.objects.live().filter(pk=c.pk).exists()
    services.card_restore(board_id=board.pk, actor=part, card_id=c.pk)
    assert Card.objects.live().filter(pk=c.pk).exists()


def test_guest_joins_by_code_and_participates(board, invite):
    participant = services.guest_join(code=invite.code.lower(), display_name="  Gisela  Gast ")
    assert participant.display_name == "Gisela Gast" and participant.is_guest
    actor = actor_for_guest(board, participant.pk)
    assert actor.capabilities == frozenset({Capability.VIEW, Capability.PARTICIPATE})
    assert card(actor).author == participant


def test_revoked_or_expired_invite_refuses_join_and_existing_guests(board, fac, invite, guest):
    services.invite_revoke(board_id=board.pk, actor=fac, invite_id=invite.pk)
    with pytest.raises(BoardError):
        services.guest_join(code=invite.code, display_name="Spät")
    assert actor_for_guest(board, guest.participant.pk) is None
    other = services.invite_create(board_id=board.pk, actor=fac, days=1)
    late = services.guest_join(code=other.code, display_name="Gast 2")
    expire(other)
    assert actor_for_guest(board, late.pk) is None
    with pytest.raises(BoardError):
        services.guest_join(code=other.code, display_name="Zu spät")


def test_invite_event_does_not_leak_the_code(board, invite):
    event = BoardEvent.objects.get(kind="invite.created")
    assert invite.code not in str(event.payload)


def test_hidden_collecting_and_anonymous_presentation(board, fac, part, guest):
    services.board_update_settings(board_id=board.pk, actor=fac, hide_while_collecting=True, anonymous=True)
    c = card(part, text="Geheim")
    # The guest sees a face-down card without author; the author sees their own card
    snap = selectors.board_snapshot(reload(board), guest)
    seen = next(x for x in snap["cards"] if x["id"] == c.pk)
    assert seen["hidden"] and seen["text"] == "" and seen["author_name"] == "" and not seen["mine"]
    own = next(x for x in selectors.board_snapshot(board, part)["cards"] if x["id"] == c.pk)
    assert own["text"] == "Geheim" and own["mine"]
    events = selectors.events_since(board, 0, guest)
    created = next(e for e in events if e["kind"] == "card.created")
    assert created["payload"]["card"]["text"] == "" and created["actor"]["name"] == ""
    # After revealing, everyone sees the text (still without author on an anonymous board)
    services.board_reveal(board_id=board.pk, actor=fac)
    seen = next(x for x in selectors.board_snapshot(reload(board), guest)["cards"] if x["id"] == c.pk)
    assert seen["text"] == "Geheim" and seen["author_name"] == ""


def test_catch_up_returns_events_or_a_snapshot(board, part):
    for i in range(5):
        card(part, text=f"Karte {i}")
    events = selectors.events_since(reload(board), 2, part)
    assert [e["seq"] for e in events] == [3, 4, 5]
    assert selectors.events_since(board, 5, part) == []
    assert selectors.events_since(board, 1, part, limit=3) is None  # too far behind: snapshot
    assert selectors.events_since(board, 9, part) is None  # from the future (e.g. a reset database)
