"""Fan-out benchmark of live SWOT boards: N participants on one board, edits at a fixed rate.

Measures, through Daphne and the Redis channel layer, the latency from an edit's send to its arrival at
every other client (p50/p95/p99), lost and out-of-order events, and the same fan-out over bare Redis
pub/sub in the same run as the floor.

Needs a throw-away PostgreSQL database and Redis::

    REDIS_URL=redis://127.0.0.1:6379/15 \\
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/spielraum_bench \\
    .venv/bin/python bench/swot_fanout.py --clients 50 --rate 20 --seconds 60 [--servers 2]

The database is migrated and gets a municipality "bench-fanout" with one member per client. Clients are
autobahn websocket clients on asyncio (the ``websockets`` package is not a dependency).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"n": len(ordered), "p50": q[49], "p95": q[94], "p99": q[98], "max": ordered[-1]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- setup ----------------------------------------------------------------------------------------------
def setup(clients: int) -> tuple[int, list[str]]:
    """Migrate, create the board and one member per client; return board id and session cookies."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from core.models import Role
    from core.services import membership_set, municipality_create_or_update
    from swot import services

    if not settings.USES_POSTGRES or not settings.REDIS_URL:
        sys.exit("bench/swot_fanout.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    call_command("migrate", verbosity=0)
    municipality, _ = municipality_create_or_update(
        slug="bench-fanout", name="Bench", ags="05999099", land="NW"
    )
    board = services.board_create(municipality=municipality, title=f"Fan-out {time.strftime('%H:%M:%S')}")
    cookies = []
    user_model = get_user_model()
    for i in range(clients):
        membership_set(municipality=municipality, username=f"bench-{i}", role=Role.PLANNER)
        user = user_model.objects.get(username=f"bench-{i}")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return board.pk, cookies


def start_servers(count: int) -> tuple[list[subprocess.Popen], list[int]]:
    procs, ports = [], []
    env = {**os.environ, "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "config.settings"}
    daphne = os.environ.get("BENCH_DAPHNE") or str(Path(sys.executable).with_name("daphne"))
    for _ in range(count):
        port = _free_port()
        procs.append(
            subprocess.Popen(
                [daphne, "-b", "127.0.0.1", "-p", str(port), "-v", "0", "config.asgi:application"],
                cwd=ROOT,
                env=env,
            )
        )
        ports.append(port)
    deadline = time.monotonic() + 30
    for port in ports:
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("Daphne did not start")
    return procs, ports


# --- websocket clients --------------------------------------------------------------------------------
@dataclass
class Stats:
    sent: dict[str, float] = field(default_factory=dict)  # tag -> send time
    arrivals: list[tuple[str, int, float]] = field(default_factory=list)  # (tag, client, time)
    seqs: dict[int, list[int]] = field(default_factory=dict)  # client -> live seqs in arrival order
    acks: dict[str, int] = field(default_factory=dict)  # tag -> seq
    errors: int = 0


def make_protocol(stats: Stats, index: int, ready: asyncio.Event):
    from autobahn.asyncio.websocket import WebSocketClientProtocol

    class BenchClient(WebSocketClientProtocol):
        def onOpen(self):
            stats.seqs[index] = []

        def onMessage(self, payload, isBinary):
            now = time.perf_counter()
            msg = json.loads(payload)
            kind = msg.get("type")
            if kind == "hello":
                self.send({"type": "sync", "since": msg["seq"]})
            elif kind == "events":
                ready.set()
            elif kind == "event":
                event = msg["event"]
                stats.seqs[index].append(event["seq"])
                card = event["payload"].get("card") or {}
                tag = card.get("note", "")
                if tag and not event["actor"]["mine"]:
                    stats.arrivals.append((tag, index, now))
            elif kind == "ack":
                stats.acks[msg["id"]] = msg["seq"]
            elif kind == "error":
                stats.errors += 1

        def send(self, message: dict) -> None:
            self.sendMessage(json.dumps(message).encode())

    return BenchClient


async def run_websockets(args, board_id: int, cookies: list[str], ports: list[int]) -> dict:
    from autobahn.asyncio.websocket import WebSocketClientFactory

    loop = asyncio.get_running_loop()
    stats = Stats()
    protocols = []
    for i, cookie in enumerate(cookies):
        port = ports[i % len(ports)]
        ready = asyncio.Event()
        url = f"ws://127.0.0.1:{port}/ws/swot/boards/{board_id}/"
        factory = WebSocketClientFactory(url, origin=f"http://127.0.0.1:{port}", headers={"Cookie": cookie})
        factory.protocol = make_protocol(stats, i, ready)
        _, protocol = await loop.create_connection(factory, "127.0.0.1", port)
        await asyncio.wait_for(ready.wait(), 30)
        protocols.append(protocol)
    await asyncio.sleep(1)  # let presence broadcasts settle
    interval = 1 / args.rate
    total = int(args.rate * args.seconds)
    start = time.perf_counter()
    for n in range(total):
        sender = protocols[n % len(protocols)]
        tag = f"edit-{n}"
        stats.sent[tag] = time.perf_counter()
        sender.send(
            {"type": "card.create", "id": tag, "quadrant": "SWOT"[n % 4], "text": f"Karte {n}", "note": tag}
        )
        delay = start + (n + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.sleep(args.drain)
    for protocol in protocols:
        protocol.sendClose()
    latencies = [(t - stats.sent[tag]) * 1000 for tag, _client, t in stats.arrivals if tag in stats.sent]
    expected = sorted(stats.acks.values())
    lost = out_of_order = 0
    for seqs in stats.seqs.values():
        received = set(seqs)
        lost += sum(1 for s in expected if s not in received)
        out_of_order += sum(1 for a, b in itertools.pairwise(seqs) if b < a)
    return {
        "edits_sent": total,
        "edits_acked": len(stats.acks),
        "errors": stats.errors,
        "deliveries_expected": len(expected) * (len(protocols) - 1),
        "deliveries": len(latencies),
        "lost_events": lost,
        "out_of_order": out_of_order,
        "latency_ms": _percentiles(latencies),
        "achieved_rate": total / (time.perf_counter() - start - args.drain),
    }


# --- bare Redis pub/sub floor ----------------------------------------------------------------------------
async def run_redis_floor(args) -> dict:
    import redis.asyncio as redis

    url = os.environ["REDIS_URL"]
    channel = f"bench-fanout-{os.getpid()}"
    latencies: list[float] = []
    received: dict[int, list[int]] = {}

    async def subscriber(index: int, ready: asyncio.Event):
        client = redis.from_url(url)
        pubsub = client.pubsub()
        await pubsub.subscribe(channel)
        ready.set()
        received[index] = []
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            now = time.perf_counter()
            data = json.loads(message["data"])
            if data.get("stop"):
                break
            received[index].append(data["n"])
            if data["sender"] != index:
                latencies.append((now - data["t"]) * 1000)
        await pubsub.aclose()
        await client.aclose()

    tasks = []
    for i in range(args.clients):
        ready = asyncio.Event()
        tasks.append(asyncio.create_task(subscriber(i, ready)))
        await ready.wait()
    publisher = redis.from_url(url)
    total = int(args.rate * args.seconds)
    start = time.perf_counter()
    for n in range(total):
        await publisher.publish(
            channel, json.dumps({"n": n, "sender": n % args.clients, "t": time.perf_counter()})
        )
        delay = start + (n + 1) / args.rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.sleep(1)
    await publisher.publish(channel, json.dumps({"stop": True}))
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    await publisher.aclose()
    lost = sum(total - len(set(v)) for v in received.values())
    out_of_order = sum(sum(1 for a, b in itertools.pairwise(v) if b < a) for v in received.values())
    return {"lost": lost, "out_of_order": out_of_order, "latency_ms": _percentiles(latencies)}


def _fmt(p: dict) -> str:
    head = f"p50 {p['p50']:.1f} ms  p95 {p['p95']:.1f} ms  p99 {p['p99']:.1f} ms"
    return f"{head}  max {p['max']:.1f} ms  (n={p['n']})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="edits per second (all clients together)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--servers", type=int, default=2, help="Daphne processes (clients are spread over them)"
    )
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait for late deliveries")
    parser.add_argument("--setup-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/swot_fanout.py needs DATABASE_URL (PostgreSQL, throw-away) and REDIS_URL")
    if args.setup_only:
        board_id, cookies = setup(args.clients)
        print(json.dumps({"board_id": board_id, "cookies": cookies}))
        return
    # One secret for the setup process and the servers, so the prepared sessions are valid there.
    os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(24).hex())
    # Django (which loads daphne and so autobahn for Twisted) is set up in a child process: this process
    # runs the autobahn clients on asyncio, and txaio allows one framework per process.
    out = subprocess.run(
        [sys.executable, __file__, "--setup-only", "--clients", str(args.clients)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    prepared = json.loads(out.stdout.strip().splitlines()[-1])
    board_id, cookies = prepared["board_id"], prepared["cookies"]
    procs, ports = start_servers(args.servers)
    try:
        ws = asyncio.run(run_websockets(args, board_id, cookies, ports))
        floor = asyncio.run(run_redis_floor(args))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
    print(f"SWOT fan-out: {args.clients} clients, {args.rate:g} edits/s for {args.seconds:g} s, "
          f"{args.servers} Daphne process(es), Redis channel layer")  # fmt: skip
    print(f"  edits sent/acked: {ws['edits_sent']}/{ws['edits_acked']} (errors {ws['errors']}), "
          f"achieved {ws['achieved_rate']:.1f}/s")  # fmt: skip
    print(f"  deliveries: {ws['deliveries']}/{ws['deliveries_expected']}  lost events: {ws['lost_events']}  "
          f"out of order: {ws['out_of_order']}")  # fmt: skip
    print(f"  websocket latency (send -> every other client): {_fmt(ws['latency_ms'])}")
    print(f"  bare Redis pub/sub floor: {_fmt(floor['latency_ms'])}  lost {floor['lost']}  "
          f"out of order {floor['out_of_order']}")  # fmt: skip


if __name__ == "__main__":
    main()
