"""When bots and automatic messages run (BOT-2, BOT-3): time slots, and the services that save
the bot schedule, the automatic replies and the welcome message.

Services (the settings pages call these; each raises ValidationError, nothing written, on bad
input; every object must be ``account``'s, else ValueError):
- ``save_schedule(account, schedule, data) -> BotSchedule``: ``schedule`` None creates; ``data``
  has ``bot`` (Bot or id), ``weekdays`` (list of 0 Monday .. 6 Sunday), ``start``, ``end``
  (time or "HH:MM"), ``untouched_only`` (bool, "con rastro"). Slots never overlap.
- ``delete_schedule(account, schedule) -> None``
- ``save_auto_reply(account, auto_reply, data) -> AutoReply``: ``auto_reply`` None creates;
  ``data`` has ``quick_reply`` (QuickReply or id), ``weekdays``, ``start``, ``end``,
  ``repeat_minutes`` (0 .. 10080), ``is_active``.
- ``delete_auto_reply(account, auto_reply) -> None``
- ``save_welcome(account, quick_reply, is_active) -> WelcomeMessage | None``: ``quick_reply``
  None removes the welcome message.

A slot is weekdays plus an hour range in the account's time zone; ``end`` is exclusive and a range
that ends at or before its start crosses midnight into the next day (Sunday's into Monday's).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bots.models import AutoReply, Bot, BotSchedule, WelcomeMessage
from inbox.models import QuickReply
from spoter.accounts.models import Account

DAY = 24 * 60
WEEK = 7 * DAY
MAX_REPEAT_MINUTES = 7 * DAY
# Django's own catalog translates these abbreviations.
DAY_NAMES = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)


# --- Slots ---------------------------------------------------------------------------------------


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def intervals(weekdays: Iterable[int], start: time, end: time) -> list[tuple[int, int]]:
    """The slot as half-open minute-of-week ranges, split where it wraps from Sunday to Monday."""
    begin, finish = _minutes(start), _minutes(end)
    length = finish - begin if finish > begin else DAY - begin + finish
    found: list[tuple[int, int]] = []
    for day in sorted(set(weekdays)):
        lo = day * DAY + begin
        hi = lo + length
        if hi <= WEEK:
            found.append((lo, hi))
        else:
            found += [(lo, WEEK), (0, hi - WEEK)]
    return found


def local_now(account: Account, now: datetime | None = None) -> datetime:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(account.time_zone))


def covers(weekdays: Iterable[int], start: time, end: time, at: datetime) -> bool:
    """Whether the slot holds the local time ``at``."""
    minute = at.weekday() * DAY + at.hour * 60 + at.minute
    return any(lo <= minute < hi for lo, hi in intervals(weekdays, start, end))


def overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(lo1 < hi2 and lo2 < hi1 for lo1, hi1 in a for lo2, hi2 in b)


def describe(weekdays: Iterable[int], start: time, end: time) -> str:
    days = ", ".join(str(DAY_NAMES[day]) for day in sorted(set(weekdays)))
    return f"{days} {start:%H:%M}-{end:%H:%M}"


# --- Validation ----------------------------------------------------------------------------------


def _weekdays(value: Any) -> list[int]:
    if not isinstance(value, (list, tuple)) or not value:
        raise ValidationError({"weekdays": _("Choose at least one day.")})
    try:
        days = sorted({int(day) for day in value})
    except (TypeError, ValueError):
        raise ValidationError({"weekdays": _("Days go from 0 (Monday) to 6 (Sunday).")}) from None
    if days[0] < 0 or days[-1] > 6:
        raise ValidationError({"weekdays": _("Days go from 0 (Monday) to 6 (Sunday).")})
    return days


def _time(value: Any, field: str) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Write an hour such as 08:30.")}) from None


def _hours(data: Mapping[str, Any]) -> tuple[list[int], time, time]:
    weekdays = _weekdays(data.get("weekdays"))
    start, end = _time(data.get("start"), "start"), _time(data.get("end"), "end")
    if start == end:
        raise ValidationError({"end": _("The range must end at another hour than it starts.")})
    return weekdays, start, end


def _check(account: Account, *objects: Any) -> None:
    if any(obj is not None and obj.account_id != account.id for obj in objects):
        raise ValueError("an object of another account")


def _bot(account: Account, value: Any) -> Bot:
    bot = value if isinstance(value, Bot) else Bot.objects.for_account(account).filter(id=_id(value)).first()
    if bot is None or bot.account_id != account.id:
        raise ValidationError({"bot": _("Choose a bot.")})
    return bot


def _quick_reply(account: Account, value: Any) -> QuickReply:
    found = (
        value
        if isinstance(value, QuickReply)
        else QuickReply.objects.for_account(account).filter(id=_id(value)).first()
    )
    if found is None or found.account_id != account.id:
        raise ValidationError({"quick_reply": _("Choose a quick reply.")})
    return found


def _id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- Services ------------------------------------------------------------------------------------


def save_schedule(account: Account, schedule: BotSchedule | None, data: Mapping[str, Any]) -> BotSchedule:
    _check(account, schedule)
    bot = _bot(account, data.get("bot"))
    weekdays, start, end = _hours(data)
    mine = intervals(weekdays, start, end)
    with transaction.atomic():
        # One writer at a time per account, so two saves cannot both pass the overlap check.
        Account.objects.select_for_update().filter(id=account.id).first()
        others = BotSchedule.objects.for_account(account).select_related("bot").order_by("id")
        if schedule is not None and schedule.pk:
            others = others.exclude(id=schedule.pk)
        for other in others:
            if overlaps(mine, intervals(other.weekdays, other.start, other.end)):
                raise ValidationError(
                    _("This time overlaps the slot of the bot %(bot)s (%(slot)s): one bot per time slot.")
                    % {"bot": other.bot.name, "slot": describe(other.weekdays, other.start, other.end)}
                )
        schedule = schedule or BotSchedule(account=account)
        schedule.bot, schedule.weekdays, schedule.start, schedule.end = bot, weekdays, start, end
        schedule.untouched_only = bool(data.get("untouched_only"))
        schedule.save()
    return schedule


def delete_schedule(account: Account, schedule: BotSchedule) -> None:
    _check(account, schedule)
    schedule.delete()


def save_auto_reply(account: Account, auto_reply: AutoReply | None, data: Mapping[str, Any]) -> AutoReply:
    _check(account, auto_reply)
    quick_reply = _quick_reply(account, data.get("quick_reply"))
    weekdays, start, end = _hours(data)
    repeat = _id(data.get("repeat_minutes", 240)) if str(data.get("repeat_minutes", 240)).isdigit() else -1
    if not 0 <= repeat <= MAX_REPEAT_MINUTES:
        raise ValidationError(
            {"repeat_minutes": _("Between 0 and %(max)d minutes.") % {"max": MAX_REPEAT_MINUTES}}
        )
    auto_reply = auto_reply or AutoReply(account=account)
    auto_reply.quick_reply, auto_reply.weekdays = quick_reply, weekdays
    auto_reply.start, auto_reply.end, auto_reply.repeat_minutes = start, end, repeat
    auto_reply.is_active = bool(data.get("is_active", True))
    auto_reply.save()
    return auto_reply


def delete_auto_reply(account: Account, auto_reply: AutoReply) -> None:
    _check(account, auto_reply)
    auto_reply.delete()


def save_welcome(account: Account, quick_reply: QuickReply | None, is_active: bool) -> WelcomeMessage | None:
    welcomes = WelcomeMessage.objects.for_account(account)
    if quick_reply is None:
        welcomes.filter(account=account).delete()
        return None
    quick_reply = _quick_reply(account, quick_reply)
    welcome, _created = welcomes.update_or_create(
        account=account, defaults={"quick_reply": quick_reply, "is_active": bool(is_active)}
    )
    return welcome
