"""The line throttle (CAM-3): the Redis script and the embedded default's twin behave alike."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from django.conf import settings

from campaigns.models import LineThrottle
from campaigns.throttle import Limits, LocalThrottle, RedisThrottle, Throttle, limits_for, line_day
from inbox.models import Line
from tests.campaigns.factories import make_line
from tests.conftest import Team


@pytest.fixture(params=["redis", "local"])
def throttle(request: pytest.FixtureRequest) -> Iterator[Throttle]:
    if request.param == "local":
        yield LocalThrottle()
        return
    yield RedisThrottle(redis.Redis.from_url(str(settings.REDIS_URL)))


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme)


def sends_in(throttle: Throttle, line: Line, limits: Limits, seconds: float) -> int:
    """Take as fast as allowed for ``seconds``, one new customer each time; how many went."""
    sent, contact = 0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        contact += 1
        decision = throttle.take(line, contact, limits)
        if decision.go:
            sent += 1
        else:
            assert decision.reason == "rate"
            time.sleep(min(decision.wait, max(deadline - time.monotonic(), 0)))
    return sent


def test_the_rate_is_what_goes_out(throttle: Throttle, line: Line) -> None:
    sent = sends_in(throttle, line, Limits(per_second=20), 1.5)
    # 1.5 s at 20/s, plus the quarter-second catch-up the first take may use.
    assert 28 <= sent <= 36


def test_a_customer_waits_six_seconds_between_two_messages(throttle: Throttle, line: Line) -> None:
    limits = Limits(per_second=1000)
    assert throttle.take(line, 7, limits).go
    again = throttle.take(line, 7, limits)
    assert (again.go, again.reason) == (False, "customer")
    assert 5 < again.wait <= 6
    assert throttle.take(line, 8, limits).go  # another customer goes


def test_the_daily_cap_holds_until_the_lines_next_day(throttle: Throttle, line: Line) -> None:
    limits = Limits(per_second=1000, daily_cap=3)
    assert all(throttle.take(line, contact, limits).go for contact in (1, 2, 3))
    held = throttle.take(line, 4, limits)
    assert held.reason == "daily_cap"
    _today, tomorrow = line_day(line, datetime.now(tz=ZoneInfo("UTC")))
    assert abs(held.wait - (tomorrow - datetime.now(tz=ZoneInfo("UTC"))).total_seconds()) < 2


def test_a_back_off_holds_every_send_of_the_line(throttle: Throttle, line: Line, acme: Team) -> None:
    other = make_line(acme, name="Otra", phone_number_id="pn-otra", display_number="+5491100000009")
    throttle.back_off(line.id, 2)
    held = throttle.take(line, 1, Limits(per_second=1000))
    assert (held.reason, 1 < held.wait <= 2) == ("backoff", True)
    assert throttle.take(other, 1, Limits(per_second=1000)).go


def test_the_warm_up_grows_daily_up_to_the_lines_rate(line: Line, acme: Team) -> None:
    LineThrottle.objects.create(
        account=acme.account,
        line=line,
        per_second=4,
        daily_cap=6000,
        warmup_from=date(2026, 11, 1),
        warmup_per_5_minutes=10,
        warmup_growth=2,
    )
    assert limits_for(line, date(2026, 10, 31)) == Limits(4, 6000)  # not started: the full rate
    assert limits_for(line, date(2026, 11, 1)).per_second == pytest.approx(10 / 300)
    assert limits_for(line, date(2026, 11, 3)).per_second == pytest.approx(40 / 300)
    assert limits_for(line, date(2026, 11, 20)).per_second == 4


def test_without_settings_a_line_sends_at_the_default_rate(line: Line) -> None:
    assert limits_for(line, date(2026, 11, 1)) == Limits(LineThrottle.DEFAULT_PER_SECOND, None)


def test_the_lines_day_is_the_accounts(line: Line) -> None:
    # 02:30 UTC is still the 20th in Buenos Aires (UTC-3).
    with time_machine.travel(datetime(2026, 11, 21, 2, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        today, tomorrow = line_day(line, datetime.now(tz=ZoneInfo("UTC")))
    assert today == date(2026, 11, 20)
    assert tomorrow - datetime(2026, 11, 21, 2, 30, tzinfo=ZoneInfo("UTC")) == timedelta(minutes=30)
