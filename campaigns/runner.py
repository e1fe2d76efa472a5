"""Sending a running campaign: claim recipients, wait for the line's throttle, send each once.

Exactly once, however workers die (CAM-2): a worker claims a batch of recipients by writing its
own lease on them (``locked_until``) under ``SKIP LOCKED``; each send is one transaction that
first moves the recipient from *its* lease to ``sent`` (a compare-and-set: a worker whose lease
was taken over writes nothing), locks the contact row (an opt-out waits for us, or we see it),
then writes the message and its outbox entry through ``inbox.sending``; at high rates a few sends
share one transaction (``group_size``). A worker killed before
that commit leaves a claimed row with no message, taken up again when the lease runs out; after
it, the outbox owns the message and posts it once (inbox/outbox.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audience.models import Contact
from campaigns.content import message_for
from campaigns.models import Campaign, CampaignState, Recipient, RecipientState
from campaigns.throttle import Limits, get_throttle, limits_for, line_day
from inbox.conversations import current_conversation
from inbox.models import Initiator
from inbox.send_errors import SendError
from inbox.sending import send

log = logging.getLogger(__name__)

MAX_BATCH = 50
STATE_CHECK_SECONDS = 1.0  # how soon a runner sees a pause or a cancel
# A throttle wait longer than this puts the campaign to sleep (``wake_at``) rather than a runner.
LONG_WAIT = 5.0


@dataclass
class Outcome:
    """How a slice ended: ``state`` sent on (running), quiet, waiting (daily cap, back-off longer
    than the slice), idle (nothing claimable now), completed, or the campaign's own state."""

    state: str
    sent: int = 0
    failed: int = 0


def run_slice(campaign: Campaign, seconds: float, heartbeat: Callable[[], object] = bool) -> Outcome:
    """Send for up to ``seconds``; the caller schedules what comes next from the outcome.
    ``heartbeat`` is called about every second: the caller's sign that this runner lives."""
    deadline = time.monotonic() + seconds
    outcome = Outcome("running")
    line = campaign.line
    while time.monotonic() < deadline:
        heartbeat()
        state = _state(campaign)
        if state != CampaignState.RUNNING:
            outcome.state = state
            return outcome
        quiet_until = quiet_end(campaign, timezone.now())
        if quiet_until is not None:
            _sleep_until(campaign, quiet_until)
            outcome.state = "quiet"
            return outcome
        today, _tomorrow = line_day(line, timezone.now())
        limits = limits_for(line, today)
        batch = claim(campaign, max(1, min(MAX_BATCH, round(limits.per_second * 5))))
        if not batch:
            outcome.state = "completed" if finish_if_done(campaign) else "idle"
            return outcome
        stop = _send_batch(campaign, batch, limits, (deadline, heartbeat), outcome)
        if stop:
            return outcome
    return outcome


def _send_batch(
    campaign: Campaign,
    batch: list[Recipient],
    limits: Limits,
    timing: tuple[float, Callable[[], object]],
    outcome: Outcome,
) -> bool:
    """Send the claimed batch in order; True when the slice must end (paused, cancelled, a long
    wait). Whatever is left of the batch goes back to the queue."""
    deadline, heartbeat = timing
    throttle = get_throttle()
    checked = time.monotonic()
    group: list[Recipient] = []  # holding their throttle turn, written together
    size = group_size(limits)

    def flush() -> None:
        for went in send_many(campaign, group):
            outcome.sent += went
            outcome.failed += not went
        group.clear()

    for index, recipient in enumerate(batch):
        if time.monotonic() - checked > STATE_CHECK_SECONDS:
            checked = time.monotonic()
            heartbeat()
            state = _state(campaign)
            if state != CampaignState.RUNNING:
                release(group + batch[index:])
                outcome.state = state
                return True
        while True:
            decision = throttle.take(campaign.line, recipient.contact_id, limits)
            if decision.go:
                break
            flush()  # what already has its turn goes now
            if decision.reason == "daily_cap" or decision.wait > LONG_WAIT:
                # Hours (the cap), or a slow warm-up or WhatsApp's back-off: the sweep wakes it.
                release(batch[index:])
                _sleep_until(campaign, timezone.now() + timedelta(seconds=decision.wait))
                outcome.state = "waiting"
                return True
            if time.monotonic() + decision.wait > deadline:
                release(batch[index:])  # the next slice, queued at once, waits its turn
                return True
            time.sleep(decision.wait)
        group.append(recipient)
        if len(group) >= size:
            flush()
    flush()
    return False


