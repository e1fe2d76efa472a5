"""The contact panel, the reminders and transfer pages and the settings for round robin and quick
replies, as people use them (htmx posts answered with the panel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from audience.models import Tag
from audience.tags import get_or_create_tag
from inbox.assignment import assign
from inbox.models import (
    Conversation,
    ConversationEvent,
    EventKind,
    Line,
    Note,
    QuickReply,
    Reminder,
    RoundRobin,
    ScheduledMessage,
    ScheduledStatus,
)
from inbox.scheduling import schedule_message
from inbox.teamwork import add_note, add_reminder
from tests.conftest import Team, client_for
from tests.inbox.team.conftest import given_to_another_with_private_inbox, make_conversation, operators

HTMX = {"HX-Request": "true"}


def url(name: str, conversation: Conversation, **kwargs: Any) -> str:
    return reverse(
        name, kwargs={"account_slug": conversation.account.slug, "number": conversation.number, **kwargs}
    )


def alerts(response: Any) -> int:
    return int(response.content.decode().count('role="alert"'))


def account_url(name: str, team: Team, **kwargs: Any) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def test_it_checks_ownership(acme: Team, globex: Team, conversation: Conversation) -> None:
    theirs = make_conversation(
        Line.objects.for_account(globex.account).create(
            account=globex.account, name="G", provider="sandbox", display_number="+5491100000099"
        )
    )
    foreign_note = add_note(theirs.contact, "secreto", author=globex.operator)
    foreign_tag = get_or_create_tag(globex.account, "VIP")
    foreign_scheduled = schedule_message(
        theirs, "Hola", timezone.now() + timedelta(hours=1), author=globex.operator
    )
    foreign_reminder = add_reminder(
        theirs.contact, timezone.now() + timedelta(hours=1), "x", owner=globex.operator
    )
    client = client_for(acme.admin)
    assert client.get(url("inbox_panel", theirs)).status_code == 404  # globex's slug: not a member
    # Globex's ids through acme's own chat: 404, nothing changed.
    assert client.post(url("inbox_note_delete", conversation, note_id=foreign_note.id)).status_code == 404
    assert client.post(url("inbox_tag_remove", conversation, tag_id=foreign_tag.id)).status_code == 404
    assert (
        client.post(
            url("inbox_scheduled_cancel", conversation, scheduled_id=foreign_scheduled.id)
        ).status_code
        == 404
    )
    assert (
        client.post(account_url("inbox_reminder_delete", acme), {"reminder": foreign_reminder.id}).status_code
        == 404
    )
    assert client.post(url("inbox_assign", conversation), {"assignee": globex.operator.id}).status_code == 400
    assert Note.objects.for_account(globex.account).count() == 1
    assert Reminder.objects.for_account(globex.account).count() == 1
    assert ScheduledMessage.objects.for_account(globex.account).get().status == ScheduledStatus.PENDING
    assert Conversation.objects.for_account(acme.account).get().assignee is None


def test_a_private_operator_cannot_open_the_panel_of_someone_elses_chat(
    acme: Team, conversation: Conversation
) -> None:
    other = given_to_another_with_private_inbox(acme, conversation)
    client = client_for(acme.operator)
    assert client.get(url("inbox_panel", conversation)).status_code == 404
    assert client.post(url("inbox_note_add", conversation), {"text": "x"}).status_code == 404
    assert client_for(other).get(url("inbox_panel", conversation)).status_code == 200


def test_the_panel_shows_the_contact_and_the_teams_work_in_a_fixed_number_of_queries(
    acme: Team, conversation: Conversation, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    contact = conversation.contact
    contact.name = "Lucía Gómez"
    contact.custom_fields = {"empresa": "Acme SA"}
    contact.save(update_fields=["name", "custom_fields"])
    client = client_for(acme.operator)

    def fill(count: int) -> None:
        for index in range(count):
            tag = get_or_create_tag(acme.account, f"tag{index}-{timezone.now().timestamp()}")
            conversation.tags.add(tag)
            contact.tags.add(tag)
            add_note(contact, f"nota {index}", author=acme.supervisor)
            add_reminder(
                contact, timezone.now() + timedelta(days=1), f"recordar {index}", owner=acme.operator
            )
            schedule_message(
                conversation, f"programado {index}", timezone.now() + timedelta(days=1), author=acme.operator
            )

    fill(1)
    with django_assert_max_num_queries(30) as few:
        client.get(url("inbox_panel", conversation))
    fill(10)
    with django_assert_max_num_queries(len(few.captured_queries)):  # no query per row
        page = client.get(url("inbox_panel", conversation)).content.decode()
    for text in ("Lucía Gómez", "Acme SA", "nota 9", "recordar 9", "programado 9", conversation.line.name):
        assert text in page


def test_assigning_from_the_panel(acme: Team, conversation: Conversation) -> None:
    client = client_for(acme.operator)
    response = client.post(
        url("inbox_assign", conversation), {"assignee": acme.operator.id}, follow=True, headers=HTMX
    )
    assert response.status_code == 200
    assert 'data-testid="contact-panel"' in response.content.decode()
    assert Conversation.objects.for_account(acme.account).get().assignee == acme.operator
    [other] = operators(acme, 1)
    assign(conversation, other, by=acme.supervisor)
    refused = client.post(url("inbox_assign", conversation), {"assignee": acme.operator.id}, headers=HTMX)
    assert refused.status_code == 200  # shown in the panel
    assert alerts(refused) == 1  # the refusal, shown where the choice is made
    assert Conversation.objects.for_account(acme.account).get().assignee == other


def test_tags_created_inline_on_the_chat_and_the_contact(acme: Team, conversation: Conversation) -> None:
    client = client_for(acme.operator)
    client.post(url("inbox_tag_add", conversation), {"name": "VIP", "color": "#dc2626", "on": "conversation"})
    client.post(url("inbox_tag_add", conversation), {"name": "vip", "on": "contact"})
    [tag] = Tag.objects.for_account(acme.account)
    assert tag.color == "#dc2626"
    assert list(conversation.tags.for_account(acme.account)) == [tag]
    assert list(conversation.contact.tags.for_account(acme.account)) == [tag]
    client.post(url("inbox_tag_remove", conversation, tag_id=tag.id), {"on": "conversation"})
    assert not conversation.tags.for_account(acme.account).exists()
    kinds = ConversationEvent.objects.for_account(acme.account).values_list("kind", flat=True)
    assert list(kinds) == [EventKind.TAGGED, EventKind.UNTAGGED]
    assert client.post(url("inbox_tag_add", conversation), {"name": "", "on": "contact"}).status_code == 400


def test_notes_from_the_panel_are_deleted_by_their_author_or_a_supervisor(
    acme: Team, conversation: Conversation
) -> None:
    [other] = operators(acme, 1)
    client_for(acme.operator).post(url("inbox_note_add", conversation), {"text": "Llamar a la tarde"})
    note = Note.objects.for_account(acme.account).get()
    assert (note.text, note.author) == ("Llamar a la tarde", acme.operator)
    refused = client_for(other).post(url("inbox_note_delete", conversation, note_id=note.id), headers=HTMX)
    assert alerts(refused) == 1
    assert Note.objects.for_account(acme.account).exists()
    client_for(acme.supervisor).post(url("inbox_note_delete", conversation, note_id=note.id))
    assert not Note.objects.for_account(acme.account).exists()


def test_a_plain_form_post_goes_back_to_the_inbox_and_htmx_gets_the_panel(
    acme: Team, conversation: Conversation
) -> None:
    """A form submitted before htmx takes it over (or without JavaScript) must not leave the
    operator on the bare panel fragment."""
    client = client_for(acme.supervisor)
    plain = client.post(url("inbox_assign", conversation), {"assignee": acme.operator.id})
    assert (plain.status_code, plain["Location"]) == (302, url("inbox_conversation", conversation))
    htmx = client.post(url("inbox_assign", conversation), {"assignee": "none"}, headers=HTMX)
    assert (htmx.status_code, htmx["Location"]) == (302, url("inbox_panel", conversation))


def test_reminder_times_are_the_accounts_local_time(acme: Team, conversation: Conversation) -> None:
    next_year = timezone.now().year + 1
    response = client_for(acme.operator).post(
        url("inbox_reminder_add", conversation), {"due_at": f"{next_year}-03-02T10:00", "text": "Llamar"}
    )
    assert response.status_code == 302
    reminder = Reminder.objects.for_account(acme.account).get()
    assert reminder.due_at == datetime(next_year, 3, 2, 13, 0, tzinfo=UTC)  # Buenos Aires is UTC-3
    assert reminder.owner == acme.operator


def test_scheduling_from_a_quick_reply_fills_its_variables(acme: Team, conversation: Conversation) -> None:
    contact = conversation.contact
    contact.name = "Lucía Gómez"
    contact.save(update_fields=["name"])
    quick = QuickReply.objects.for_account(acme.account).create(
        account=acme.account, shortcut="seguimiento", text="Hola {{nombre}}, ¿pudo ver el presupuesto?"
    )
    send_at = (timezone.localtime(timezone.now() + timedelta(days=1))).strftime("%Y-%m-%dT%H:%M")
    client = client_for(acme.operator)
    assert (
        client.post(
            url("inbox_schedule", conversation), {"send_at": send_at, "quick_reply": quick.id}
        ).status_code
        == 302
    )
    scheduled = ScheduledMessage.objects.for_account(acme.account).get()
    assert scheduled.text == "Hola Lucía, ¿pudo ver el presupuesto?"
    panel = client.get(url("inbox_panel", conversation)).content.decode()
    assert "Hola Lucía" in panel
    client.post(url("inbox_scheduled_cancel", conversation, scheduled_id=scheduled.id))
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledStatus.CANCELLED
    past = client.post(url("inbox_schedule", conversation), {"send_at": "2001-01-01T10:00", "text": "x"})
    assert past.status_code == 400


def test_the_reminders_page_lists_due_and_coming_and_marks_read(
    acme: Team, conversation: Conversation
) -> None:
    soon = add_reminder(
        conversation.contact, timezone.now() + timedelta(minutes=1), "Vencido", owner=acme.operator
    )
    later = add_reminder(
        conversation.contact, timezone.now() + timedelta(days=2), "Próximo", owner=acme.operator
    )
    add_reminder(conversation.contact, timezone.now() + timedelta(days=2), "De otro", owner=acme.supervisor)
    Reminder.objects.for_account(acme.account).filter(id=soon.id).update(
        due_at=timezone.now() - timedelta(minutes=5)
    )
    client = client_for(acme.operator)
    page = client.get(account_url("inbox_reminders", acme)).content.decode()
    assert page.index("Vencido") < page.index("Próximo")
    assert "De otro" not in page
    assert client.post(account_url("inbox_reminder_read", acme), {"reminder": soon.id}).status_code == 302
    soon.refresh_from_db()
    assert soon.read_at is not None
    assert client.post(account_url("inbox_reminder_delete", acme), {"reminder": later.id}).status_code == 302
    assert client.post(account_url("inbox_reminder_delete", acme), {}).status_code == 400
    others = Reminder.objects.for_account(acme.account).get(owner=acme.supervisor)
    assert client.post(account_url("inbox_reminder_delete", acme), {"reminder": others.id}).status_code == 404
    assert Reminder.objects.for_account(acme.account).count() == 2


def test_a_supervisor_transfers_all_chats_of_an_operator(acme: Team, line: Line) -> None:
    source, target = operators(acme, 2)
    for index in range(3):
        assign(make_conversation(line, f"+54911000000{index}"), source, by=acme.supervisor)
    client = client_for(acme.supervisor)
    response = client.post(
        account_url("inbox_transfer", acme), {"from_member": source.id, "to_member": target.id}, follow=True
    )
    assert response.status_code == 200
    assert set(Conversation.objects.for_account(acme.account).values_list("assignee_id", flat=True)) == {
        target.id
    }
    assert client_for(acme.operator).get(account_url("inbox_transfer", acme)).status_code == 403


def test_round_robin_settings_per_line(acme: Team, line: Line) -> None:
    first, second = operators(acme, 2)
    page = account_url("settings_line_assignment", acme, line_id=line.id)
    client = client_for(acme.supervisor)
    assert client.get(page).status_code == 200
    assert client.post(page, {"enabled": "on", "members": [first.id, second.id]}).status_code == 302
    robin = RoundRobin.objects.for_account(acme.account).get(line=line)
    assert robin.enabled
    assert set(robin.members.for_account(acme.account)) == {first, second}
    client.post(page, {"members": [second.id]})
    robin.refresh_from_db()
    assert not robin.enabled
    assert list(robin.members.for_account(acme.account)) == [second]
    assert client_for(acme.operator).get(page).status_code == 403


def test_quick_replies_crud_with_case_insensitive_shortcuts(acme: Team, globex: Team) -> None:
    client = client_for(acme.supervisor)
    new = account_url("settings_quick_reply_create", acme)
    assert client.post(new, {"shortcut": "/Hola", "text": "Hola {{nombre}}"}).status_code == 302
    quick = QuickReply.objects.for_account(acme.account).get()
    assert quick.shortcut == "Hola"
    assert client.post(new, {"shortcut": "hola", "text": "otra"}).status_code == 400
    QuickReply.objects.for_account(globex.account).create(account=globex.account, shortcut="precio", text="x")
    assert (
        client.post(new, {"shortcut": "precio", "text": "Cuesta"}).status_code == 302
    )  # globex's doesn't count
    edit = account_url("settings_quick_reply", acme, quick_reply_id=quick.id)
    assert client.post(edit, {"shortcut": "hola", "text": "Buen día {{nombre}}"}).status_code == 302
    quick.refresh_from_db()
    assert (quick.shortcut, quick.text) == ("hola", "Buen día {{nombre}}")
    assert "/hola" in client.get(account_url("settings_quick_replies", acme)).content.decode()
    client.post(account_url("settings_quick_reply_delete", acme, quick_reply_id=quick.id))
    assert list(QuickReply.objects.for_account(acme.account).values_list("shortcut", flat=True)) == ["precio"]
    assert client_for(acme.operator).get(account_url("settings_quick_replies", acme)).status_code == 403
