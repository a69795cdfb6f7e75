"""Shared fixtures. In CI (CI=true) every skipped test counts as a failure: service-backed tests
(PostgreSQL, Redis, a Celery worker, Chromium) may skip on a laptop without the service, never there."""

import asyncio
import inspect
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from core.models import Role
from tests.factories import MembershipFactory, MunicipalityFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_runtest_makereport(item, call):
    """Turn skips into failures in CI."""
    if not IN_CI:
        return None
    outcome = None
    if call.excinfo is not None and call.excinfo.errisinstance(pytest.skip.Exception):
        outcome = call.excinfo.value
    if outcome is not None and not hasattr(item, "_ci_skip_reported"):
        item._ci_skip_reported = True
        from _pytest.reports import TestReport

        report = TestReport.from_item_and_call(item, call)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {outcome}"
        return report
    return None


def require(condition: bool, reason: str) -> None:
    """Skip when a service is missing on a laptop; fail in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _real_data_dirs() -> list[Path]:
    """Where the published data of real municipalities may lie (never copied into the repository)."""
    repo = Path(__file__).resolve().parents[1]
    dirs = [Path(os.environ["SPIELRAUM_REAL_DATA"])] if os.environ.get("SPIELRAUM_REAL_DATA") else []
    return [*dirs, repo.parent / "shared/data/real", Path("/work/shared/data/real")]


def real_data(name: str) -> Path:
    """A real export from ``SPIELRAUM_REAL_DATA`` or ``../shared/data/real``: skip without it, fail in CI."""
    for directory in _real_data_dirs():
        if (directory / name).exists():
            return directory / name
    require(False, f"real data file missing: {name} (looked in {', '.join(map(str, _real_data_dirs()))})")
    raise AssertionError("unreachable")


def require_postgres() -> None:
    require(django_settings.USES_POSTGRES, "needs PostgreSQL (set DATABASE_URL)")


def require_redis() -> None:
    require(bool(django_settings.REDIS_URL), "needs Redis (set REDIS_URL)")


def require_chromium() -> None:
    require(shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM), f"needs Chromium at {CHROMIUM}")


@pytest.fixture(autouse=True)
def _detach_playwright_loop(request):
    """Playwright's sync API leaves its (idle) event loop marked as running in the main thread for as long
    as the session-wide ``browser`` lives, and pytest-asyncio then refuses to run async tests. Detach it
    for the duration of each test."""
    loop = asyncio.events._get_running_loop() if inspect.iscoroutinefunction(request.function) else None
    if loop is not None:
        asyncio.events._set_running_loop(None)
    yield
    if loop is not None:
        asyncio.events._set_running_loop(loop)


@pytest.fixture(autouse=True)
def _release_shared_sync_thread():
    """An async test's ``sync_to_async(...)`` database calls run in asgiref's one process-wide thread
    (``SyncToAsync.single_thread_executor``), which nothing else ever tells to give its connection back:
    it stayed lent out of the pool, and open on the test database, to the end of the session, so the test
    database could not be dropped. That thread returns it after every test."""
    yield
    from asgiref.sync import SyncToAsync

    executor = SyncToAsync.single_thread_executor
    if executor._threads:  # the thread exists only once a test has used it
        from core.db import connections_release

        executor.submit(connections_release).result(timeout=10)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Jobs run at once inside tests, unless a test asks for a real worker; stored files (uploads,
    source copies, exports) go to the test's own folder, never into the checkout's var/."""
    settings.TASK_MODE = "eager"
    settings.AXES_ENABLED = True
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # cached explorer fragments (Redis with REDIS_URL) never outlive a test


# Playwright's sync API runs an event loop in the test thread; Django's ORM calls between
# Playwright calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(
        name="Musterstadt", slug="musterstadt", ags="05999001", land="NW", population=61240
    )


@pytest.fixture
def other_municipality(db):
    return MunicipalityFactory(
        name="Anderstadt", slug="anderstadt", ags="05999002", land="NW", population=20000
    )


@pytest.fixture
def member_factory(db):
    """member_factory(municipality, role) -> user with that role."""

    def make(municipality, role=Role.PLANNER, **user_kwargs):
        user = UserFactory(**user_kwargs)
        MembershipFactory(user=user, municipality=municipality, role=role)
        return user

    return make


@pytest.fixture
def planner(municipality, member_factory):
    return member_factory(municipality, Role.PLANNER, username="planer")


@pytest.fixture
def outsider(other_municipality, member_factory):
    """An admin of another municipality: must see nothing of ``municipality``."""
    return member_factory(other_municipality, Role.ADMIN, username="fremd")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def _test_database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"postgresql://{s['USER'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(settings, tmp_path):
    """A real prefork Celery worker with one child, on the test database, the configured Redis and a
    queue of its own; its log goes to ``tmp_path / "worker.log"``. Needs ``django_db(transaction=True)``."""
    require_postgres()
    require_redis()
    settings.TASK_MODE = "celery"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "SPIELRAUM_TASK_MODE": "celery",
        "CELERY_VISIBILITY_TIMEOUT": "30",
    }
    queue = f"test-{os.getpid()}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from config.celery import app

    app.conf.task_default_queue = queue
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1",
               "-Q", queue, "--loglevel", "INFO", "--without-gossip", "--without-mingle",
               "--without-heartbeat"]  # fmt: skip
    with open(tmp_path / "worker.log", "w") as log:
        proc = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the prefork child ends with it
        )
        yield proc
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group: an orphaned child would keep its connection
            proc.wait()
    app.conf.task_default_queue = "celery"


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


# --- Foreign sessions on the test database at session end ---------------------------------------------
def _test_database_sessions(connection, name: str) -> list[tuple]:
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, client_port, backend_start, state, left(query, 200)"
            " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return cursor.fetchall()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, checked before it is dropped: once this thread's connection and the
    pool's idle ones are closed, no other session may remain on PostgreSQL's test database (a connection
    another thread never returned, a worker or server process still running), or the drop fails with "is
    being accessed by other users" and only a warning says so. Each one is reported and ended (so the
    database is dropped anyway); in CI the run fails, elsewhere it is a warning."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        connection.close()
        connection.close_pool()  # what Django does before the drop: the pool's idle connections close
        deadline = time.monotonic() + 5  # a process that has just ended may keep its backend a moment
        while (foreign := _test_database_sessions(connection, name)) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not foreign:
            return
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [[r[0] for r in foreign]]
            )
    lines = [f"{len(foreign)} other session(s) still on the test database {name} at session end:"]
    lines += [f"  pid={row[0]} app={row[1]!r} client_port={row[2]} since={row[3]:%H:%M:%S} state={row[4]} "
              f"last query: {row[5]}" for row in foreign]  # fmt: skip
    if IN_CI:
        pytest.fail("\n".join(lines), pytrace=False)
    import warnings

    warnings.warn("\n".join(lines), pytest.PytestWarning, stacklevel=1)
