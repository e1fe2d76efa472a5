"""What a WhatsApp webhook request does, whichever door it came in by (inbox/webhooks/asgi.py in
production, the Django views for reverse() and the test client).

This is the hot path Meta measures (FACTS.md: median <= 250 ms, retries on anything but 200), so
it does only what it must before answering: find the endpoint's secret (kept in memory for a
short while), check the signature on the raw bytes, parse the JSON, one INSERT and, after
commit, a request for a drain (one cache round trip, inbox/tasks.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare

from inbox.models import Line, WebhookEvent
from inbox.providers.whatsapp_cloud.inbound import MalformedWebhookError, load_envelope, signature_valid
from inbox.tasks import request_drain

# Meta batches up to 3 MB, past Django's default cap for request.body: both doors read at most
# MAX_BODY + 1 bytes and leave the verdict to handle().
MAX_BODY = 4 * 1024 * 1024
# A line's secret is read from the database at most this often per process; a signature that
# fails against a remembered secret is checked again against the stored one, so a new secret
# works at once.
SECRET_TTL = 30.0


@dataclass(frozen=True)
class Endpoint:
    secret: str
    verify_token: str
    line_id: int | None  # None: the platform app, whose events the worker routes by id


@dataclass(frozen=True)
class Answer:
    status: int
    content: bytes = b""
    content_type: str = "text/plain"


_remembered: dict[UUID, tuple[float, Endpoint]] = {}


def line_endpoint(line_uuid: UUID, *, fresh: bool = False) -> Endpoint | None:
    """A line with its own Meta app: its app secret and verify token."""
    now = time.monotonic()
    kept = _remembered.get(line_uuid)
    if kept and not fresh and kept[0] > now:
        return kept[1]
    # Unscoped: Meta finds the line by its URL; the signature with the line's own secret proves
    # the sender, and the worker only routes the body to this line.
    line = Line.objects.unscoped().only("id", "app_secret", "verify_token").filter(uuid=line_uuid).first()
    if line is None:
        _remembered.pop(line_uuid, None)
        return None
    endpoint = Endpoint(secret=line.app_secret, verify_token=line.verify_token, line_id=line.id)
    _remembered[line_uuid] = (now + SECRET_TTL, endpoint)
    return endpoint


def platform_endpoint() -> Endpoint | None:
    """The platform's own Meta app, serving many lines; absent unless configured."""
    if not settings.WHATSAPP_APP_SECRET:
        return None
    return Endpoint(
        secret=settings.WHATSAPP_APP_SECRET, verify_token=settings.WHATSAPP_VERIFY_TOKEN, line_id=None
    )


def handle(
    line_uuid: UUID | None, method: str, params: Mapping[str, str], body: bytes, signature: str | None
) -> Answer:
    """One request to /webhooks/whatsapp/[<line uuid>/]: GET verifies, POST stores."""
    endpoint = platform_endpoint() if line_uuid is None else line_endpoint(line_uuid)
    if endpoint is None:
        return _json(404, {"error": "not_found"})
    if method == "GET":
        return _verify(endpoint, params)
    if len(body) > MAX_BODY:
        return _json(413, {"error": "too_large"})
    if not signature_valid(body, signature, endpoint.secret):
        endpoint = line_endpoint(line_uuid, fresh=True) if line_uuid else None
        if endpoint is None or not signature_valid(body, signature, endpoint.secret):
            return _json(403, {"error": "invalid_signature"})
    try:
        load_envelope(body)
    except MalformedWebhookError as error:
        return _json(400, {"error": "malformed", "detail": str(error)})
    WebhookEvent.objects.create(line_id=endpoint.line_id, body=body)
    transaction.on_commit(request_drain)
    return Answer(200)


def _verify(endpoint: Endpoint, params: Mapping[str, str]) -> Answer:
    """Meta's subscription handshake: echo hub.challenge when hub.verify_token matches."""
    token = params.get("hub.verify_token", "")
    if (
        params.get("hub.mode") == "subscribe"
        and endpoint.verify_token
        and constant_time_compare(token, endpoint.verify_token)
    ):
        return Answer(200, params.get("hub.challenge", "").encode())
    return Answer(403)


def _json(status: int, payload: dict[str, str]) -> Answer:
    return Answer(status, json.dumps(payload).encode(), "application/json")
