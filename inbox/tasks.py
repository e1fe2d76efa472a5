"""Celery tasks of the inbox: thin adapters over the services, safe to run twice."""

from __future__ import annotations

from celery import Task, shared_task
from django.core.cache import cache

from inbox import media, outbox, scheduling, statuses, teamwork, webhook_events, webhook_retention
from inbox.providers import TransportError
from spoter.accounts.models import Account

MEDIA_RETRIES = 6


@shared_task
def deliver_outbox_entry(entry_id: int) -> str:
    """Post one queued message (enqueued on commit by inbox.sending)."""
    return outbox.deliver(entry_id)


@shared_task
def deliver_due_outbox() -> int:
    """Every few seconds (beat): retries that are due, and entries whose task was lost."""
    return outbox.deliver_due()


# Set while a drain is queued and not yet started: webhooks then need not queue another.
DRAIN_QUEUED = "inbox:webhook-drain-queued"
DRAIN_QUEUED_TTL = 30  # a queued drain whose task was lost stops blocking new ones after this


def request_drain() -> None:
    """Have the stored webhooks processed (the webhook view calls it on commit). One cache
    round trip instead of a Celery publish per webhook; the drain clears the mark before it
    looks, so an event stored after that asks for (and gets) a drain of its own."""
    if cache.add(DRAIN_QUEUED, 1, DRAIN_QUEUED_TTL):
        drain_webhook_events.delay()


@shared_task
def drain_webhook_events() -> int:
    """Process the stored webhooks; also every minute (beat) for events whose worker died."""
    cache.delete(DRAIN_QUEUED)
    processed, more = webhook_events.drain()
    if more:
        request_drain()
    return processed


@shared_task
def purge_unmatched_statuses() -> int:
    """Daily (beat): statuses that never found their message."""
    return statuses.purge_unmatched_statuses()


@shared_task
def purge_processed_webhooks() -> int:
    """Daily (beat): raw webhook bodies past their retention."""
    return webhook_retention.purge_processed()


@shared_task(bind=True, max_retries=MEDIA_RETRIES)
def download_media(self: Task[[int, int], bool], account_id: int, media_id: int) -> bool:
    """Fetch a received file at once (Meta's URL expires); transient errors retry with backoff."""
    account = Account.objects.get(id=account_id)
    try:
        return media.download(account, media_id) is not None
    except TransportError as error:
        if self.request.retries >= MEDIA_RETRIES:
            media.fail(account, media_id, f"download: {error.title}")
            return False
        raise self.retry(countdown=min(300, 5 * 2**self.request.retries)) from error


@shared_task
def notify_due_reminders() -> int:
    """Every few seconds (beat): reminders whose time has come notify their owner (INB-9)."""
    return teamwork.notify_due_reminders()


@shared_task
def send_due_scheduled() -> int:
    """Every few seconds (beat): scheduled messages whose time has come (INB-10)."""
    return scheduling.send_due_scheduled()
