"""Webhook test helpers: recorded fixtures (one file per event kind), signed like Meta signs them."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from audience.models import Contact
from inbox import webhook_events
from inbox.models import Conversation, Direction, Line, Message, MessageStatus, WebhookEvent, next_number
from inbox.providers.whatsapp_cloud.inbound import sign
from tests.conftest import Team

FIXTURES = Path(__file__).parent / "fixtures"
WABA_ID = "102290129340398"
PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "+1 555-078-3881"
CUSTOMER_WA_ID = "5491155550001"
APP_SECRET = "acme-line-app-secret"


def fixture(name: str, **replace: str) -> dict[str, Any]:
    """A recorded webhook body; ``replace`` swaps placeholders and ids in its text."""
    text = (FIXTURES / f"{name}.json").read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    body: dict[str, Any] = json.loads(text)
    return body


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def post_signed(client: Client, url: str, body: bytes, secret: str) -> Any:
    return client.post(
        url, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=sign(body, secret)
    )


def deliver(body: dict[str, Any], line: Line | None = None) -> WebhookEvent:
    """Store and process a webhook the way the view and the worker do, without HTTP."""
    event = WebhookEvent.objects.create(line=line, body=encode(body))
    assert webhook_events.process_event(event.id)
    event.refresh_from_db()
    return event


def make_line(team: Team, *, phone_number_id: str, waba_id: str = WABA_ID, **fields: Any) -> Line:
    defaults: dict[str, Any] = {"name": "Ventas", "display_number": DISPLAY_NUMBER, "app_secret": APP_SECRET}
    return Line.objects.for_account(team.account).create(
        account=team.account, phone_number_id=phone_number_id, waba_id=waba_id, **(defaults | fields)
    )


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")


def outbound(line: Line, wamid: str = "") -> Message:
    """A message we sent (as the outbox leaves it: queued, with or without its wamid yet)."""
    account = line.account
    contact, _ = Contact.objects.for_account(account).get_or_create(
        account=account, phone="+" + CUSTOMER_WA_ID, defaults={"wa_id": CUSTOMER_WA_ID}
    )
    conversation = Conversation.objects.for_account(account).filter(line=line, contact=contact).first()
    if conversation is None:
        conversation = Conversation.objects.for_account(account).create(
            account=account, number=next_number(account, "conversation"), line=line, contact=contact
        )
    return Message.objects.for_account(account).create(
        account=account,
        conversation=conversation,
        line=line,
        direction=Direction.OUTBOUND,
        wamid=wamid,
        text="Su pedido salió hoy",
        status=MessageStatus.QUEUED,
    )


@dataclass
class AsgiResponse:
    status_code: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]

    def json(self) -> Any:
        return json.loads(self.content)


class AsgiClient:
    """The production door (spoter.asgi, uvicorn's entry point) with the few Client methods the
    webhook tests use. Run from the test's thread, so the database work lands in its transaction."""

    def get(self, path: str, data: dict[str, str] | None = None) -> AsgiResponse:
        return self.request("GET", path, query=urlencode(data or {}))

    def post(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        **extra: str,
    ) -> AsgiResponse:
        named = {key[5:].replace("_", "-"): value for key, value in extra.items() if key.startswith("HTTP_")}
        return self.request("POST", path, body, {"Content-Type": content_type, **(headers or {}), **named})

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        query: str = "",
    ) -> AsgiResponse:
        from spoter.asgi import application

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
            + [(b"host", b"127.0.0.1")],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }
        sent: list[dict[str, Any]] = []
        chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)] or [b""]

        async def receive() -> dict[str, Any]:
            if chunks:
                chunk = chunks.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
            await asyncio.Event().wait()  # the client stays until answered, as over a socket
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        async_to_sync(application)(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        headers_out = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return AsgiResponse(start["status"], content, headers_out)


@pytest.fixture(params=["django", "asgi"])
def door(request: pytest.FixtureRequest) -> Client | AsgiClient:
    """Each webhook test runs through both doors: the Django views and the ASGI fast path."""
    return Client() if request.param == "django" else AsgiClient()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ASGI door returns its connection to the pool after each request, as production does,
    which a test's enclosing transaction cannot survive: those tests commit and flush instead."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("door") == "asgi":
            item.add_marker(pytest.mark.django_db(transaction=True))
