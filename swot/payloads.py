"""Plain dicts of board objects, as stored in event payloads and sent to clients (before presenting)."""

from __future__ import annotations

from django.db.models import Count, Q

from swot import logic
from swot.models import Board, Card, Measure, Strategy


def card_dict(card: Card, *, votes: int | None = None) -> dict:
    """A card with its author (id and name; the presenter hides it where needed) and dot count."""
    if votes is None:
        votes = getattr(card, "vote_count", None)
        if votes is None:
            votes = card.votes.count()
    author = card.author
    return {
        "id": card.pk,
        "quadrant": card.quadrant,
        "text": card.text,
        "note": card.note,
        "colour": card.colour,
        "rank": card.rank,
        "version": card.version,
        "cluster_id": card.cluster_id,
        "author": {"id": author.pk, "name": author.display_name} if author else None,
        "votes": votes,
        "weight": str(card.weight) if card.weight is not None else None,
        "rating": card.rating,
        "merged_into": card.merged_into_id,
        "deleted": card.deleted_at is not None,
    }


def board_dict(board: Board) -> dict:
    """Board settings and workshop state."""
    return {
        "id": board.pk,
        "title": board.title,
        "description": board.description,
        "phase": board.phase,
        "locked": board.locked,
        "anonymous": board.anonymous,
        "anonymous_votes": board.anonymous_votes,
        "hide_while_collecting": board.hide_while_collecting,
        "revealed": board.revealed,
        "cards_hidden": board.cards_hidden,
        "vote_budget": board.vote_budget,
        "timer_ends_at": board.timer_ends_at.isoformat() if board.timer_ends_at else None,
        "timer_seconds": board.timer_seconds,
    }


def strategy_dict(strategy: Strategy, *, card_ids: list[int] | None = None) -> dict:
    if card_ids is None:
        card_ids = sorted(c.pk for c in strategy.cards.all())
    return {
        "id": strategy.pk,
        "kind": strategy.kind,
        "title": strategy.title,
        "description": strategy.description,
        "card_ids": card_ids,
        "rating": strategy.rating,
        "selected": strategy.selected,
        "deleted": strategy.deleted_at is not None,
        "measure_ids": sorted(m.pk for m in strategy.measures.all()),
    }


def measure_dict(measure: Measure) -> dict:
    return {
        "id": measure.pk,
        "title": measure.title,
        "description": measure.description,
        "owner": measure.owner,
        "deadline": measure.deadline.isoformat() if measure.deadline else None,
        "indicator": measure.indicator,
        "cost_estimate": str(measure.cost_estimate) if measure.cost_estimate is not None else None,
        "budget_product_code": measure.budget_product_code,
        "source_strategy_id": measure.source_strategy_id,
        "status": measure.status,
    }


def cards_with_votes(board: Board):
    """The board's live cards with author and dot counts in one query."""
    return (
        Card.objects.live()
        .filter(board=board)
        .select_related("author")
        .annotate(vote_count=Count("votes"))
        .order_by("quadrant", "rank", "id")
    )


def board_scores(board: Board) -> dict:
    """IFE/EFE scores of the board's live cards."""
    rows = Card.objects.live().filter(board=board).values_list("quadrant", "weight", "rating")
    return {side: score.as_dict() for side, score in logic.weighted_scores(rows).items()}


def my_vote_counts(board: Board, participant_id: int | None) -> dict[int, int]:
    """Dots of one participant per card."""
    if participant_id is None:
        return {}
    rows = (
        Card.objects.filter(board=board)
        .annotate(n=Count("votes", filter=Q(votes__participant_id=participant_id)))
        .filter(n__gt=0)
        .values_list("id", "n")
    )
    return dict(rows)
