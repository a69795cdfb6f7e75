#!/usr/bin/env python3
"""Run a whole SWOT workshop against a Spielraum server, as an outside script, from docs/swot-protocol.md.

It logs in (API token), creates a board, opens the board's websocket with the token, invites a guest,
lets the guest join by code over the API and connect with the guest credential, runs every phase
(collect face down, reveal, cluster, dot voting, weighting, TOWS strategies, a measure, the timer),
then revokes the invite and checks that the guest's socket is closed with 4403 and stays refused.

    .venv/bin/python scripts/swot_workshop.py --base-url http://127.0.0.1:8000 \\
        --username moderation --password spielraum-demo --municipality musterstadt

Needs only the standard library and ``websockets`` (PyPI). Exits 0 when the workshop ran as documented,
1 with a message otherwise. CI runs it against a live server (tests/swot/test_live_server.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

CLOSE_FORBIDDEN = 4403
ANSWERS = ("ack", "error", "snapshot", "events", "pong")  # carry the request's id


class WorkshopError(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise WorkshopError(what)


# --- REST ---------------------------------------------------------------------------------------------
class Api:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.token: str | None = None

    def call(self, method: str, path: str, body: dict | None = None, *, expect: int = 200) -> dict:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        url = self.base + path
        check(url.startswith(("http://", "https://")), f"not an http(s) URL: {url}")
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
        check(status == expect, f"{method} {path}: expected {expect}, got {status}: {text[:300]}")
        return json.loads(text) if text else {}

    async def __call__(self, method: str, path: str, body: dict | None = None, *, expect: int = 200) -> dict:
        return await asyncio.to_thread(self.call, method, path, body, expect=expect)


# --- Websocket ----------------------------------------------------------------------------------------
class BoardSocket:
    """One connection: requests with ids (answered by ``ack``/``error``), events applied in sequence."""

    def __init__(self, name: str, ws, hello: dict):
        self.name = name
        self.ws = ws
        self.hello = hello
        self.seq = hello["seq"]
        self.events: list[dict] = []
        self.pending: dict[str, asyncio.Future] = {}
        self.ids = itertools.count(1)
        self.syncs: set[asyncio.Future] = set()
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, name: str, url: str, *, origin: str, authorization: str) -> BoardSocket:
        ws = await connect(url, origin=origin, additional_headers={"Authorization": authorization})
        hello = json.loads(await ws.recv())
        if hello.get("type") != "hello":
            code = await _close_code(ws)
            raise WorkshopError(f"{name}: refused ({hello.get('code')}, close code {code})")
        socket = cls(name, ws, hello)
        await socket.request({"type": "sync", "since": -1})  # documented start: a snapshot
        return socket

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                kind = message["type"]
                if kind in ANSWERS and message.get("id") in self.pending:
                    self.pending.pop(message["id"]).set_result(message)
                elif kind == "event":
                    self._apply(message["event"])
                elif kind == "error":  # not an answer: the server refuses us and closes
                    self.events.append({"kind": "refused", "payload": message})
        except ConnectionClosed:
            pass
        finally:
            code = self.ws.close_code
            if not self.closed.done():
                self.closed.set_result(code)
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(WorkshopError(f"{self.name}: socket closed ({code})"))

    def _apply(self, event: dict) -> None:
        if event["seq"] <= self.seq:
            return  # already had it
        if event["seq"] != self.seq + 1:  # a gap: catch up (the log answers with every missed event)
            self.syncs.add(asyncio.ensure_future(self.request({"type": "sync", "since": self.seq})))
            return
        self.seq = event["seq"]
        self.events.append(event)

    async def request(self, message: dict, *, expect: str | None = None) -> dict:
        request_id = f"{self.name}-{next(self.ids)}"
        future = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        await self.ws.send(json.dumps({**message, "id": request_id}))
        answer = await asyncio.wait_for(future, 10)
        if answer["type"] == "snapshot":
            self.seq = answer["seq"]
        elif answer["type"] == "events":
            for event in answer["events"]:
                self._apply(event)
        if expect is None and answer["type"] == "error":
            raise WorkshopError(f"{self.name}: {message['type']} refused: {answer}")
        if expect is not None:
            check(answer.get("code", answer["type"]) == expect, f"{self.name}: {message} -> {answer}")
        return answer

    async def act(self, message: dict) -> dict:
        """Send an action and wait until its own event (``ack.seq``) has arrived here too."""
        ack = await self.request(message)
        check(ack["type"] == "ack" and ack["request"] == message["type"], f"{message} -> {ack}")
        await self.wait_seq(ack["seq"])
        return ack

    async def wait_seq(self, seq: int) -> None:
        deadline = time.monotonic() + 10
        while self.seq < seq:
            check(time.monotonic() < deadline, f"{self.name}: event {seq} did not arrive (at {self.seq})")
            await asyncio.sleep(0.02)

    def event(self, seq: int) -> dict:
        return next(e for e in self.events if e.get("seq") == seq)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def _close_code(ws) -> int | None:
    with contextlib.suppress(ConnectionClosed, TimeoutError):
        await asyncio.wait_for(ws.recv(), 5)
    return ws.close_code


async def refused_code(url: str, *, origin: str, authorization: str) -> int | None:
    """Connect and return the close code the server ends the connection with (4403 when refused)."""
    async with connect(url, origin=origin, additional_headers={"Authorization": authorization}) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 5))
        check(first["type"] == "error" and first["code"] == "forbidden", f"expected a refusal, got {first}")
        return await _close_code(ws)


# --- The workshop -------------------------------------------------------------------------------------
async def workshop(base_url: str, username: str, password: str, slug: str, log) -> dict:
    api = Api(base_url)
    origin = f"{urlsplit(base_url).scheme}://{urlsplit(base_url).netloc}"
    ws_base = ("wss://" if base_url.startswith("https") else "ws://") + urlsplit(base_url).netloc

    # 1. Log in: the API token authenticates REST and the websocket alike.
    api.token = (await api("POST", "/api/v1/auth/token/", {"username": username, "password": password}))[
        "token"
    ]
    log(f"logged in as {username}")

    # 2. A board that collects face down; votes are anonymous by default.
    boards = f"/api/v1/municipalities/{slug}/swot/boards/"
    title = f"Skript-Workshop {time.strftime('%H:%M:%S')}"
    board = await api("POST", boards, {"title": title, "hide_while_collecting": True}, expect=201)
    board_url = f"{boards}{board['id']}/"
    ws_url = f"{ws_base}/ws/swot/boards/{board['id']}/"
    log(f"board {board['id']} created")

    # 3. The facilitator's socket, with the token.
    fac = await BoardSocket.open("fac", ws_url, origin=origin, authorization=f"Token {api.token}")
    check("facilitate" in fac.hello["capabilities"] and not fac.hello["guest"], f"hello {fac.hello}")

    # 4. An invite (its id is what revoking needs); a guest joins by code over the API.
    invite = await api("POST", f"{board_url}invites/", {"days": 1, "label": "Skript"}, expect=201)
    check({"id", "code", "join_url", "expires_at"} <= set(invite), f"invite answer {invite}")
    joined = await api(
        "POST", "/api/v1/swot/join/", {"code": invite["code"].lower(), "display_name": "Gast aus dem Skript"},
        expect=201,
    )  # fmt: skip
    check(joined["board"]["id"] == board["id"], f"joined {joined}")
    guest_auth = f"Guest {joined['guest_token']}"
    guest = await BoardSocket.open(
        "guest", ws_base + joined["ws_path"], origin=origin, authorization=guest_auth
    )
    check(guest.hello["guest"] and guest.hello["capabilities"] == ["participate", "view"], f"{guest.hello}")
    log(f"guest {joined['participant']['name']!r} joined with invite {invite['id']}")

    # 5. Collect, face down: each sees their own cards; the guest sees the facilitator's hidden.
    cards = {}
    for quadrant, text in [("S", "Prägende Gebäude"), ("S", "Gute Verkehrserschließung"),
                           ("O", "Soziales Laboratorium"), ("T", "Verödung der Innenstadt")]:  # fmt: skip
        ack = await fac.act({"type": "card.create", "quadrant": quadrant, "text": text})
        check(ack["version"] == 1, f"a new card starts at version 1: {ack}")
        cards[text] = ack["card_id"]
    ack = await guest.act({"type": "card.create", "quadrant": "W", "text": "Barrierewirkung des Rings"})
    cards["Barrierewirkung des Rings"] = ack["card_id"]
    await guest.wait_seq(fac.seq)
    seen_by_guest = guest.event(ack["seq"] - 1)["payload"]["card"]
    check(seen_by_guest["hidden"] and seen_by_guest["text"] == "", f"face down: {seen_by_guest}")
    check(guest.event(ack["seq"])["payload"]["card"]["mine"], "the sender receives its own event")
    await fac.wait_seq(ack["seq"])
    check(fac.event(ack["seq"])["payload"]["card"]["text"] == "Barrierewirkung des Rings", "facilitator sees")

    # 6. A text edit with its version; a stale one is a conflict, nothing is overwritten.
    card_id = cards["Prägende Gebäude"]
    await fac.act({"type": "card.update", "card_id": card_id, "expected_version": 1, "text": "Prägende Bau"})
    stale = await fac.request(
        {"type": "card.update", "card_id": card_id, "expected_version": 1, "text": "alt"}, expect="conflict"
    )
    check(stale["card"]["version"] == 2, f"conflict carries the current card: {stale}")
    invalid = await fac.request({"type": "card.create", "quadrant": "S", "text": 5}, expect="invalid")
    check("text" in invalid["message"], f"invalid names the field: {invalid}")

    # 7. Reveal, cluster, vote, weight.
    await fac.act({"type": "board.reveal"})
    await fac.act({"type": "board.phase", "phase": "cluster"})
    await fac.act({"type": "cluster.create", "quadrant": "S", "title": "Stadtbild",
                   "card_ids": [cards["Prägende Gebäude"], cards["Gute Verkehrserschließung"]]})  # fmt: skip
    await fac.act({"type": "board.phase", "phase": "vote"})
    await fac.act({"type": "timer.start", "seconds": 120})
    for text in ("Soziales Laboratorium", "Soziales Laboratorium", "Verödung der Innenstadt"):
        ack = await guest.act({"type": "vote.cast", "card_id": cards[text]})
    await fac.wait_seq(ack["seq"])
    vote = fac.event(ack["seq"])
    check(vote["actor"]["name"] == "" and not vote["payload"]["mine"], f"votes are anonymous: {vote}")
    await fac.act({"type": "timer.stop"})
    await fac.act({"type": "board.phase", "phase": "weight"})
    for text, weight, rating in [("Prägende Gebäude", "0,3", 4), ("Gute Verkehrserschließung", "0.2", 3),
                                 ("Barrierewirkung des Rings", 0.5, 1), ("Soziales Laboratorium", "0,6", 4),
                                 ("Verödung der Innenstadt", "0,4", 2)]:  # fmt: skip
        await fac.act({"type": "card.rate", "card_id": cards[text], "weight": weight, "rating": rating})

    # 8. Derive a TOWS strategy (the guest), rate and select it, make it a measure (facilitator).
    await fac.act({"type": "board.phase", "phase": "derive"})
    linked = [cards["Prägende Gebäude"], cards["Soziales Laboratorium"]]
    ack = await guest.act({"type": "strategy.create", "title": "Zentrum als Labor", "card_ids": linked})
    strategy = ack["strategy"]
    check(strategy["kind"] == "SO", f"strategy kind follows from the cards: {strategy}")
    await fac.act({"type": "strategy.rate", "strategy_id": strategy["id"], "rating": 5})
    await fac.act({"type": "strategy.select", "strategy_id": strategy["id"], "selected": True})
    ack = await fac.act({"type": "strategy.measure", "strategy_id": strategy["id"], "owner": "Stadtplanung",
                         "deadline": "2027-06-30", "cost_estimate": "25000,50"})  # fmt: skip
    measure = ack["measure"]
    check(measure["cost_estimate"] == "25000.50", f"measure {measure}")
    await fac.act({"type": "board.lock", "locked": True})
    log(f"workshop ran to seq {fac.seq}: strategy {strategy['id']}, measure {measure['id']}")

    # 9. Revoke the invite: the guest's socket is closed with 4403, and a reconnect is refused with it.
    await api("POST", f"{board_url}invites/{invite['id']}/revoke/")
    code = await asyncio.wait_for(guest.closed, 10)
    check(code == CLOSE_FORBIDDEN, f"revoked guest closed with {code}")
    again = await refused_code(ws_url, origin=origin, authorization=guest_auth)
    check(again == CLOSE_FORBIDDEN, f"revoked guest reconnect closed with {again}")
    log("invite revoked: the guest was closed with 4403 and is refused on reconnect")

    # 10. The server's state agrees with what the facilitator's socket applied.
    snapshot = await api("GET", f"{board_url}snapshot/")
    await fac.wait_seq(snapshot["seq"])
    check(snapshot["seq"] == fac.seq, f"snapshot at {snapshot['seq']}, socket at {fac.seq}")
    check(len(fac.events) == fac.seq - fac.hello["seq"], "every event applied once, in order, no gap")
    scores = snapshot["scores"]
    await fac.close()
    return {
        "board": board["id"],
        "seq": fac.seq,
        "cards": len(snapshot["cards"]),
        "strategies": len(snapshot["strategies"]),
        "measures": len(snapshot["measures"]),
        "scores": {side: scores[side]["score"] for side in scores},
        "guest_close_code": code,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="moderation")
    parser.add_argument("--password", default="spielraum-demo")
    parser.add_argument("--municipality", default="musterstadt")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    log = (lambda _message: None) if args.quiet else (lambda message: print(f"· {message}", file=sys.stderr))
    try:
        summary = asyncio.run(workshop(args.base_url, args.username, args.password, args.municipality, log))
    except (WorkshopError, OSError, ConnectionClosed, TimeoutError) as exc:
        print(f"workshop failed: {exc!r}", file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
