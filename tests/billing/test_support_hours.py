"""Business hours (BIL-5): "72 hs hábiles" count Monday to Friday, 9:00 to 18:00 in Buenos Aires."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from billing.business_hours import add_business_hours

BA = ZoneInfo("America/Argentina/Buenos_Aires")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in Buenos Aires: the 23rd is a Monday, the 27th a Friday."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BA)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(23, 10), 2, at(23, 12)),  # within the day
        (at(23, 9), 9, at(23, 18)),  # a whole day ends at closing time, not the next morning
        (at(23, 17), 2, at(24, 10)),  # overnight
        (at(27, 17), 2, at(30, 10)),  # Friday 17:00 + 2 h -> Monday 10:00
        (at(28, 11), 2, at(30, 11)),  # Saturday: counting starts on Monday at 9:00
        (at(29, 23, 30), 1, at(30, 10)),  # Sunday night
        (at(23, 7, 15), 1, at(23, 10)),  # before opening
        (at(23, 18), 1, at(24, 10)),  # at closing time
        (at(23, 20), 24, at(26, 15)),  # 24 business hours: 9 + 9 + 6
        (at(24, 14), 48, datetime(2026, 12, 1, 17, tzinfo=BA)),  # Tue 14:00 + 48 h
        (at(27, 10), 72, datetime(2026, 12, 9, 10, tzinfo=BA)),  # 8 business days over 2 weekends
        (at(28, 10), 0, at(30, 9)),  # nothing to count: the next opening
    ],
)
def test_business_hours(start: datetime, hours: int, due: datetime) -> None:
    assert add_business_hours(start, hours) == due


def test_it_reads_any_time_zone_and_answers_in_buenos_aires() -> None:
    friday_17_in_utc = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    due = add_business_hours(friday_17_in_utc, 2)
    assert due == at(30, 10)
    assert due.utcoffset() == at(30, 10).utcoffset()


def test_negative_hours_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_hours(at(23, 10), -1)
