"""TOWS strategies from linked cards, their rating and selection, and measures made from them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.permissions import Capability
from swot import logic
from swot.access import Actor
from swot.errors import BoardError
from swot.models import Board, Card, Measure, Phase, Strategy
from swot.payloads import measure_dict, strategy_dict
from swot.services.cards import _decimal, _int
from swot.services.events import board_lock_for_write, event_append, require_editable


def _strategy(board: Board, strategy_id) -> Strategy:
    strategy = Strategy.objects.filter(board=board, pk=_int(strategy_id), deleted_at__isnull=True).first()
    if strategy is None:
        raise BoardError(BoardError.NOT_FOUND, _("Die Strategie gibt es nicht (mehr)."))
    return strategy


def _emit(board: Board, kind: str, strategy: Strategy, actor: Actor, **extra) -> Strategy:
    event_append(
        board, kind=kind, payload={"strategy": strategy_dict(strategy), **extra}, actor=actor.participant
    )
    return strategy


@transaction.atomic
def strategy_create(
    *, board_id: int, actor: Actor, title: str, card_ids: list, description: str = "", kind: str | None = None
) -> Strategy:
    """A TOWS option linking strengths or weaknesses with opportunities or threats; its type follows
    from the linked cards (a given ``kind`` must match)."""
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=(Phase.DERIVE,))
    ids = {_int(c) for c in card_ids or []}
    cards = list(Card.objects.live().filter(board=board, pk__in=ids))
    if len(cards) != len(ids):
        raise BoardError(BoardError.NOT_FOUND, _("Mindestens eine gewählte Karte gibt es nicht (mehr)."))
    try:
        derived = logic.tows_kind(c.quadrant for c in cards)
    except ValueError as exc:
        raise BoardError(BoardError.INVALID, str(exc)) from exc
    if kind and kind != derived:
        raise BoardError(
            BoardError.INVALID,
            _("Die gewählten Faktoren ergeben eine %(d)s-Strategie, nicht %(k)s.")
            % {"d": derived, "k": kind},
        )
    title = (title or "").strip()
    if not title:
        raise BoardError(BoardError.INVALID, _("Bitte einen Titel für die Strategie angeben."))
    strategy = Strategy.objects.create(
        board=board,
        kind=derived,
        title=title[:200],
        description=description or "",
        created_by=actor.participant,
    )
    strategy.cards.set(cards)
    return _emit(board, "strategy.created", strategy, actor)


@transaction.atomic
def strategy_rate(*, board_id: int, actor: Actor, strategy_id, rating) -> Strategy:
    """Rate a strategy's attractiveness 1 (low) to 5 (high), or clear it (None)."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    strategy = _strategy(board, strategy_id)
    value = _int(rating) if rating not in (None, "") else None
    if value is not None and not 1 <= value <= 5:
        raise BoardError(BoardError.INVALID, _("Die Bewertung muss zwischen 1 und 5 liegen."))
    strategy.rating = value
    strategy.save(update_fields=["rating"])
    return _emit(board, "strategy.rated", strategy, actor)


@transaction.atomic
def strategy_select(*, board_id: int, actor: Actor, strategy_id, selected: bool = True) -> Strategy:
    """Choose a strategy for implementation (or undo the choice)."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    strategy = _strategy(board, strategy_id)
    strategy.selected = bool(selected)
    strategy.save(update_fields=["selected"])
    return _emit(board, "strategy.selected", strategy, actor)


@transaction.atomic
def strategy_delete(*, board_id: int, actor: Actor, strategy_id) -> Strategy:
    board = board_lock_for_write(board_id)
    require_editable(board, actor, phases=(Phase.DERIVE,))
    strategy = _strategy(board, strategy_id)
    if strategy.created_by_id != actor.participant.pk and not actor.is_facilitator:
        raise BoardError(
            BoardError.FORBIDDEN, _("Nur die Moderation darf Strategien anderer Personen löschen.")
        )
    strategy.deleted_at = timezone.now()
    strategy.save(update_fields=["deleted_at"])
    return _emit(board, "strategy.deleted", strategy, actor)


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise BoardError(BoardError.INVALID, _("Ungültiges Datum (erwartet JJJJ-MM-TT).")) from exc


@transaction.atomic
def strategy_to_measure(
    *,
    board_id: int,
    actor: Actor,
    strategy_id,
    title: str = "",
    description: str = "",
    owner: str = "",
    deadline=None,
    indicator: str = "",
    cost_estimate=None,
    budget_product_code: str = "",
) -> Measure:
    """Turn a selected strategy into a measure with owner, deadline, indicator, cost and budget product."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    strategy = _strategy(board, strategy_id)
    if not strategy.selected:
        raise BoardError(BoardError.INVALID, _("Nur ausgewählte Strategien werden zu Maßnahmen."))
    cost = _decimal(cost_estimate)
    if cost is not None and cost < 0:
        raise BoardError(BoardError.INVALID, _("Die Kostenschätzung darf nicht negativ sein."))
    measure = Measure.objects.create(
        municipality=board.municipality,
        title=((title or "").strip() or strategy.title)[:200],
        description=description or strategy.description,
        owner=(owner or "")[:200],
        deadline=_date(deadline),
        indicator=(indicator or "")[:300],
        cost_estimate=cost,
        budget_product_code=(budget_product_code or "").strip()[:40],
        source_strategy=strategy,
    )
    audit.record(
        action="measure.created", municipality=board.municipality, actor=actor.participant.user,
        target=measure,
    )
    event_append(
        board,
        kind="measure.created",
        payload={"measure": measure_dict(measure), "strategy": strategy_dict(strategy)},
        actor=actor.participant,
    )
    return measure
