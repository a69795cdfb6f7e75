"""Database work called from async code (websocket consumers): one unit of work per call, whose connection
goes back to the pool when the call ends, in whatever thread it ran.

Channels' ``database_sync_to_async`` returns a thread's connection only through ``close_old_connections``
around the call. That is not enough for two reasons: Channels' test communicator replaces it with a no-op
(so a test's transaction survives), and a call with ``thread_sensitive=False`` runs in the event loop's
default executor, whose threads end with their loop. A connection still held by such a thread is never
returned: psycopg's pool counts it as lent out for the rest of the process (PostgreSQL itself sees it close
when the thread's objects are collected), and the pool runs dry although the server is nearly idle. Here
every call gives its connections back itself.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from asgiref.sync import SyncToAsync
from django.db import connections


def connections_release() -> None:
    """Give this thread's database connections back (to the pool, or close them without one).

    A connection inside a transaction that the caller opened is left alone: that is the case only when a
    synchronous caller (a test inside ``atomic``) runs the async code in its own thread.
    """
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


def db_sync_to_async[**P, R](
    fn: Callable[P, R], *, thread_sensitive: bool = True
) -> Callable[P, Awaitable[R]]:
    """Like ``channels.db.database_sync_to_async``, but the call's connections are returned when it ends.

    ``thread_sensitive=False`` runs the call in the loop's executor (beside requests that wait for a row
    lock); its connection is released before the thread takes the next call or ends.
    """

    @functools.wraps(fn)
    def unit_of_work(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        finally:
            connections_release()

    return SyncToAsync(unit_of_work, thread_sensitive=thread_sensitive)
