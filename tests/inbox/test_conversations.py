"""Conversations: one open per contact and line, numbered per account, reopened by the customer."""

from __future__ import annotations

from django.db import transaction

from inbox.conversations import current_conversation, find_or_create_contact, set_status
from inbox.models import Conversation, ConversationStatus, Initiator, Line
from tests.conftest import Team
from tests.inbox.webhooks.conftest import make_line


def conversation_with(line: Line, wa_id: str) -> Conversation:
    contact = find_or_create_contact(line.account, wa_id=wa_id)
    with transaction.atomic():
        return current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)


def test_numbers_count_per_account(acme: Team, globex: Team) -> None:
    acme_line = make_line(acme, phone_number_id="111")
    globex_line = make_line(globex, phone_number_id="222")
    assert conversation_with(acme_line, "5491100000001").number == 1
    assert conversation_with(acme_line, "5491100000002").number == 2
    assert conversation_with(globex_line, "5491100000001").number == 1  # the same person, elsewhere


def test_one_conversation_per_contact_and_line_reopened_not_duplicated(acme: Team) -> None:
    line = make_line(acme, phone_number_id="111")
    other_line = make_line(acme, phone_number_id="333")
    first = conversation_with(line, "5491100000001")
    assert conversation_with(line, "5491100000001") == first
    set_status(first, ConversationStatus.CLOSED)
    again = conversation_with(line, "5491100000001")
    assert (again.id, again.number, again.status) == (first.id, 1, ConversationStatus.OPEN)
    assert conversation_with(other_line, "5491100000001").number == 2  # per line (LIN-3)
