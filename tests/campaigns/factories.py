"""Contacts, lines and campaigns for the campaign tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from audience.models import Contact, Tag
from campaigns.models import Campaign, ContentKind
from inbox.conversations import current_conversation
from inbox.models import Initiator, Line
from tests.conftest import Team
from tests.inbox.sending.conftest import make_line, make_template

__all__ = ["make_line", "make_template"]

TEMPLATE = [{"type": "BODY", "text": "Hola {{nombre}}, tenemos ofertas."}]


def make_contacts(
    team: Team, count: int, *, start: int = 0, tag: Tag | None = None, **fields: Any
) -> list[Contact]:
    contacts = Contact.objects.for_account(team.account).bulk_create(
        [
            Contact(
                account=team.account,
                phone=f"+54911{40000000 + start + n}",
                wa_id=f"54911{40000000 + start + n}",
                name=f"Cliente {start + n}",
                registered=True,
                **fields,
            )
            for n in range(count)
        ]
    )
    if tag is not None:
        tag.contacts.add(*contacts)
    return contacts


def open_window(line: Line, contact: Contact) -> None:
    """The contact wrote an hour ago on the line."""
    with transaction.atomic():
        conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
    conversation.last_inbound_at = timezone.now() - timedelta(hours=1)
    conversation.save(update_fields=["last_inbound_at"])


def template_campaign(team: Team, line: Line, **fields: Any) -> Campaign:
    if "template" not in fields:
        fields["template"] = make_template(line, name="ofertas", components=TEMPLATE, category="MARKETING")
    values: dict[str, Any] = {
        "name": "Ofertas",
        "line": line,
        "kind": ContentKind.TEMPLATE,
        "template_values": {"body_nombre": "{{nombre|cliente}}"},
        "created_by": team.supervisor,
        **fields,
    }
    return Campaign.objects.for_account(team.account).create(account=team.account, **values)


def text_campaign(team: Team, line: Line, text: str = "Hola {{nombre|cliente}}", **fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "Aviso",
        "line": line,
        "kind": ContentKind.TEXT,
        "text": text,
        "created_by": team.supervisor,
        **fields,
    }
    return Campaign.objects.for_account(team.account).create(account=team.account, **values)
