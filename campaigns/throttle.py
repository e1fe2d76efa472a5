"""Each line's sending limits (CAM-3), shared by every worker sending its campaigns.

A GCRA (generic cell rate algorithm) per line spaces sends ``1 / rate`` apart with a quarter of a
second of catch-up, so the configured rate is what goes out however many workers share it. The
same step also counts the line's daily cap, keeps one customer from getting two messages within
six seconds (Meta answers 131056), and honours a back-off set after Meta said "too fast"
(130429). In Redis it is one Lua script, atomic across processes; the embedded default has no
Redis and one process, so an in-process twin with a lock does the same.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import redis
from django.conf import settings
from django.utils import timezone

from campaigns.models import LineThrottle
from inbox.models import Line

CATCH_UP_MS = 250
CUSTOMER_GAP_MS = 6000  # Meta: about one message per customer every 6 s (FACTS.md)
WARMUP_WINDOW = 300.0  # the warm-up counts messages per five minutes


@dataclass(frozen=True)
class Limits:
    per_second: float
    daily_cap: int | None = None


@dataclass(frozen=True)
class Decision:
    """``wait`` seconds before trying again (0: send now); ``reason`` says which limit held it:
    rate, customer, daily_cap (wait until the line's next day) or backoff."""

    wait: float
    reason: str = ""

    @property
    def go(self) -> bool:
        return self.wait <= 0


def limits_for(line: Line, today: date) -> Limits:
    """The line's limits today: its rate, lowered by the warm-up while the number is new."""
    throttle = LineThrottle.objects.for_account(line.account).filter(line=line).first()
    if throttle is None:
        return Limits(LineThrottle.DEFAULT_PER_SECOND)
    rate = throttle.per_second
    if throttle.warmup_from is not None and today >= throttle.warmup_from:
        days = (today - throttle.warmup_from).days
        per_window = throttle.warmup_per_5_minutes * max(throttle.warmup_growth, 1.0) ** min(days, 60)
        rate = min(rate, per_window / WARMUP_WINDOW)
    return Limits(max(rate, 0.001), throttle.daily_cap)


def line_day(line: Line, now: datetime) -> tuple[date, datetime]:
    """The line's day in its account's zone, and when the next one starts (the cap resets)."""
    zone = ZoneInfo(line.account.time_zone)
    local = now.astimezone(zone)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), zone)
    return local.date(), tomorrow


class Throttle:
    """The interface: one call per send."""

    def take(self, line: Line, contact_id: int, limits: Limits) -> Decision:
        raise NotImplementedError

    def back_off(self, line_id: int, seconds: float) -> None:
        raise NotImplementedError


def _arguments(line: Line, limits: Limits) -> tuple[int, int, int, int, str]:
    now = timezone.now()
    today, tomorrow = line_day(line, now)
    interval_ms = max(1, round(1000 / limits.per_second))
    day_ms = max(1, math.ceil((tomorrow - now).total_seconds() * 1000))
    return int(now.timestamp() * 1000), interval_ms, limits.daily_cap or 0, day_ms, today.isoformat()


# KEYS: the line's theoretical arrival time, its count today, the customer's gap, its back-off.
# ARGV: now (ms), interval (ms), catch-up (ms), daily cap (0: none), ms to the day's end, gap (ms).
GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local cap = tonumber(ARGV[4])
local backoff = tonumber(redis.call('GET', KEYS[4]) or '0')
if backoff > now then return {backoff - now, 'backoff'} end
if cap > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= cap then
  return {tonumber(ARGV[5]), 'daily_cap'}
end
local gap = redis.call('PTTL', KEYS[3])
if gap > 0 then return {gap, 'customer'} end
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local allowed_at = tat - tonumber(ARGV[3])
if allowed_at > now then return {allowed_at - now, 'rate'} end
redis.call('SET', KEYS[1], tat + interval, 'PX', tat + interval - now + 1000)
if cap > 0 then
  redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
end
redis.call('SET', KEYS[3], 1, 'PX', ARGV[6])
return {0, 'ok'}
"""


class RedisThrottle(Throttle):
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.script = client.register_script(GCRA)

    def take(self, line: Line, contact_id: int, limits: Limits) -> Decision:
        now_ms, interval_ms, cap, day_ms, today = _arguments(line, limits)
        prefix = f"campaigns:throttle:{line.id}"
        wait_ms, reason = self.script(
            keys=[
                f"{prefix}:tat",
                f"{prefix}:day:{today}",
                f"{prefix}:contact:{contact_id}",
                f"{prefix}:backoff",
            ],
            args=[now_ms, interval_ms, CATCH_UP_MS, cap, day_ms, CUSTOMER_GAP_MS],
        )
        return Decision(int(wait_ms) / 1000, reason.decode() if isinstance(reason, bytes) else str(reason))

    def back_off(self, line_id: int, seconds: float) -> None:
        until = int((time.time() + seconds) * 1000)
        key = f"campaigns:throttle:{line_id}:backoff"
        self.client.set(key, until, px=int(seconds * 1000) + 1000)


class LocalThrottle(Throttle):
    """The embedded default's: the same steps on this process's memory."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tat: dict[int, int] = {}
        self.day_counts: dict[tuple[int, str], int] = {}
        self.customers: dict[tuple[int, int], int] = {}
        self.backoffs: dict[int, int] = {}

    def take(self, line: Line, contact_id: int, limits: Limits) -> Decision:
        now, interval, cap, day_ms, today = _arguments(line, limits)
        with self.lock:
            backoff = self.backoffs.get(line.id, 0)
            if backoff > now:
                return Decision((backoff - now) / 1000, "backoff")
            if cap and self.day_counts.get((line.id, today), 0) >= cap:
                return Decision(day_ms / 1000, "daily_cap")
            gap_until = self.customers.get((line.id, contact_id), 0)
            if gap_until > now:
                return Decision((gap_until - now) / 1000, "customer")
            tat = max(self.tat.get(line.id, 0), now)
            if tat - CATCH_UP_MS > now:
                return Decision((tat - CATCH_UP_MS - now) / 1000, "rate")
            self.tat[line.id] = tat + interval
            if cap:
                self.day_counts[(line.id, today)] = self.day_counts.get((line.id, today), 0) + 1
            self.customers = {key: until for key, until in self.customers.items() if until > now}
            self.customers[(line.id, contact_id)] = now + CUSTOMER_GAP_MS
            return Decision(0, "ok")

    def back_off(self, line_id: int, seconds: float) -> None:
        with self.lock:
            self.backoffs[line_id] = int((time.time() + seconds) * 1000)


@cache
def get_throttle() -> Throttle:
    if settings.REDIS_URL is None:
        return LocalThrottle()
    return RedisThrottle(redis.Redis.from_url(settings.REDIS_URL))
