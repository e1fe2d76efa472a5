"""The embedded default's channel layer.

Channels' in-memory layer keeps asyncio queues that belong to the server's event loop. A Celery
task in the embedded worker thread publishes through ``async_to_sync``, which runs on another
loop: touching those queues from there is not thread-safe and may never wake the waiting
websocket. This layer hands every publish to the loop that receives, so events from tasks reach
browsers exactly as the Redis layer delivers them in production.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import InMemoryChannelLayer


class EmbeddedChannelLayer(InMemoryChannelLayer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._home_loop: asyncio.AbstractEventLoop | None = None

    async def receive(self, channel: str) -> dict[str, Any]:
        self._home_loop = asyncio.get_running_loop()
        message: dict[str, Any] = await super().receive(channel)
        return message

    async def _on_home_loop(self, coroutine: Any) -> Any:
        home, here = self._home_loop, asyncio.get_running_loop()
        if home is None or home is here or home.is_closed():
            return await coroutine
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, home))

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await self._on_home_loop(super().send(channel, message))

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self._on_home_loop(super().group_send(group, message))
