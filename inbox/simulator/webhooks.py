"""Webhooks the fake Meta sends: Meta's envelope, signed with the number's app secret, stored
first and posted by a Celery task after commit (the HTTP answer returns first, as at Meta)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inbox.simulator.models import SimCustomer, SimMessage, SimNumber, SimTemplate, SimWebhook
from spoter.http import shared_client

POST_TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    pass


def signature(raw: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def envelope(waba_id: str, field: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"value": value, "field": field}]}],
    }


def timestamp() -> str:
    return str(int(timezone.now().timestamp()))


def messages_value(number: SimNumber, **items: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": number.display_digits,
            "phone_number_id": number.phone_number_id,
        },
        **items,
    }


def queue(number: SimNumber, body: dict[str, Any], *, message: SimMessage | None = None) -> SimWebhook:
    from inbox.simulator.tasks import deliver_webhook  # the task module imports this one

    webhook = SimWebhook.objects.create(number=number, body=body, message=message)
    transaction.on_commit(lambda: deliver_webhook.delay(webhook.id))
    return webhook


def queue_status(
    message: SimMessage, status: str, *, errors: list[dict[str, Any]] | None = None
) -> SimWebhook:
    """A status of a business message, echoing its biz_opaque_callback_data."""
    customer = message.customer
    item: dict[str, Any] = {
        "id": message.wamid,
        "status": status,
        "timestamp": timestamp(),
        "recipient_id": customer.wa_id,
        "recipient_user_id": customer.user_id,
    }
    if message.callback_data:
        item["biz_opaque_callback_data"] = message.callback_data
    if errors:
        item["errors"] = errors
    number = message.number
    return queue(number, envelope(number.waba_id, "messages", messages_value(number, statuses=[item])))


def queue_inbound(message: SimMessage) -> SimWebhook:
    """A customer's message, as Meta hands it to the business."""
    customer: SimCustomer = message.customer
    number = message.number
    value = messages_value(
        number,
        contacts=[{"profile": {"name": customer.name}, "wa_id": customer.wa_id, "user_id": customer.user_id}],
        messages=[message.body],
    )
    return queue(number, envelope(number.waba_id, "messages", value), message=message)


def queue_template_status(template: SimTemplate) -> None:
    """Meta tells the app subscribed to the WABA: once per webhook URL among its numbers."""
    value: dict[str, Any] = {
        "event": template.status,
        "message_template_id": int(template.template_id),
        "message_template_name": template.name,
        "message_template_language": template.language,
        "message_template_category": template.category,
        "reason": template.rejection_reason or "NONE",
    }
    if template.status == "REJECTED":
        value["rejection_info"] = {"reason": template.rejection_reason, "recommendation": ""}
    seen: set[str] = set()
    for number in SimNumber.objects.filter(waba_id=template.waba_id):
        if number.webhook_url not in seen:
            seen.add(number.webhook_url)
            queue(number, envelope(template.waba_id, "message_template_status_update", value))


def post(webhook: SimWebhook) -> None:
    """POST one stored webhook, signed; anything but 200 is a failure to retry (as at Meta)."""
    raw = json.dumps(webhook.body, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": signature(raw, webhook.number.app_secret),
    }
    try:
        response = shared_client().post(
            webhook.number.webhook_url, content=raw, headers=headers, timeout=POST_TIMEOUT_SECONDS
        )
        error = "" if response.status_code == 200 else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:255]
    SimWebhook.objects.filter(id=webhook.id).update(attempts=F("attempts") + 1, last_error=error)
    if error:
        raise DeliveryError(error)
    with transaction.atomic():
        # Compare-and-set: a twin task that also delivered it changes nothing more.
        delivered_now = SimWebhook.objects.filter(id=webhook.id, delivered_at=None).update(
            delivered_at=timezone.now()
        )
        if delivered_now and webhook.message_id is not None:
            SimMessage.objects.filter(id=webhook.message_id, status=SimMessage.Status.SENT).update(
                status=SimMessage.Status.DELIVERED
            )
