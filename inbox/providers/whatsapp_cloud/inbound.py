"""WhatsApp Cloud API webhooks in: verify the signature, check the envelope, and parse the parts
of a change into typed events (FACTS.md has the shapes). No database here: inbox/webhook_events.py
routes the events and the services store them."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

OBJECT = "whatsapp_business_account"
SIGNATURE_PREFIX = "sha256="
MEDIA_KINDS = frozenset({"image", "audio", "video", "document", "sticker"})
STATUSES = frozenset({"sent", "delivered", "read", "failed"})


class MalformedWebhookError(ValueError):
    """A body or a part of it that is not what Meta sends."""


def sign(body: bytes, secret: str) -> str:
    """The X-Hub-Signature-256 header Meta sends with ``body`` (the simulator and tests use it)."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str | None, secret: str) -> bool:
    """Constant-time check of the header against the raw bytes; no secret never verifies."""
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(body, secret).encode(), header.strip().encode())


def load_envelope(body: bytes) -> JSON:
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedWebhookError(f"malformed JSON: {error}") from None
    if not isinstance(envelope, dict) or envelope.get("object") != OBJECT:
        raise MalformedWebhookError(f"not a {OBJECT} webhook")
    if not isinstance(envelope.get("entry"), list):
        raise MalformedWebhookError("no entry list")
    return envelope


@dataclass(frozen=True)
class Change:
    waba_id: str  # entry.id
    field: str
    value: JSON

    @property
    def phone_number_id(self) -> str:
        return _text(_object(self.value, "metadata").get("phone_number_id"))


def changes(envelope: JSON) -> list[Change]:
    return [
        Change(
            waba_id=_text(entry.get("id")), field=_text(change.get("field")), value=change.get("value") or {}
        )
        for entry in objects(envelope, "entry")
        for change in objects(entry, "changes")
        if isinstance(change.get("value", {}), dict)
    ]


@dataclass(frozen=True)
class Sender:
    user_id: str  # business-scoped user id, where Meta gives one
    wa_id: str  # the phone's digits; missing for a user with a username
    profile_name: str


@dataclass(frozen=True)
class MediaRef:
    media_id: str
    mime_type: str
    sha256: str
    filename: str


@dataclass(frozen=True)
class InboundMessage:
    wamid: str
    sender: Sender
    sent_at: datetime | None
    kind: str  # a MessageType value
    text: str  # body, caption or a short summary; empty for unsupported types
    payload: JSON
    reply_to_wamid: str = ""
    media: MediaRef | None = None


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: str  # one of STATUSES
    at: datetime | None
    callback_data: str = ""
    errors: list[JSON] = field(default_factory=list)


def parse_message(raw: JSON, contacts: list[JSON]) -> InboundMessage:
    wamid = _text(raw.get("id"))
    if not wamid:
        raise MalformedWebhookError("message without an id")
    kind = _text(raw.get("type"))
    parse = _CONTENT.get(kind, _unsupported)
    kind, text, payload, media = parse(kind, raw)
    reply_to = _text(_object(raw, "context").get("id"))
    if kind == "reaction":
        reply_to = payload["message_id"]
    return InboundMessage(
        wamid=wamid,
        sender=_sender(raw, contacts),
        sent_at=_time(raw.get("timestamp")),
        kind=kind,
        text=text,
        payload=payload,
        reply_to_wamid=reply_to,
        media=media,
    )


def parse_status(raw: JSON) -> StatusUpdate:
    wamid, status = _text(raw.get("id")), _text(raw.get("status"))
    if not wamid or status not in STATUSES:
        raise MalformedWebhookError(f"status {status!r} for {wamid!r} is not one we track")
    return StatusUpdate(
        wamid=wamid,
        status=status,
        at=_time(raw.get("timestamp")),
        callback_data=_text(raw.get("biz_opaque_callback_data")),
        errors=objects(raw, "errors"),
    )


@dataclass(frozen=True)
class TemplateStatusUpdate:
    event: str
    template_id: str
    name: str
    language: str
    reason: str  # readable: Meta's reason and rejection_info, "" when there is none


def parse_template_status(value: JSON) -> TemplateStatusUpdate:
    info = _object(value, "rejection_info")
    reasons = [_text(value.get("reason")), _text(info.get("reason")), _text(info.get("recommendation"))]
    return TemplateStatusUpdate(
        event=_text(value.get("event")).upper(),
        template_id=_text(value.get("message_template_id")),
        name=_text(value.get("message_template_name")),
        language=_text(value.get("message_template_language")),
        reason=" — ".join(reason for reason in reasons if reason and reason != "NONE"),
    )


@dataclass(frozen=True)
class QualityUpdate:
    display_phone_number: str
    event: str  # FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, ...
    limit: str  # the messaging tier: max_daily_conversations_per_business (or the older current_limit)


