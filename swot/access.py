"""Who is acting on a board: members through ``core.permissions``, guests through a signed token.

Every page, API call and websocket message resolves an ``Actor`` here (again for each message, so a
revoked invite or a changed role takes effect at once). Capabilities of members come from
``core.permissions`` (``capabilities_of``, and ``capabilities_now`` for re-checks); a guest may view and
participate on their one board only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import Capability, capabilities_now, capabilities_of
from swot.errors import BoardError
from swot.models import Board, Participant

GUEST_SALT = "swot.guest"
GUEST_MAX_AGE = 60 * 60 * 24 * 30  # the invite's own expiry is checked as well
GUEST_CAPABILITIES = frozenset({Capability.VIEW, Capability.PARTICIPATE})


def guest_cookie_name(board_id: int) -> str:
    return f"swot_guest_{board_id}"


@dataclass(frozen=True)
class Actor:
    """A participant acting on one board, with the capabilities they hold there right now."""

    board_id: int
    participant: Participant
    capabilities: frozenset[Capability]

    @property
    def is_guest(self) -> bool:
        return self.participant.user_id is None

    @property
    def is_facilitator(self) -> bool:
        return Capability.FACILITATE in self.capabilities

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        """Raise ``BoardError(forbidden)`` unless the actor holds ``capability``."""
        if capability not in self.capabilities:
            raise BoardError(BoardError.FORBIDDEN, _("Dafür fehlt Ihnen die Berechtigung."))

    @property
    def identity(self) -> tuple[str, int]:
        """What a connection remembers to re-resolve the actor for every message."""
        if self.is_guest:
            return ("guest", self.participant.pk)
        return ("user", self.participant.user_id)


def guest_token(participant: Participant) -> str:
    """A signed token naming the guest and their board (cookie or ``?guest=`` on the websocket)."""
    return signing.dumps({"p": participant.pk, "b": participant.board_id}, salt=GUEST_SALT)


def guest_participant_id(token: str, board_id: int) -> int | None:
    """The participant id in a valid token for ``board_id``, else None (bad signature, other board)."""
    try:
        data = signing.loads(token, salt=GUEST_SALT, max_age=GUEST_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("b") != board_id:
        return None
    return data.get("p")


def _display_name(user) -> str:
    return (user.get_full_name() or user.get_username())[:80]


def participant_for_user(board: Board, user) -> Participant:
    """The member's participant row on the board (created on first use)."""
    participant = Participant.objects.filter(board=board, user=user).first()
    if participant is not None:
        return participant
    try:
        with transaction.atomic():
            return Participant.objects.create(board=board, user=user, display_name=_display_name(user))
    except IntegrityError:  # created concurrently by another connection of the same user
        return Participant.objects.get(board=board, user=user)


def actor_for_user(board: Board, user) -> Actor | None:
    """The actor for a logged-in member (None if the user has no capability in the municipality)."""
    if user is None or not user.is_authenticated:
        return None
    capabilities = capabilities_of(user, board.municipality)
    if Capability.VIEW not in capabilities:
        return None
    return Actor(board.pk, participant_for_user(board, user), capabilities)


def actor_for_guest(board: Board, participant_id: int | None) -> Actor | None:
    """The actor for a guest participant of ``board`` whose invite is still valid, else None."""
    if participant_id is None:
        return None
    participant = (
        Participant.objects.select_related("invite")
        .filter(pk=participant_id, board=board, user__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if participant is None or participant.invite is None or not participant.invite.is_valid(timezone.now()):
        return None
    return Actor(board.pk, participant, GUEST_CAPABILITIES)


def actor_resolve(board: Board, *, user=None, guest_token_value: str | None = None) -> Actor | None:
    """A member's actor if the user may view the board's municipality, else a guest's from the token."""
    actor = actor_for_user(board, user)
    if actor is None and guest_token_value:
        actor = actor_for_guest(board, guest_participant_id(guest_token_value, board.pk))
    return actor


def actor_refresh(actor: Actor, municipality_id: int) -> Actor | None:
    """Re-resolve a connection's actor from the database (every websocket message, push re-checks).

    One indexed query (``core.permissions.capabilities_now``; guests: their participant with its
    invite), without reloading the board and the participant, which do not change for a connection.
    None when access is gone: user deactivated or removed, role without ``view``, guest excluded,
    invite revoked or expired.
    """
    kind, key = actor.identity
    if kind == "guest":
        return actor_for_guest(Board(pk=actor.board_id), key)
    capabilities = capabilities_now(key, municipality_id)
    if Capability.VIEW not in capabilities:
        return None
    if capabilities == actor.capabilities:
        return actor
    return Actor(actor.board_id, actor.participant, capabilities)
