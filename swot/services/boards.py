"""Board-level workshop control: create, settings, phases, lock, reveal, timer (facilitators)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.models import Municipality
from core.permissions import Capability
from swot.access import Actor
from swot.errors import BoardError
from swot.models import Board, Phase
from swot.payloads import board_dict, card_dict, cards_with_votes
from swot.services.events import board_lock_for_write, event_append

SETTINGS_FIELDS = (
    "title",
    "description",
    "anonymous",
    "anonymous_votes",
    "hide_while_collecting",
    "vote_budget",
)
TIMER_MAX_SECONDS = 4 * 3600


@transaction.atomic
def board_create(*, municipality: Municipality, title: str, created_by=None, **settings) -> Board:
    """Create a board (the caller has checked FACILITATE). Unknown settings raise TypeError."""
    title = (title or "").strip()
    if not title:
        raise BoardError(BoardError.INVALID, _("Bitte ein Thema angeben."))
    unknown = set(settings) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown board settings: {sorted(unknown)}")
    board = Board(municipality=municipality, title=title[:200], created_by=created_by, **settings)
    board.full_clean()
    board.save()
    audit.record(action="board.created", municipality=municipality, actor=created_by, target=board)
    return board


@transaction.atomic
def board_update_settings(*, board_id: int, actor: Actor, **changes) -> Board:
    """Change title, description, anonymity, secret collecting or the dot budget."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    before = {field: getattr(board, field, None) for field in changes}
    for field, value in changes.items():
        if field not in SETTINGS_FIELDS:
            raise BoardError(BoardError.INVALID, _("Unbekannte Einstellung: %(f)s") % {"f": field})
        setattr(board, field, value)
    try:
        board.full_clean()
    except Exception as exc:
        raise BoardError(BoardError.INVALID, str(exc)) from exc
    board.save()
    if diff := {f: (before[f], getattr(board, f)) for f in changes if before[f] != getattr(board, f)}:
        audit.record(
            action="board.updated", municipality=board.municipality, actor=actor.participant.user,
            target=board, changes=diff,
        )
    event_append(board, kind="board.settings", payload={"board": board_dict(board)}, actor=actor.participant)
    return board


@transaction.atomic
def board_set_phase(*, board_id: int, actor: Actor, phase: str) -> Board:
    """Move the workshop to another phase (collect, cluster, vote, weight, derive)."""
    actor.require(Capability.FACILITATE)
    if phase not in Phase.values:
        raise BoardError(BoardError.INVALID, _("Unbekannte Phase."))
    board = board_lock_for_write(board_id)
    if board.phase != phase:
        audit.record(
            action="board.phase_changed", municipality=board.municipality, actor=actor.participant.user,
            target=board, changes={"phase": (board.phase, phase)},
        )
    board.phase = phase
    board.save(update_fields=["phase"])
    event_append(board, kind="board.phase", payload={"board": board_dict(board)}, actor=actor.participant)
    return board


@transaction.atomic
def board_lock(*, board_id: int, actor: Actor, locked: bool) -> Board:
    """Lock (participants can no longer change anything) or unlock the board."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    board.locked = bool(locked)
    board.save(update_fields=["locked"])
    event_append(board, kind="board.locked", payload={"board": board_dict(board)}, actor=actor.participant)
    return board


@transaction.atomic
def board_reveal(*, board_id: int, actor: Actor) -> Board:
    """Turn all cards face up after collecting in secret; the event carries every card."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    if not board.revealed:
        audit.record(
            action="board.revealed", municipality=board.municipality, actor=actor.participant.user,
            target=board, changes={"revealed": (False, True)},
        )
    board.revealed = True
    board.save(update_fields=["revealed"])
    cards = [card_dict(c) for c in cards_with_votes(board)]
    event_append(
        board,
        kind="board.revealed",
        payload={"board": board_dict(board), "cards": cards},
        actor=actor.participant,
    )
    return board


@transaction.atomic
def timer_start(*, board_id: int, actor: Actor, seconds: int) -> Board:
    """Start the visible countdown (clients count down to ``timer_ends_at``)."""
    actor.require(Capability.FACILITATE)
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        seconds = 0
    if not 0 < seconds <= TIMER_MAX_SECONDS:
        raise BoardError(BoardError.INVALID, _("Die Dauer muss zwischen 1 Sekunde und 4 Stunden liegen."))
    board = board_lock_for_write(board_id)
    board.timer_seconds = seconds
    board.timer_ends_at = timezone.now() + timedelta(seconds=seconds)
    board.save(update_fields=["timer_seconds", "timer_ends_at"])
    event_append(board, kind="timer.started", payload={"board": board_dict(board)}, actor=actor.participant)
    return board


@transaction.atomic
def timer_stop(*, board_id: int, actor: Actor) -> Board:
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    board.timer_ends_at = None
    board.save(update_fields=["timer_ends_at"])
    event_append(board, kind="timer.stopped", payload={"board": board_dict(board)}, actor=actor.participant)
    return board
