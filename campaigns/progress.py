"""Where a campaign stands (CAM-4): its recipients counted by outcome, the current sending rate
and the time left, and its sends over time.

The counts come from one grouped query over the recipients joined to their messages (a few dozen
rows however large the campaign), folded in Python, so the page can poll them every few seconds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campaigns.audience import REASONS
from campaigns.models import Campaign, CampaignState, Recipient, RecipientState
from inbox.models import MessageStatus

RATE_WINDOW = timedelta(seconds=60)
MAX_BUCKETS = 120
# Bucket sizes in seconds, smallest first; each divides a day, so buckets align on local midnight.
STEPS = (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)

# Why a send was refused before it reached WhatsApp (inbox.send_errors.SendError codes a campaign
# meets); other codes show as they are.
SEND_FAILURES: dict[str, Promise] = {
    "template_params": _("a template value is empty for this contact"),
    "template_missing": _("the campaign has no template"),
    "template_required": _("only an approved template may start the conversation"),
    "window_closed": _("outside the 24-hour window"),
    "not_registered": _("not a registered contact"),
    "line_inactive": _("the line is switched off"),
    "contact_blocked": _("blocked"),
    "error": _("an unexpected error (in the server's log)"),
}
KINDS: dict[str, Promise] = {
    "queued": _("Queued"),
    "sent": _("Sent"),
    "delivered": _("Delivered"),
    "read": _("Read"),
    "failed": _("Failed"),
    "skipped": _("Skipped"),
    "cancelled": _("Cancelled"),
}


@dataclass(frozen=True)
class Reason:
    """One reason for failing, skipping or leaving out recipients, and how many."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Segment:
    """A part of the stacked progress bar."""

    kind: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Series:
    """Sends per bucket of ``step``, oldest first, empty buckets included."""

    step: timedelta
    points: list[tuple[datetime, int]]

    @property
    def peak(self) -> int:
        return max((count for _start, count in self.points), default=0)

    @property
    def total(self) -> int:
        return sum(count for _start, count in self.points)


@dataclass
class Progress:
    """Recipients by outcome. ``sent``, ``delivered`` and ``read`` hold the messages at exactly
    that status (the bar's parts); ``reached_*`` are the funnel's cumulative counts."""

    state: str
    total: int = 0
    queued: int = 0  # pending, being sent, or waiting in our outbox for WhatsApp
    sent: int = 0
    delivered: int = 0
    read: int = 0
    replied: int = 0
    cancelled: int = 0  # still queued when the campaign was cancelled
    failed: list[Reason] = field(default_factory=list)
    skipped: list[Reason] = field(default_factory=list)
    excluded: list[Reason] = field(default_factory=list)
    rate: float = 0.0  # messages per second over the last minute
    eta: timedelta | None = None
    series: Series | None = None

    @property
    def per_minute(self) -> int:
        return round(self.rate * RATE_WINDOW.total_seconds())

    @property
    def reached_sent(self) -> int:
        return self.sent + self.delivered + self.read

    @property
    def reached_delivered(self) -> int:
        return self.delivered + self.read

    @property
    def failed_total(self) -> int:
        return sum(reason.count for reason in self.failed)

    @property
    def skipped_total(self) -> int:
        return sum(reason.count for reason in self.skipped)

    @property
    def excluded_total(self) -> int:
        return sum(reason.count for reason in self.excluded)

    @property
    def done(self) -> int:
        """Recipients that need nothing more from us."""
        return self.total - self.queued - self.cancelled

    def segments(self) -> list[Segment]:
        counts = {
            "queued": self.queued,
            "sent": self.sent,
            "delivered": self.delivered,
            "read": self.read,
            "failed": self.failed_total,
            "skipped": self.skipped_total,
            "cancelled": self.cancelled,
        }
        return [
            Segment(kind, str(KINDS[kind]), count, round(count * 100 / self.total, 2))
            for kind, count in counts.items()
            if count and self.total
        ]


