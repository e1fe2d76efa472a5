"""Operations on notifications and channel settings (the pages call these; each raises
ValidationError, nothing written, on bad input; every object must be ``account``'s, else
ValueError):

- ``save_notification(account, notification, data, by) -> Notification``: ``notification`` None
  creates. ``data``: name, channel, tags (Tag objects or ids of the account), tag_mode, subject,
  body, html, schedule, send_at (aware datetime, "once"), time_of_day, day_of_month
  (monthly, yearly), month (yearly), active. Computes ``next_run_at`` in the account's zone.
- ``delete_notification(account, notification)``
- ``save_channel_settings(account, data) -> ChannelSettings``: an empty ``twilio_auth_token``
  keeps the stored one (it is never shown again).
- ``check_content(channel, subject, body, html)``: the content rules, shared with the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, time
from email.utils import parseaddr
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.models import Tag
from billing.limits import check_feature
from billing.models import Feature
from notifications.models import (
    SMS_MAX,
    Channel,
    ChannelSettings,
    Notification,
    ScheduleKind,
    SmsVoiceProvider,
    TagMode,
)
from notifications.schedule import next_run
from spoter.accounts.models import Account, Membership

VOICE_MAX = 2000  # Twilio takes at most 4,000 characters of TwiML, escaping included
TEXT_MAX = 20_000
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def check_content(channel: str, subject: str, body: str, html: str) -> None:
    """Raises ValidationError (by field) when the content cannot go out on ``channel``."""
    errors: dict[str, str] = {}
    if not body.strip():
        errors["body"] = _("Write the text.")
    elif channel == Channel.SMS and len(body) > SMS_MAX:
        errors["body"] = _("An SMS has at most %(max)d characters; this one has %(count)d.") % {
            "max": SMS_MAX,
            "count": len(body),
        }
    elif len(body) > (VOICE_MAX if channel == Channel.VOICE else TEXT_MAX):
        errors["body"] = _("At most %(max)d characters.") % {
            "max": VOICE_MAX if channel == Channel.VOICE else TEXT_MAX
        }
    if channel == Channel.EMAIL and not subject.strip():
        errors["subject"] = _("Write the subject.")
    if len(html) > TEXT_MAX:
        errors["html"] = _("At most %(max)d characters.") % {"max": TEXT_MAX}
    if errors:
        raise ValidationError(errors)


def _check(account: Account, *objects: Any) -> None:
    if any(obj is not None and obj.account_id != account.id for obj in objects):
        raise ValueError("an object of another account")


def _choice(value: Any, choices: type[Channel | TagMode | ScheduleKind], field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the options.")})
    return str(value)


def _tags(account: Account, values: Any) -> list[Tag]:
    ids = {str(value.id if isinstance(value, Tag) else value) for value in values or []}
    if not all(ident.isdigit() for ident in ids):
        raise ValidationError({"tags": _("Choose at least one tag.")})
    tags = list(Tag.objects.for_account(account).filter(id__in=[int(ident) for ident in ids]))
    if not tags or len(tags) != len(ids):
        raise ValidationError({"tags": _("Choose at least one tag.")})
    return tags


def _when(data: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The schedule's fields for ``kind``, the others emptied."""
    when: dict[str, Any] = {"send_at": None, "time_of_day": None, "day_of_month": None, "month": None}
    if kind == ScheduleKind.ONCE:
        send_at = data.get("send_at")
        if not isinstance(send_at, datetime) or timezone.is_naive(send_at):
            raise ValidationError({"send_at": _("Choose the day and time.")})
        if send_at <= timezone.now():
            raise ValidationError({"send_at": _("Choose a time in the future.")})
        when["send_at"] = send_at
        return when
    at = data.get("time_of_day")
    if not isinstance(at, time):
        raise ValidationError({"time_of_day": _("Write an hour such as 08:30.")})
    when["time_of_day"] = at.replace(second=0, microsecond=0, tzinfo=None)
    if kind in (ScheduleKind.MONTHLY, ScheduleKind.YEARLY):
        day = data.get("day_of_month")
        if not isinstance(day, int) or not 1 <= day <= 31:
            raise ValidationError({"day_of_month": _("A day from 1 to 31.")})
        when["day_of_month"] = day
    if kind == ScheduleKind.YEARLY:
        month = data.get("month")
        if not isinstance(month, int) or not 1 <= month <= 12:
            raise ValidationError({"month": _("Choose the month.")})
        when["month"] = month
    return when


