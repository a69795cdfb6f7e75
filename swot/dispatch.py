"""One table from message type to service call, shared by the websocket consumer and the REST
``actions`` endpoint: a script drives a workshop with exactly the messages the browser sends."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from swot import services
from swot.access import Actor
from swot.errors import BoardError
from swot.payloads import card_dict, measure_dict, strategy_dict
from swot.schemas import ACTION_SCHEMAS, action_validate
from swot.services.events import last_event_seq


def _card(card) -> dict:
    return {"card": card_dict(card)}


# message type -> (service, result builder); the fields of each message are ``swot.schemas.ACTION_FIELDS``
ACTIONS: dict[str, tuple[Callable, Callable]] = {
    "card.create": (services.card_create, _card),
    "card.update": (services.card_update, _card),
    "card.move": (services.card_move, _card),
    "card.delete": (services.card_delete, _card),
    "card.restore": (services.card_restore, _card),
    "card.revert": (services.card_revert, _card),
    "card.merge": (services.cards_merge, _card),
    "card.cluster": (services.card_set_cluster, _card),
    "card.rate": (services.card_rate, _card),
    "cluster.create": (services.cluster_create, lambda c: {"cluster": c.as_dict()}),
    "cluster.rename": (services.cluster_rename, lambda c: {"cluster": c.as_dict()}),
    "cluster.delete": (services.cluster_delete, lambda c: {"cluster": c.as_dict()}),
    "vote.cast": (services.vote_cast, lambda n: {"votes": n}),
    "vote.retract": (services.vote_retract, lambda n: {"votes": n}),
    "board.phase": (services.board_set_phase, lambda b: {"phase": b.phase}),
    "board.lock": (services.board_lock, lambda b: {"locked": b.locked}),
    "board.reveal": (services.board_reveal, lambda b: {"revealed": b.revealed}),
    "timer.start": (services.timer_start, lambda b: {"ends_at": b.timer_ends_at.isoformat()}),
    "timer.stop": (services.timer_stop, lambda b: {}),
    "strategy.create": (services.strategy_create, lambda s: {"strategy": strategy_dict(s)}),
    "strategy.rate": (services.strategy_rate, lambda s: {"strategy": strategy_dict(s)}),
    "strategy.select": (services.strategy_select, lambda s: {"strategy": strategy_dict(s)}),
    "strategy.delete": (services.strategy_delete, lambda s: {"strategy": strategy_dict(s)}),
    "strategy.measure": (services.strategy_to_measure, lambda m: {"measure": measure_dict(m)}),
}
assert set(ACTIONS) == set(ACTION_SCHEMAS), "every action has exactly one schema"


def action_run(actor: Actor, message) -> dict:
    """Run one client message for ``actor``; returns ``{"seq": ..., **result}`` or raises BoardError.

    The message is validated against its action's schema first (``invalid`` naming the fields
    otherwise). ``seq`` is the board's sequence number after the change: the event with this number
    is the sender's own change.
    """
    if not isinstance(message, dict):
        raise BoardError(BoardError.INVALID, _("Eine Nachricht ist ein JSON-Objekt."))
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in ACTIONS:
        shown = kind if isinstance(kind, str) else type(kind).__name__
        raise BoardError(BoardError.INVALID, _("Unbekannte Nachricht: %(t)s") % {"t": str(shown)[:60]})
    service, result = ACTIONS[kind]
    kwargs, problems = action_validate(kind, message)
    if problems:
        raise BoardError(BoardError.INVALID, "; ".join(problems), fields=problems)
    value = service(board_id=actor.board_id, actor=actor, **kwargs)
    return {"seq": last_event_seq(), **result(value)}
