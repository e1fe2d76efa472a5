"""When a notification is due: its times are wall-clock times in the account's zone, turned into
UTC instants one occurrence at a time, so a change of zone or of offset moves what is still to
come and never what already ran.

A monthly day past the month's end (29, 30, 31) runs on its last day, as does 29 February in a
common year: the people who set "the 31st" mean "the end of the month".
"""

from __future__ import annotations

import calendar
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notifications.models import Notification, ScheduleKind

# How far ahead to look for the next occurrence: a yearly one is found within two years.
_HORIZON_YEARS = 2


def _on(year: int, month: int, day: int) -> date:
    """The day, or the month's last day when it has fewer."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _candidate_days(notification: Notification, start: date) -> list[date]:
    """Days from ``start`` on (a short list) on which the notification may run."""
    kind = notification.schedule
    if kind == ScheduleKind.DAILY:
        return [start, start + timedelta(days=1)]
    day = notification.day_of_month or 1
    if kind == ScheduleKind.MONTHLY:
        following = _on(start.year + start.month // 12, start.month % 12 + 1, 1)
        return [_on(start.year, start.month, day), _on(following.year, following.month, day)]
    if kind == ScheduleKind.YEARLY:
        month = notification.month or 1
        return [_on(start.year + step, month, day) for step in range(_HORIZON_YEARS)]
    return []


def next_run(notification: Notification, time_zone: str, after: datetime) -> datetime | None:
    """The first time the notification is due strictly after ``after`` (UTC), or None."""
    if notification.schedule == ScheduleKind.ONCE:
        send_at = notification.send_at
        return send_at if send_at is not None and send_at > after else None
    if notification.time_of_day is None:
        return None
    zone = zoneinfo.ZoneInfo(time_zone)
    local = after.astimezone(zone)
    at = notification.time_of_day.replace(tzinfo=None)
    for day in _candidate_days(notification, local.date()):
        due = datetime.combine(day, at, zone)
        if due > after:
            return due.astimezone(UTC)
    return None


def describe(notification: Notification, time_zone: str) -> str:
    """The schedule in words, in the current language: "Every month on day 31 at 09:00"."""
    zone = zoneinfo.ZoneInfo(time_zone)
    kind = notification.schedule
    if kind == ScheduleKind.ONCE:
        if notification.send_at is None:
            return _("Once")
        when = date_format(notification.send_at.astimezone(zone), "SHORT_DATETIME_FORMAT")
        return _("Once, on %(when)s") % {"when": when}
    at = f"{notification.time_of_day or time():%H:%M}"
    if kind == ScheduleKind.DAILY:
        return _("Every day at %(at)s") % {"at": at}
    day = notification.day_of_month or 1
    if kind == ScheduleKind.MONTHLY:
        return _("Every month on day %(day)d at %(at)s") % {"day": day, "at": at}
    month = date_format(date(2000, notification.month or 1, 1), "F")
    return _("Every year on %(month)s %(day)d at %(at)s") % {"month": month, "day": day, "at": at}
