"""Drive the real ASGI application's websocket (session cookie, origin check, router, consumer).

channels.testing's WebsocketCommunicator cannot be imported without daphne (its package imports
the live-server case); this is the same thin layer over asgiref's ApplicationCommunicator.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings

from spoter.accounts.models import Membership
from spoter.asgi import application
from tests.conftest import client_for

T = TypeVar("T")
WAIT = 2.0  # seconds for an event that should come
QUIET = 0.4  # seconds of silence that mean nothing came


class Socket(ApplicationCommunicator):
    def __init__(self, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        super().__init__(
            application, {"type": "websocket", "path": path, "query_string": b"", "headers": headers}
        )

    async def connect(self, timeout: float = WAIT) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout)
        return answer["type"] == "websocket.accept", answer

    async def send_json_to(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = WAIT) -> Any:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def disconnect(self, code: int = 1000) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(WAIT)


def socket(slug: str, membership: Membership | None = None, *, origin: bytes = b"http://localhost") -> Socket:
    return socket_at(f"/ws/a/{slug}/inbox/", membership, origin=origin)


def socket_at(path: str, membership: Membership | None, *, origin: bytes = b"http://localhost") -> Socket:
    """A socket to ``path`` with the session cookie of ``membership``'s user (none: anonymous)."""
    headers = [(b"origin", origin), (b"host", b"localhost")]
    if membership is not None:
        session = client_for(membership).cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
    return Socket(path, headers)


async def connected(slug: str, membership: Membership) -> Socket:
    """An open socket, past its hello."""
    communicator = await sync_to_async(socket)(slug, membership)
    ok, _ = await communicator.connect()
    assert ok
    hello = await communicator.receive_json_from(WAIT)
    assert hello["type"] == "hello"
    return communicator


def close_code(path: str, membership: Membership | None) -> int | None:
    """Connect as ``membership`` (None: anonymous); the code the server closed with, or None
    when it let the socket in (a hello came)."""

    async def attempt() -> int | None:
        communicator = await in_db(lambda: socket_at(path, membership))
        await communicator.connect()
        answer = await communicator.receive_output(WAIT)
        if answer["type"] == "websocket.close":
            return int(answer["code"])
        assert json.loads(answer["text"])["type"] == "hello"
        await communicator.disconnect()
        return None

    return asyncio.run(attempt())


async def in_db(function: Callable[[], T]) -> T:
    return await sync_to_async(function, thread_sensitive=True)()


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test())


async def events_of(communicator: Socket, count: int) -> list[dict[str, Any]]:
    return [await communicator.receive_json_from(WAIT) for _ in range(count)]
