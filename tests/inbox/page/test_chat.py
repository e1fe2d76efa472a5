"""The chat (INB-4): history with system lines and days, reactions, quotes, media, pages by id,
the unread reset, escaping, and constant query counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile

from inbox import chat
from inbox.conversations import set_status
from inbox.models import Conversation, ConversationEvent, ConversationStatus, Line, MediaFile
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import add_message, htmx, inbox_url, make_conversation, query_counts


def test_history_merges_system_lines_and_days_in_the_account_zone(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    # 02:30 UTC is still the previous day in Buenos Aires (UTC-3).
    first = add_message(conversation, "ayer", created_at=datetime(2026, 3, 2, 2, 30, tzinfo=UTC))
    event = ConversationEvent.objects.for_account(acme.account).create(
        account=acme.account,
        conversation=conversation,
        kind="assigned",
        created_at=datetime(2026, 3, 2, 4, 0, tzinfo=UTC),
    )
    second = add_message(conversation, "hoy", created_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    entries = chat.history(conversation).entries
    assert [
        (entry.kind, entry.day or (entry.bubble and entry.bubble.message) or entry.event) for entry in entries
    ] == [
        ("day", datetime(2026, 3, 1).date()),
        ("message", first),
        ("day", datetime(2026, 3, 2).date()),
        ("event", event),
        ("message", second),
    ]


def test_reactions_join_their_message_and_quotes_are_found(line: Line) -> None:
    conversation = make_conversation(line)
    asked = add_message(conversation, "¿Tienen talle M?")
    answer = add_message(conversation, "Sí", direction="out", reply_to_wamid=asked.wamid)
    add_message(conversation, "👍", type="reaction", payload={"message_id": answer.wamid, "emoji": "👍"})
    add_message(conversation, "❤️", type="reaction", payload={"message_id": answer.wamid, "emoji": "❤️"})
    add_message(
        conversation, "", type="reaction", direction="out", payload={"message_id": asked.wamid, "emoji": ""}
    )
    bubbles = [entry.bubble for entry in chat.history(conversation).entries if entry.bubble]
    assert [bubble.message for bubble in bubbles] == [asked, answer]  # reactions are not rows
    assert bubbles[1].reactions == ["❤️"]  # the customer's latest reaction replaced the first
    assert bubbles[0].reactions == []  # an empty emoji removed ours
    assert bubbles[1].quoted == asked


def test_older_pages_by_id(line: Line) -> None:
    conversation = make_conversation(line)
    sent = [add_message(conversation, f"m{index}") for index in range(chat.PAGE_SIZE + 7)]
    latest = chat.history(conversation)
    shown = [entry.bubble.message for entry in latest.entries if entry.bubble]
    assert shown == sent[7:]
    assert latest.older_cursor == sent[7].id
    older = chat.history(conversation, before=latest.older_cursor)
    assert [entry.bubble.message for entry in older.entries if entry.bubble] == sent[:7]
    assert older.older_cursor is None
    after = chat.messages_after(conversation, sent[-3].id)
    assert [entry.bubble.message for entry in after if entry.bubble] == sent[-2:]


def test_opening_a_chat_reads_it(acme: Team, line: Line) -> None:
    conversation = make_conversation(line, unread_count=4)
    add_message(conversation)
    response = htmx(client_for(acme.operator)).get(
        inbox_url(acme, "inbox_conversation", number=conversation.number)
    )
    assert response.status_code == 200
    assert Conversation.objects.for_account(acme.account).get(id=conversation.id).unread_count == 0
    # The list item comes along (out of band) without its badge.
    html = response.content.decode()
    assert f'id="conv-{conversation.number}"' in html
    assert 'hx-swap-oob="true"' in html
    assert 'data-testid="unread"' not in html
    assert chat.mark_read(conversation) is False  # already read: no write


def test_customer_html_is_never_markup(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    add_message(conversation, "<script>alert(1)</script> *hola*")
    html = (
        client_for(acme.operator)
        .get(inbox_url(acme, "inbox_conversation", number=conversation.number))
        .content.decode()
    )
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <strong>hola</strong>" in html


def test_media_location_interactive_and_failed_messages(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    document = MediaFile.objects.for_account(acme.account).create(
        account=acme.account,
        line=line,
        filename="factura.pdf",
        size=2048,
        state="ready",
        mime_type="application/pdf",
    )
    document.file.save("factura.pdf", ContentFile(b"%PDF-1.4"), save=True)
    add_message(conversation, "", type="document", media=document)
    add_message(conversation, "Oficina", type="location", payload={"latitude": -34.6, "longitude": -58.4})
    add_message(
        conversation, "Sí", type="interactive", payload={"type": "button_reply", "id": "yes", "title": "Sí"}
    )
    failed = add_message(
        conversation,
        "hola",
        direction="out",
        status="failed",
        error_code=131047,
        error_title="Re-engagement message",
    )
    client = client_for(acme.operator)
    html = client.get(inbox_url(acme, "inbox_conversation", number=conversation.number)).content.decode()
    assert "factura.pdf" in html
    assert "2,0\xa0KB" in html
    assert f"/a/{acme.account.slug}/media/{document.id}/?t=" in html
    assert "openstreetmap.org/?mlat=-34.6&amp;mlon=-58.4" in html
    assert "↩ Sí" in html
    assert f'id="msg-{failed.id}"' in html
    assert 'data-status="failed"' in html
    assert "Re-engagement message" in html
    assert "131047" in html
    one = client.get(inbox_url(acme, "inbox_message", number=conversation.number, message_id=failed.id))
    assert one.content.decode().count('data-testid="message"') == 1


def test_system_lines_for_close_and_reopen(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    set_status(conversation, ConversationStatus.CLOSED, actor=acme.operator)
    set_status(conversation, ConversationStatus.CLOSED, actor=acme.operator)  # no second line
    set_status(conversation, ConversationStatus.OPEN, actor=acme.supervisor)
    kinds = [entry.event.kind for entry in chat.history(conversation).entries if entry.event]
    assert kinds == ["closed", "reopened"]


def test_opening_a_chat_costs_the_same_queries_for_5_or_50_messages(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    client = htmx(client_for(acme.operator))
    url = inbox_url(acme, "inbox_conversation", number=conversation.number)

    def add(how_many: int) -> None:
        for index in range(how_many):
            asked = add_message(conversation, f"pregunta {index}")
            add_message(conversation, "ok", direction="out", sender=acme.operator, reply_to_wamid=asked.wamid)
            add_message(
                conversation, "👍", type="reaction", payload={"message_id": asked.wamid, "emoji": "👍"}
            )
            ConversationEvent.objects.for_account(acme.account).create(
                account=acme.account,
                conversation=conversation,
                kind="assigned",
                actor=acme.supervisor,
                target=acme.operator,
            )

    few, many, page = query_counts(client, url, add, 3, 30)
    assert page.count('data-testid="message"') == chat.PAGE_SIZE
    assert few == many
    assert few <= 16


def test_timeline_shows_days_for_old_messages(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    add_message(conversation, "viejo", created_at=datetime(2026, 1, 5, 15, tzinfo=UTC))
    add_message(conversation, "nuevo", created_at=datetime(2026, 1, 5, 15, tzinfo=UTC) + timedelta(days=2))
    days = [entry for entry in chat.history(conversation).entries if entry.kind == "day"]
    assert len(days) == 2


def test_the_full_page_lists_the_open_chat_as_read(acme: Team, line: Line) -> None:
    conversation = make_conversation(line, unread_count=2)
    other = make_conversation(line, "Otro", unread_count=3)
    html = (
        client_for(acme.operator)
        .get(inbox_url(acme, "inbox_conversation", number=conversation.number))
        .content.decode()
    )
    assert html.count('data-testid="unread"') == 1  # only the other chat's badge
    assert f'id="conv-{other.number}"' in html
