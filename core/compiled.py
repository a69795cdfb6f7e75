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

_compiled: dict[tuple[Callable, str], tuple[str, dict]] = {}


def _compile(build: Callable[[], QuerySet], sentinels: Sequence[Any]) -> tuple[str, dict]:
    key = (build, connection.vendor)
    found = _compiled.get(key)
    if found is None:
        compiler = build().query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != list(sentinels):
            raise AssertionError(f"{build.__qualname__}: parameters {params!r}, expected {sentinels!r}")
        # the ORM's conversions of the selected columns (e.g. SQLite's datetimes to aware ones)
        converters = compiler.get_converters([column[0] for column in compiler.select])
        found = _compiled[key] = (sql, converters)
    return found


def compiled_sql(build: Callable[[], QuerySet], sentinels: Sequence[Any]) -> str:
    """The SQL of ``build()`` for the default database; its parameters must be ``sentinels``."""
    return _compile(build, sentinels)[0]


def fetch(build: Callable[[], QuerySet], sentinels: Sequence[Any], params: Sequence[Any]) -> list[tuple]:
    """Run the compiled query of ``build`` with ``params`` (in the order of ``sentinels``): its rows, with
    the values converted as the ORM would."""
    sql, converters = _compile(build, sentinels)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for index, (functions, expression) in converters.items():
            for function in functions:
                values[index] = function(values[index], expression, connection)
        converted.append(tuple(values))
    return converted
