"""A sandbox line of acme and helpers that write conversations and messages as the services
would leave them (the list reads their denormalised preview, times and unread counts)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audience.models import Contact
from inbox.models import Conversation, Line, Message
from inbox.providers.sandbox.transport import Sandbox
from tests.conftest import Team

_numbers = count(1000)


@pytest.fixture(autouse=True)
def sandbox() -> Iterator[type[Sandbox]]:
    Sandbox.reset()
    yield Sandbox
    Sandbox.reset()


def make_line(team: Team, name: str = "Ventas", **fields: object) -> Line:
    return Line.objects.for_account(team.account).create(
        account=team.account,
        name=name,
        provider="sandbox",
        display_number="+5491100000000",
        phone_number_id=f"pn-{team.account.slug}-{name}",
        waba_id=f"waba-{team.account.slug}",
        access_token="token",
        **fields,
    )


def make_conversation(
    line: Line,
    name: str = "Ana Pérez",
    *,
    at: datetime | None = None,
    inbound_ago: timedelta | None = timedelta(hours=1),
    **fields: object,
) -> Conversation:
    """A registered contact and a conversation whose customer wrote ``inbound_ago`` ago."""
    account = line.account
    serial = next(_numbers)
    contact = Contact.objects.for_account(account).create(
        account=account, name=name, phone=f"+54911{serial:08d}", wa_id=f"54911{serial:08d}", registered=True
    )
    now = timezone.now()
    return Conversation.objects.for_account(account).create(
        account=account,
        number=serial,
        line=line,
        contact=contact,
        last_message_at=at or now,
        last_inbound_at=now - inbound_ago if inbound_ago is not None else None,
        **fields,
    )


def add_message(
    conversation: Conversation, text: str = "Hola", *, direction: str = "in", **fields: object
) -> Message:
    defaults: dict[str, object] = {
        "status": "received" if direction == "in" else "sent",
        "wamid": f"wamid.{next(_numbers)}",
    }
    return Message.objects.for_account(conversation.account).create(
        account=conversation.account,
        conversation=conversation,
        line=conversation.line,
        direction=direction,
        text=text,
        **{**defaults, **fields},
    )


def inbox_url(team: Team, name: str = "inbox", **kwargs: object) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def htmx(client: Client) -> Client:
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client


def query_counts(
    client: Client, url: str, grow: Callable[[int], None], first: int, then: int
) -> tuple[int, int, str]:
    """Queries for ``url`` after ``grow(first)``, and again after ``grow(then)`` more; the page."""
    grow(first)
    client.get(url)  # warm the session and the middleware's caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(then)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    return len(few), len(many), page


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme)
