"""Fixtures of the swot tests: a board with a facilitator, participants, a viewer and a guest, and an
ASGI live server (Daphne in a thread of the test process) for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
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


# --- ASGI live server ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _DaphneThread(threading.Thread):
    """Daphne serving ``config.asgi`` (plus static files) in a thread of the test process.

    A thread, not a process, so it shares the test database connection settings: the in-memory
    SQLite test database locally (shared cache) and the PostgreSQL test database in CI alike.
    Twisted's reactor cannot be restarted, so there is one server per test session.
    """

    def __init__(self, port: int):
        super().__init__(daemon=True, name="daphne-live-server")
        self.port = port
        self.ready = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            from daphne.endpoints import build_endpoint_description_strings
            from daphne.server import Server
            from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

            from config.asgi import application

            self.server = Server(
                application=ASGIStaticFilesHandler(application),
                endpoints=build_endpoint_description_strings(host="127.0.0.1", port=self.port),
                signal_handlers=False,
                ready_callable=self.ready.set,
                verbosity=0,
            )
            self.server.run()
        except BaseException as exc:  # surfaced by the fixture
            self.error = exc
            self.ready.set()


@pytest.fixture(scope="session")
def asgi_live_server(django_db_setup, django_db_blocker):
    """URL of a live Daphne server for websocket + HTTP browser tests (session-wide).

    Needs PostgreSQL: SQLite's in-memory test database, shared between the test thread and the server
    thread, answers "database table is locked" under the concurrent load of a live board.
    """
    from django.conf import settings

    from tests.conftest import require_postgres

    require_postgres()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1", "localhost"]
    port = _free_port()
    thread = _DaphneThread(port)
    with django_db_blocker.unblock():
        thread.start()
        if not thread.ready.wait(20) or thread.error:
            raise RuntimeError(f"Daphne did not start: {thread.error!r}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
        from twisted.internet import reactor

        reactor.callFromThread(reactor.stop)
        thread.join(5)
