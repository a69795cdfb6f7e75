"""The cheap request path of issue 16: the ASGI handler's pooled request threads (core.asgi), queries
compiled once per process (core.compiled), the permission check in one query, one Redis pool per process."""

import asyncio
import threading
import time

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string

from core import compiled
from core.asgi import RequestThreads, SyncASGIHandler
from core.models import Municipality, Role
from core.permissions import Capability, capabilities_of, municipality_access
from tests.conftest import require_redis
from tests.factories import UserFactory


def _session_cookie(user) -> str:
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


async def _get(app, path: str, cookie: str) -> tuple[int, bytes]:
    given, sent = [], []

    async def receive():
        if not given:
            given.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnect: the handler cancels this when it is done

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def _request_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("django-request")}


@pytest.mark.django_db(transaction=True)
async def test_the_asgi_handler_reuses_request_threads_and_returns_database_connections(
    municipality, member_factory
):
    """Given a member's session, when 60 pages are served one after another and then 8 at once, every
    answer is the page, a handful of threads served them all, and no database connection was kept (the
    test pool holds at most 30: a connection kept per request would stall the loop before its end)."""
    from asgiref.sync import sync_to_async

    user = await sync_to_async(member_factory)(municipality, Role.VIEWER)
    cookie = await sync_to_async(_session_cookie)(user)
    app = SyncASGIHandler()
    before = _request_threads()
    for _ in range(60):
        status, body = await _get(app, f"/kommunen/{municipality.slug}/haushalt/", cookie)
        assert status == 200 and b"Musterstadt" in body
    results = await asyncio.gather(
        *(_get(app, f"/kommunen/{municipality.slug}/haushalt/", cookie) for _ in range(8))
    )
    assert all(status == 200 for status, _body in results)
    assert len(_request_threads() - before) <= 8 + 1


def test_a_request_thread_still_busy_is_not_handed_out_again():
    threads = RequestThreads()
    busy = threads.take()
    release = threading.Event()
    busy.submit(release.wait, 5)
    threads.give(busy)  # e.g. the client went away while the view still ran
    fresh = threads.take()
    assert fresh is not busy
    release.set()
    idle = threads.take()
    threads.give(idle)
    assert threads.take() is idle  # an idle one is reused
    deadline = time.monotonic() + 5
    while busy.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert busy.pending == 0


def test_compiled_sql_refuses_a_query_whose_parameters_are_not_the_sentinels(municipality):
    def build():
        return Municipality.objects.filter(slug="x", name="y")  # Django orders keyword lookups by name

    with pytest.raises(AssertionError, match="expected"):
        compiled.compiled_sql(build, ["x", "y"])
    assert compiled.fetch(build, ["y", "x"], [municipality.name, municipality.slug]) == [
        tuple(getattr(municipality, f.attname) for f in Municipality._meta.concrete_fields)
    ]


@pytest.mark.parametrize(
    ("role", "superuser", "active", "expected"),
    [
        (Role.VIEWER, False, True, {Capability.VIEW}),
        (Role.FINANCE, False, True, {Capability.VIEW, Capability.EDIT_BUDGET, Capability.PLAN,
                                     Capability.PARTICIPATE}),
        (None, False, True, Http404),
        (None, True, True, set(Capability)),
        (Role.ADMIN, False, False, Http404),
    ],
    ids=["viewer", "finance", "non-member", "superuser", "inactive"],
)  # fmt: skip
def test_municipality_access_reads_municipality_and_role_in_one_query(
    municipality, member_factory, role, superuser, active, expected
):
    user = member_factory(municipality, role) if role else UserFactory(is_superuser=superuser)
    user.is_active = active
    with CaptureQueriesContext(connection) as queries:
        if expected is Http404:
            with pytest.raises(Http404):
                municipality_access(user, municipality.slug)
            return
        found, capabilities = municipality_access(user, municipality.slug)
    assert len(queries) == 1
    assert found == municipality and found.name == "Musterstadt" and found.population == 61240
    assert found.created_at == municipality.created_at  # converted as the ORM does (aware on SQLite too)
    assert capabilities == expected == capabilities_of(user, municipality)


def test_municipality_access_refuses_a_missing_capability_and_an_unknown_slug(municipality, member_factory):
    viewer = member_factory(municipality, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        municipality_access(viewer, municipality.slug, Capability.EDIT_BUDGET)
    with pytest.raises(Http404):
        municipality_access(viewer, "gibt-es-nicht")


def test_every_cache_object_of_a_process_shares_one_redis_pool():
    """Under ASGI each request gets new cache objects; they must not open new connections."""
    require_redis()  # the shared pool is for the Redis cache; in CI a missing Redis fails the run
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    assert first._cache._get_connection_pool(False) is second._cache._get_connection_pool(False)
