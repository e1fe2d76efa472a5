"""Business hours for the help desk's deadlines (BIL-5): "72 hs hábiles" counts only Monday to
Friday, 9:00 to 18:00 in Buenos Aires. Public holidays are not skipped."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("America/Argentina/Buenos_Aires")
OPENS = time(9)
CLOSES = time(18)
FRIDAY = 4


def add_business_hours(start: datetime, hours: int) -> datetime:
    """The moment ``hours`` business hours after ``start`` (aware); a question asked outside
    business hours starts counting when the desk next opens. Returned in Buenos Aires time."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    cursor = _next_open(start.astimezone(BUSINESS_TZ))
    remaining = timedelta(hours=hours)
    while True:
        closes = datetime.combine(cursor.date(), CLOSES, tzinfo=BUSINESS_TZ)
        if remaining <= closes - cursor:
            return cursor + remaining
        remaining -= closes - cursor
        cursor = _next_open(closes)


def _next_open(moment: datetime) -> datetime:
    """``moment`` itself when the desk is open then, else the next opening time."""
    day = moment.date()
    if moment.weekday() <= FRIDAY and moment.time() < CLOSES:
        return max(moment, datetime.combine(day, OPENS, tzinfo=BUSINESS_TZ))
    day += timedelta(days=1)
    while day.weekday() > FRIDAY:
        day += timedelta(days=1)
    return datetime.combine(day, OPENS, tzinfo=BUSINESS_TZ)