def group_size(limits: Limits) -> int:
    """How many sends share a transaction: one at low rates, up to 10 (1/8 s of sends) at high
    ones, where one commit and one lock of the account's conversation counter per message would
    cap the rate (benchmarks/README.md)."""
    return max(1, min(10, int(limits.per_second // 8)))


def claim(campaign: Campaign, size: int) -> list[Recipient]:
    """Lease up to ``size`` recipients: queued ones, or claimed ones whose worker's lease ran out."""
    now = timezone.now()
    lease = now + lease_time()
    rows = Recipient.objects.for_account(campaign.account).filter(campaign=campaign)
    with transaction.atomic():
        ids = list(
            rows.filter(
                Q(state=RecipientState.PENDING) | Q(state=RecipientState.SENDING, locked_until__lt=now)
            )
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:size]
        )
        rows.filter(id__in=ids).update(state=RecipientState.SENDING, locked_until=lease)
    return list(rows.filter(id__in=ids, locked_until=lease).select_related("contact").order_by("id"))


def lease_time() -> timedelta:
    return timedelta(seconds=settings.CAMPAIGN_LEASE_SECONDS)


def release(recipients: list[Recipient]) -> None:
    """Put claimed, unsent recipients back in the queue (only those still under our lease)."""
    for recipient in recipients:
        Recipient.objects.unscoped().filter(
            account_id=recipient.account_id,
            id=recipient.id,
            state=RecipientState.SENDING,
            locked_until=recipient.locked_until,
        ).update(state=RecipientState.PENDING, locked_until=None)


def send_one(campaign: Campaign, recipient: Recipient) -> bool:
    """Send the campaign to one claimed recipient; False when it was skipped or refused."""
    return send_many(campaign, [recipient])[0]


def send_many(campaign: Campaign, recipients: list[Recipient]) -> list[bool]:
    """Send to claimed recipients in one transaction: all their messages are written, or none."""
    with transaction.atomic():
        return [_send(campaign, recipient) for recipient in recipients]


def _send(campaign: Campaign, recipient: Recipient) -> bool:
    account = campaign.account
    held = Recipient.objects.for_account(account).filter(
        id=recipient.id, state=RecipientState.SENDING, locked_until=recipient.locked_until
    )
    if not held.update(state=RecipientState.SENT, sent_at=timezone.now(), locked_until=None):
        return False  # our lease ran out and another worker took the row
    contact = Contact.objects.for_account(account).select_for_update().get(id=recipient.contact_id)
    mine = Recipient.objects.for_account(account).filter(id=recipient.id)
    if contact.is_blocked or contact.is_opted_out:
        reason = "blocked" if contact.is_blocked else "opted_out"
        mine.update(state=RecipientState.SKIPPED, reason=reason, sent_at=None)
        return False
    try:
        with transaction.atomic():
            content = message_for(campaign, contact)
            conversation = current_conversation(campaign.line, contact, initiated_by=Initiator.COMPANY)
            message = send(conversation, content, automated=True)
    except SendError as error:
        mine.update(state=RecipientState.FAILED, reason=error.code[:40], sent_at=None)
        return False
    except Exception:  # one contact's surprise must not stop the campaign, nor come back forever
        log.exception("campaign %s could not send to recipient %s", campaign.id, recipient.id)
        mine.update(state=RecipientState.FAILED, reason="error", sent_at=None)
        return False
    mine.update(message=message)
    return True


def finish_if_done(campaign: Campaign) -> bool:
    """Completed when no recipient is queued or being sent."""
    rows = Recipient.objects.for_account(campaign.account).filter(campaign=campaign)
    if rows.filter(state__in=[RecipientState.PENDING, RecipientState.SENDING]).exists():
        return False
    return bool(
        Campaign.objects.for_account(campaign.account)
        .filter(id=campaign.id, state=CampaignState.RUNNING)
        .update(state=CampaignState.COMPLETED, finished_at=timezone.now(), wake_at=None)
    )


def quiet_end(campaign: Campaign, now: datetime) -> datetime | None:
    """When the campaign's quiet hours end, if ``now`` is inside them (they may wrap midnight)."""
    start, end = campaign.quiet_from, campaign.quiet_until
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(campaign.account.time_zone)
    local = now.astimezone(zone)
    at = local.time()
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    day = local.date() if at < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, zone)


def _state(campaign: Campaign) -> str:
    state: str = (
        Campaign.objects.for_account(campaign.account)
        .filter(id=campaign.id)
        .values_list("state", flat=True)
        .get()
    )
    return state


def _sleep_until(campaign: Campaign, when: datetime) -> None:
    Campaign.objects.for_account(campaign.account).filter(id=campaign.id).update(wake_at=when)
