"""Cards, clusters, dots and weights: each write locks the board, stores an event, publishes after commit."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.numbers import NumberFormatError, parse_decimal
from core.permissions import Capability
from swot import logic
from swot.access import Actor
from swot.errors import BoardError
from swot.models import Board, BoardEvent, Card, Cluster, Phase, Vote
from swot.payloads import board_scores, card_dict
from swot.services.events import board_lock_for_write, event_append, require_editable

EDIT_PHASES = (Phase.COLLECT, Phase.CLUSTER)
TEXT_MAX = 500


def _card(board: Board, card_id, *, live: bool = True) -> Card:
    qs = Card.objects.select_related("author").filter(board=board, pk=_int(card_id))
    if live:
        qs = qs.filter(deleted_at__isnull=True)
    card = qs.first()
    if card is None:
        raise BoardError(BoardError.NOT_FOUND, _("Die Karte gibt es nicht (mehr)."), card_id=card_id)
    return card


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BoardError(BoardError.INVALID, _("Ungültige Kennung.")) from exc


def _require_owner_or_facilitator(card: Card, actor: Actor) -> None:
    """People change their own cards; other people's cards only the facilitation."""
    if card.author_id != actor.participant.pk and not actor.is_facilitator:
        raise BoardError(BoardError.FORBIDDEN, _("Nur die Moderation darf Karten anderer Personen ändern."))


