"""The conversation list (INB-1, INB-2): filters, keyset pages, window state, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audience.models import Tag
from inbox import listing
from inbox.listing import ListFilters, conversation_page, window_state
from inbox.models import Line
from spoter.accounts.models import InboxMode, Membership
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import inbox_url, make_conversation, make_line, query_counts


def numbers(team_member: Membership, **params: str) -> list[int]:
    filters = ListFilters.parse(params, team_member)
    return [conversation.number for conversation in conversation_page(team_member, filters).items]


def test_filters(acme: Team, line: Line) -> None:
    other_line = make_line(acme, "Soporte")
    now = timezone.now()
    mine = make_conversation(line, at=now, assignee=acme.operator)
    theirs = make_conversation(line, at=now - timedelta(minutes=1), assignee=acme.supervisor)
    free = make_conversation(other_line, at=now - timedelta(minutes=2), unread_count=3)
    closed = make_conversation(line, at=now - timedelta(minutes=3), status="closed")
    pending = make_conversation(line, at=now - timedelta(minutes=4), status="pending")
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    theirs.tags.add(vip)

    sup = acme.supervisor
    assert numbers(sup) == [mine.number, theirs.number, free.number, closed.number, pending.number]
    assert numbers(acme.operator, view="mine") == [mine.number]
    assert numbers(sup, view="unassigned") == [free.number, closed.number, pending.number]
    assert numbers(sup, operator=str(acme.supervisor.id)) == [theirs.number]
    assert numbers(sup, tag=str(vip.id)) == [theirs.number]
    assert numbers(sup, line=str(other_line.id)) == [free.number]
    assert numbers(sup, status="closed") == [closed.number]
    assert numbers(sup, status="pending") == [pending.number]
    assert numbers(sup, status="open") == [mine.number, theirs.number, free.number]
    assert numbers(sup, unread="1") == [free.number]
    # The operator filter is a supervisor's: an operator asking for it gets it ignored.
    assert len(numbers(acme.operator, operator=str(acme.supervisor.id))) == 5


def test_private_operators_see_only_their_chats_shared_ones_see_all(acme: Team, line: Line) -> None:
    mine = make_conversation(line, assignee=acme.operator)
    make_conversation(line, assignee=acme.supervisor)
    make_conversation(line)
    assert len(numbers(acme.operator)) == 3
    acme.operator.inbox_mode = InboxMode.PRIVATE
    acme.operator.save(update_fields=["inbox_mode"])
    assert numbers(acme.operator) == [mine.number]
    assert numbers(acme.operator, view="unassigned") == []


def test_keyset_pages_neither_skip_nor_repeat(acme: Team, line: Line) -> None:
    at = timezone.now()
    # Ties on last_message_at are broken by id, so equal times page correctly too.
    created = [make_conversation(line, at=at - timedelta(seconds=index // 3)) for index in range(70)]
    seen: list[int] = []
    page = conversation_page(acme.supervisor, ListFilters())
    pages = 1
    while True:
        seen += [conversation.number for conversation in page.items]
        if not page.next_cursor:
            break
        page = conversation_page(acme.supervisor, ListFilters(), page.next_cursor)
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(conversation.number for conversation in created)
    assert len(seen) == len(set(seen))


def test_a_bad_cursor_gives_the_first_page(acme: Team, line: Line) -> None:
    first = make_conversation(line)
    assert conversation_page(acme.supervisor, ListFilters(), "x.'; drop").items == [first]


@pytest.mark.parametrize(
    ("inbound_ago", "state"),
    [
        (timedelta(hours=1), "open"),
        (timedelta(hours=23), "closing"),
        (timedelta(hours=25), "closed"),
        (None, "closed"),
    ],
)
def test_window_state(line: Line, inbound_ago: timedelta | None, state: str) -> None:
    assert window_state(make_conversation(line, inbound_ago=inbound_ago)) == state


def test_the_list_page_costs_the_same_queries_for_5_or_50_conversations(acme: Team, line: Line) -> None:
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    client = client_for(acme.supervisor)
    url = inbox_url(acme, "inbox_list")

    def add(how_many: int) -> None:
        for _ in range(how_many):
            conversation = make_conversation(line, assignee=acme.operator)
            conversation.tags.add(vip)

    five, fifty, page = query_counts(client, url, add, 5, 45)
    assert page.count('class="conv-item') == listing.PAGE_SIZE
    assert five == fifty
    assert five <= 10


def test_list_item_fragment(acme: Team, line: Line) -> None:
    conversation = make_conversation(line, "Beto Gómez", unread_count=2)
    page = client_for(acme.operator).get(inbox_url(acme, "inbox_list_item", number=conversation.number))
    html = page.content.decode()
    assert f'id="conv-{conversation.number}"' in html
    assert "Beto Gómez" in html
    assert 'data-testid="unread"' in html
    assert 'data-window="open"' in html


def test_filter_links_and_next_page(acme: Team, line: Line) -> None:
    for _ in range(listing.PAGE_SIZE + 1):
        make_conversation(line, status="pending")
    response = client_for(acme.supervisor).get(inbox_url(acme, "inbox_list"), {"status": "pending"})
    html = response.content.decode()
    assert "status=pending&amp;cursor=" in html
    assert html.count('class="conv-item') == listing.PAGE_SIZE
