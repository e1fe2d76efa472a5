"""Tags on chats and contacts (INB-7), internal notes (INB-8), reminders (INB-9) and scheduled
messages (INB-10), including the scheduler's turns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audience.models import Contact
from audience.tags import PALETTE, add_contact_tag, get_or_create_tag, remove_contact_tag
from inbox import tasks
from inbox.models import (
    Conversation,
    ConversationEvent,
    EventKind,
    Message,
    Note,
    QuickReply,
    Reminder,
    ScheduledMessage,
    ScheduledStatus,
)
from inbox.providers.sandbox.transport import Sandbox
from inbox.quick_replies import ShortcutTakenError, delete_quick_reply, save_quick_reply
from inbox.scheduling import cancel_scheduled, schedule_message, send_due_scheduled
from inbox.teamwork import (
    add_note,
    add_reminder,
    delete_note,
    delete_reminder,
    mark_reminder_read,
    tag_conversation,
    untag_conversation,
)
from spoter.accounts.models import Membership
from tests.conftest import Team
from tests.inbox.team.conftest import Inbox, operators

HOUR = timedelta(hours=1)


# Tags -------------------------------------------------------------------------------------------


def test_a_tag_is_one_per_account_whatever_its_case_with_palette_colours(acme: Team, globex: Team) -> None:
    vip = get_or_create_tag(acme.account, "  VIP ")
    assert (vip.name, vip.color) == ("VIP", PALETTE[0])
    assert get_or_create_tag(acme.account, "vip") == vip
    assert get_or_create_tag(acme.account, "Mayorista").color == PALETTE[1]
    assert get_or_create_tag(acme.account, "Rojo", "#FF0000").color == "#ff0000"
    assert get_or_create_tag(globex.account, "vip") != vip  # another account's own
    for name, color in (("", ""), ("x" * 61, ""), ("ok", "red")):
        with pytest.raises(ValidationError):
            get_or_create_tag(acme.account, name, color)


def test_conversation_tags_write_a_line_once_per_change(acme: Team, conversation: Conversation) -> None:
    tag = get_or_create_tag(acme.account, "VIP")
    assert tag_conversation(conversation, tag, by=acme.operator)
    assert not tag_conversation(conversation, tag, by=acme.operator)
    assert list(conversation.tags.for_account(acme.account)) == [tag]
    assert untag_conversation(conversation, tag, by=acme.supervisor)
    assert not untag_conversation(conversation, tag, by=acme.supervisor)
    lines = ConversationEvent.objects.for_account(acme.account).filter(conversation=conversation)
    assert list(lines.values_list("kind", "actor_id", "text")) == [
        (EventKind.TAGGED, acme.operator.id, "VIP"),
        (EventKind.UNTAGGED, acme.supervisor.id, "VIP"),
    ]


def test_tags_of_another_account_are_refused(acme: Team, globex: Team, conversation: Conversation) -> None:
    foreign = get_or_create_tag(globex.account, "VIP")
    with pytest.raises(ValueError, match="different accounts"):
        tag_conversation(conversation, foreign, by=acme.operator)
    with pytest.raises(ValueError, match="another account"):
        add_contact_tag(conversation.contact, foreign)


def test_contact_tags(acme: Team, conversation: Conversation) -> None:
    tag = get_or_create_tag(acme.account, "Mayorista")
    add_contact_tag(conversation.contact, tag)
    assert list(conversation.contact.tags.for_account(acme.account)) == [tag]
    remove_contact_tag(conversation.contact, tag)
    assert not conversation.contact.tags.for_account(acme.account).exists()


# Notes ------------------------------------------------------------------------------------------


def test_notes_are_deleted_only_by_their_author_or_a_supervisor(
    acme: Team, conversation: Conversation
) -> None:
    contact = conversation.contact
    note = add_note(contact, "  Prefiere que lo llamen a la tarde ", author=acme.operator)
    assert note.text == "Prefiere que lo llamen a la tarde"
    with pytest.raises(PermissionDenied):
        delete_note(note, by=other_operator(acme))
    delete_note(note, by=acme.operator)
    second = add_note(contact, "Cliente mayorista", author=acme.operator)
    delete_note(second, by=acme.supervisor)
    assert not Note.objects.for_account(acme.account).exists()
    with pytest.raises(ValidationError):
        add_note(contact, "   ", author=acme.operator)
    assert not Message.objects.for_account(acme.account).exists()  # a note is never sent


def other_operator(team: Team) -> Membership:
    return operators(team, 1)[0]


# Reminders --------------------------------------------------------------------------------------


def test_a_due_reminder_notifies_its_owner_once_even_when_the_scheduler_runs_twice(
    acme: Team,
    conversation: Conversation,
    listen: Callable[[Membership], Inbox],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    reminder = add_reminder(
        conversation.contact, timezone.now() + HOUR, "Llamar por el presupuesto", owner=acme.operator
    )
    owner, teammate = listen(acme.operator), listen(acme.supervisor)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        assert tasks.notify_due_reminders() == 0  # not yet
    with time_machine.travel(timezone.now() + 2 * HOUR), django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        assert tasks.notify_due_reminders() == 1
        assert tasks.notify_due_reminders() == 0
    due = owner.events()
    assert [(event["type"], event["reminder"], event["text"]) for event in due] == [
        ("reminder.due", reminder.id, "Llamar por el presupuesto")
    ]
    assert teammate.events() == []
    reminder.refresh_from_db()
    assert reminder.notified_at is not None


def test_reminders_are_marked_read_and_deleted_by_their_owner_only(
    acme: Team, conversation: Conversation
) -> None:
    reminder = add_reminder(conversation.contact, timezone.now() + HOUR, "Llamar", owner=acme.operator)
    for action in (mark_reminder_read, delete_reminder):
        with pytest.raises(PermissionDenied):
            action(reminder, by=acme.supervisor)
    mark_reminder_read(reminder, by=acme.operator)
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    delete_reminder(reminder, by=acme.operator)
    assert not Reminder.objects.for_account(acme.account).exists()


def test_a_reminder_needs_text_and_a_future_time(acme: Team, conversation: Conversation) -> None:
    with pytest.raises(ValidationError):
        add_reminder(conversation.contact, timezone.now() - HOUR, "Llamar", owner=acme.operator)
    with pytest.raises(ValidationError):
        add_reminder(conversation.contact, timezone.now() + HOUR, " ", owner=acme.operator)


# Scheduled messages -----------------------------------------------------------------------------


def test_a_scheduled_message_goes_out_at_its_time_once(
    acme: Team, conversation: Conversation, sandbox: type[Sandbox]
) -> None:
    scheduled = schedule_message(
        conversation, "Buen día, ¿pudo ver el presupuesto?", timezone.now() + HOUR, author=acme.operator
    )
    assert send_due_scheduled() == 0
    with time_machine.travel(timezone.now() + HOUR + timedelta(minutes=1)):
        assert tasks.send_due_scheduled() == 1
        assert tasks.send_due_scheduled() == 0
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledStatus.SENT
    message = Message.objects.for_account(acme.account).get()
    assert scheduled.message == message
    assert (message.text, message.sender_id) == ("Buen día, ¿pudo ver el presupuesto?", acme.operator.id)


def test_a_scheduled_message_fails_with_the_reason_when_the_window_closed_meanwhile(
    acme: Team, conversation: Conversation
) -> None:
    scheduled = schedule_message(conversation, "¿Seguimos?", timezone.now() + 2 * HOUR, author=acme.operator)
    # The customer wrote an hour before the fixture's now: a day later the window is closed.
    with time_machine.travel(timezone.now() + 24 * HOUR):
        assert send_due_scheduled() == 1
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledStatus.FAILED
    assert "24 horas" in scheduled.error  # in the account's language, for its people
    assert not Message.objects.for_account(acme.account).exists()
    line = ConversationEvent.objects.for_account(acme.account).get(conversation=conversation)
    assert (line.kind, line.text) == (EventKind.SCHEDULED_FAILED, scheduled.error)


def test_a_cancelled_message_is_never_sent(acme: Team, conversation: Conversation) -> None:
    scheduled = schedule_message(conversation, "Hola", timezone.now() + HOUR, author=acme.operator)
    with pytest.raises(PermissionDenied):
        cancel_scheduled(scheduled, by=other_operator(acme))
    assert cancel_scheduled(scheduled, by=acme.supervisor)
    assert not cancel_scheduled(scheduled, by=acme.operator)
    with time_machine.travel(timezone.now() + 2 * HOUR):
        assert send_due_scheduled() == 0
    assert not Message.objects.for_account(acme.account).exists()


def test_scheduling_needs_text_a_future_time_and_a_visible_chat(
    acme: Team, conversation: Conversation
) -> None:
    with pytest.raises(ValidationError):
        schedule_message(conversation, "Hola", timezone.now() - HOUR, author=acme.operator)
    with pytest.raises(ValidationError):
        schedule_message(conversation, "  ", timezone.now() + HOUR, author=acme.operator)
    private = other_operator(acme)
    private.inbox_mode = "private"
    private.save(update_fields=["inbox_mode"])
    with pytest.raises(PermissionDenied):
        schedule_message(conversation, "Hola", timezone.now() + HOUR, author=private)
    assert not ScheduledMessage.objects.for_account(acme.account).exists()
    assert Contact.objects.for_account(acme.account).count() == 1


def test_quick_replies_are_saved_by_supervisors_and_one_shortcut_wins(acme: Team) -> None:
    first = save_quick_reply(
        QuickReply(account=acme.account), shortcut="hola", text="Hola", by=acme.supervisor
    )
    # The form's check passed for both: the database's case-insensitive constraint decides.
    with pytest.raises(ShortcutTakenError):
        save_quick_reply(QuickReply(account=acme.account), shortcut="HOLA", text="Otra", by=acme.supervisor)
    with pytest.raises(PermissionDenied):
        save_quick_reply(QuickReply(account=acme.account), shortcut="chau", text="Chau", by=acme.operator)
    with pytest.raises(PermissionDenied):
        delete_quick_reply(first, by=acme.operator)
    assert list(QuickReply.objects.for_account(acme.account).values_list("text", flat=True)) == ["Hola"]
