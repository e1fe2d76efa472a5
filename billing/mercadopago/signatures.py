"""Mercado Pago's webhook signature: ``x-signature: ts=<epoch>,v1=<hex>`` where
v1 = HMAC-SHA256(secret, "id:{data.id};request-id:{x-request-id};ts:{ts};"). Values a delivery
lacks are left out of the template, and an alphanumeric data.id is lower-cased (Mercado Pago's docs)."""

from __future__ import annotations

import hashlib
import hmac


def manifest(data_id: str, request_id: str, ts: str) -> str:
    if data_id.isalnum():
        data_id = data_id.lower()
    parts = [("id", data_id), ("request-id", request_id), ("ts", ts)]
    return "".join(f"{name}:{value};" for name, value in parts if value)


def sign(secret: str, data_id: str, request_id: str, ts: str) -> str:
    return hmac.new(secret.encode(), manifest(data_id, request_id, ts).encode(), hashlib.sha256).hexdigest()


def valid(secret: str, header: str, data_id: str, request_id: str) -> bool:
    """The x-signature header matches; False when anything is missing (no secret, no ts or v1)."""
    fields = dict(part.strip().split("=", 1) for part in header.split(",") if "=" in part)
    ts, v1 = fields.get("ts", ""), fields.get("v1", "")
    if not secret or not ts or not v1 or not data_id:
        return False
    return hmac.compare_digest(sign(secret, data_id, request_id, ts), v1.lower())
