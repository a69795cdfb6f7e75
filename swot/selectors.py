"""Reads of SWOT boards: the snapshot a client starts from, and the events it catches up with."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Municipality
from swot.access import Actor
from swot.models import Board, BoardEvent, Card, Cluster, Invite, Measure, Strategy
from swot.payloads import (
    board_dict,
    board_scores,
    card_dict,
    cards_with_votes,
    measure_dict,
    my_vote_counts,
    strategy_dict,
)
from swot.presenters import Viewer, present_card, present_event, present_presence
from swot.services.participants import presence_list

CATCH_UP_LIMIT = 500  # further behind than this: a snapshot is cheaper than replaying


def boards_for(municipality: Municipality) -> QuerySet[Board]:
    """The municipality's boards with card counts (newest first)."""
    return (
        Board.objects.for_municipality(municipality)
        .annotate(card_count=Count("cards", filter=Q(cards__deleted_at__isnull=True)))
        .order_by("-created_at", "-id")
    )  # explicit: Meta.ordering is not applied to aggregate queries


def strategies_of(board: Board) -> list[Strategy]:
    return list(
        Strategy.objects.filter(board=board, deleted_at__isnull=True).prefetch_related(
            Prefetch("cards", to_attr="linked"), "measures"
        )
    )


def board_snapshot(board: Board, actor: Actor) -> dict:
    """Everything a client needs to draw the board as of ``seq``, presented for ``actor``."""
    board.refresh_from_db()
    viewer = Viewer.of(actor, board.visibility())
    cards = [present_card(card_dict(c), viewer) for c in cards_with_votes(board)]
    strategies = strategies_of(board)
    return {
        "seq": board.seq,
        "board": board_dict(board),
        "cards": cards,
        "clusters": [c.as_dict() for c in Cluster.objects.filter(board=board, deleted_at__isnull=True)],
        "my_votes": {str(k): v for k, v in my_vote_counts(board, viewer.participant_id).items()},
        "scores": board_scores(board),
        "strategies": [strategy_dict(s, card_ids=sorted(c.pk for c in s.linked)) for s in strategies],
        "measures": [measure_dict(m) for m in Measure.objects.filter(source_strategy__board=board)],
        "presence": present_presence(presence_list(board.pk), viewer, anonymous_name=_("anonym")),
        "server_time": timezone.now().isoformat(),
    }


def events_since(board: Board, since: int, actor: Actor, *, limit: int = CATCH_UP_LIMIT) -> list[dict] | None:
    """Events after ``since`` in order, presented for ``actor``; None if a snapshot is needed instead."""
    board.refresh_from_db(fields=["seq", "anonymous", "anonymous_votes", "hide_while_collecting", "revealed"])
    if since < 0 or since > board.seq or board.seq - since > limit:
        return None
    viewer = Viewer.of(actor, board.visibility())
    events = BoardEvent.objects.filter(board=board, seq__gt=since).order_by("seq")
    out = [present_event(e.as_dict(), viewer) for e in events]
    if len(out) != board.seq - since or (out and out[0]["seq"] != since + 1):
        return None  # should not happen (numbers have no gaps); fall back to a snapshot
    return out


def history(board: Board) -> QuerySet[BoardEvent]:
    """The board's event log, newest first (raw: present it with ``history_for`` before showing it)."""
    return BoardEvent.objects.filter(board=board).order_by("-seq")


def history_for(board: Board, actor: Actor, *, limit: int = 500) -> dict:
    """The newest events and the deleted cards of the board, as ``actor`` may see them.

    Through the same presenter as the live board: face-down texts stay hidden from guests and
    viewers, voters are not named on boards with anonymous votes, authors not on anonymous boards.
    Each event keeps ``created_at`` (a datetime) for display.
    """
    board.refresh_from_db()
    viewer = Viewer.of(actor, board.visibility())
    events = []
    for event in history(board)[:limit]:
        presented = present_event(event.as_dict(), viewer)
        presented["created_at"] = event.created_at
        events.append(presented)
    deleted = (
        Card.objects.filter(board=board, deleted_at__isnull=False)
        .select_related("author")
        .annotate(vote_count=Count("votes"))
        .order_by("-deleted_at")[:200]
    )
    deleted_cards = []
    for card in deleted:
        presented = present_card(card_dict(card), viewer)
        presented.update(
            quadrant_label=card.get_quadrant_display(),
            deleted_at=card.deleted_at,
            merged=bool(card.merged_into_id),
        )
        deleted_cards.append(presented)
    return {"events": events, "deleted_cards": deleted_cards}


def invites_of(board: Board) -> QuerySet[Invite]:
    return Invite.objects.filter(board=board).annotate(guests=Count("participants")).order_by("-created_at")


def measures_for(municipality: Municipality) -> QuerySet[Measure]:
    return Measure.objects.filter(municipality=municipality).select_related("source_strategy__board")
