"""``panel.changed``: another member's note, tag, reminder or scheduled message reaches the open
contact panels that show it, after commit, and only those who may see the contact's chats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from audience.models import Contact
from audience.tags import get_or_create_tag
from inbox import teamwork
from inbox.assignment import assign
from inbox.conversations import current_conversation
from inbox.models import Conversation, Initiator
from inbox.scheduling import cancel_scheduled, schedule_message
from spoter.accounts.models import InboxMode, Membership, Role
from tests.conftest import Team, make_member
from tests.inbox.live.helpers import QUIET, Socket, connected, events_of, in_db, run
from tests.inbox.sending.conftest import make_conversation, make_line

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation(acme: Team) -> Conversation:
    return make_conversation(make_line(acme))


def private(membership: Membership) -> Membership:
    membership.inbox_mode = InboxMode.PRIVATE
    membership.save(update_fields=["inbox_mode"])
    return membership


def panel_event(contact: Contact, section: str, conversation: Conversation | None = None) -> dict[str, Any]:
    return {
        "type": "panel.changed",
        "account_id": contact.account_id,
        "contact_id": contact.id,
        "section": section,
        "conversation": conversation.number if conversation is not None else None,
    }


async def one_event(communicator: Socket) -> dict[str, Any]:
    (event,) = await events_of(communicator, 1)
    event.pop("seq")
    return event


async def close_all(*sockets: Socket) -> None:
    for communicator in sockets:
        await communicator.disconnect()


def test_a_note_reaches_everyone_who_sees_the_contacts_chats(
    acme: Team, globex: Team, conversation: Conversation
) -> None:
    hidden = private(acme.operator)  # private, and the chat is not theirs
    shared = make_member(acme.account, "shared@acme.test", Role.OPERATOR)
    contact = conversation.contact

    async def scenario() -> None:
        seeing = [await connected("acme", member) for member in (acme.admin, acme.supervisor, shared)]
        operator = await connected("acme", hidden)
        foreign = await connected("globex", globex.admin)
        note = await in_db(lambda: teamwork.add_note(contact, "Prefiere la tarde", author=acme.supervisor))
        for communicator in seeing:
            assert await one_event(communicator) == panel_event(contact, "notes")
        assert await operator.receive_nothing(QUIET)
        assert await foreign.receive_nothing(QUIET)
        # Deleting it redraws the notes again.
        await in_db(lambda: teamwork.delete_note(note, by=acme.admin))
        for communicator in seeing:
            assert await one_event(communicator) == panel_event(contact, "notes")
        assert await operator.receive_nothing(QUIET)
        await close_all(*seeing, operator, foreign)

    run(scenario)


def test_a_private_operator_with_one_of_the_contacts_chats_gets_its_notes(
    acme: Team, conversation: Conversation
) -> None:
    operator = private(acme.operator)
    contact = conversation.contact
    # A second chat of the same contact, on another line, is the operator's.
    other_line = make_line(acme, name="Soporte", phone_number_id="pn-acme-2")
    with transaction.atomic():
        theirs = current_conversation(other_line, contact, initiated_by=Initiator.CUSTOMER)
    assign(theirs, operator, by=acme.supervisor)

    async def scenario() -> None:
        communicator = await connected("acme", operator)
        await in_db(lambda: teamwork.add_note(contact, "Cliente mayorista", author=acme.admin))
        assert await one_event(communicator) == panel_event(contact, "notes")
        # Once the chat is someone else's, the contact's notes are no longer theirs to follow.
        await in_db(lambda: assign(theirs, acme.supervisor, by=acme.admin))
        assert (await one_event(communicator))["type"] == "conversation.removed"
        await in_db(lambda: teamwork.add_note(contact, "Otra nota", author=acme.admin))
        assert await communicator.receive_nothing(QUIET)
        await communicator.disconnect()

    run(scenario)


def test_a_contact_without_chats_tells_nobody(acme: Team) -> None:
    contact = Contact.objects.for_account(acme.account).create(account=acme.account, phone="+5491199990000")

    async def scenario() -> None:
        admin = await connected("acme", acme.admin)
        await in_db(lambda: teamwork.add_note(contact, "Sin chats", author=acme.admin))
        assert await admin.receive_nothing(QUIET)
        await admin.disconnect()

    run(scenario)


def test_conversation_tags_redraw_that_chats_panel_and_contact_tags_every_panel(
    acme: Team, globex: Team, conversation: Conversation
) -> None:
    hidden = private(acme.operator)
    contact = conversation.contact
    tag = get_or_create_tag(acme.account, "Mayorista")

    async def scenario() -> None:
        admin = await connected("acme", acme.admin)
        operator = await connected("acme", hidden)
        foreign = await connected("globex", globex.admin)
        await in_db(lambda: teamwork.tag_conversation(conversation, tag, by=acme.supervisor))
        updated, changed = await events_of(admin, 2)
        assert updated["type"] == "conversation.updated"
        changed.pop("seq")
        assert changed == panel_event(contact, "tags", conversation)
        assert await in_db(lambda: teamwork.tag_contact(contact, tag, by=acme.supervisor)) is True
        assert await one_event(admin) == panel_event(contact, "tags")
        # The same tag again changes nothing and says nothing.
        assert await in_db(lambda: teamwork.tag_contact(contact, tag, by=acme.supervisor)) is False
        assert await admin.receive_nothing(QUIET)
        assert await in_db(lambda: teamwork.untag_contact(contact, tag, by=acme.supervisor)) is True
        assert await one_event(admin) == panel_event(contact, "tags")
        assert await operator.receive_nothing(QUIET)
        assert await foreign.receive_nothing(QUIET)
        await close_all(admin, operator, foreign)

    run(scenario)


def test_a_reminder_redraws_only_its_owners_panels(acme: Team, conversation: Conversation) -> None:
    contact = conversation.contact
    due = timezone.now() + timedelta(hours=1)

    async def scenario() -> None:
        owner = await connected("acme", acme.operator)  # a shared inbox: sees the chat
        admin = await connected("acme", acme.admin)
        reminder = await in_db(lambda: teamwork.add_reminder(contact, due, "Llamar", owner=acme.operator))
        assert await one_event(owner) == panel_event(contact, "reminders")
        await in_db(lambda: teamwork.mark_reminder_read(reminder, by=acme.operator))
        assert await one_event(owner) == panel_event(contact, "reminders")
        await in_db(lambda: teamwork.delete_reminder(reminder, by=acme.operator))
        assert await one_event(owner) == panel_event(contact, "reminders")
        # The admin sees the chat, but the panel shows each member only their own reminders.
        assert await admin.receive_nothing(QUIET)
        await close_all(owner, admin)

    run(scenario)


def test_scheduled_messages_redraw_that_chats_panel(acme: Team, conversation: Conversation) -> None:
    hidden = make_member(acme.account, "private@acme.test", Role.OPERATOR)
    private(hidden)
    contact = conversation.contact

    async def scenario() -> None:
        supervisor = await connected("acme", acme.supervisor)
        operator = await connected("acme", hidden)
        scheduled = await in_db(
            lambda: schedule_message(
                conversation, "Buen día", timezone.now() + timedelta(hours=2), author=acme.admin
            )
        )
        assert await one_event(supervisor) == panel_event(contact, "scheduled", conversation)
        await in_db(lambda: cancel_scheduled(scheduled, by=acme.admin))
        assert await one_event(supervisor) == panel_event(contact, "scheduled", conversation)
        assert await operator.receive_nothing(QUIET)
        await close_all(supervisor, operator)

    run(scenario)


def test_a_change_rolled_back_sends_nothing(acme: Team, conversation: Conversation) -> None:
    contact = conversation.contact
    tag = get_or_create_tag(acme.account, "VIP")

    def rolled_back() -> None:
        try:
            with transaction.atomic():
                teamwork.add_note(contact, "No va a quedar", author=acme.admin)
                teamwork.tag_contact(contact, tag, by=acme.admin)
                teamwork.add_reminder(
                    contact, timezone.now() + timedelta(hours=1), "Tampoco", owner=acme.admin
                )
                raise RuntimeError("the request failed after the changes")
        except RuntimeError:
            pass

    async def scenario() -> None:
        admin = await connected("acme", acme.admin)
        await in_db(rolled_back)
        assert await admin.receive_nothing(QUIET)
        await admin.disconnect()

    run(scenario)
