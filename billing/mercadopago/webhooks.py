"""Receiving a Mercado Pago webhook: signature checked, stored once, processed by the worker."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from billing.mercadopago.client import webhook_secret
from billing.mercadopago.signatures import valid
from billing.mercadopago.tasks import process_notification
from billing.models import Notification

MAX_BODY = 64 * 1024
MAX_ID = 64


def receive(query: Mapping[str, str], body: bytes, headers: Mapping[str, str]) -> tuple[int, dict[str, str]]:
    """(HTTP status, JSON answer). 403 and nothing stored unless the x-signature is right; a
    duplicate delivery is answered 200 and not queued again."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return 400, {"error": "The body is not valid JSON."}
    if not isinstance(payload, dict):
        return 400, {"error": "The body must be a JSON object."}
    data = payload.get("data")
    if not isinstance(data, dict):
        data = {}
    data_id = str(query.get("data.id") or data.get("id") or "")
    request_id = headers.get("x-request-id", "")
    if not valid(webhook_secret(), headers.get("x-signature", ""), data_id, request_id):
        return 403, {"error": "Invalid signature."}
    topic = str(query.get("type") or payload.get("type") or "")
    if not topic or len(data_id) > MAX_ID:
        return 400, {"error": "The notification names no resource."}
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                topic=topic[:40],
                action=str(payload.get("action") or "")[:60],
                data_id=data_id,
                request_id=request_id[:100],
                payload=payload,
            )
    except IntegrityError:
        return 200, {"status": "duplicate"}
    transaction.on_commit(lambda: process_notification.delay(notification.id))
    return 200, {"status": "received"}
