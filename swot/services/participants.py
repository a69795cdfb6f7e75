"""Invites, guests joining by code, presence of open connections."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import Capability
from swot.access import Actor
from swot.errors import BoardError
from swot.models import Invite, Participant, Presence
from swot.services.events import board_lock_for_write, broadcast, event_append

INVITE_MAX_DAYS = 90
PRESENCE_TIMEOUT = timedelta(seconds=90)  # clients ping every 25 s


def _invite_dict(invite: Invite) -> dict:
    # Never the code: the event log and the broadcast are visible to every participant.
    return {"id": invite.pk, "label": invite.label, "expires_at": invite.expires_at.isoformat()}


@transaction.atomic
def invite_create(*, board_id: int, actor: Actor, days: int = 7, label: str = "", created_by=None) -> Invite:
    """A guest invite for the board, valid for ``days`` days (1-90)."""
    actor.require(Capability.FACILITATE)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= INVITE_MAX_DAYS:
        raise BoardError(BoardError.INVALID, _("Eine Einladung gilt 1 bis 90 Tage."))
    board = board_lock_for_write(board_id)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                invite = Invite.objects.create(
                    board=board,
                    code=Invite.new_code(),
                    label=(label or "")[:120],
                    expires_at=timezone.now() + timedelta(days=days),
                    created_by=created_by or actor.participant.user,
                )
            break
        except IntegrityError:  # code collision: draw again
            continue
    else:  # pragma: no cover - 32^8 codes
        raise BoardError(BoardError.INVALID, _("Es konnte kein Einladungscode erzeugt werden."))
    event_append(
        board, kind="invite.created", payload={"invite": _invite_dict(invite)}, actor=actor.participant
    )
    return invite


@transaction.atomic
def invite_revoke(*, board_id: int, actor: Actor, invite_id) -> Invite:
    """Revoke an invite: its guests lose access at once (their open connections are closed)."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    invite = Invite.objects.filter(board=board, pk=invite_id).first()
    if invite is None:
        raise BoardError(BoardError.NOT_FOUND, _("Die Einladung gibt es nicht."))
    if invite.revoked_at is None:
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])
    event_append(
        board, kind="invite.revoked", payload={"invite": _invite_dict(invite)}, actor=actor.participant
    )
    transaction.on_commit(
        partial(
            broadcast,
            board.group_name,
            {"type": "board.kick", "invite_id": invite.pk, "participant_id": None},
        )
    )
    return invite


@transaction.atomic
def participant_revoke(*, board_id: int, actor: Actor, participant_id) -> Participant:
    """Exclude a guest from the board."""
    actor.require(Capability.FACILITATE)
    board = board_lock_for_write(board_id)
    participant = Participant.objects.filter(board=board, pk=participant_id, user__isnull=True).first()
    if participant is None:
        raise BoardError(BoardError.NOT_FOUND, _("Diesen Gast gibt es nicht."))
    participant.revoked_at = timezone.now()
    participant.save(update_fields=["revoked_at"])
    event_append(
        board,
        kind="participant.revoked",
        payload={"participant": {"id": participant.pk, "name": participant.display_name}},
        actor=actor.participant,
    )
    transaction.on_commit(
        partial(
            broadcast,
            board.group_name,
            {"type": "board.kick", "invite_id": None, "participant_id": participant.pk},
        )
    )
    return participant


def invite_find(code: str) -> Invite | None:
    """A valid invite by its code (case and spaces ignored), else None."""
    normalised = "".join((code or "").split()).upper()
    invite = Invite.objects.select_related("board__municipality").filter(code=normalised).first()
    if invite is None or not invite.is_valid():
        return None
    return invite


@transaction.atomic
def guest_join(*, code: str, display_name: str) -> Participant:
    """A guest joins the invite's board under a display name (no account)."""
    invite = invite_find(code)
    if invite is None:
        raise BoardError(BoardError.NOT_FOUND, _("Die Einladung ist ungültig, abgelaufen oder widerrufen."))
    name = " ".join((display_name or "").split())[:80]
    if not name:
        raise BoardError(BoardError.INVALID, _("Bitte einen Anzeigenamen angeben."))
    board = board_lock_for_write(invite.board_id)
    participant = Participant.objects.create(board=board, invite=invite, display_name=name)
    event_append(
        board,
        kind="participant.joined",
        payload={"participant": {"id": participant.pk, "name": name, "guest": True}},
        actor=participant,
    )
    return participant


# --- Presence (ephemeral: not in the event log) ------------------------------------------------------
def presence_enter(*, board_id: int, participant: Participant, channel_name: str) -> None:
    Presence.objects.update_or_create(
        channel_name=channel_name,
        defaults={"board_id": board_id, "participant": participant, "last_seen_at": timezone.now()},
    )


def presence_touch(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).update(last_seen_at=timezone.now())


def presence_leave(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()


def presence_list(board_id: int) -> list[dict]:
    """Who is connected now (one entry per participant, fresh heartbeat only)."""
    cutoff = timezone.now() - PRESENCE_TIMEOUT
    rows = (
        Presence.objects.filter(
            board_id=board_id, last_seen_at__gte=cutoff, participant__revoked_at__isnull=True
        )
        .values_list("participant_id", "participant__display_name", "participant__user_id")
        .distinct()
        .order_by("participant__display_name")
    )
    seen: dict[int, dict] = {}
    for pid, name, user_id in rows:
        seen.setdefault(pid, {"id": pid, "name": name, "guest": user_id is None})
    return list(seen.values())