def save_notification(
    account: Account, notification: Notification | None, data: Mapping[str, Any], by: Membership
) -> Notification:
    _check(account, notification, by)
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise ValidationError({"name": _("Write the notification's name.")})
    channel = _choice(data.get("channel"), Channel, "channel")
    subject = str(data.get("subject") or "").strip() if channel == Channel.EMAIL else ""
    html = str(data.get("html") or "").strip() if channel == Channel.EMAIL else ""
    body = str(data.get("body") or "").strip()
    check_content(channel, subject, body, html)
    tag_mode = _choice(data.get("tag_mode") or TagMode.ANY, TagMode, "tag_mode")
    tags = _tags(account, data.get("tags"))
    kind = _choice(data.get("schedule"), ScheduleKind, "schedule")
    when = _when(data, kind)
    notification = notification or Notification(account=account, created_by=by)
    notification.name, notification.channel, notification.tag_mode = name[:120], channel, tag_mode
    notification.subject, notification.body, notification.html = subject[:200], body, html
    notification.schedule, notification.active = kind, bool(data.get("active", True))
    if notification.active:
        check_feature(account, Feature.CAMPAIGNS)  # an inactive one may still be edited
    for field, value in when.items():
        setattr(notification, field, value)
    notification.next_run_at = next_run(notification, account.time_zone, timezone.now())
    with transaction.atomic():
        notification.save()
        # Not tags.set(): it reads the tags through Tag's manager, which wants an account.
        notification.tags.clear()
        notification.tags.add(*tags)
    return notification


def delete_notification(account: Account, notification: Notification) -> None:
    _check(account, notification)
    notification.delete()


def _is_sender(value: str) -> bool:
    _name, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def channel_settings(account: Account) -> ChannelSettings | None:
    return ChannelSettings.objects.for_account(account).first()


def save_channel_settings(account: Account, data: Mapping[str, Any]) -> ChannelSettings:
    found = channel_settings(account)
    channels = found or ChannelSettings(account=account)
    provider = str(data.get("sms_voice_provider") or SmsVoiceProvider.CONSOLE)
    if provider not in SmsVoiceProvider.values:
        raise ValidationError({"sms_voice_provider": _("Choose one of the options.")})
    channels.sms_voice_provider = provider
    channels.twilio_base_url = str(data.get("twilio_base_url") or channels.twilio_base_url).rstrip("/")
    channels.twilio_account_sid = str(data.get("twilio_account_sid") or "").strip()
    if token := str(data.get("twilio_auth_token") or "").strip():
        channels.twilio_auth_token = token
    channels.from_number = str(data.get("from_number") or "").strip()
    channels.voice_language = str(data.get("voice_language") or channels.voice_language)
    channels.email_from = str(data.get("email_from") or "").strip()
    errors: dict[str, str] = {}
    if channels.from_number and not E164.match(channels.from_number):
        errors["from_number"] = _("Write the number with + and the country code, such as +5491122334455.")
    if provider == SmsVoiceProvider.TWILIO:
        required = {
            "twilio_account_sid": channels.twilio_account_sid,
            "twilio_auth_token": channels.twilio_auth_token,
            "from_number": channels.from_number,
        }
        errors.update({field: _("Required for Twilio.") for field, value in required.items() if not value})
    if channels.email_from and not _is_sender(channels.email_from):
        errors["email_from"] = _("Write an address such as Acme <avisos@acme.com>.")
    if errors:
        raise ValidationError(errors)
    # The one-per-account check would query without an account; the constraint guards it.
    channels.full_clean(validate_unique=False, validate_constraints=False)
    channels.save()
    return channels
