"""Cache and conditional requests for the budget explorer, its exports and the budget API's reads.

A budget version never changes once imported, so whatever the explorer shows for a query is fixed as long
as the municipality's versions are the same. Each request therefore costs one query, ``version_stamp``:
a digest of every version row of the municipality and its dataset's row (all columns except the import's
JSON records) and of the municipality's fields the explorer uses (population for per-capita
figures, Land for the product frame). Importing, adopting (any change of a version's columns, whoever
writes it), deleting a version or its dataset changes the stamp.

Keys (``key``) hold the municipality, the stamp, the language, the viewer's capabilities (the page shows
import buttons only to some roles) and the explorer's known parameters: an entry is never shared across
municipalities or roles, and entries of a replaced version are never read again; they expire after
``TIMEOUT``. What is cached: the page's content fragment (the shell with navigation, messages and CSRF
tokens is rendered per request), the htmx table fragment, the export files, the API's version detail.

ETags are the key's digest (for whole pages also the viewer and the session cookie, since the shell
holds the viewer's name and CSRF token); a matching ``If-None-Match`` gets ``304 Not Modified`` after
the stamp query, without any further one. The cache is Django's default cache: Redis with
``REDIS_URL``, local memory per process otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import JSONField, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from core import compiled
from core.models import Municipality
from finance.models import BudgetVersion

EXPLORER_PARAMS = (
    "version",
    "statement",
    "slice",
    "compare",
    "compare_version",
    "level",
    "area",
    "product",
    "partial",
    "table",
    "format",
)
TIMEOUT = 24 * 3600
FORMAT = 1  # raise when the cached fragments' templates change incompatibly


def _digest(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def _stamp_columns() -> list[str]:
    """Every column of the version and of its dataset except JSON records of the import (which never
    change after it): a status or "current" mark added later on either is part of the stamp."""
    dataset = BudgetVersion._meta.get_field("dataset").related_model
    return [f.attname for f in BudgetVersion._meta.concrete_fields if not isinstance(f, JSONField)] + [
        f"dataset__{f.attname}" for f in dataset._meta.concrete_fields if not isinstance(f, JSONField)
    ]


_SENTINEL = -7_000_001  # stands for the municipality's id while the query is compiled (core.compiled)


def _stamp_rows() -> QuerySet:
    return (
        BudgetVersion.objects.filter(municipality_id=_SENTINEL).order_by("pk").values_list(*_stamp_columns())
    )


def version_stamp(municipality: Municipality) -> str:
    """A digest of the municipality's versions as stored now (one query, compiled once per process)."""
    rows = compiled.fetch(_stamp_rows, [_SENTINEL], [municipality.pk])
    return _digest((FORMAT, municipality.pk, municipality.population, municipality.land, rows))


def key(kind: str, request: HttpRequest, municipality: Municipality, stamp: str, extra: Iterable = ()) -> str:
    """The cache key of ``kind`` (page, table, export, api-...) for this request's parameters and viewer."""
    params = tuple((name, request.GET.get(name, "")[:64]) for name in EXPLORER_PARAMS)
    capabilities = sorted(str(c) for c in getattr(request, "capabilities", ()))
    language = translation.get_language()
    return f"finance:{kind}:{municipality.pk}:" + _digest(
        (stamp, language, capabilities, params, tuple(extra))
    )


def etag(cache_key: str, request: HttpRequest | None = None) -> str:
    """The entity tag of a cached response; with ``request`` also bound to the viewer and the session
    (whole pages carry the viewer's name and CSRF token: login and logout change the session, and with
    it the CSRF secret, so a page held under an older session is never revalidated)."""
    personal = ()
    if request is not None:
        personal = (getattr(request.user, "pk", None), request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""))
    return f'"{_digest((cache_key, personal))}"'


def not_modified(request: HttpRequest, tag: str) -> HttpResponse | None:
    """``304`` when the client already holds ``tag`` (and no message waits to be shown), else None."""
    if request.method not in ("GET", "HEAD"):
        return None
    held = [t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")]
    if tag not in held and "*" not in held:
        return None
    if len(get_messages(request)):
        return None
    return finish(HttpResponseNotModified(), tag)


def finish(response: HttpResponse, tag: str) -> HttpResponse:
    """Mark a response as revalidatable by its ETag, private to the viewer."""
    response["ETag"] = tag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "HX-Request"))
    return response


def cached(cache_key: str, build):
    """The cached value of ``cache_key``, built (and stored) on a miss."""
    value = cache.get(cache_key)
    if value is None:
        value = build()
        cache.set(cache_key, value, TIMEOUT)
    return value
