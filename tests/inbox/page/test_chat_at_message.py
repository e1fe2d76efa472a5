"""A search hit opens its chat at the message (INB-11 with INB-4): a window of messages before and
after it, newer pages on the way down, a way back to the end; the same 404 for a message of
another chat, another account or a chat the member may not see; constant query counts."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from inbox import chat
from inbox.models import Conversation, ConversationEvent, Line, Message
from spoter.accounts.models import InboxMode
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import add_message, htmx, inbox_url, make_conversation, make_line, query_counts


def shown(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-id="(\d+)" data-status', html)]


def many_messages(line: Line, count: int) -> tuple[Conversation, list[Message]]:
    conversation = make_conversation(line)
    start = timezone.now() - timedelta(hours=count)
    sent = [
        add_message(conversation, f"mensaje {index}", created_at=start + timedelta(minutes=index))
        for index in range(count)
    ]
    return conversation, sent


def test_a_chat_opens_around_an_old_message(acme: Team, line: Line) -> None:
    conversation, sent = many_messages(line, 120)
    client = client_for(acme.operator)
    url = inbox_url(acme, "inbox_conversation", number=conversation.number)

    html = client.get(url, {"message": sent[60].id}).content.decode()
    assert shown(html) == [m.id for m in sent[60 - chat.AROUND : 60 + chat.AROUND + 1]]
    assert f'data-focus="{sent[60].id}"' in html
    assert f"?before={sent[60 - chat.AROUND].id}" in html  # older ones on the way up, as always
    assert f"?newer={sent[60 + chat.AROUND].id}" in html  # newer ones on the way down
    assert 'data-testid="to-latest"' in html

    # Message 1 of 120: nothing above it, the next ones below, and the end far away.
    first = client.get(url, {"message": sent[0].id}).content.decode()
    assert shown(first) == [m.id for m in sent[: chat.AROUND + 1]]
    assert "?before=" not in first
    assert 'data-testid="to-latest"' in first

    # Near the end: the window reaches it, so no newer pages and no way "back" to it.
    last = client.get(url, {"message": sent[110].id}).content.decode()
    assert shown(last) == [m.id for m in sent[110 - chat.AROUND :]]
    assert "?newer=" not in last
    assert 'data-testid="to-latest"' not in last

    # Without ?message the chat opens at its end, as before.
    plain = client.get(url).content.decode()
    assert shown(plain) == [m.id for m in sent[-chat.PAGE_SIZE :]]
    assert "data-focus" not in plain


def test_newer_pages_follow_down_to_the_end_with_their_system_lines(acme: Team, line: Line) -> None:
    conversation, sent = many_messages(line, 120)
    # A system line between the window's last message and the next one belongs to the window;
    # one further down comes with the page that holds its neighbours.
    in_window, further = (
        ConversationEvent.objects.for_account(acme.account).create(
            account=acme.account,
            conversation=conversation,
            kind="closed",
            actor=acme.supervisor,
            created_at=at,
        )
        for at in (
            sent[chat.AROUND].created_at + timedelta(seconds=30),
            sent[70].created_at + timedelta(seconds=30),
        )
    )
    client = htmx(client_for(acme.operator))
    page = client.get(
        inbox_url(acme, "inbox_conversation", number=conversation.number), {"message": sent[0].id}
    ).content.decode()
    assert f'id="event-{in_window.id}"' in page
    assert f'id="event-{further.id}"' not in page

    url = inbox_url(acme, "inbox_messages_after", number=conversation.number)
    second = client.get(url, {"newer": sent[chat.AROUND].id}).content.decode()
    assert shown(second) == [m.id for m in sent[chat.AROUND + 1 : chat.AROUND + 1 + chat.PAGE_SIZE]]
    assert f'id="event-{further.id}"' in second
    assert f'id="event-{in_window.id}"' not in second
    cursor = sent[chat.AROUND + chat.PAGE_SIZE].id
    assert f"?newer={cursor}" in second
    assert 'hx-swap-oob="delete"' not in second

    third = client.get(url, {"newer": cursor}).content.decode()
    assert shown(third) == [m.id for m in sent[chat.AROUND + 1 + chat.PAGE_SIZE :]]
    assert "?newer=" not in third
    assert '<a id="to-latest" hx-swap-oob="delete">' in third  # at the end: the shortcut goes
    assert shown(client.get(url, {"newer": sent[-1].id}).content.decode()) == []


def test_search_results_link_to_the_message(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    hit = add_message(conversation, "la zanahoria llegó podrida")
    html = client_for(acme.operator).get(inbox_url(acme, "inbox_search"), {"q": "zanahoria"}).content.decode()
    chat_url = inbox_url(acme, "inbox_conversation", number=conversation.number)
    assert f'hx-get="{chat_url}?message={hit.id}"' in html
    assert f'href="{chat_url}?message={hit.id}#msg-{hit.id}"' in html


def test_it_checks_ownership(acme: Team, globex: Team, line: Line) -> None:
    conversation = make_conversation(line)
    mine = add_message(conversation)
    other_chat = add_message(make_conversation(line, "Otro"))
    reaction = add_message(
        conversation, "", type="reaction", payload={"message_id": mine.wamid, "emoji": "👍"}
    )
    theirs = add_message(make_conversation(make_line(globex)))
    add_message(conversation, "después")  # a later message of this chat: ids are not enough
    client = client_for(acme.operator)
    url = inbox_url(acme, "inbox_conversation", number=conversation.number)
    assert client.get(url, {"message": mine.id}).status_code == 200
    # A message of another chat, of another account, a reaction or none at all: the same 404,
    # and opening the chat that way reads nothing.
    conversation.unread_count = 2
    conversation.save(update_fields=["unread_count"])
    for message_id in (other_chat.id, theirs.id, reaction.id, 10**9):
        assert client.get(url, {"message": message_id}).status_code == 404, message_id
        assert htmx(client_for(acme.operator)).get(url, {"message": message_id}).status_code == 404
    conversation.refresh_from_db()
    assert conversation.unread_count == 2
    # Another account's member gets 404 for acme's chat and message, whatever they ask.
    assert client_for(globex.admin).get(url, {"message": mine.id}).status_code == 404
    newer = inbox_url(acme, "inbox_messages_after", number=conversation.number)
    assert client_for(globex.admin).get(newer, {"newer": mine.id}).status_code == 404


def test_a_private_operator_cannot_open_a_chat_not_theirs_at_a_message(acme: Team, line: Line) -> None:
    others = make_conversation(line, assignee=acme.supervisor)
    hidden = add_message(others, "secreto")
    acme.operator.inbox_mode = InboxMode.PRIVATE
    acme.operator.save(update_fields=["inbox_mode"])
    client = client_for(acme.operator)
    url = inbox_url(acme, "inbox_conversation", number=others.number)
    assert client.get(url, {"message": hidden.id}).status_code == 404
    newer = inbox_url(acme, "inbox_messages_after", number=others.number)
    assert client.get(newer, {"newer": 0}).status_code == 404
    # Their own chat's number with the hidden message's id: still nothing.
    own = make_conversation(line, "Mía", assignee=acme.operator)
    add_message(own)
    own_url = inbox_url(acme, "inbox_conversation", number=own.number)
    assert client.get(own_url, {"message": hidden.id}).status_code == 404


def test_opening_at_a_message_costs_the_same_queries_for_few_or_many_messages(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    for index in range(10):
        add_message(conversation, f"antes {index}")
    target = add_message(conversation, "este")
    client = htmx(client_for(acme.operator))
    url = inbox_url(acme, "inbox_conversation", number=conversation.number) + f"?message={target.id}"

    def add(how_many: int) -> None:
        for index in range(how_many):
            asked = add_message(conversation, f"pregunta {index}")
            add_message(conversation, "ok", direction="out", sender=acme.operator, reply_to_wamid=asked.wamid)
            add_message(
                conversation, "👍", type="reaction", payload={"message_id": asked.wamid, "emoji": "👍"}
            )
            ConversationEvent.objects.for_account(acme.account).create(
                account=acme.account, conversation=conversation, kind="assigned", actor=acme.supervisor
            )

    few, many, page = query_counts(client, url, add, 3, 30)
    assert len(shown(page)) == 10 + 1 + chat.AROUND
    assert few == many
    assert few <= 17

    newer_url = inbox_url(acme, "inbox_messages_after", number=conversation.number) + f"?newer={target.id}"
    few, many, page = query_counts(client, newer_url, add, 3, 30)
    assert len(shown(page)) == chat.PAGE_SIZE
    assert few == many
