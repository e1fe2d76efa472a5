"""The inbox websocket: who may connect, who gets which event, after commit only, in sequence."""

from __future__ import annotations

from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.db import transaction
from django.test import override_settings

from inbox import events
from inbox.content import Text
from inbox.conversations import set_status
from inbox.models import Conversation, ConversationStatus
from inbox.sending import send
from spoter.accounts.models import InboxMode, Membership
from spoter.realtime import EmbeddedChannelLayer
from tests.conftest import Team, make_member
from tests.inbox.live.helpers import QUIET, WAIT, close_code, connected, events_of, in_db, run, socket
from tests.inbox.sending.conftest import make_conversation, make_line

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/ws/a/acme/inbox/"


@pytest.fixture
def conversation(acme: Team) -> Conversation:
    return make_conversation(make_line(acme))


def private(membership: Membership) -> Membership:
    membership.inbox_mode = InboxMode.PRIVATE
    membership.save(update_fields=["inbox_mode"])
    return membership


def test_it_requires_login(acme: Team) -> None:
    assert close_code(PATH, None) == 4401


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    assert close_code(PATH, acme.admin) is None
    assert close_code(PATH, globex.admin) == 4403


def test_a_deactivated_member_is_refused(acme: Team) -> None:
    assert close_code(PATH, acme.operator) is None
    acme.operator.is_active = False
    acme.operator.save(update_fields=["is_active"])
    assert close_code(PATH, acme.operator) == 4403


def test_a_foreign_origin_is_refused(acme: Team) -> None:
    async def scenario() -> None:
        communicator = await in_db(lambda: socket("acme", acme.admin, origin=b"https://evil.test"))
        ok, _ = await communicator.connect()
        assert not ok

    run(scenario)


def test_visibility_decides_who_gets_a_new_message(acme: Team, conversation: Conversation) -> None:
    hidden = private(acme.operator)  # private, and the chat is not assigned to them
    shared = make_member(acme.account, "shared@acme.test", acme.operator.role_enum)  # shared by default

    async def scenario() -> None:
        sockets = [
            await connected("acme", member) for member in (hidden, shared, acme.supervisor, acme.admin)
        ]
        message = await in_db(lambda: send(conversation, Text("Hola"), sender=acme.supervisor))
        for communicator in sockets[1:]:
            (event,) = await events_of(communicator, 1)
            assert event["type"] == "message.created"
            assert event["conversation"] == conversation.number
            assert event["message"] == message.id
            assert event["direction"] == "out"
            assert event["preview"] == "Hola"
        assert await sockets[0].receive_nothing(QUIET)
        for communicator in sockets:
            await communicator.disconnect()

    run(scenario)


def test_the_assignee_gets_events_in_a_private_inbox(acme: Team, conversation: Conversation) -> None:
    operator = private(acme.operator)
    conversation.assignee = operator
    conversation.save(update_fields=["assignee"])

    async def scenario() -> None:
        communicator = await connected("acme", operator)
        await in_db(lambda: set_status(conversation, ConversationStatus.CLOSED))
        (event,) = await events_of(communicator, 1)
        assert event == {
            "type": "conversation.updated",
            "account_id": acme.account.id,
            "conversation": conversation.number,
            "assignee_id": operator.id,
            "status": "closed",
            "seq": event["seq"],
        }
        await communicator.disconnect()

    run(scenario)


def test_an_event_rolled_back_is_never_sent(acme: Team, conversation: Conversation) -> None:
    def rolled_back() -> None:
        try:
            with transaction.atomic():
                set_status(conversation, ConversationStatus.CLOSED)
                raise RuntimeError("the request failed after the change")
        except RuntimeError:
            pass

    async def scenario() -> None:
        communicator = await connected("acme", acme.admin)
        await in_db(rolled_back)
        assert await communicator.receive_nothing(QUIET)
        await communicator.disconnect()

    run(scenario)


def test_every_event_carries_the_next_sequence_number(acme: Team, conversation: Conversation) -> None:
    async def scenario() -> None:
        first = await in_db(lambda: socket("acme", acme.admin))
        await first.connect()
        hello = await first.receive_json_from(WAIT)
        await in_db(lambda: set_status(conversation, ConversationStatus.PENDING))
        await in_db(lambda: set_status(conversation, ConversationStatus.OPEN))
        seqs = [event["seq"] for event in await events_of(first, 2)]
        assert seqs == [hello["seq"] + 1, hello["seq"] + 2]
        await first.disconnect()
        # A reconnecting browser learns where the sequence stands, and goes on from there.
        again = await connected_hello("acme", acme.admin)
        assert again[1]["seq"] == seqs[-1]
        await again[0].disconnect()

    run(scenario)


async def connected_hello(slug: str, membership: Membership) -> tuple[Any, dict[str, Any]]:
    communicator = await in_db(lambda: socket(slug, membership))
    await communicator.connect()
    return communicator, await communicator.receive_json_from(WAIT)


