"""Webhook test helpers: recorded fixtures (one file per event kind), signed like Meta signs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
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
