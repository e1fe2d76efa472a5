"""The fake Meta's operations on the business side: what its Graph API does.

The Graph views (graph.py) parse requests and call these; the phone page's operations, the
customer's side, live in phone.py.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from inbox.media_rules import ALLOWED, MAX_SIZE
from inbox.models import SERVICE_WINDOW
from inbox.simulator import webhooks
from inbox.simulator.models import SimCustomer, SimMedia, SimMessage, SimNumber, SimTemplate
from inbox.simulator.rules import GraphError, check_message, invalid

TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
TEMPLATE_CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
REVIEW_SECONDS = 2  # Meta takes minutes; a moment is enough for the caller to store the answer
WINDOW_CLOSED_CODE = 131047
WINDOW_CLOSED = {
    "code": WINDOW_CLOSED_CODE,
    "title": "Re-engagement message",
    "message": "Re-engagement message",
    "error_data": {
        "details": "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number."
    },
}


@dataclass(frozen=True)
class Accepted:
    input: str
    wa_id: str
    wamid: str


def register_number(
    *,
    phone_number_id: str,
    waba_id: str,
    display_number: str,
    verified_name: str,
    access_token: str,
    app_secret: str,
    webhook_url: str,
) -> SimNumber:
    """Create or update a simulated business number (what signing up with Meta gives)."""
    number, _created = SimNumber.objects.update_or_create(
        phone_number_id=phone_number_id,
        defaults={
            "waba_id": waba_id,
            "display_number": display_number,
            "verified_name": verified_name,
            "access_token": access_token,
            "app_secret": app_secret,
            "webhook_url": webhook_url,
        },
    )
    return number


def add_template(
    waba_id: str,
    name: str,
    language: str,
    category: str,
    components: list[dict[str, Any]],
    *,
    status: str = "APPROVED",
) -> SimTemplate:
    """A template already reviewed, as demos and tests need them (idempotent)."""
    template, _created = SimTemplate.objects.update_or_create(
        waba_id=waba_id,
        name=name,
        language=language,
        defaults={"category": category, "components": components, "status": status},
    )
    return template


def authenticate(number: SimNumber, authorization: str) -> None:
    """The Bearer token must be the number's; then one pending simulated outage is spent."""
    scheme, _space, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or token != number.access_token:
        raise GraphError(190, "Invalid OAuth access token - Cannot parse access token", status=401)
    if SimNumber.objects.filter(id=number.id, fail_next__gt=0).update(fail_next=F("fail_next") - 1):
        raise GraphError(2, "Service temporarily unavailable", status=500)


def fail_next_calls(number: SimNumber, count: int = 1) -> None:
    """Make the number's next ``count`` Graph calls answer 500, as Meta does during an outage."""
    SimNumber.objects.filter(id=number.id).update(fail_next=count)


def _over_rate(number: SimNumber) -> bool:
    key = f"simulator:rate:{number.id}:{int(timezone.now().timestamp())}"
    cache.add(key, 0, timeout=5)
    return cache.incr(key) > settings.SIMULATOR_RATE


def customer_for(number: SimNumber, phone: str) -> SimCustomer:
    """The WhatsApp user behind a phone number (anyone may be written to, as on WhatsApp)."""
    wa_id = "".join(ch for ch in phone if ch.isdigit())
    if not 8 <= len(wa_id) <= 15:
        raise invalid(f"Invalid phone number: {phone}")
    # Business-scoped: the same person has the same user id for every number of the business.
    user_id = "US." + str(int(hashlib.sha256(f"{number.waba_id}:{wa_id}".encode()).hexdigest(), 16))[:20]
    try:
        with transaction.atomic():
            customer, _created = SimCustomer.objects.get_or_create(
                number=number, wa_id=wa_id, defaults={"user_id": user_id}
            )
    except IntegrityError:  # created by a concurrent call
        customer = SimCustomer.objects.get(number=number, wa_id=wa_id)
    return customer