def _clean_text(text, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise BoardError(BoardError.INVALID, _("Die Karte braucht einen Text."))
    if len(text) > TEXT_MAX:
        raise BoardError(BoardError.INVALID, _("Der Text darf höchstens 500 Zeichen lang sein."))
    return text


def _quadrant(value) -> str:
    if value not in logic.QUADRANTS:
        raise BoardError(BoardError.INVALID, _("Unbekannter Quadrant."))
    return value


def _rank_after(board: Board, quadrant: str, after: Card | None, *, exclude_id: int | None = None) -> str:
    """A rank directly after ``after`` (None: at the top), between it and its current successor."""
    others = Card.objects.live().filter(board=board, quadrant=quadrant).exclude(pk=exclude_id)
    if after is None:
        first = others.order_by("rank", "id").values_list("rank", flat=True).first()
        return logic.rank_between(None, first)
    successor = others.filter(rank__gt=after.rank).order_by("rank").values_list("rank", flat=True).first()
    return logic.rank_between(after.rank, successor)


def _rank_last(board: Board, quadrant: str) -> str:
    last = (
        Card.objects.live()
        .filter(board=board, quadrant=quadrant)
        .order_by("-rank")
        .values_list("rank", flat=True)
    ).first()
    return logic.rank_between(last, None)


def _emit_card(board: Board, kind: str, card: Card, actor: Actor, **extra) -> Card:
    card.refresh_from_db()
    event_append(board, kind=kind, payload={"card": card_dict(card), **extra}, actor=actor.participant)
    return card


@transaction.atomic
def card_create(
    *, board_id: int, actor: Actor, quadrant: str, text: str, note: str = "", colour: str = "", after_id=None
) -> Card:
    """Add a card to a quadrant, at the end or directly after ``after_id``."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=(Phase.COLLECT,))
    quadrant = _quadrant(quadrant)
    after = _card(board, after_id) if after_id else None
    rank = _rank_after(board, quadrant, after) if after else _rank_last(board, quadrant)
    card = Card.objects.create(
        board=board,
        quadrant=quadrant,
        text=_clean_text(text),
        note=_clean_text(note, required=False),
        colour=(colour or "")[:30],
        rank=rank,
        author=actor.participant,
    )
    return _emit_card(board, "card.created", card, actor)


@transaction.atomic
def card_update(
    *, board_id: int, actor: Actor, card_id, expected_version, text=None, note=None, colour=None
) -> Card:
    """Change a card's text, note or colour if it is still at ``expected_version``.

    A stale version raises ``BoardError(conflict)`` carrying the current card: never a silent overwrite.
    """
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=EDIT_PHASES)
    card = _card(board, card_id)
    _require_owner_or_facilitator(card, actor)
    changes: dict = {}
    if text is not None:
        changes["text"] = _clean_text(text)
    if note is not None:
        changes["note"] = _clean_text(note, required=False)
    if colour is not None:
        changes["colour"] = str(colour)[:30]
    if not changes:
        raise BoardError(BoardError.INVALID, _("Keine Änderung angegeben."))
    previous = {"text": card.text, "note": card.note, "colour": card.colour, "version": card.version}
    updated = Card.objects.filter(pk=card.pk, version=_int(expected_version), deleted_at__isnull=True).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise BoardError(
            BoardError.CONFLICT,
            _("Die Karte wurde inzwischen von jemand anderem geändert."),
            card=card_dict(card),
        )
    return _emit_card(board, "card.updated", card, actor, previous=previous)


@transaction.atomic
def card_move(*, board_id: int, actor: Actor, card_id, quadrant: str | None = None, after_id=None) -> Card:
    """Place a card directly after ``after_id`` (None: at the top) in ``quadrant``; only its rank changes."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=EDIT_PHASES)
    card = _card(board, card_id)
    quadrant = _quadrant(quadrant or card.quadrant)
    if quadrant != card.quadrant:
        _require_owner_or_facilitator(card, actor)  # moving to another quadrant changes what it says
    after = _card(board, after_id) if after_id else None
    if after is not None and (after.pk == card.pk or after.quadrant != quadrant):
        raise BoardError(BoardError.INVALID, _("Ungültige Zielposition."))
    fields = {"rank": _rank_after(board, quadrant, after, exclude_id=card.pk), "quadrant": quadrant}
    if card.cluster_id and quadrant != card.quadrant:
        fields["cluster"] = None
    Card.objects.filter(pk=card.pk).update(**fields)
    return _emit_card(board, "card.moved", card, actor)


@transaction.atomic
def card_delete(*, board_id: int, actor: Actor, card_id) -> Card:
    """Remove a card (soft: restorable from the history)."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=EDIT_PHASES)
    card = _card(board, card_id)
    _require_owner_or_facilitator(card, actor)
    Card.objects.filter(pk=card.pk).update(deleted_at=timezone.now())
    return _emit_card(board, "card.deleted", card, actor)


@transaction.atomic
def card_restore(*, board_id: int, actor: Actor, card_id) -> Card:
    """Bring back a deleted or merged card (at the end of its quadrant)."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=None)
    card = _card(board, card_id, live=False)
    _require_owner_or_facilitator(card, actor)
    if card.deleted_at is None:
        raise BoardError(BoardError.INVALID, _("Die Karte ist nicht gelöscht."))
    Card.objects.filter(pk=card.pk).update(
        deleted_at=None, merged_into=None, rank=_rank_last(board, card.quadrant)
    )
    return _emit_card(board, "card.restored", card, actor)


@transaction.atomic
def card_revert(*, board_id: int, actor: Actor, card_id, seq) -> Card:
    """Set a card's text, note and colour back to what they were after event ``seq`` (a new, logged edit)."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=None)
    card = _card(board, card_id)
    _require_owner_or_facilitator(card, actor)
    event = BoardEvent.objects.filter(board=board, seq=_int(seq)).first()
    old = (event.payload.get("card") or {}) if event else {}
    if old.get("id") != card.pk:
        raise BoardError(BoardError.NOT_FOUND, _("Diese Fassung der Karte gibt es nicht."))
    previous = {"text": card.text, "note": card.note, "colour": card.colour, "version": card.version}
    Card.objects.filter(pk=card.pk).update(
        text=old["text"], note=old.get("note", ""), colour=old.get("colour", ""), version=F("version") + 1
    )
    return _emit_card(board, "card.updated", card, actor, previous=previous, reverted_to=event.seq)


@transaction.atomic
def cards_merge(*, board_id: int, actor: Actor, target_id, source_ids: list) -> Card:
    """Merge duplicates into ``target``: sources disappear (restorable), their dots move to the target,
    their texts are kept in the target's note."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    target = _card(board, target_id)
    sources = [_card(board, sid) for sid in dict.fromkeys(source_ids or []) if _int(sid) != target.pk]
    if not sources:
        raise BoardError(
            BoardError.INVALID, _("Bitte mindestens eine weitere Karte zum Zusammenführen wählen.")
        )
    now = timezone.now()
    Vote.objects.filter(card__in=sources).update(card=target)
    extra = [s.text for s in sources if s.text.strip().lower() != target.text.strip().lower()]
    note = target.note
    if extra:
        note = "\n".join(filter(None, [note, *(f"+ {t}" for t in extra)]))
    Card.objects.filter(pk__in=[s.pk for s in sources]).update(deleted_at=now, merged_into=target)
    Card.objects.filter(pk=target.pk).update(note=note, version=F("version") + 1)
    for source in sources:
        source.refresh_from_db()
    target.refresh_from_db()
    event_append(
        board,
        kind="cards.merged",
        payload={"card": card_dict(target), "cards": [card_dict(s, votes=0) for s in sources]},
        actor=actor.participant,
    )
    return target


# --- Clusters ----------------------------------------------------------------------------------------
def _cluster(board: Board, cluster_id) -> Cluster:
    cluster = Cluster.objects.filter(board=board, pk=_int(cluster_id), deleted_at__isnull=True).first()
    if cluster is None:
        raise BoardError(BoardError.NOT_FOUND, _("Den Cluster gibt es nicht (mehr)."))
    return cluster


@transaction.atomic
def cluster_create(
    *, board_id: int, actor: Actor, quadrant: str, title: str, card_ids: list | None = None
) -> Cluster:
    """Group cards of one quadrant under a heading."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=EDIT_PHASES)
    quadrant = _quadrant(quadrant)
    cards = [_card(board, cid) for cid in card_ids or []]
    if any(c.quadrant != quadrant for c in cards):
        raise BoardError(BoardError.INVALID, _("Ein Cluster fasst nur Karten eines Quadranten zusammen."))
    cluster = Cluster.objects.create(board=board, quadrant=quadrant, title=_clean_text(title)[:200])
    Card.objects.filter(pk__in=[c.pk for c in cards]).update(cluster=cluster)
    payload = {"cluster": cluster.as_dict(), "cards": [card_dict(c) for c in _reload(cards)]}
    event_append(board, kind="cluster.created", payload=payload, actor=actor.participant)
    return cluster


def _reload(cards: list[Card]) -> list[Card]:
    for card in cards:
        card.refresh_from_db()
    return cards


@transaction.atomic
def cluster_rename(*, board_id: int, actor: Actor, cluster_id, title: str) -> Cluster:
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=EDIT_PHASES)
    cluster = _cluster(board, cluster_id)
    cluster.title = _clean_text(title)[:200]
    cluster.save(update_fields=["title"])
    event_append(
        board, kind="cluster.renamed", payload={"cluster": cluster.as_dict()}, actor=actor.participant
    )
    return cluster


@transaction.atomic
def cluster_delete(*, board_id: int, actor: Actor, cluster_id) -> Cluster:
    """Dissolve a cluster; its cards stay on the board."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=EDIT_PHASES)
    cluster = _cluster(board, cluster_id)
    cards = list(Card.objects.live().filter(cluster=cluster).select_related("author"))
    Card.objects.filter(cluster=cluster).update(cluster=None)
    cluster.deleted_at = timezone.now()
    cluster.save(update_fields=["deleted_at"])
    payload = {"cluster": cluster.as_dict(), "cards": [card_dict(c) for c in _reload(cards)]}
    event_append(board, kind="cluster.deleted", payload=payload, actor=actor.participant)
    return cluster


@transaction.atomic
def card_set_cluster(*, board_id: int, actor: Actor, card_id, cluster_id=None) -> Card:
    """Put a card into a cluster of its quadrant, or take it out (``cluster_id`` None)."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=EDIT_PHASES)
    card = _card(board, card_id)
    cluster = _cluster(board, cluster_id) if cluster_id else None
    if cluster is not None and cluster.quadrant != card.quadrant:
        raise BoardError(BoardError.INVALID, _("Der Cluster gehört zu einem anderen Quadranten."))
    Card.objects.filter(pk=card.pk).update(cluster=cluster)
    return _emit_card(board, "card.clustered", card, actor)


# --- Dot voting and weighting --------------------------------------------------------------------------
@transaction.atomic
def vote_cast(*, board_id: int, actor: Actor, card_id) -> int:
    """Place one dot on a card within the participant's budget; returns the card's dot count."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=(Phase.VOTE,))
    card = _card(board, card_id)
    used = Vote.objects.filter(
        board=board, participant=actor.participant, card__deleted_at__isnull=True
    ).count()
    if logic.votes_left(board.vote_budget, used) <= 0:
        raise BoardError(
            BoardError.BUDGET,
            _("Sie haben alle %(n)d Punkte vergeben.") % {"n": board.vote_budget},
            votes_left=0,
        )
    Vote.objects.create(board=board, card=card, participant=actor.participant)
    votes = card.votes.count()
    payload = {"card_id": card.pk, "votes": votes, "voter": actor.participant.pk}
    event_append(board, kind="vote.cast", payload=payload, actor=actor.participant)
    return votes


@transaction.atomic
def vote_retract(*, board_id: int, actor: Actor, card_id) -> int:
    """Take one of the participant's dots back from a card."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=(Phase.VOTE,))
    card = _card(board, card_id)
    vote = Vote.objects.filter(card=card, participant=actor.participant).order_by("-id").first()
    if vote is None:
        raise BoardError(BoardError.INVALID, _("Auf dieser Karte haben Sie keinen Punkt."))
    vote.delete()
    votes = card.votes.count()
    payload = {"card_id": card.pk, "votes": votes, "voter": actor.participant.pk}
    event_append(board, kind="vote.retracted", payload=payload, actor=actor.participant)
    return votes


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:  # German-aware: "85.000" is 85000, "85.000,50" and "0,25" are accepted (core.numbers)
        return parse_decimal(value)
    except NumberFormatError as exc:
        raise BoardError(BoardError.INVALID, _("Ungültige Zahl: %(v)s") % {"v": value}) from exc


@transaction.atomic
def card_rate(*, board_id: int, actor: Actor, card_id, weight=None, rating=None) -> Card:
    """Set a factor's IFE/EFE weight (0-1) and rating (1-4); the event carries the new scores."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    card = _card(board, card_id)
    weight_value = _decimal(weight)
    rating_value = _int(rating) if rating not in (None, "") else None
    try:
        logic.validate_factor(weight_value, rating_value)
    except ValueError as exc:
        raise BoardError(BoardError.INVALID, str(exc)) from exc
    if weight_value is not None:
        weight_value = weight_value.quantize(Decimal("0.001"))
    Card.objects.filter(pk=card.pk).update(weight=weight_value, rating=rating_value)
    card.refresh_from_db()
    payload = {"card": card_dict(card), "scores": board_scores(board)}
    event_append(board, kind="card.rated", payload=payload, actor=actor.participant)
    return card
