"""The event log: every accepted change is numbered, stored, and published after commit."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import Capability
from swot.access import Actor
from swot.errors import BoardError
from swot.models import Board, BoardEvent, Participant

logger = logging.getLogger(__name__)
_local = threading.local()


def last_event_seq() -> int | None:
    """The number of the last event this thread appended (what an ack reports to the sender)."""
    return getattr(_local, "seq", None)


def board_lock_for_write(board_id: int) -> Board:
    """Load the board and lock its row until commit: writes to one board are serialised.

    (PostgreSQL: ``SELECT ... FOR UPDATE``; SQLite: the IMMEDIATE transaction already serialises.)
    """
    board = Board.objects.select_for_update().select_related("municipality").filter(pk=board_id).first()
    if board is None:
        raise BoardError(BoardError.NOT_FOUND, _("Das Board gibt es nicht."))
    return board


def require_editable(board: Board, actor: Actor, *, phases: tuple[str, ...] | None = None) -> None:
    """Participants may edit an unlocked board in the given phases; facilitators always."""
    actor.require(Capability.PARTICIPATE)
    if actor.is_facilitator:
        return
    if board.locked:
        raise BoardError(BoardError.LOCKED, _("Das Board ist gesperrt."))
    if phases is not None and board.phase not in phases:
        raise BoardError(
            BoardError.WRONG_PHASE,
            _("Das ist in der aktuellen Phase (%(phase)s) nicht möglich.")
            % {"phase": board.get_phase_display()},
        )


def event_append(board: Board, *, kind: str, payload: dict, actor: Participant | None) -> BoardEvent:
    """Store an event with the board's next sequence number and publish it once the transaction commits.

    The number is allocated with ``UPDATE ... SET seq = seq + 1 ... RETURNING seq`` in the same
    transaction that stores the event, so numbers have no gaps and follow commit order.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("event_append must run inside transaction.atomic")
    board.seq = _seq_next(board.pk)
    event = BoardEvent.objects.create(
        board=board,
        seq=board.seq,
        kind=kind,
        payload=payload,
        actor=actor,
        actor_name=actor.display_name if actor else "",
        created_at=timezone.now(),
    )
    _local.seq = event.seq
    message = {"type": "board.event", "event": event.as_dict(), "visibility": board.visibility()}
    transaction.on_commit(partial(broadcast, board.group_name, message))
    return event


@contextmanager
def deferred_broadcasts() -> Iterator[list[tuple[str, dict]]]:
    """Collect this thread's after-commit broadcasts instead of sending them.

    For a caller on an event loop (the websocket consumer): it runs a service in a worker thread inside
    this block and then awaits ``group_send`` for each collected ``(group, message)`` on its own loop,
    instead of the worker thread blocking on ``async_to_sync``. The messages are still only collected
    in ``on_commit``, so nothing rolled back is ever published. Outside the block (REST, scripts,
    management commands) ``broadcast`` sends at once as before.
    """
    outbox: list[tuple[str, dict]] = []
    previous = getattr(_local, "outbox", None)
    _local.outbox = outbox
    try:
        yield outbox
    finally:
        _local.outbox = previous


# Table and column names of ``Board`` (checked by tests/swot/test_services.py).
SEQ_NEXT_SQL = "UPDATE swot_board SET seq = seq + 1 WHERE id = %s RETURNING seq"


def _seq_next(board_id: int) -> int:
    """``UPDATE ... SET seq = seq + 1 ... RETURNING seq``: one round trip while the board row is locked."""
    if connection.vendor in ("postgresql", "sqlite"):  # SQLite >= 3.35 (Python 3.12 ships 3.40+)
        with connection.cursor() as cursor:
            cursor.execute(SEQ_NEXT_SQL, [board_id])
            return cursor.fetchone()[0]
    Board.objects.filter(pk=board_id).update(seq=F("seq") + 1)
    return Board.objects.values_list("seq", flat=True).get(pk=board_id)


def broadcast(group: str, message: dict) -> None:
    """Publish to the board's group: best effort, clients catch up on any gap from the event log."""
    outbox = getattr(_local, "outbox", None)
    if outbox is not None:
        outbox.append((group, message))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a lost broadcast is repaired by the clients' catch-up
        logger.warning("Could not publish to %s", group, exc_info=True)