def test_sequences_are_per_member(acme: Team, conversation: Conversation) -> None:
    # The admin gets one event the supervisor does not: their counters part ways.
    events.publish_on_commit(
        acme.account, events.ConversationRemoved(account_id=acme.account.id, conversation=1), [acme.admin.id]
    )

    async def scenario() -> None:
        admin = await connected("acme", acme.admin)
        supervisor = await connected("acme", acme.supervisor)
        await in_db(lambda: set_status(conversation, ConversationStatus.CLOSED))
        (to_admin,) = await events_of(admin, 1)
        (to_supervisor,) = await events_of(supervisor, 1)
        assert (to_admin["seq"], to_supervisor["seq"]) == (2, 1)
        await admin.disconnect()
        await supervisor.disconnect()

    run(scenario)


def test_a_private_operator_who_loses_the_chat_is_told(acme: Team, conversation: Conversation) -> None:
    operator = private(acme.operator)

    def reassign() -> None:
        with transaction.atomic():
            conversation.assignee = acme.supervisor
            conversation.save(update_fields=["assignee"])
            events.conversation_changed(
                conversation, "conversation.assigned", previous_assignee_id=operator.id
            )

    async def scenario() -> None:
        communicator = await connected("acme", operator)
        supervisor = await connected("acme", acme.supervisor)
        await in_db(reassign)
        (event,) = await events_of(communicator, 1)
        assert event["type"] == "conversation.removed"
        assert event["conversation"] == conversation.number
        (assigned,) = await events_of(supervisor, 1)
        assert assigned["type"] == "conversation.assigned"
        assert assigned["assignee_id"] == acme.supervisor.id
        await communicator.disconnect()
        await supervisor.disconnect()

    run(scenario)


def test_a_reminder_reaches_only_its_owner(acme: Team, conversation: Conversation) -> None:
    from django.utils import timezone

    from inbox.models import Reminder

    reminder = Reminder.objects.for_account(acme.account).create(
        account=acme.account,
        contact=conversation.contact,
        owner=acme.operator,
        due_at=timezone.now(),
        text="Llamar",
    )

    async def scenario() -> None:
        owner = await connected("acme", acme.operator)
        admin = await connected("acme", acme.admin)
        await in_db(lambda: events.reminder_due(reminder))
        (event,) = await events_of(owner, 1)
        assert (event["type"], event["text"], event["reminder"]) == ("reminder.due", "Llamar", reminder.id)
        assert await admin.receive_nothing(QUIET)
        await owner.disconnect()
        await admin.disconnect()

    run(scenario)


def test_presence_goes_to_the_other_viewers_only(acme: Team, conversation: Conversation) -> None:
    hidden = private(acme.operator)

    async def scenario() -> None:
        admin = await connected("acme", acme.admin)
        supervisor = await connected("acme", acme.supervisor)
        operator = await connected("acme", hidden)
        await admin.send_json_to({"type": "presence", "conversation": conversation.number, "state": "typing"})
        (event,) = await events_of(supervisor, 1)
        assert event["type"] == "presence"
        assert (event["membership_id"], event["state"], event["name"]) == (acme.admin.id, "typing", "admin")
        assert "seq" not in event
        assert await admin.receive_nothing(QUIET)  # not echoed
        assert await operator.receive_nothing(QUIET)  # cannot see the chat
        # Nor may the hidden operator announce themselves in a chat they cannot see.
        await operator.send_json_to(
            {"type": "presence", "conversation": conversation.number, "state": "viewing"}
        )
        assert await supervisor.receive_nothing(QUIET)
        for communicator in (admin, supervisor, operator):
            await communicator.disconnect()

    run(scenario)


def test_a_status_moves_the_ticks_live(acme: Team, conversation: Conversation) -> None:
    from inbox.statuses import apply_status

    message = send(conversation, Text("Hola"), sender=acme.admin)
    message.wamid = "wamid.live-1"
    message.status = "sent"
    message.save(update_fields=["wamid", "status"])

    async def scenario() -> None:
        communicator = await connected("acme", acme.admin)
        await in_db(lambda: apply_status(conversation.line, "wamid.live-1", "read"))
        (event,) = await events_of(communicator, 1)
        assert (event["type"], event["message"], event["status"]) == ("message.status", message.id, "read")
        await communicator.disconnect()

    run(scenario)


@override_settings(
    CHANNEL_LAYERS={"default": {"BACKEND": "spoter.realtime.EmbeddedChannelLayer"}},
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
)
def test_the_embedded_default_numbers_and_delivers_too(acme: Team, conversation: Conversation) -> None:
    # No Redis: the in-memory layer and the locmem cache keep the same promises.
    assert isinstance(get_channel_layer(), EmbeddedChannelLayer)

    async def scenario() -> None:
        communicator = await connected("acme", acme.admin)
        await in_db(lambda: set_status(conversation, ConversationStatus.CLOSED))
        await in_db(lambda: set_status(conversation, ConversationStatus.OPEN))
        assert [event["seq"] for event in await events_of(communicator, 2)] == [1, 2]
        await communicator.disconnect()

    run(scenario)


def test_long_and_accented_texts_arrive_intact(acme: Team, conversation: Conversation) -> None:
    # The fan-out packs each copy's JSON in Redis: longer than 255 bytes, escaped accents.
    text = "Señora, ¿recibió el envío? " * 20

    async def scenario() -> None:
        communicator = await connected("acme", acme.admin)
        await in_db(lambda: send(conversation, Text(text), sender=acme.admin))
        (event,) = await events_of(communicator, 1)
        assert (event["preview"], event["seq"]) == (text[:120], 1)
        await communicator.disconnect()

    run(scenario)
