"""The Redis cache backend, sharing its connections.

Django makes a cache object per request context (per thread, and per request under ASGI), and
its stock Redis backend gives each object a connection pool of its own: a new connection, with
its handshake, for every request (django/django#18459). This backend keeps one client, and so one
pool, per process and location; redis-py's pools are thread-safe and reset themselves after fork.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any, ClassVar

from django.core.cache.backends import redis


class RedisCache(redis.RedisCache):
    _clients: ClassVar[dict[str, redis.RedisCacheClient]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = repr((server, sorted(params.get("OPTIONS", {}).items())))

    @cached_property
    def _cache(self) -> redis.RedisCacheClient:
        with self._lock:
            if self._location not in self._clients:
                self._clients[self._location] = super()._cache  # type: ignore[misc]  # not in the stubs
            return self._clients[self._location]
