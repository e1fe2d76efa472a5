"""What the live client fetches when someone else changes the open chat: its header
(inbox_chat_head) and the system lines after the last one it shows (inbox_messages_after with
events_after)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox.assignment import assign
from inbox.conversations import set_status
from inbox.models import ConversationEvent, ConversationStatus, Line
from spoter.accounts.models import InboxMode
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import add_message, htmx, inbox_url, make_conversation


def event_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="event-(\d+)"', html)]


def message_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="msg-(\d+)"', html)]


def test_it_checks_ownership(acme: Team, globex: Team, line: Line) -> None:
    conversation = make_conversation(line, assignee=acme.supervisor)
    acme.operator.inbox_mode = InboxMode.PRIVATE
    acme.operator.save(update_fields=["inbox_mode"])
    for name, query in (("inbox_chat_head", ""), ("inbox_messages_after", "?after=0&events_after=0")):
        url = inbox_url(acme, name, number=conversation.number) + query
        assert client_for(globex.admin).get(url).status_code == 404, url
        assert client_for(acme.operator).get(url).status_code == 404, url  # private, not theirs
        assert client_for(acme.supervisor).get(url).status_code == 200, url


def test_the_header_shows_status_assignee_window_and_the_right_button(acme: Team, line: Line) -> None:
    conversation = make_conversation(line, inbound_ago=timedelta(hours=23, minutes=30))
    client = htmx(client_for(acme.operator))
    url = inbox_url(acme, "inbox_chat_head", number=conversation.number)
    head = client.get(url).content.decode()
    assert 'data-status="open"' in head
    assert 'data-window="closing"' in head
    assert 'data-testid="close"' in head
    assert 'data-testid="reopen"' not in head

    acme.supervisor.user.first_name, acme.supervisor.user.last_name = "Sofía", "Paz"
    acme.supervisor.user.save(update_fields=["first_name", "last_name"])
    assign(conversation, acme.supervisor, by=acme.admin)
    set_status(conversation, ConversationStatus.CLOSED, actor=acme.admin)
    with CaptureQueriesContext(connection) as queries:
        head = client.get(url).content.decode()
    assert 'data-status="closed"' in head
    assert 'data-testid="reopen"' in head
    assert 'data-testid="close"' not in head
    assignee = re.search(r'data-testid="chat-assignee">([^<]*)<', head)
    assert assignee is not None
    assert "Sofía Paz" in assignee.group(1)
    assert len(queries) == 5  # session, user, membership, the chat, it with contact, line, assignee


def test_new_system_lines_come_after_the_last_one_shown(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    shown_message = add_message(conversation, "Hola")
    set_status(conversation, ConversationStatus.CLOSED, actor=acme.supervisor)
    shown_line = ConversationEvent.objects.for_account(acme.account).get()
    client = htmx(client_for(acme.operator))

    # Someone else reopens and assigns it; a message arrives.
    set_status(conversation, ConversationStatus.OPEN, actor=acme.supervisor)
    assign(conversation, acme.operator, by=acme.supervisor)
    newer = add_message(conversation, "¿Sigue abierto?")
    url = inbox_url(acme, "inbox_messages_after", number=conversation.number)
    html = client.get(f"{url}?after={shown_message.id}&events_after={shown_line.id}").content.decode()
    reopened, assigned = ConversationEvent.objects.for_account(acme.account).exclude(id=shown_line.id)
    assert event_ids(html) == [reopened.id, assigned.id]
    assert message_ids(html) == [newer.id]
    assert html.index(f'id="event-{assigned.id}"') < html.index(f'id="msg-{newer.id}"')  # time order
    assert 'data-kind="reopened"' in html
    assert 'data-kind="assigned"' in html

    # Without events_after, the same address gives messages only (as before).
    assert event_ids(client.get(f"{url}?after={shown_message.id}").content.decode()) == []


def test_a_chat_showing_no_system_line_gets_only_those_after_its_last_message(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    old = ConversationEvent.objects.for_account(acme.account).create(
        account=acme.account,
        conversation=conversation,
        kind="closed",
        actor=acme.supervisor,
        created_at=timezone.now() - timedelta(days=3),
    )
    last = add_message(conversation, "Hola")  # the page shows it, and no line (older ones paged out)
    set_status(conversation, ConversationStatus.CLOSED, actor=acme.supervisor)
    url = inbox_url(acme, "inbox_messages_after", number=conversation.number)
    html = htmx(client_for(acme.supervisor)).get(f"{url}?after={last.id}&events_after=0").content.decode()
    new = ConversationEvent.objects.for_account(acme.account).exclude(id=old.id).get()
    assert event_ids(html) == [new.id]
