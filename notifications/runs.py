"""Running notifications: the beat's sweep starts the due ones, and each run's deliveries go out
through the account's providers, each exactly once as far as we can tell.

- ``start_due(now)``: every active notification whose ``next_run_at`` has come gets its run
  (unique per due time) with one delivery per matching contact, written in one transaction with
  the advance of ``next_run_at``; missed times (the beat was down) collapse into one run.
- ``open_runs()``: (account id, run id) of every run with deliveries left, for the sweep to queue.
- ``send_run(account, run_id)``: sends what is pending. Each delivery is claimed by
  compare-and-set on its lease before the provider is called and marked sent or failed right
  after, so two workers never send it; a worker killed in between leaves it pending, and when
  the lease runs out the next sweep sends it (the only case that can send twice: the provider
  took it and the worker died before writing so). Temporary errors wait and try again, up to
  MAX_ATTEMPTS; the run finishes, with its counts, when nothing is pending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.html import escape

from audience.filters import ContactFilter
from audience.models import Contact
from billing.limits import LimitReached, check_campaigns
from inbox.quick_replies import fill_variables, variables_for
from notifications.models import (
    SMS_MAX,
    Channel,
    ChannelSettings,
    DeliveryState,
    Notification,
    NotificationDelivery,
    NotificationRun,
    Reason,
    TagMode,
)
from notifications.providers import ProviderError, SmsVoice, sms_voice_provider
from notifications.providers.email import send_email
from notifications.schedule import next_run
from notifications.services import channel_settings
from spoter.accounts.models import Account, Membership

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # well above the providers' 15-second timeout
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
BATCH = 100


# --- Starting runs -------------------------------------------------------------------------------


def start_due(now: datetime | None = None) -> int:
    """Start the run of every due notification; the number started. Serves every account."""
    now = now or timezone.now()
    due = (
        Notification.objects.unscoped()  # the sweep serves every account
        .filter(active=True, next_run_at__lte=now)
        .order_by("next_run_at", "id")
        .values_list("id", flat=True)
    )
    return sum(_start(notification_id, now) for notification_id in list(due))


def _start(notification_id: int, now: datetime) -> bool:
    with transaction.atomic():
        # Locked, then checked again: a second sweep waits here and finds it advanced.
        notification = (
            Notification.objects.unscoped()  # found by id from the due list above
            .select_for_update()
            .filter(id=notification_id, active=True, next_run_at__lte=now)
            .first()
        )
        if notification is None or notification.next_run_at is None:
            return False
        account = Account.objects.get(id=notification.account_id)
        try:
            check_campaigns(account)
        except LimitReached as refused:
            # Read-only, or the plan lost campaigns: this time is skipped, not sent later.
            log.info("notification %s skipped: %s", notification.id, refused.code)
            notification.next_run_at = next_run(notification, account.time_zone, now)
            notification.save(update_fields=["next_run_at"])
            return False
        run, created = NotificationRun.objects.for_account(account).get_or_create(
            account=account, notification=notification, scheduled_for=notification.next_run_at
        )
        if created:
            _write_deliveries(account, notification, run)
        notification.next_run_at = next_run(notification, account.time_zone, max(now, run.scheduled_for))
        notification.save(update_fields=["next_run_at"])
    return created


def _audience(account: Account, notification: Notification) -> list[Contact]:
    links = Notification.tags.through.objects.filter(notification=notification)
    tag_ids = tuple(links.values_list("tag_id", flat=True))
    if notification.tag_mode == TagMode.ALL:
        contacts = ContactFilter(tags_all=tag_ids).apply(account)
    else:
        contacts = ContactFilter(tags_any=tag_ids).apply(account)
    return list(contacts.only("id", "phone", "email", "opted_out_at", "blocked_at"))


def skip_reason(contact: Contact, channel: str) -> str:
    """Why the contact gets nothing on ``channel`` (a Reason), or ""."""
    if contact.is_opted_out:
        return Reason.OPTED_OUT
    if contact.is_blocked:
        return Reason.BLOCKED
    if channel == Channel.EMAIL:
        return "" if contact.email else Reason.NO_EMAIL
    return "" if contact.phone else Reason.NO_PHONE


def _write_deliveries(account: Account, notification: Notification, run: NotificationRun) -> None:
    rows = []
    for contact in _audience(account, notification):
        reason = skip_reason(contact, notification.channel)
        rows.append(
            NotificationDelivery(
                account=account,
                run=run,
                contact=contact,
                channel=notification.channel,
                address=contact.email if notification.channel == Channel.EMAIL else contact.phone,
                state=DeliveryState.SKIPPED if reason else DeliveryState.PENDING,
                reason=reason,
            )
        )
    NotificationDelivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def open_runs() -> list[tuple[int, int]]:
    return list(
        NotificationRun.objects.unscoped()  # the sweep serves every account
        .filter(finished_at=None)
        .order_by("started_at", "id")
        .values_list("account_id", "id")
    )


# --- Sending -------------------------------------------------------------------------------------


@dataclass
class _Sender:
    """What every delivery of a run needs: the notification, the account's channels, the creator
    (for {{operador}}) and the SMS/voice provider, built on first use."""

    notification: Notification
    channels: ChannelSettings | None
    creator: Membership | None
    _provider: SmsVoice | None = None

    def provider(self) -> SmsVoice:
        if self._provider is None:
            self._provider = sms_voice_provider(self.channels)
        return self._provider

    def send(self, delivery: NotificationDelivery) -> str:
        """The provider's id; ProviderError when it refused or failed."""
        notification = self.notification
        values = variables_for(delivery.contact, self.creator)
        body = fill_variables(notification.body, values).strip()
        if notification.channel == Channel.EMAIL:
            html_values = {key: str(escape(value)) for key, value in values.items()}
            return send_email(
                delivery.address,
                fill_variables(notification.subject, values).strip(),
                body,
                fill_variables(notification.html, html_values),
                self.channels.email_from if self.channels else "",
            )
        if notification.channel == Channel.SMS:
            if len(body) > SMS_MAX:
                raise _TooLongError
            return self.provider().send_sms(delivery.address, body)
        return self.provider().call(delivery.address, body)


