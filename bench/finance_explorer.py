"""Benchmark: the budget explorer with 1,000,000 budget lines stored, under 20 concurrent clients.

Run: ``DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DBNAME REDIS_URL=redis://127.0.0.1:6379/N
.venv/bin/python bench/finance_explorer.py [--clients 20] [--requests 15] [--server uvicorn|daphne|wsgi]
[--workers 1 2] [--lines 1000000] [--cache warm|cold|both] [--conditional]``.

Uses the data of ``bench/finance_import.py --keep`` (municipality ``bench-import``) and imports it through
that script first when fewer than 1,000,000 lines are stored. Starts the app in a subprocess on 127.0.0.1:
by default the deployment command, ``scripts/serve.sh`` (uvicorn with ``WEB_CONCURRENCY`` = each of
``--workers`` in turn); ``--server daphne`` runs one Daphne process, ``--server wsgi`` the WSGI app in a
threaded stdlib server. It logs in through a session cookie of a viewer, then lets ``--clients`` threads
(stdlib ``http.client``, one keep-alive connection each, in this process: the load generator shares the
machine's cores with the server, PostgreSQL and Redis) each request the explorer page and its main htmx
partial (product drill-down of an area) ``--requests`` times, back to back. The clients send no
``If-None-Match``: every request is answered with the full page. Prints median and p95 response times per
URL (after a warm-up), the throughput and the load average of the machine during the run.

Per worker count two server runs (``--cache both``, the default): **cold**, the app with an explorer cache
that holds nothing (``bench/settings_nocache.py``: every request computes its page, as on the first visit
of a version; sessions still come from Redis), and **warm**, the app's cache (Redis with ``REDIS_URL``,
else local memory per process) after the warm-up. ``--conditional`` adds a third, separate figure:
clients that revalidate with the ETag they were given (``If-None-Match``, answered ``304``). Reports the
queries per request of both from the Django test client, and the warm/cold p95 ratio.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
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
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

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
    port: int,
    cookie: str,
    paths: list[tuple[str, dict]],
    repeat: int,
    times: dict,
    errors: list,
    conditional: bool = False,
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    tags: dict[str, str] = {}
    for _ in range(repeat):
        for name, (path, headers) in paths:
            sent = {"Cookie": cookie, **headers}
            if conditional and name in tags:
                sent["If-None-Match"] = tags[name]
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=sent)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{name}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            elapsed = time.perf_counter() - started
            if response.status == 304 and "If-None-Match" in sent:
                pass
            elif response.status != 200 or (b"Haushalt" not in body and b"fin-table" not in body):
                errors.append(f"{name}: HTTP {response.status}")
            if response.getheader("ETag"):
                tags[name] = response.getheader("ETag")
            times[name].append(elapsed)
    connection.close()


def _server_command(server: str, port: int, workers: int) -> tuple[list[str], dict[str, str]]:
    if server == "uvicorn":  # the deployment's start script, as Docker runs it
        env = {"PY": sys.executable, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
        return ["bash", str(ROOT / "scripts" / "serve.sh")], env
    if server == "daphne":
        command = [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port)]
        return [*command, "config.asgi:application"], {}
    # a thread per request; connections come from the same pool as under the ASGI servers
    return [sys.executable, "-c", WSGI_SERVER.format(root=str(ROOT), port=port)], {}


def _serve(args, cookie: str, paths, settings_module: str, workers: int, conditional: bool = False) -> dict:
    port = _free_port()
    command, extra_env = _server_command(args.server, port, workers)
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "a")  # noqa: SIM115 - closed below
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(ROOT), **extra_env}
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log, env=env, start_new_session=True)
    try:
        _wait_for(port, server)
        warm: dict[str, list[float]] = {name: [] for name, _ in paths}
        for _ in range(max(workers, 1) * 2):  # every worker process sees the URLs before the run
            _client(port, cookie, paths, 3, warm, [])
        times: dict[str, list[float]] = {name: [] for name, _ in paths}
        errors: list[str] = []
        threads = [
            threading.Thread(
                target=_client, args=(port, cookie, paths, args.requests, times, errors, conditional)
            )
            for _ in range(args.clients)
        ]
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the script's uvicorn and its worker processes
        server.wait(timeout=30)
        log.close()
    figures: dict = {
        "requests": sum(len(v) for v in times.values()),
        "errors": len(errors),
        "throughput_rps": round(sum(len(v) for v in times.values()) / wall, 1),
        "load_average_1min_before_after": [round(load_before, 1), round(load_after, 1)],
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
    parser.add_argument("--server", choices=["uvicorn", "daphne", "wsgi"], default="uvicorn")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="uvicorn worker processes (WEB_CONCURRENCY)"
    )
    parser.add_argument("--conditional", action="store_true", help="also: clients sending If-None-Match")
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
        "cpus": os.cpu_count(),
        "queries_per_request_cold_warm": queries,
    }
    runs = ("cold", "warm") if args.cache == "both" else (args.cache,)
    worker_counts = args.workers if args.server == "uvicorn" else [1]
    for workers in worker_counts:
        label = f"{args.server}_{workers}_worker{'s' if workers > 1 else ''}"
        result: dict = {}
        for run in runs:
            module = "bench.settings_nocache" if run == "cold" else os.environ["DJANGO_SETTINGS_MODULE"]
            print(f"{label}: {run} ...", file=sys.stderr, flush=True)
            result[run] = _serve(args, cookie, paths, module, workers)
        if args.conditional:
            print(f"{label}: conditional ...", file=sys.stderr, flush=True)
            module = os.environ["DJANGO_SETTINGS_MODULE"]
            result["warm_conditional_304"] = _serve(args, cookie, paths, module, workers, conditional=True)
        if len(runs) == 2:
            result["p95_warm_over_cold"] = {
                name: round(result["warm"][name]["p95_ms"] / result["cold"][name]["p95_ms"], 3)
                for name, _ in paths
            }
        if "warm" in result:
            result["p95_target_150ms_warm"] = all(result["warm"][name]["p95_ms"] < 150 for name, _ in paths)
        figures[label] = result
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
