"""Inbound messages: every type in FACTS.md, stored once, in any order, with the conversation kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audience.models import Contact
from inbox.conversations import set_status
from inbox.media import _enqueue_download
from inbox.models import Conversation, ConversationStatus, Line, MediaFile, Message, MessageType
from tests.inbox.webhooks.conftest import CUSTOMER_WA_ID, deliver, fixture

SENT_AT = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)  # the fixtures' timestamp


def only_message(line: Line) -> Message:
    return Message.objects.for_account(line.account).get()


@pytest.mark.parametrize(
    ("name", "kind", "text", "payload"),
    [
        ("text", "text", "Hola, ¿tienen *stock* del modelo 42?", {}),
        (
            "location",
            "location",
            "Obelisco, Av. 9 de Julio s/n, CABA",
            {"latitude": -34.6037, "name": "Obelisco"},
        ),
        ("contacts", "contacts", "Juan Pérez", {}),
        (
            "interactive_button_reply",
            "interactive",
            "Sí, confirmo",
            {"type": "button_reply", "id": "confirm-yes", "title": "Sí, confirmo"},
        ),
        (
            "interactive_list_reply",
            "interactive",
            "Envío exprés",
            {
                "type": "list_reply",
                "id": "shipping-express",
                "title": "Envío exprés",
                "description": "Llega mañana",
            },
        ),
        (
            "button",
            "button",
            "No quiero promociones",
            {"payload": "STOP_PROMOS", "text": "No quiero promociones"},
        ),
    ],
)
def test_each_type_is_stored_readably(
    line: Line, name: str, kind: str, text: str, payload: dict[str, object]
) -> None:
    deliver(fixture(name), line)
    message = only_message(line)
    assert (message.type, message.text, message.direction, message.status) == (kind, text, "in", "received")
    assert payload.items() <= message.payload.items()
    assert message.sent_at == SENT_AT


def test_contact_cards_are_kept_whole(line: Line) -> None:
    deliver(fixture("contacts"), line)
    (card,) = only_message(line).payload["contacts"]
    assert card["phones"][0]["wa_id"] == "5491155550002"


@pytest.mark.parametrize(
    ("name", "kind", "caption", "flags", "filename"),
    [
        ("image", "image", "La factura", {}, ""),
        ("audio_voice", "audio", "", {"voice": True}, ""),
        ("video", "video", "Así llegó", {}, ""),
        ("document", "document", "Presupuesto", {}, "presupuesto 2026.pdf"),
        ("sticker", "sticker", "", {"animated": False}, ""),
    ],
)
def test_media_messages_get_a_pending_file_and_a_download(
    line: Line,
    django_capture_on_commit_callbacks,
    name: str,
    kind: str,
    caption: str,
    flags: dict[str, bool],
    filename: str,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        deliver(fixture(name), line)
    message = only_message(line)
    assert (message.type, message.text, message.payload) == (kind, caption, flags)
    media = MediaFile.objects.for_account(line.account).get()
    assert message.media == media
    assert (media.state, media.line, media.filename) == ("pending", line, filename)
    assert media.provider_media_id.startswith("10033834213872")
    # The download, after commit (beside the live inbox's message.created, inbox/events.py).
    downloads = [callback for callback in callbacks if getattr(callback, "func", None) is _enqueue_download]
    assert len(downloads) == 1


def test_replies_keep_the_quoted_wamid(line: Line) -> None:
    deliver(fixture("reply_with_context"), line)
    assert only_message(line).reply_to_wamid == "wamid.OUTBOUND_QUOTED"
    deliver(fixture("interactive_button_reply"), line)
    reply = Message.objects.for_account(line.account).get(type=MessageType.INTERACTIVE)
    assert reply.reply_to_wamid == "wamid.OUTBOUND_WITH_BUTTONS"


def test_unsupported_messages_get_a_placeholder(line: Line) -> None:
    deliver(fixture("unsupported"), line)
    message = only_message(line)
    assert message.type == "unsupported"
    assert message.text  # something to show instead of nothing
    assert message.payload["errors"][0]["code"] == 131051


def test_reactions_are_their_own_rows_attached_by_wamid(line: Line) -> None:
    deliver(fixture("reaction"), line)  # before the message it reacts to: order is not guaranteed
    deliver(fixture("text"), line)
    deliver(fixture("reaction_removed"), line)
    messages = Message.objects.for_account(line.account)
    target = messages.get(type=MessageType.TEXT)
    reactions = messages.filter(type=MessageType.REACTION, reply_to_wamid=target.wamid).order_by("sent_at")
    assert [(r.payload["emoji"], r.text) for r in reactions] == [("👍", "👍"), ("", "")]
    assert reactions[0].payload["message_id"] == target.wamid


def test_the_contact_is_found_or_created_with_its_profile(line: Line) -> None:
    deliver(fixture("text"), line)
    contact = Contact.objects.for_account(line.account).get()
    assert (contact.wa_user_id, contact.wa_id, contact.phone) == (
        "AR.13491208655302741918",
        CUSTOMER_WA_ID,
        "+" + CUSTOMER_WA_ID,
    )
    assert contact.profile_name == "Lucía Gómez"
    assert not contact.registered  # flagged as unknown until the account adds it
    assert contact.last_seen_at == SENT_AT


def test_a_user_with_a_username_and_no_phone_is_keyed_by_user_id(line: Line) -> None:
    deliver(fixture("username_user"), line)
    deliver(fixture("username_user", USERNAME="USERNAME2"), line)
    contact = Contact.objects.for_account(line.account).get()
    assert (contact.wa_user_id, contact.phone, contact.profile_name) == (
        "AR.99887766554433221100",
        "",
        "Martina",
    )
    assert Message.objects.for_account(line.account).filter(conversation__contact=contact).count() == 2


def test_retries_store_one_message_and_leave_the_conversation_alone(line: Line) -> None:
    deliver(fixture("text"), line)
    conversation = Conversation.objects.for_account(line.account).get()
    set_status(conversation, ConversationStatus.CLOSED)
    for _ in range(3):
        deliver(fixture("text"), line)
    assert Message.objects.for_account(line.account).count() == 1
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED  # a retry reopens nothing


def test_a_new_message_reopens_the_closed_conversation_and_opens_the_window(line: Line) -> None:
    deliver(fixture("text"), line)
    conversation = Conversation.objects.for_account(line.account).get()
    set_status(conversation, ConversationStatus.CLOSED)
    deliver(fixture("location"), line)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.initiated_by == "customer"
    assert conversation.last_inbound_at == SENT_AT
    assert Conversation.objects.for_account(line.account).count() == 1


def test_the_window_runs_from_the_latest_message_whatever_the_order(line: Line) -> None:
    later = fixture("text", **{"1767258000": "1767261600", "TEXT": "LATER"})  # an hour later
    deliver(later, line)
    deliver(fixture("text"), line)  # the earlier one arrives last
    conversation = Conversation.objects.for_account(line.account).get()
    assert conversation.last_inbound_at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert conversation.last_message_at >= conversation.last_inbound_at
    assert Contact.objects.for_account(line.account).get().last_seen_at == conversation.last_inbound_at


def test_a_batch_stores_every_message_of_every_entry(line: Line) -> None:
    event = deliver(fixture("batch"), line)
    messages = Message.objects.for_account(line.account).order_by("sent_at")
    assert [m.text for m in messages] == ["primero", "hola desde otro", "segundo", "tercero"]
    assert Contact.objects.for_account(line.account).count() == 2
    assert {c.profile_name for c in Contact.objects.for_account(line.account)} == {"Lucía Gómez", "Pedro"}
    assert event.error == ""  # the statuses for a wamid we do not know yet are kept, not errors


def test_one_bad_message_does_not_lose_the_others(line: Line) -> None:
    body = fixture("batch")
    messages = body["entry"][0]["changes"][0]["value"]["messages"]
    messages[1] = {"id": "wamid.NOSENDER", "timestamp": "1767258001", "type": "text", "text": {"body": "?"}}
    messages[2]["type"] = "reaction"  # a reaction without its object
    event = deliver(body, line)
    assert [m.text for m in Message.objects.for_account(line.account).order_by("sent_at")] == [
        "primero",
        "tercero",
    ]
    assert "wamid.NOSENDER" in event.error
    assert event.processed_at is not None
