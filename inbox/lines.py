"""Lines: the operations Settings calls (LIN-1, LIN-3, LIN-4) and their entry points (LIN-9)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import TypedDict, Unpack
from urllib.parse import quote

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.limits import check_line
from inbox.models import AgentIdentity, Line, new_verify_token
from spoter.accounts.models import Account

SECRETS = ("access_token", "app_secret")
# QR rendering: a module is 8 px in the PNG; the quiet zone of 4 modules is the standard's minimum.
QR_SCALE = 8
QR_BORDER = 4
QR_ERROR = "m"


class LineFields(TypedDict, total=False):
    name: str
    display_number: str
    phone_number_id: str
    waba_id: str
    access_token: str
    app_secret: str
    agent_identity: AgentIdentity | str
    blocked_reply: str
    graph_url: str


def create_line(account: Account, *, provider: str = "whatsapp_cloud", **fields: Unpack[LineFields]) -> Line:
    """A new active line; LimitReached when the plan has no room for another."""
    line = Line(account=account, provider=provider)
    _apply(line, fields)
    with transaction.atomic():
        check_line(account)
        _save(line, None)
    return line


def update_line(line: Line, **fields: Unpack[LineFields]) -> Line:
    """Change a line; a blank secret keeps the stored one (forms never show secrets back)."""
    changed = _apply(line, {key: value for key, value in fields.items() if value or key not in SECRETS})
    if changed:
        try:
            _save(line, changed)
        except ValidationError:
            line.refresh_from_db(fields=changed)  # the caller's line keeps showing what is stored
            raise
    return line


def set_line_active(line: Line, active: bool) -> bool:
    """Deactivate (nothing is sent from it; what customers write is still kept, never lost) or
    reactivate (LimitReached when the plan has no room for another active line); False when
    already so."""
    with transaction.atomic():
        if active and not line.is_active:
            check_line(line.account)
        updated = (
            Line.objects.for_account(line.account)
            .filter(id=line.id, is_active=not active)
            .update(is_active=active)
        )
    line.is_active = active
    return updated == 1


def regenerate_verify_token(line: Line) -> str:
    line.verify_token = new_verify_token()
    line.save(update_fields=["verify_token"])
    return line.verify_token


def webhook_url(line: Line) -> str:
    """What to paste into the line's own Meta app (the per-line endpoint)."""
    return f"{settings.SITE_URL}/webhooks/whatsapp/{line.uuid}/"


def platform_webhook_url() -> str:
    return f"{settings.SITE_URL}/webhooks/whatsapp/"


def wa_me_link(line: Line, text: str = "") -> str:
    """The click-to-chat link: the number's digits, and the prefilled message URL-encoded."""
    link = f"https://wa.me/{line.display_number.lstrip('+')}"
    return f"{link}?text={quote(text, safe='')}" if text else link


def qr_code(link: str, kind: str) -> bytes:
    """The link as a QR code, ``kind`` "png" or "svg"."""
    buffer = io.BytesIO()
    segno.make(link, error=QR_ERROR).save(buffer, kind=kind, scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def normalize_number(value: str) -> str:
    """E.164 (+ and 8 to 15 digits) from a number written with spaces, dashes, dots or brackets."""
    compact = re.sub(r"[\s\-().]", "", value)
    if not re.fullmatch(r"\+[1-9]\d{7,14}", compact):
        raise ValidationError(
            _("Write the number with + and its country code, for example +54 9 11 5555 1234."), code="phone"
        )
    return compact


def _apply(line: Line, fields: Mapping[str, object]) -> list[str]:
    """Check the given fields, then set them on ``line``; the names of those that changed.

    Nothing is set when a field is refused, so the caller's line still shows what is stored."""
    values = dict(fields)
    if "display_number" in values:
        try:
            values["display_number"] = normalize_number(str(values["display_number"]))
        except ValidationError as error:
            raise ValidationError({"display_number": error}) from None
    for field in ("phone_number_id", "waba_id"):
        if values.get(field) and not str(values[field]).isdigit():
            raise ValidationError({field: _("Meta's IDs are digits only.")}, code="digits")
    changed = [field for field, value in values.items() if getattr(line, field) != value]
    for field in changed:
        setattr(line, field, values[field])
    return changed


def _save(line: Line, update_fields: list[str] | None) -> None:
    number_id = line.phone_number_id
    # Platform-wide on purpose: webhooks route by phone-number id, so one id names one line on
    # the whole platform, whichever account owns it.
    taken = Line.objects.unscoped().filter(phone_number_id=number_id).exclude(id=line.id)
    if number_id and taken.exists():
        raise _number_taken()
    try:
        with transaction.atomic():
            line.save(update_fields=update_fields)
    except IntegrityError:  # the same id saved a moment ago by someone else
        raise _number_taken() from None


def _number_taken() -> ValidationError:
    return ValidationError(
        {"phone_number_id": _("This phone number ID is already connected to a line on Spoter.")}, code="taken"
    )
