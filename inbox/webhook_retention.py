"""How long raw webhook bodies stay (AUD-4): they hold customers' numbers and words as Meta sent
them, so a processed event is kept only WEBHOOK_RETENTION_DAYS for troubleshooting, and erasing a
contact deletes at once the processed events that name them. Unprocessed events stay whatever
they hold: deleting one would lose a message (or a status) for good."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from inbox.models import WebhookEvent
from spoter.accounts.models import Account


def purge_processed(now: datetime | None = None) -> int:
    """Delete processed events older than the retention (daily, beat). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    deleted, _ = WebhookEvent.objects.filter(processed_at__lt=cutoff).delete()
    return deleted


def forget_senders(account: Account, wa_ids: Iterable[str]) -> int:
    """Delete the processed events of the account's lines, and of the platform app's URL (routed
    by number, no line), that carry one of these WhatsApp ids. Returns how many."""
    deleted = 0
    processed = WebhookEvent.objects.filter(
        Q(line__account=account) | Q(line=None), processed_at__isnull=False
    )
    for wa_id in {wa_id for wa_id in wa_ids if wa_id}:
        count, _ = _mentioning(processed, f'"{wa_id}"'.encode()).delete()
        deleted += count
    return deleted


def _mentioning(events: QuerySet[WebhookEvent], needle: bytes) -> QuerySet[WebhookEvent]:
    """Events whose raw body contains ``needle`` (a quoted id: "549..." never matches inside a
    longer number), searched by the database."""
    if connection.vendor == "postgresql":
        where = RawSQL("position(%s::bytea in inbox_webhookevent.body)", (needle,))
    else:
        where = RawSQL("instr(inbox_webhookevent.body, %s)", (needle,))
    return events.alias(found_at=where).filter(found_at__gt=0)