class _TooLongError(Exception):
    """The SMS passes 160 characters once its variables are filled in."""


def send_run(account: Account, run_id: int) -> int:
    """Send the run's pending deliveries; the number sent now. Safe to run twice at once."""
    run = (
        NotificationRun.objects.for_account(account)
        .select_related("notification__created_by__user")
        .filter(id=run_id)
        .first()
    )
    if run is None or run.finished_at is not None:
        return 0
    # {{operador}} is the notification's author (empty once they are gone).
    sender = _Sender(run.notification, channel_settings(account), run.notification.created_by)
    deliveries = NotificationDelivery.objects.for_account(account).filter(run=run)
    sent = 0
    while True:
        now = timezone.now()
        claimable = deliveries.filter(state=DeliveryState.PENDING).filter(
            Q(lease_until=None) | Q(lease_until__lt=now)
        )
        ids = list(claimable.order_by("id").values_list("id", flat=True)[:BATCH])
        if not ids:
            break
        for delivery_id in ids:
            if _claim(account, delivery_id):
                sent += _deliver(account, sender, delivery_id)
    finish_run(account, run)
    return sent


def _claim(account: Account, delivery_id: int) -> bool:
    now = timezone.now()
    return bool(
        NotificationDelivery.objects.for_account(account)
        .filter(id=delivery_id, state=DeliveryState.PENDING)
        .filter(Q(lease_until=None) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE, attempts=F("attempts") + 1, attempted_at=now)
    )


def _deliver(account: Account, sender: _Sender, delivery_id: int) -> int:
    """Send one claimed delivery and record the outcome; 1 when it was sent."""
    rows = NotificationDelivery.objects.for_account(account).filter(id=delivery_id)
    delivery = rows.select_related("contact").get()
    outcome: dict[str, object] = {"lease_until": None}
    try:
        outcome.update(state=DeliveryState.SENT, provider_id=sender.send(delivery)[:200], error="")
    except _TooLongError:
        outcome.update(state=DeliveryState.FAILED, reason=Reason.TOO_LONG)
    except ProviderError as error:
        log.info("notification delivery %s: %s", delivery_id, error.message)
        outcome["error"] = error.message[:300]
        if error.permanent or delivery.attempts >= MAX_ATTEMPTS:
            outcome.update(
                state=DeliveryState.FAILED, reason=Reason.REFUSED if error.permanent else Reason.UNREACHABLE
            )
        else:
            outcome["lease_until"] = timezone.now() + RETRY_AFTER[delivery.attempts - 1]
    rows.filter(state=DeliveryState.PENDING).update(**outcome)
    return int(outcome.get("state") == DeliveryState.SENT)


def finish_run(account: Account, run: NotificationRun) -> bool:
    """Close the run with its counts once nothing is pending; True when this call closed it."""
    counts = dict(
        NotificationDelivery.objects.for_account(account)
        .filter(run=run)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    if counts.get(DeliveryState.PENDING):
        return False
    return bool(
        NotificationRun.objects.for_account(account)
        .filter(id=run.id, finished_at=None)
        .update(
            finished_at=timezone.now(),
            sent=counts.get(DeliveryState.SENT, 0),
            failed=counts.get(DeliveryState.FAILED, 0),
            skipped=counts.get(DeliveryState.SKIPPED, 0),
        )
    )
