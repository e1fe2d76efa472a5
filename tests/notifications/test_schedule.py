"""When notifications are due (CAM-5): wall-clock times in the account's zone (Buenos Aires,
UTC-3, no daylight saving), month ends, leap years, and the sweep's advance after each run."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from notifications import runs
from notifications.models import Notification, NotificationRun
from notifications.schedule import describe, next_run
from tests.conftest import Team
from tests.notifications.conftest import daily, make_tag

BA = ZoneInfo("America/Argentina/Buenos_Aires")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BA)


def schedule(team: Team, **data: object) -> Notification:
    tag = make_tag(team)
    return daily(team, tag, **data)


@time_machine.travel(local(2025, 3, 10, 8, 0), tick=False)
def test_daily_runs_today_until_its_hour_then_tomorrow(acme: Team) -> None:
    notification = schedule(acme)
    assert notification.next_run_at == local(2025, 3, 10, 9, 0)
    assert notification.next_run_at == datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    assert next_run(notification, acme.account.time_zone, local(2025, 3, 10, 9, 0)) == local(
        2025, 3, 11, 9, 0
    )
    assert describe(notification, acme.account.time_zone) == "Every day at 09:00"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(2025, 4, 2, 12, 0), local(2025, 4, 30, 9, 0)),  # April has 30 days
        (local(2025, 1, 31, 9, 0), local(2025, 2, 28, 9, 0)),  # just ran on the 31st: February's last
        (local(2024, 2, 1, 0, 0), local(2024, 2, 29, 9, 0)),  # leap year
        (local(2025, 12, 31, 10, 0), local(2026, 1, 31, 9, 0)),  # past the year's end
    ],
)
def test_monthly_on_the_31st_runs_on_the_last_day_of_short_months(
    acme: Team, now: datetime, expected: datetime
) -> None:
    with time_machine.travel(local(2023, 1, 1), tick=False):
        notification = schedule(acme, schedule="monthly", day_of_month=31)
    assert next_run(notification, acme.account.time_zone, now) == expected
    assert describe(notification, acme.account.time_zone) == "Every month on day 31 at 09:00"


def test_yearly_on_29_february_runs_on_the_28th_in_common_years(acme: Team) -> None:
    with time_machine.travel(local(2025, 1, 1), tick=False):
        notification = schedule(acme, schedule="yearly", day_of_month=29, month=2, time_of_day=time(20, 30))
    assert notification.next_run_at == local(2025, 2, 28, 20, 30)
    zone = acme.account.time_zone
    assert next_run(notification, zone, local(2025, 2, 28, 20, 30)) == local(2026, 2, 28, 20, 30)
    assert next_run(notification, zone, local(2027, 3, 1)) == local(2028, 2, 29, 20, 30)
    assert describe(notification, zone) == "Every year on February 29 at 20:30"


@time_machine.travel(local(2025, 5, 1, 10, 0), tick=False)
def test_once_runs_at_its_time_and_never_again(acme: Team) -> None:
    notification = schedule(acme, schedule="once", send_at=local(2025, 5, 2, 18, 45))
    assert notification.next_run_at == local(2025, 5, 2, 18, 45)
    assert notification.time_of_day is None
    assert next_run(notification, acme.account.time_zone, local(2025, 5, 2, 18, 45)) is None
    with pytest.raises(ValidationError) as refused:
        schedule(acme, schedule="once", send_at=local(2025, 5, 1, 9, 0))
    assert "send_at" in refused.value.message_dict


def test_the_sweep_runs_each_due_time_once_and_moves_to_the_next(acme: Team) -> None:
    with time_machine.travel(local(2025, 6, 1, 8, 0), tick=False):
        notification = schedule(acme)
    with time_machine.travel(local(2025, 6, 1, 9, 0, 30), tick=False):
        assert runs.start_due() == 1
        assert runs.start_due() == 0  # the beat firing twice
    notification.refresh_from_db()
    assert notification.next_run_at == local(2025, 6, 2, 9, 0)
    # The beat was down for three days: the missed times make one run, then back on the calendar.
    with time_machine.travel(local(2025, 6, 5, 15, 0), tick=False):
        assert runs.start_due() == 1
    notification.refresh_from_db()
    assert notification.next_run_at == local(2025, 6, 6, 9, 0)
    due = NotificationRun.objects.for_account(acme.account).order_by("scheduled_for")
    assert list(due.values_list("scheduled_for", flat=True)) == [local(2025, 6, 1, 9), local(2025, 6, 2, 9)]


def test_an_account_in_another_zone_gets_its_own_wall_clock(acme: Team) -> None:
    acme.account.time_zone = "Europe/Madrid"  # with daylight saving
    acme.account.save(update_fields=["time_zone"])
    madrid = ZoneInfo("Europe/Madrid")
    with time_machine.travel(datetime(2025, 3, 29, 12, 0, tzinfo=madrid), tick=False):
        notification = schedule(acme)
    assert notification.next_run_at == datetime(2025, 3, 30, 9, 0, tzinfo=madrid)
    after = next_run(notification, "Europe/Madrid", datetime(2025, 3, 30, 9, 0, tzinfo=madrid))
    assert after == datetime(2025, 3, 31, 9, 0, tzinfo=madrid)
    assert after is not None
    assert after.astimezone(UTC).hour == 7  # summer time since the 30th
