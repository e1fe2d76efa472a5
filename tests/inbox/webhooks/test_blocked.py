"""Blocked contacts (INB-13): nothing of theirs is stored; they get the line's answer once."""

from __future__ import annotations

import pytest

from audience.models import Contact
from audience.services import block_contact, unblock_contact
from inbox.models import Direction, Line, Message
from tests.conftest import Team
from tests.inbox.webhooks.conftest import CUSTOMER_WA_ID, deliver, fixture


@pytest.fixture
def blocked(line: Line, acme: Team) -> Contact:
    line.blocked_reply = "Este número no recibe mensajes."
    line.save(update_fields=["blocked_reply"])
    contact = Contact.objects.for_account(acme.account).create(
        account=acme.account, phone="+" + CUSTOMER_WA_ID, wa_id=CUSTOMER_WA_ID
    )
    return block_contact(contact, by=acme.admin.user)


def messages(line: Line, direction: Direction) -> list[Message]:
    return list(Message.objects.for_account(line.account).filter(direction=direction))


def test_blocking_records_who_and_when(blocked: Contact, acme: Team) -> None:
    assert blocked.is_blocked
    assert blocked.blocked_by == acme.admin.user
    first = blocked.blocked_at
    assert block_contact(blocked, by=acme.supervisor.user).blocked_at == first  # the first block stands


def test_nothing_is_stored_and_the_answer_goes_once(line: Line, blocked: Contact) -> None:
    deliver(fixture("text"), line)
    deliver(fixture("image"), line)
    deliver(fixture("reaction"), line)
    assert messages(line, Direction.INBOUND) == []
    (answer,) = messages(line, Direction.OUTBOUND)
    assert (answer.text, answer.automated, answer.status) == (
        "Este número no recibe mensajes.",
        True,
        "queued",
    )
    assert answer.conversation.contact == blocked
    blocked.refresh_from_db()
    assert blocked.blocked_reply_sent_at is not None


def test_no_answer_when_the_line_has_none(line: Line, blocked: Contact) -> None:
    line.blocked_reply = ""
    line.save(update_fields=["blocked_reply"])
    deliver(fixture("text"), line)
    assert Message.objects.for_account(line.account).count() == 0


def test_unblocking_lets_messages_in_and_rearms_the_answer(line: Line, blocked: Contact, acme: Team) -> None:
    deliver(fixture("text"), line)
    contact = unblock_contact(blocked, by=acme.admin.user)
    assert (contact.blocked_at, contact.blocked_by, contact.blocked_reply_sent_at) == (None, None, None)
    deliver(fixture("location"), line)
    assert [m.type for m in messages(line, Direction.INBOUND)] == ["location"]
    block_contact(contact, by=acme.admin.user)
    deliver(fixture("contacts"), line)
    assert len(messages(line, Direction.OUTBOUND)) == 2  # answered again after the new block