def parse_quality(value: JSON) -> QualityUpdate:
    limit = value.get("max_daily_conversations_per_business") or value.get("current_limit")
    return QualityUpdate(
        display_phone_number=_text(value.get("display_phone_number")),
        event=_text(value.get("event")).upper(),
        limit=_text(limit),
    )


# Each inbound type -> (kind, text, payload, media). FACTS.md lists them.
Content = tuple[str, str, JSON, MediaRef | None]


def _text_message(kind: str, raw: JSON) -> Content:
    return kind, _text(_object(raw, "text").get("body")), {}, None


def _media(kind: str, raw: JSON) -> Content:
    obj = _object(raw, kind)
    media_id = _text(obj.get("id"))
    if not media_id:
        raise MalformedWebhookError(f"{kind} without a media id")
    ref = MediaRef(
        media_id=media_id,
        mime_type=_text(obj.get("mime_type")),
        sha256=_text(obj.get("sha256")),
        filename=_text(obj.get("filename")),
    )
    payload = {flag: bool(obj[flag]) for flag in ("voice", "animated") if flag in obj}
    return kind, _text(obj.get("caption")), payload, ref


def _location(kind: str, raw: JSON) -> Content:
    obj = _object(raw, "location")
    place = ", ".join(_text(obj.get(key)) for key in ("name", "address") if obj.get(key))
    return kind, place or f"{obj.get('latitude')}, {obj.get('longitude')}", obj, None


def _contacts(kind: str, raw: JSON) -> Content:
    cards = objects(raw, "contacts")
    names = [_text(_object(card, "name").get("formatted_name")) for card in cards]
    return kind, ", ".join(name for name in names if name), {"contacts": cards}, None


def _interactive(kind: str, raw: JSON) -> Content:
    obj = _object(raw, "interactive")
    reply_type = _text(obj.get("type"))
    reply = _object(obj, reply_type)
    if reply_type in {"button_reply", "list_reply"}:
        payload = {
            "type": reply_type,
            **{key: _text(reply.get(key)) for key in ("id", "title", "description")},
        }
        return kind, payload["title"], payload, None
    # Flows and whatever comes next: keep Meta's object, show its body if it has one.
    return kind, _text(reply.get("body")), {"type": reply_type, reply_type: reply}, None


def _button(kind: str, raw: JSON) -> Content:
    obj = _object(raw, "button")
    payload = {"payload": _text(obj.get("payload")), "text": _text(obj.get("text"))}
    return kind, payload["text"], payload, None


def _reaction(kind: str, raw: JSON) -> Content:
    obj = _object(raw, "reaction")
    target = _text(obj.get("message_id"))
    if not target:
        raise MalformedWebhookError("reaction without a message_id")
    emoji = _text(obj.get("emoji"))  # empty: the customer removed their reaction
    return kind, emoji, {"message_id": target, "emoji": emoji}, None


def _unsupported(kind: str, raw: JSON) -> Content:
    payload: JSON = {"type": kind}
    for key in ("errors", kind):
        if key in raw and key != "unsupported":
            payload[key] = raw[key]
    return "unsupported", "", payload, None


_CONTENT = {
    "text": _text_message,
    **dict.fromkeys(MEDIA_KINDS, _media),
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
    "reaction": _reaction,
}


def _sender(raw: JSON, contacts: list[JSON]) -> Sender:
    """Pair the message with its entry in the change's contacts[] (profile name, user id)."""
    wa_id, user_id = _text(raw.get("from")), _text(raw.get("from_user_id"))

    def same(card: JSON) -> bool:
        return bool((wa_id and card.get("wa_id") == wa_id) or (user_id and card.get("user_id") == user_id))

    def compatible(card: JSON) -> bool:
        return not any(
            mine and card.get(key) and card.get(key) != mine
            for key, mine in (("wa_id", wa_id), ("user_id", user_id))
        )

    card = next((card for card in contacts if same(card)), None)
    if card is None and len(contacts) == 1 and compatible(contacts[0]):
        card = contacts[0]
    card = card or {}
    profile = _object(card, "profile")
    sender = Sender(
        user_id=user_id or _text(card.get("user_id")),
        wa_id=wa_id or _text(card.get("wa_id")),
        profile_name=_text(profile.get("name") or profile.get("username")),
    )
    if not sender.user_id and not sender.wa_id:
        raise MalformedWebhookError("message without a sender")
    return sender


def objects(container: JSON, key: str) -> list[JSON]:
    """The dicts of a list field (Meta's lists hold objects; anything else is skipped)."""
    value = container.get(key)
    if isinstance(value, dict):
        value = [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _object(container: JSON, key: str) -> JSON:
    value = container.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