def progress(campaign: Campaign, *, now: datetime | None = None) -> Progress:
    """The campaign's counts, rate, time left and sends over time (three queries)."""
    now = now or timezone.now()
    result = Progress(state=campaign.state)
    _count(campaign, result)
    result.excluded = _reasons(
        Counter({key: int(count) for key, count in (campaign.excluded or {}).items()}),
        {key: str(label) for key, label in REASONS.items()},
    )
    recipients = Recipient.objects.for_account(campaign.account).filter(campaign=campaign)
    span = recipients.aggregate(
        first=Min("sent_at"), last=Max("sent_at"), recent=Count("id", filter=Q(sent_at__gt=now - RATE_WINDOW))
    )
    result.rate = span["recent"] / RATE_WINDOW.total_seconds()
    if campaign.state == CampaignState.RUNNING and result.queued and result.rate:
        result.eta = timedelta(seconds=round(result.queued / result.rate))
    if span["first"] is not None:
        end = now if campaign.state == CampaignState.RUNNING else span["last"]
        result.series = series(campaign, span["first"], max(end, span["last"]))
    return result


def _count(campaign: Campaign, result: Progress) -> None:
    rows = (
        Recipient.objects.for_account(campaign.account)
        .filter(campaign=campaign)
        .values("state", "reason", "message__status", "message__error_code", "message__error_title")
        .annotate(count=Count("id"), replied=Count("id", filter=Q(replied_at__isnull=False)))
        .order_by()
    )
    cancelled = campaign.state == CampaignState.CANCELLED
    failed: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for row in rows:
        count, state, status = row["count"], row["state"], row["message__status"]
        result.total += count
        result.replied += row["replied"]
        if state in {RecipientState.PENDING, RecipientState.SENDING}:
            if cancelled:
                result.cancelled += count
            else:
                result.queued += count
        elif state == RecipientState.SKIPPED:
            skipped[row["reason"]] += count
        elif state == RecipientState.FAILED:
            key = f"send:{row['reason']}"
            failed[key] += count
            labels[key] = str(SEND_FAILURES.get(row["reason"], row["reason"] or _("not sent")))
        elif status == MessageStatus.FAILED:
            code, title = row["message__error_code"], row["message__error_title"]
            key = f"whatsapp:{code or ''}:{title}"
            failed[key] += count
            labels[key] = " · ".join(str(part) for part in (code, title) if part) or str(
                _("WhatsApp did not deliver it")
            )
        elif status == MessageStatus.QUEUED:
            result.queued += count  # in our outbox, not yet accepted by WhatsApp
        elif status == MessageStatus.DELIVERED:
            result.delivered += count
        elif status == MessageStatus.READ:
            result.read += count
        else:  # sent, or the message was deleted since
            result.sent += count
    result.failed = _reasons(failed, labels)
    result.skipped = _reasons(skipped, {key: str(label) for key, label in REASONS.items()})


def _reasons(counts: Counter[str], labels: dict[str, str]) -> list[Reason]:
    """Largest first; a reason without a label shows its code."""
    return [
        Reason(key, labels.get(key) or key, count)
        for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if count
    ]


def series(campaign: Campaign, first: datetime, last: datetime) -> Series:
    """Sends per bucket between ``first`` and ``last``: the smallest step in STEPS that keeps
    MAX_BUCKETS or fewer (only the latest MAX_BUCKETS for a campaign longer than that in days).

    The database truncates to the second, minute, hour or day (in the account's zone), so it
    returns at most a few thousand rows; Python folds them into the step's buckets."""
    zone = ZoneInfo(campaign.account.time_zone)
    span = (last - first).total_seconds()
    step = next((step for step in STEPS if span / step < MAX_BUCKETS), STEPS[-1])
    unit = "second" if step < 60 else "minute" if step < 3600 else "hour" if step < 86400 else "day"
    start = _bucket(max(first, last - timedelta(seconds=step * (MAX_BUCKETS - 1))), step, zone)
    rows = (
        Recipient.objects.for_account(campaign.account)
        .filter(campaign=campaign, sent_at__gte=start)
        .annotate(at=Trunc("sent_at", unit, tzinfo=zone))
        .values("at")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: Counter[datetime] = Counter()
    for row in rows:
        counts[_bucket(row["at"], step, zone)] += row["count"]
    end = _bucket(last, step, zone)
    points = []
    at = start
    while at <= end:
        points.append((at, counts[at]))
        at = _bucket(at + timedelta(seconds=step), step, zone)
    return Series(timedelta(seconds=step), points)


def _bucket(moment: datetime, step: int, zone: ZoneInfo) -> datetime:
    """The start of ``moment``'s bucket, counted from its local midnight."""
    local = moment.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return midnight + timedelta(seconds=seconds - seconds % step)
