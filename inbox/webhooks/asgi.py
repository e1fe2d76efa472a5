"""The webhook paths served straight from ASGI, ahead of Django's request handling.

Meta's webhooks are most of our requests (3 statuses per message sent, one per message
received) and want nothing of sessions, users, CSRF or templates. Answering them here spares
the middleware stack and the request objects: one thread hop to the database per webhook, and the
same inbox/webhooks/ingest.py the Django views use. Every other request goes on to Django.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from channels.db import database_sync_to_async
from django.urls import Resolver404, resolve

from inbox.webhooks import ingest, views

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/webhooks/whatsapp/"


class WebhookApp:
    def __init__(self, django: ASGIApp) -> None:
        self.django = django

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _webhook_route(scope)
        if match is None:
            await self.django(scope, receive, send)
            return
        line_uuid = match.kwargs.get("line_uuid")
        method = scope["method"]
        if method not in ("GET", "POST"):
            await _send(send, ingest.Answer(405), allow=b"GET, POST")
            return
        body = await _read_body(receive, ingest.MAX_BODY + 1) if method == "POST" else b""
        if body is None:
            return  # the client went away
        headers = dict(scope["headers"])
        signature = headers.get(b"x-hub-signature-256")
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        answer = await database_sync_to_async(ingest.handle)(
            line_uuid, method, params, body, signature.decode("latin-1") if signature else None
        )
        await _send(send, answer)


def _webhook_route(scope: Scope) -> Any:
    if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
        return None
    try:
        match = resolve(scope["path"])
    except Resolver404:
        return None
    return match if match.func in (views.line_webhook, views.platform_webhook) else None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """At most ``limit`` bytes of the body: enough for handle() to refuse what is too large."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)[:limit]


async def _send(send: Send, answer: ingest.Answer, **extra: bytes) -> None:
    headers = [
        (b"content-type", answer.content_type.encode()),
        (b"content-length", str(len(answer.content)).encode()),
    ]
    headers += [(name.encode(), value) for name, value in extra.items()]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.content})
