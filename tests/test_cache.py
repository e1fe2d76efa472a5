"""The Redis cache backend shares one connection pool per process (spoter/cache.py)."""

from __future__ import annotations

import contextvars

import redis
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.cache import cache, caches


def test_cache_objects_of_one_location_share_their_client() -> None:
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    assert first._cache is second._cache  # type: ignore[attr-defined]


def test_requests_in_their_own_contexts_reuse_connections() -> None:
    """Each ASGI request gets its own cache object; with Django's stock backend each opened a new
    Redis connection (django/django#18459)."""
    server = redis.Redis.from_url(str(settings.REDIS_URL))
    cache.set("warm", 1)
    before = server.info("stats")["total_connections_received"]

    async def request(n: int) -> None:
        await sync_to_async(cache.add)(f"key-{n}", n, 5)

    for n in range(20):
        contextvars.Context().run(async_to_sync(request), n)  # a server's fresh context per request
    assert server.info("stats")["total_connections_received"] - before < 5
