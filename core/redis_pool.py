"""One Redis connection pool per process for Django's cache (and with it the sessions).

Django keeps its cache objects in an ``asgiref`` ``Local`` that is bound to the request's context under
ASGI, so every request builds a new ``RedisCache``, a new ``redis.ConnectionPool`` and opens a new TCP
connection (name lookup, connect, and a disconnect when the pool is collected): about a third of a
cached page's cost. This pool class hands out one pool per server URL and options for the whole process;
redis-py's pool is thread-safe and reopens its connections after a fork.
"""

from __future__ import annotations

import threading
from typing import Any

import redis

_IGNORED = {"driver_info", "lib_name"}  # a fresh, equal object for every new cache client


class SharedConnectionPool(redis.ConnectionPool):
    """``OPTIONS={"pool_class": "core.redis_pool.SharedConnectionPool"}`` of a Redis cache."""

    _pools: dict[tuple, SharedConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **options: Any) -> SharedConnectionPool:
        key = (url, tuple(sorted((k, repr(v)) for k, v in options.items() if k not in _IGNORED)))
        with cls._lock:
            pool = cls._pools.get(key)
            if pool is None:
                pool = cls._pools[key] = super().from_url(url, **options)
            return pool
