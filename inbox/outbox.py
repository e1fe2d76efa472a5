"""The outbox worker: posts queued messages to their provider, each exactly once if it can.

Every entry is claimed with a compare-and-set lease, so two workers (or one task delivered twice
by the broker) never post the same message together, and a message that has a wamid is never
posted again. The one case a lease cannot settle is a worker that died, or timed out, after the
POST left: Meta may or may not have the message. ``posted_at`` records that moment; the next
attempt waits OUTCOME_GRACE for a status webhook, correlated by biz_opaque_callback_data, to bring
the wamid. When none comes the message is marked failed as UNCONFIRMED rather than sent again:
the issue's rule is "never twice", and a person can resend after checking (docs/sending.md). A
status that still arrives later revives it (inbox/statuses.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from inbox import events, signals
from inbox.models import Line, MediaFile, Message, MessageStatus, OutboxEntry
from inbox.providers import Provider, TransportError, get_provider
from inbox.statuses import UNCONFIRMED, apply_unmatched_statuses

log = logging.getLogger(__name__)

# Longer than an upload plus a send at the HTTP timeout; a dead worker's entry waits this long.
LEASE = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
# Meta's "sent" status normally arrives within seconds.
OUTCOME_GRACE = timedelta(seconds=settings.OUTBOX_OUTCOME_GRACE_SECONDS)
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=15)
MAX_ATTEMPTS = 10  # about an hour of retries in all
MEDIA_ID_LIFETIME = timedelta(days=29)  # Meta keeps an uploaded media id for 30 days
SWEEP_BATCH = 100


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 2 s, 4 s, 8 s, ... up to 15 minutes."""
    delay: timedelta = BACKOFF_BASE * 2 ** max(attempts - 1, 0)
    return min(delay, BACKOFF_MAX)


def deliver(entry_id: int) -> str:
    """Try to post one entry. Returns what happened: sent, retry, failed, waiting, done (the
    message already went) or busy (not due, or another worker holds it)."""
    now = timezone.now()
    # Unscoped: the task carries only the entry's id; every row below is checked against its account.
    entries = OutboxEntry.objects.unscoped()
    lease = now + LEASE
    claimed = (
        entries.filter(id=entry_id)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(Q(attempts=0) | Q(available_at__lte=now))
        .update(locked_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "busy"
    entry = entries.select_related("message__line", "message__conversation__contact", "message__media").get(
        id=entry_id
    )
    message = entry.message
    held = entries.filter(id=entry.id, locked_until=lease)  # compare-and-set on our own lease
    if message.account_id != entry.account_id or message.line.account_id != entry.account_id:
        raise RuntimeError(f"outbox entry {entry.id} crosses accounts")
    if message.wamid or message.status != MessageStatus.QUEUED:
        held.delete()
        return "done"
    if entry.posted_at is not None:  # an earlier attempt's POST has no known outcome
        wait_until = entry.posted_at + OUTCOME_GRACE
        if now < wait_until:
            held.update(locked_until=None, available_at=wait_until)
            return "waiting"
        unconfirmed = TransportError(
            "unconfirmed",
            permanent=True,
            title=UNCONFIRMED,
            details="The request may have reached WhatsApp, but neither its answer nor a status came "
            "back; it was not sent again, to avoid a duplicate.",
        )
        return _failed_attempt(entry, held, message, unconfirmed, posted=True)
    provider = get_provider(message.line)
    try:
        if message.media is not None:
            _upload(provider, message.media, now)
    except TransportError as error:
        return _failed_attempt(entry, held, message, error, posted=False)
    if not held.update(posted_at=timezone.now()):
        return "busy"  # our lease ran out and another worker took over
    try:
        wamid = provider.send(message, recipient(message))
    except TransportError as error:
        return _failed_attempt(entry, held, message, error, posted=True)
    with transaction.atomic():
        Message.objects.for_account(message.account).filter(id=message.id, wamid="").update(wamid=wamid)
        Message.objects.for_account(message.account).filter(
            id=message.id, status=MessageStatus.QUEUED
        ).update(status=MessageStatus.SENT, status_changed_at=timezone.now())
        held.delete()
        message.refresh_from_db(fields=["wamid", "status"])
        events.message_status(message)
    apply_unmatched_statuses(message)
    return "sent"


def recipient(message: Message) -> str:
    contact = message.conversation.contact
    return contact.wa_id or contact.phone.lstrip("+") or contact.wa_user_id


def _upload(provider: Provider, media: MediaFile, now: datetime) -> None:
    if media.uploaded_at is not None and media.uploaded_at > now - MEDIA_ID_LIFETIME:
        return
    with media.file.open("rb") as file:
        data = file.read()
    media.provider_media_id = provider.upload_media(data, media.mime_type, media.filename)
    media.uploaded_at = now
    media.save(update_fields=["provider_media_id", "uploaded_at"])


def _failed_attempt(
    entry: OutboxEntry, held: QuerySet[OutboxEntry], message: Message, error: TransportError, *, posted: bool
) -> str:
    now = timezone.now()
    note = f"{error.code or ''} {error.title}: {error.details}".strip()
    if error.code is not None:
        signals.send_refused.send(
            sender=Line, line=message.line, message=message, code=error.code, permanent=error.permanent
        )
    if error.permanent or entry.attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            Message.objects.for_account(message.account).filter(
                id=message.id, status=MessageStatus.QUEUED
            ).update(
                status=MessageStatus.FAILED,
                status_changed_at=now,
                error_code=error.code,
                error_title=error.title[:255],
                error_details=error.details,
            )
            held.delete()
            message.refresh_from_db(fields=["status", "error_code", "error_title", "error_details"])
            events.message_status(message)
        log.info("message %s failed: %s", message.id, note)
        return "failed"
    if posted and error.sent:
        # The request may have reached Meta: wait for its status before trying again.
        held.update(locked_until=None, available_at=now + OUTCOME_GRACE, last_error=note)
        return "waiting"
    held.update(
        locked_until=None, posted_at=None, available_at=now + backoff(entry.attempts), last_error=note
    )
    return "retry"


def deliver_due(limit: int = SWEEP_BATCH) -> int:
    """The periodic sweep: entries whose retry is due, whose worker died, or whose task was lost.
    Returns how many were attempted."""
    now = timezone.now()
    # Unscoped: a platform-wide sweep; deliver() checks each entry against its account.
    due = (
        OutboxEntry.objects.unscoped()
        .filter(available_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("available_at")
        .values_list("id", flat=True)[:limit]
    )
    ids = list(due)
    for entry_id in ids:
        deliver(entry_id)
    return len(ids)
