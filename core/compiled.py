"""Queries compiled by the ORM once per process, for the few that run on every request of a page.

Turning a QuerySet into SQL (resolving lookups, joins, annotations) costs several times more CPU than
PostgreSQL needs to answer an indexed one-row query: for the permission check and the explorer's version
stamp, which run on every request, that was most of a cached page's cost. ``compiled_sql`` builds the
QuerySet with sentinel values in place of the parameters, keeps its SQL per database vendor, and checks
that the parameters came out as exactly those sentinels (in order), so the caller passes the real values
in the same order to ``cursor.execute``. The SQL is the ORM's own; a model change takes effect on the next
process start, like any code change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet

_compiled: dict[tuple[Callable, str], str] = {}


def compiled_sql(build: Callable[[], QuerySet], sentinels: Sequence[Any]) -> str:
    """The SQL of ``build()`` for the default database; its parameters must be ``sentinels``."""
    key = (build, connection.vendor)
    sql = _compiled.get(key)
    if sql is None:
        sql, params = build().query.get_compiler(connection=connection).as_sql()
        if list(params) != list(sentinels):
            raise AssertionError(f"{build.__qualname__}: parameters {params!r}, expected {sentinels!r}")
        _compiled[key] = sql
    return sql


def fetch(build: Callable[[], QuerySet], sentinels: Sequence[Any], params: Sequence[Any]) -> list[tuple]:
    """Run the compiled query of ``build`` with ``params`` (in the order of ``sentinels``): its rows."""
    with connection.cursor() as cursor:
        cursor.execute(compiled_sql(build, sentinels), list(params))
        return cursor.fetchall()
