"""Fixtures of the swot tests: a board with a facilitator, participants, a viewer and a guest, and an
ASGI live server (Daphne in a thread of the test process) for the browser tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Role
from swot import services
from swot.access import actor_for_guest, actor_for_user
from swot.models import Board


@pytest.fixture
def facilitator(municipality, member_factory):
    return member_factory(
        municipality, Role.FACILITATOR, username="moderation", first_name="Mia", last_name="Moderat"
    )


@pytest.fixture
def participant_user(municipality, member_factory):
    return member_factory(
        municipality, Role.FINANCE, username="kaemmerer", first_name="Karl", last_name="Kämmerer"
    )


@pytest.fixture
def viewer(municipality, member_factory):
    return member_factory(municipality, Role.VIEWER, username="leser")


@pytest.fixture
def board(municipality, facilitator):
    return services.board_create(municipality=municipality, title="Innenstadt Herten", created_by=facilitator)


@pytest.fixture
def fac(board, facilitator):
    """The facilitator's actor on ``board``."""
    return actor_for_user(board, facilitator)


@pytest.fixture
def part(board, participant_user):
    """A participating member's actor on ``board``."""
    return actor_for_user(board, participant_user)


@pytest.fixture
def invite(board, fac):
    return services.invite_create(board_id=board.pk, actor=fac, days=1)


@pytest.fixture
def guest(board, invite):
    """A guest's actor (joined by invite code)."""
    participant = services.guest_join(code=invite.code, display_name="Gisela Gast")
    return actor_for_guest(board, participant.pk)


def card(actor, quadrant="S", text="Gute Verkehrserschließung", **kwargs):
    return services.card_create(board_id=actor.board_id, actor=actor, quadrant=quadrant, text=text, **kwargs)


def set_phase(fac, phase):
    return services.board_set_phase(board_id=fac.board_id, actor=fac, phase=phase)


def expire(invite):
    invite.expires_at = timezone.now() - timedelta(seconds=1)
    invite.save(update_fields=["expires_at"])


def reload(board: Board) -> Board:
    board.refresh_from_db()
    return board


# The ASGI live server (asgi_live_server) lives in tests/conftest.py: one Daphne per session for every
# directory (the swot board tests and the page crawl); Twisted's reactor cannot run twice.