def accept_message(number: SimNumber, body: dict[str, Any]) -> Accepted:
    """POST /{phone-number-id}/messages: validate like Meta, store, and owe the status webhooks."""
    if _over_rate(number):
        raise GraphError(
            130429, "Rate limit hit", details=f"More than {settings.SIMULATOR_RATE} messages per second"
        )
    to = body.get("to")
    if not isinstance(to, str) or not to:
        raise invalid("The parameter to is required")
    outgoing = check_message(number, body)
    context = body.get("context")
    with transaction.atomic():
        customer = customer_for(number, to)
        message = SimMessage.objects.create(
            number=number,
            customer=customer,
            direction=SimMessage.Direction.FROM_BUSINESS,
            type=outgoing.type,
            body=body,
            text=outgoing.text,
            media=outgoing.media,
            display=outgoing.display,
            context_wamid=str(context.get("message_id", "")) if isinstance(context, dict) else "",
            callback_data=str(body.get("biz_opaque_callback_data", ""))[:512],
        )
        window_open = (
            customer.last_inbound_at is not None
            and customer.last_inbound_at + SERVICE_WINDOW > timezone.now()
        )
        if outgoing.type == "template" or window_open:
            webhooks.queue_status(message, "sent")
            webhooks.queue_status(message, "delivered")
            message.status = SimMessage.Status.DELIVERED
        else:  # accepted, then failed: the window is checked after the answer, as at Meta
            message.status = SimMessage.Status.FAILED
            message.error_code = WINDOW_CLOSED_CODE
            webhooks.queue_status(message, "failed", errors=[WINDOW_CLOSED])
        message.save(update_fields=["status", "error_code"])
    return Accepted(input=to, wa_id=customer.wa_id, wamid=message.wamid)


def mark_read(number: SimNumber, wamid: str) -> None:
    """The business read a customer's message: the customer sees blue ticks."""
    updated = SimMessage.objects.filter(
        number=number, wamid=wamid, direction=SimMessage.Direction.FROM_CUSTOMER
    ).update(status=SimMessage.Status.READ)
    if not updated:
        raise invalid(f"Unknown message id {wamid}")


def upload_media(number: SimNumber, data: bytes, mime_type: str, filename: str) -> SimMedia:
    kind = next((kind for kind, types in ALLOWED.items() if mime_type in types), None)
    if kind is None:
        raise invalid(f"Param file must be a file with one of the supported types, not {mime_type}")
    if len(data) > MAX_SIZE[kind]:
        raise GraphError(
            131053, "Media upload error", details=f"{kind} files may be at most {MAX_SIZE[kind]} bytes"
        )
    return store_media(number, data, mime_type, filename)


def store_media(number: SimNumber, data: bytes, mime_type: str, filename: str) -> SimMedia:
    return SimMedia.objects.create(
        number=number,
        data=data,
        mime_type=mime_type,
        sha256=hashlib.sha256(data).hexdigest(),
        filename=filename,
    )


def create_template(waba_id: str, body: dict[str, Any]) -> SimTemplate:
    """POST /{waba-id}/message_templates: stored PENDING, reviewed by a task shortly after."""
    from inbox.simulator.tasks import review_template  # the task module imports this one

    name, language, category = (str(body.get(key, "")) for key in ("name", "language", "category"))
    components = body.get("components")
    if not TEMPLATE_NAME.match(name):
        raise invalid("name must be lowercase letters, digits and underscores")
    if not language:
        raise invalid("The parameter language is required")
    if category not in TEMPLATE_CATEGORIES:
        raise invalid(f"category must be one of {', '.join(TEMPLATE_CATEGORIES)}")
    if not isinstance(components, list) or not any(
        isinstance(c, dict) and str(c.get("type", "")).upper() == "BODY" and c.get("text") for c in components
    ):
        raise invalid("components must include a BODY with text")
    try:
        with transaction.atomic():
            template = SimTemplate.objects.create(
                waba_id=waba_id, name=name, language=language, category=category, components=components
            )
    except IntegrityError:
        raise GraphError(
            100, "Invalid parameter", subcode=2388024, details="Content in this language already exists"
        ) from None
    transaction.on_commit(lambda: review_template.apply_async((template.id,), countdown=REVIEW_SECONDS))
    return template


def review_template(template_id: int) -> None:
    """Approve, or reject when the name asks for it (so tests know what to expect)."""
    template = SimTemplate.objects.filter(id=template_id, status="PENDING").first()
    if template is None:
        return
    rejected = "reject" in template.name
    status, reason = ("REJECTED", "INVALID_FORMAT") if rejected else ("APPROVED", "")
    with transaction.atomic():
        if SimTemplate.objects.filter(id=template.id, status="PENDING").update(
            status=status, rejection_reason=reason
        ):
            template.status, template.rejection_reason = status, reason
            webhooks.queue_template_status(template)


def list_templates(
    waba_id: str, *, after: int = 0, limit: int = 25, name: str = ""
) -> tuple[list[SimTemplate], bool]:
    """One page of the WABA's templates after the id ``after``, and whether more follow."""
    templates = SimTemplate.objects.filter(waba_id=waba_id, id__gt=after).order_by("id")
    if name:
        templates = templates.filter(name__icontains=name)
    page = list(templates[: limit + 1])
    return page[:limit], len(page) > limit


def template_json(template: SimTemplate) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": template.template_id,
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "status": template.status,
        "components": template.components,
    }
    if template.rejection_reason:
        data["rejected_reason"] = template.rejection_reason
    return data
