"""Every thread that touches the database gives its connection back to the pool after each unit of work:
websocket calls (also the access re-checks in the executor's threads) and the in-process job thread.

A connection kept by a thread that then ends is lost to psycopg's pool for the rest of the process; in the
test process (which hosts consumers, a live server and job threads) the pool ran dry that way. See
docs/security.md ("Database connections")."""

import asyncio
import threading
import time
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection

from config.asgi import application
from core.db import db_sync_to_async
from core.jobs import job_start
from core.models import Job, Role
from swot import consumers, services
from swot.access import actor_for_user
from tests.conftest import require, require_postgres
from tests.swot.conftest import card

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lent(monkeypatch) -> dict[int, str]:
    """The connections the pool has lent out during the test, each with the name of the thread holding it."""
    require_postgres()
    pool = connection.pool
    require(pool is not None, "needs the connection pool (DB_POOL_MAX_SIZE > 0)")
    held: dict[int, str] = {}
    getconn, putconn = pool.getconn, pool.putconn

    def get(*args, **kwargs):
        conn = getconn(*args, **kwargs)
        held[id(conn)] = threading.current_thread().name
        return conn

    def put(conn):
        held.pop(id(conn), None)
        return putconn(conn)

    monkeypatch.setattr(pool, "getconn", get)
    monkeypatch.setattr(pool, "putconn", put)
    return held


def _held_by_other_threads(lent: dict[int, str]) -> list[str]:
    """Lent connections not held by the test's own thread (which may keep one between its queries)."""
    main = threading.main_thread().name
    return sorted(name for name in lent.values() if name != main)


async def _until(communicator, kind):
    while (message := await communicator.receive_json_from(timeout=10))["type"] != kind:
        assert message["type"] in ("presence", "event", "ack"), message
    return message


def _board_with_member(municipality, member_factory):
    from rest_framework.authtoken.models import Token

    facilitator = member_factory(municipality, Role.FACILITATOR, username="moderation")
    member = member_factory(municipality, Role.FINANCE, username="kaemmerer")
    board = services.board_create(municipality=municipality, title="Innenstadt", created_by=facilitator)
    return board, facilitator, Token.objects.create(user=member)


def _facilitator_card(board, facilitator):
    card(actor_for_user(board, facilitator), "W", "Zuzug")


async def test_websocket_calls_and_access_rechecks_return_their_connections(
    municipality, member_factory, lent, monkeypatch
):
    # Given a member on a board whose access is re-checked before every push and every 0.1 s, and nothing
    # that closes connections for the code (Channels' test communicator switches its own clean-up off while
    # it waits for the application; here it is off for the whole test, so only what the code does counts)
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    monkeypatch.setattr(consumers, "PUSH_RECHECK", 0)
    monkeypatch.setattr(consumers, "PERIODIC_RECHECK", 0.1)
    board, facilitator, token = await db_sync_to_async(_board_with_member)(municipality, member_factory)
    client = WebsocketCommunicator(
        application,
        f"/ws/swot/boards/{board.pk}/",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost"),
                 (b"authorization", f"Token {token.key}".encode())],
    )  # fmt: skip
    assert (await client.connect())[0]
    assert (await _until(client, "hello"))["seq"] == 0
    # When it pings (a re-check each), syncs (a re-check), writes (the database thread), receives another
    # member's change (a re-check before the push) and idles (the periodic re-check)
    for n in range(3):
        await client.send_json_to({"type": "ping", "id": f"p{n}"})
        await _until(client, "pong")
    await client.send_json_to({"type": "sync", "id": "s", "since": 0})
    await _until(client, "events")
    await client.send_json_to({"type": "card.create", "id": "c", "quadrant": "S", "text": "Bahnhof"})
    await _until(client, "ack")
    await db_sync_to_async(_facilitator_card)(board, facilitator)
    while (await _until(client, "event"))["event"]["seq"] < 2:
        pass
    await asyncio.sleep(0.5)
    # Then no thread but the test's own holds a connection, while the socket is still open
    assert _held_by_other_threads(lent) == []
    await client.disconnect()
    assert _held_by_other_threads(lent) == []


def test_the_in_process_job_thread_returns_its_connection(municipality, settings, lent):
    # Given jobs run in a thread of the web process (the embedded default)
    settings.TASK_MODE = "thread"
    # When a job that writes its progress runs there to its end
    job = job_start("core.selftest", municipality=municipality, params={"steps": 2, "step_seconds": 0})
    deadline = time.monotonic() + 30
    while Job.objects.get(pk=job.pk).status != Job.Status.SUCCEEDED:
        assert time.monotonic() < deadline, Job.objects.get(pk=job.pk).status
        time.sleep(0.05)
    # Then its thread has given the connection back (it does so in a finally after the job)
    while "spielraum-job" in "".join(_held_by_other_threads(lent)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _held_by_other_threads(lent) == []


def test_a_job_in_the_web_process_beats_and_the_beat_keeps_no_connection(municipality, settings, lent):
    # Given jobs in the web process's thread and a beat every 0.1 s
    settings.TASK_MODE = "thread"
    settings.JOB_HEARTBEAT_INTERVAL = 0.1
    # When a job runs 1.5 s before it reports any progress
    job = job_start("core.selftest", municipality=municipality, params={"steps": 1, "step_seconds": 1.5})
    deadline = time.monotonic() + 30
    while True:
        row = Job.objects.get(pk=job.pk)
        if row.status == Job.Status.RUNNING and row.heartbeat_at - row.started_at >= timedelta(seconds=0.3):
            break
        assert time.monotonic() < deadline, (row.status, row.progress)
        time.sleep(0.05)
    # Then its heartbeat has been written meanwhile (a poll would not fail it as stale), and the beat's thread
    # gave its connection back between beats (held in no sample; a kept one would be held in every sample)
    assert row.progress == 0
    samples = []
    for _ in range(10):
        samples.append(any(name.startswith("job-heartbeat") for name in _held_by_other_threads(lent)))
        time.sleep(0.05)
    assert not all(samples)
    while Job.objects.get(pk=job.pk).status != Job.Status.SUCCEEDED:
        assert time.monotonic() < deadline
        time.sleep(0.05)
