"""Celery tasks of the inbox: thin adapters over the services, safe to run twice."""

from __future__ import annotations

from celery import Task, shared_task

from inbox import media, outbox, statuses, webhook_events
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


@shared_task
def process_webhook_event(event_id: int) -> bool:
    """Apply one stored webhook (enqueued on commit by the webhook view)."""
    return webhook_events.process_event(event_id)


@shared_task
def retry_webhook_events() -> int:
    """Every minute (beat): events whose task was lost or whose worker died."""
    event_ids = webhook_events.stale_event_ids()
    for event_id in event_ids:
        process_webhook_event.delay(event_id)
    return len(event_ids)


@shared_task
def purge_unmatched_statuses() -> int:
    """Daily (beat): statuses that never found their message."""
    return statuses.purge_unmatched_statuses()


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
