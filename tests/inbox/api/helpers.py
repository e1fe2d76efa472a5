"""Lines, conversations and messages for API tests, made through the inbox's own services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone

from inbox.api.keys import create_api_key
from inbox.conversations import current_conversation, find_or_create_contact
from inbox.models import Conversation, Direction, Initiator, Line, Message, MessageStatus
from spoter.accounts.models import Account


def api_client(raw_key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")


def key_for(account: Account) -> str:
    return create_api_key(account, "Tests")[1]


def make_line(account: Account, name: str = "Ventas", waba_id: str = "") -> Line:
    # Sandbox: nothing leaves the process, whatever a test enqueues.
    return Line.objects.for_account(account).create(
        account=account,
        name=name,
        provider="sandbox",
        display_number="+5491100000000",
        waba_id=waba_id or f"waba-{account.slug}",
    )


def make_conversation(line: Line, phone: str, *, window_open: bool = True, **fields: Any) -> Conversation:
    """A customer-initiated conversation; its window is open unless told otherwise."""
    with transaction.atomic():
        contact = find_or_create_contact(
            line.account, wa_id=phone.lstrip("+"), profile_name=f"Cliente {phone[-4:]}"
        )
        conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
    now = timezone.now()
    conversation.last_inbound_at = now - (timedelta(minutes=5) if window_open else timedelta(days=2))
    for name, value in fields.items():
        setattr(conversation, name, value)
    conversation.save()
    return conversation


def add_message(conversation: Conversation, text: str = "Hola", **fields: Any) -> Message:
    defaults: dict[str, Any] = {"direction": Direction.INBOUND, "status": MessageStatus.RECEIVED}
    return Message.objects.for_account(conversation.account).create(
        account=conversation.account,
        conversation=conversation,
        line=conversation.line,
        text=text,
        **(defaults | fields),
    )
