"""The customer's side of the simulator: what a person does on the phone page.

Every customer action becomes a message stored at the fake Meta and a signed webhook owed to the
business, in one transaction (the webhook is posted after commit by a task).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from inbox.media_rules import ALLOWED, check_media, detect_mime_type
from inbox.simulator import webhooks
from inbox.simulator.models import SimCustomer, SimMedia, SimMessage, SimNumber
from inbox.simulator.services import customer_for, store_media

THREAD_LENGTH = 100  # the latest messages the phone shows


def start_chat(number: SimNumber, phone: str, name: str) -> SimCustomer:
    customer = customer_for(number, phone)
    if name and customer.name != name:
        customer.name = name
        customer.save(update_fields=["name"])
    return customer


def _inbound(
    customer: SimCustomer,
    kind: str,
    obj: dict[str, Any],
    *,
    text: str = "",
    media: SimMedia | None = None,
    context: SimMessage | None = None,
) -> SimMessage:
    number = customer.number
    now = timezone.now()
    message = SimMessage(
        number=number,
        customer=customer,
        direction=SimMessage.Direction.FROM_CUSTOMER,
        type=kind,
        text=text,
        media=media,
        context_wamid=context.wamid if context else "",
        created_at=now,
    )
    message.body = {
        "from": customer.wa_id,
        "id": message.wamid,
        "timestamp": webhooks.timestamp(),
        "type": kind,
        kind: obj,
    }
    if context is not None:
        message.body["context"] = {"from": number.display_digits, "id": context.wamid}
    with transaction.atomic():
        message.save()
        SimCustomer.objects.filter(id=customer.id).update(last_inbound_at=now)
        webhooks.queue_inbound(message)
    return message


def say(customer: SimCustomer, text: str) -> SimMessage:
    return _inbound(customer, "text", {"body": text}, text=text)


def send_file(customer: SimCustomer, data: bytes, filename: str, caption: str = "") -> SimMessage:
    """A photo or a document from the phone; raises SendError when WhatsApp would not take it."""
    kind = "image" if detect_mime_type(data, filename) in ALLOWED["image"] else "document"
    mime_type = check_media(kind, data, filename)
    media = store_media(customer.number, data, mime_type, filename)
    obj: dict[str, Any] = {"id": media.media_id, "mime_type": mime_type, "sha256": media.sha256}
    if caption:
        obj["caption"] = caption
    if kind == "document":
        obj["filename"] = filename
    return _inbound(customer, kind, obj, text=caption, media=media)


def tap(customer: SimCustomer, message: SimMessage, kind: str, value: str) -> SimMessage | None:
    """The customer taps a reply button, a list row or a template's quick reply of ``message``;
    None when it offers no such choice."""
    display = message.display
    if kind == "button":
        for button in display.get("buttons", []):
            if button["id"] == value:
                reply = {"type": "button_reply", "button_reply": button}
                return _inbound(customer, "interactive", reply, text=button["title"], context=message)
    elif kind == "row":
        for section in display.get("list", {}).get("sections", []):
            for row in section["rows"]:
                if row["id"] == value:
                    reply = {"type": "list_reply", "list_reply": row}
                    return _inbound(customer, "interactive", reply, text=row["title"], context=message)
    elif kind == "quick_reply":
        for quick_reply in display.get("quick_replies", []):
            if quick_reply["payload"] == value:
                return _inbound(customer, "button", quick_reply, text=quick_reply["text"], context=message)
    return None


def see(customer: SimCustomer) -> None:
    """The phone shows the chat: the business's delivered messages become read."""
    with transaction.atomic():
        unseen = (
            SimMessage.objects.select_for_update(of=("self",))
            .select_related("number", "customer")
            .filter(
                customer=customer,
                direction=SimMessage.Direction.FROM_BUSINESS,
                status=SimMessage.Status.DELIVERED,
            )
        )
        for message in unseen:
            message.status = SimMessage.Status.READ
            message.save(update_fields=["status"])
            webhooks.queue_status(message, "read")


def thread(customer: SimCustomer) -> list[SimMessage]:
    latest = (
        SimMessage.objects.filter(customer=customer)
        .select_related("number", "customer")
        .order_by("-created_at", "-id")
    )
    return list(reversed(latest[:THREAD_LENGTH]))
