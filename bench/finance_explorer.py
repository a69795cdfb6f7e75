"""Benchmark: the budget explorer with 1,000,000 budget lines stored, under 20 concurrent clients.

Run: ``DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DBNAME .venv/bin/python bench/finance_explorer.py
[--clients 20] [--requests 15] [--server daphne|wsgi] [--lines 1000000] [--cache warm|cold|both]``.

Uses the data of ``bench/finance_import.py --keep`` (municipality ``bench-import``) and imports it through
that script first when fewer than 1,000,000 lines are stored. Starts the app in a subprocess on 127.0.0.1
(Daphne, the deployment server, by default; ``--server wsgi`` runs the WSGI app in a threaded stdlib
server), logs in through a session cookie of a viewer, then lets ``--clients`` threads (stdlib
``http.client``, keep-alive) each request the explorer page and its main htmx partial (product drill-down
of an area) ``--requests`` times. Prints median and p95 response times per URL (after a warm-up).

Two server runs (``--cache both``, the default): **cold**, the app with a cache that holds nothing
(``bench/settings_nocache.py``: every request computes its page, as on the first visit of a version), and
**warm**, the app's cache (Redis with ``REDIS_URL``, else local memory per process) after the warm-up.
Reports the queries per request of both from the Django test client, and the warm/cold p95 ratio.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SLUG = "bench-import"
USERNAME = "bench-viewer"
WSGI_SERVER = """
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
sys.path.insert(0, {root!r})
from config.wsgi import application

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

class Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True

make_server("127.0.0.1", {port}, application, server_class=Threading, handler_class=Quiet).serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_data(wanted: int) -> int:
    from django.db.models import Sum

    from finance.models import BudgetVersion

    lines = BudgetVersion.objects.filter(municipality__slug=SLUG).aggregate(n=Sum("line_count"))["n"] or 0
    if lines < wanted:
        print(f"importing {wanted:,} lines with bench/finance_import.py --keep ...", flush=True)
        command = [sys.executable, str(ROOT / "bench" / "finance_import.py"), "--keep", "--rows", str(wanted)]
        subprocess.run(command, check=True)
        lines = BudgetVersion.objects.filter(municipality__slug=SLUG).aggregate(n=Sum("line_count"))["n"]
    return lines


def _query_counts(paths: list[tuple[str, tuple[str, dict]]]) -> dict[str, list[int]]:
    """Queries per request of each URL: cold (cache cleared) and warm, through the Django test client."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core.models import Municipality, Role
    from core.services import membership_set

    setup_test_environment()
    client = Client()
    municipality = Municipality.objects.get(slug=SLUG)
    client.force_login(membership_set(municipality=municipality, username=USERNAME, role=Role.VIEWER).user)
    counts = {}
    for name, (path, headers) in paths:
        cache.clear()
        counts[name] = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path, headers=headers).status_code == 200
            counts[name].append(len(queries))
    cache.clear()
    return counts


def _session_cookie() -> str:
    """A logged-in session of a viewer of the bench municipality (what the login form would create)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from core.models import Municipality, Role
    from core.services import membership_set

    municipality = Municipality.objects.get(slug=SLUG)
    user = membership_set(municipality=municipality, username=USERNAME, role=Role.VIEWER).user
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("server exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("server did not start")


def _client(
    port: int, cookie: str, paths: list[tuple[str, dict]], repeat: int, times: dict, errors: list
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(repeat):
        for name, (path, headers) in paths:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie, **headers})
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{name}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            elapsed = time.perf_counter() - started
            if response.status != 200 or (b"Haushalt" not in body and b"fin-table" not in body):
                errors.append(f"{name}: HTTP {response.status}")
            times[name].append(elapsed)
    connection.close()


def _serve(args, cookie: str, paths, settings_module: str) -> dict:
    port = _free_port()
    if args.server == "daphne":
        command = [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port)]
        command.append("config.asgi:application")
    else:  # a thread per request; connections come from the same pool as under Daphne
        command = [sys.executable, "-c", WSGI_SERVER.format(root=str(ROOT), port=port)]
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "w")  # noqa: SIM115 - closed below
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log, env=env)
    try:
        _wait_for(port, server)
        warm: dict[str, list[float]] = {name: [] for name, _ in paths}
        _client(port, cookie, paths, 3, warm, [])
        times: dict[str, list[float]] = {name: [] for name, _ in paths}
        errors: list[str] = []
        threads = [
            threading.Thread(target=_client, args=(port, cookie, paths, args.requests, times, errors))
            for _ in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    figures: dict = {
        "requests": sum(len(v) for v in times.values()),
        "errors": len(errors),
        "throughput_rps": round(sum(len(v) for v in times.values()) / wall, 1),
    }
    for name, values in times.items():
        values.sort()
        figures[name] = {
            "median_ms": round(statistics.median(values) * 1000),
            "p95_ms": round(values[int(0.95 * (len(values) - 1))] * 1000),
            "single_client_ms": round(statistics.median(warm[name]) * 1000),
        }
    if errors:
        figures["first_errors"] = errors[:5]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=15, help="requests per client and URL")
    parser.add_argument("--server", choices=["daphne", "wsgi"], default="daphne")
    parser.add_argument("--lines", type=int, default=1_000_000, help="budget lines stored (fewer: reduced)")
    parser.add_argument("--cache", choices=["warm", "cold", "both"], default="both")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database")
    # One secret for this process and the server, so the session created here is valid there.
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("AXES_ENABLED", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    lines = _ensure_data(args.lines)
    base = f"/kommunen/{SLUG}/haushalt/"
    paths = [
        ("explorer page", (base, {})),
        ("drill-down partial", (base + "?level=product&area=05&partial=table", {"HX-Request": "true"})),
    ]
    queries = _query_counts(paths)
    cookie = _session_cookie()
    figures: dict = {
        "server": args.server,
        "lines_stored": lines,
        "clients": args.clients,
        "queries_per_request_cold_warm": queries,
    }
    runs = ("cold", "warm") if args.cache == "both" else (args.cache,)
    for run in runs:
        module = "bench.settings_nocache" if run == "cold" else os.environ["DJANGO_SETTINGS_MODULE"]
        figures[run] = _serve(args, cookie, paths, module)
    if len(runs) == 2:
        figures["p95_warm_over_cold"] = {
            name: round(figures["warm"][name]["p95_ms"] / figures["cold"][name]["p95_ms"], 3)
            for name, _ in paths
        }
        figures["p95_target_150ms_warm"] = all(figures["warm"][name]["p95_ms"] < 150 for name, _ in paths)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
