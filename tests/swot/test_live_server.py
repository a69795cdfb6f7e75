"""The protocol as an outside client sees it: a real server process, real websocket clients.

The server is started the way ``scripts/run.sh`` starts it (the script itself: migrate, demo data, the
ASGI server) on a free port and the test database; the example client ``scripts/swot_workshop.py`` runs
a whole workshop against it, and the close codes of docs/swot-protocol.md are checked with the
``websockets`` client, as a browser or script observes them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import _test_database_url, require_postgres

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "spielraum-demo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(transactional_db, tmp_path):
    """``scripts/run.sh`` on a free port and the test database; yields the base URL."""
    require_postgres()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SPIELRAUM_TASK_MODE": "thread",
    }
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        command = ["bash", str(ROOT / "scripts" / "run.sh")]
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 240
            while True:
                assert proc.poll() is None, "server exited:\n" + log_path.read_text()[-3000:]
                assert time.monotonic() < deadline, "server did not start:\n" + log_path.read_text()[-3000:]
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.3)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _post(base: str, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (test server URL)
        return json.loads(response.read() or b"{}")


def _get(base: str, path: str, token: str) -> dict:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Token {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (test server URL)
        return json.loads(response.read())


def _login(base: str, username: str) -> str:
    return _post(base, "/api/v1/auth/token/", {"username": username, "password": PASSWORD})["token"]


def test_example_client_runs_a_whole_workshop_against_the_demo(server):
    # When the example script drives a workshop as the demo's facilitator
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "swot_workshop.py"), "--base-url", server, "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    # Then it finishes, and the board holds what it made
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["guest_close_code"] == 4403
    assert (summary["cards"], summary["strategies"], summary["measures"]) == (5, 1, 1)
    assert summary["seq"] > 25


async def _outcome(url: str, *, origin: str, authorization: str | None = None) -> tuple[str, object]:
    """What a client observes: ("hello", message) or ("closed", code) after an error message."""
    headers = {"Authorization": authorization} if authorization else None
    async with connect(url, origin=origin, additional_headers=headers) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if first["type"] == "hello":
            return "hello", first
        assert (first["type"], first["code"]) == ("error", "forbidden"), first
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        return "closed", ws.close_code


async def _closed_with(ws, *, within: float) -> tuple[int | None, list[dict]]:
    """Read until the server closes; returns the close code and the messages received before."""
    received = []
    try:
        while True:
            received.append(json.loads(await asyncio.wait_for(ws.recv(), within)))
    except ConnectionClosed:
        return ws.close_code, received


async def test_close_codes_as_a_real_client_observes_them(server, other_municipality, member_factory):
    from core.models import Membership, Role
    from swot.models import Board

    ws_base = server.replace("http://", "ws://")
    origin = server
    board = await sync_to_async(Board.objects.get)(title="Innenstadt Herten")
    url = f"{ws_base}/ws/swot/boards/{board.pk}/"
    moderation = await sync_to_async(_login)(server, "moderation")

    # A member with a token connects (the documented way for scripts)
    kind, hello = await _outcome(url, origin=origin, authorization=f"Token {moderation}")
    assert kind == "hello" and "facilitate" in hello["capabilities"]

    # No credential, a bad token, a member of another municipality, a board that does not exist:
    # accepted, then an error and close code 4403 (never a handshake refusal)
    outsider = await sync_to_async(member_factory)(other_municipality, Role.ADMIN, username="fremd")
    from rest_framework.authtoken.models import Token

    outsider_token = (await sync_to_async(Token.objects.create)(user=outsider)).key
    for authorization, target in [
        (None, url),
        ("Token nonsense", url),
        (f"Token {outsider_token}", url),
        ("Guest forged.token", url),
        (f"Token {moderation}", f"{ws_base}/ws/swot/boards/999999/"),
    ]:
        assert await _outcome(target, origin=origin, authorization=authorization) == ("closed", 4403)

    # A foreign Origin is refused in the handshake (HTTP 403), as documented
    with pytest.raises(InvalidStatus) as refused:
        await _outcome(url, origin="http://evil.example", authorization=f"Token {moderation}")
    assert refused.value.response.status_code == 403

    # A member removed while connected: the next ping is answered with 4403
    gast = await sync_to_async(_login)(server, "gast")
    async with connect(url, origin=origin, additional_headers={"Authorization": f"Token {gast}"}) as ws:
        assert json.loads(await ws.recv())["type"] == "hello"
        await sync_to_async(Membership.objects.filter(user__username="gast").delete)()
        await ws.send(json.dumps({"type": "ping", "id": "p"}))
        code, received = await _closed_with(ws, within=10)
    assert code == 4403
    assert [m.get("code") for m in received if m["type"] == "error"] == ["forbidden"]
    assert not [m for m in received if m["type"] == "pong"]

    # A user deactivated while connected receives no further event: the push re-check closes with 4403
    kaemmerei = await sync_to_async(_login)(server, "kaemmerei")
    async with connect(url, origin=origin, additional_headers={"Authorization": f"Token {kaemmerei}"}) as ws:
        assert json.loads(await ws.recv())["type"] == "hello"
        from django.contrib.auth import get_user_model

        users = get_user_model().objects
        await sync_to_async(users.filter(username="kaemmerei").update)(is_active=False)
        await asyncio.sleep(1.1)  # older than the push re-check interval
        cards = f"/api/v1/municipalities/musterstadt/swot/boards/{board.pk}/cards/"
        await sync_to_async(_post)(server, cards, {"quadrant": "S", "text": "Nach der Sperre"}, moderation)
        code, received = await _closed_with(ws, within=10)
    assert code == 4403
    assert not [m for m in received if m["type"] == "event"], received
    snapshot = await sync_to_async(_get)(
        server, f"/api/v1/municipalities/musterstadt/swot/boards/{board.pk}/snapshot/", moderation
    )
    assert "Nach der Sperre" in {c["text"] for c in snapshot["cards"]}
