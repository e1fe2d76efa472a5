"""A sandbox line of acme with a registered contact whose 24-hour window is open."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from audience.models import Contact
from inbox.conversations import current_conversation
from inbox.models import Conversation, Initiator, Line, Template, TemplateStatus
from inbox.providers.sandbox.transport import Sandbox
from tests.conftest import Team

GREETING = [
    {"type": "HEADER", "format": "TEXT", "text": "Hola {{1}}"},
    {"type": "BODY", "text": "Tu pedido {{1}} llega el {{2}}."},
    {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Ver", "url": "https://x.test/{{1}}"}]},
]


@pytest.fixture(autouse=True)
def sandbox() -> Iterator[type[Sandbox]]:
    Sandbox.reset()
    yield Sandbox
    Sandbox.reset()


def make_line(team: Team, **fields: object) -> Line:
    defaults: dict[str, object] = {
        "name": "Ventas",
        "provider": "sandbox",
        "display_number": "+5491100000000",
        "phone_number_id": f"pn-{team.account.slug}",
        "waba_id": f"waba-{team.account.slug}",
        "access_token": "token",
    }
    return Line.objects.for_account(team.account).create(account=team.account, **{**defaults, **fields})


def make_conversation(line: Line, phone: str = "+5491122334455", *, window_open: bool = True) -> Conversation:
    contact = Contact.objects.for_account(line.account).create(
        account=line.account, phone=phone, wa_id=phone[1:], registered=True
    )
    with transaction.atomic():
        conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
    conversation.last_inbound_at = timezone.now() - (
        timedelta(hours=1) if window_open else timedelta(hours=25)
    )
    conversation.save(update_fields=["last_inbound_at"])
    return conversation


def make_template(
    line: Line, name: str = "pedido", status: str = TemplateStatus.APPROVED, **fields: object
) -> Template:
    values: dict[str, object] = {
        "waba_id": line.waba_id,
        "language": "es_AR",
        "category": "UTILITY",
        "components": GREETING,
        **fields,
    }
    return Template.objects.for_account(line.account).create(
        account=line.account, name=name, status=status, **values
    )


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme)


@pytest.fixture
def conversation(line: Line) -> Conversation:
    return make_conversation(line)
