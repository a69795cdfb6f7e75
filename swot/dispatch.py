"""One table from message type to service call, shared by the websocket consumer and the REST
``actions`` endpoint: a script drives a workshop with exactly the messages the browser sends."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from django.utils.translation import gettext as _

from swot import services
from swot.access import Actor
from swot.errors import BoardError
from swot.payloads import card_dict, measure_dict, strategy_dict
from swot.services.events import last_event_seq


def _card(card) -> dict:
    return {"card": card_dict(card)}


# message type -> (service, allowed fields, result builder)
ACTIONS: dict[str, tuple[Callable, tuple[str, ...], Callable]] = {
    "card.create": (services.card_create, ("quadrant", "text", "note", "colour", "after_id"), _card),
    "card.update": (services.card_update, ("card_id", "expected_version", "text", "note", "colour"), _card),
    "card.move": (services.card_move, ("card_id", "quadrant", "after_id"), _card),
    "card.delete": (services.card_delete, ("card_id",), _card),
    "card.restore": (services.card_restore, ("card_id",), _card),
    "card.revert": (services.card_revert, ("card_id", "seq"), _card),
    "card.merge": (services.cards_merge, ("target_id", "source_ids"), _card),
    "card.cluster": (services.card_set_cluster, ("card_id", "cluster_id"), _card),
    "card.rate": (services.card_rate, ("card_id", "weight", "rating"), _card),
    "cluster.create": (
        services.cluster_create,
        ("quadrant", "title", "card_ids"),
        lambda c: {"cluster": c.as_dict()},
    ),
    "cluster.rename": (services.cluster_rename, ("cluster_id", "title"), lambda c: {"cluster": c.as_dict()}),
    "cluster.delete": (services.cluster_delete, ("cluster_id",), lambda c: {"cluster": c.as_dict()}),
    "vote.cast": (services.vote_cast, ("card_id",), lambda n: {"votes": n}),
    "vote.retract": (services.vote_retract, ("card_id",), lambda n: {"votes": n}),
    "board.phase": (services.board_set_phase, ("phase",), lambda b: {"phase": b.phase}),
    "board.lock": (services.board_lock, ("locked",), lambda b: {"locked": b.locked}),
    "board.reveal": (services.board_reveal, (), lambda b: {"revealed": b.revealed}),
    "timer.start": (services.timer_start, ("seconds",), lambda b: {"ends_at": b.timer_ends_at.isoformat()}),
    "timer.stop": (services.timer_stop, (), lambda b: {}),
    "strategy.create": (
        services.strategy_create,
        ("title", "card_ids", "description", "kind"),
        lambda s: {"strategy": strategy_dict(s)},
    ),
    "strategy.rate": (
        services.strategy_rate,
        ("strategy_id", "rating"),
        lambda s: {"strategy": strategy_dict(s)},
    ),
    "strategy.select": (
        services.strategy_select,
        ("strategy_id", "selected"),
        lambda s: {"strategy": strategy_dict(s)},
    ),
    "strategy.delete": (services.strategy_delete, ("strategy_id",), lambda s: {"strategy": strategy_dict(s)}),
    "strategy.measure": (
        services.strategy_to_measure,
        (
            "strategy_id",
            "title",
            "description",
            "owner",
            "deadline",
            "indicator",
            "cost_estimate",
            "budget_product_code",
        ),
        lambda m: {"measure": measure_dict(m)},
    ),
}


def action_run(actor: Actor, message: dict) -> dict:
    """Run one client message for ``actor``; returns ``{"seq": ..., **result}`` or raises BoardError.

    ``seq`` is the board's sequence number after the change: the event with this number is the
    sender's own change.
    """
    kind = message.get("type")
    if kind not in ACTIONS:
        raise BoardError(BoardError.INVALID, _("Unbekannte Nachricht: %(t)s") % {"t": kind})
    service, fields, result = ACTIONS[kind]
    kwargs = {f: message[f] for f in fields if f in message}
    missing = [f for f in _required(service) if f not in kwargs]
    if missing:
        raise BoardError(BoardError.INVALID, _("Es fehlt: %(f)s") % {"f": ", ".join(missing)})
    value = service(board_id=actor.board_id, actor=actor, **kwargs)
    return {"seq": last_event_seq(), **result(value)}


def _required(service: Callable) -> list[str]:
    params = inspect.signature(service).parameters.values()
    return [
        p.name for p in params if p.default is inspect.Parameter.empty and p.name not in ("board_id", "actor")
    ]
