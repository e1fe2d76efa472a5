"""Scheduled messages (INB-10): text to send in a chat at a time, by the scheduler, through the
same send service as everything else (inbox.sending.send, sender = the author).

The rows are the schedule (CONVENTIONS 13): a beat task picks the due ones. Each is claimed by
compare-and-set, flipped from pending inside the transaction that queues the message, so two
scheduler runs at once never send it twice. When WhatsApp would refuse it by then (the 24-hour
window closed, the line was switched off) it fails with the send service's reason, shown in the
contact panel and as a system line in the chat.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inbox import events
from inbox.content import Text
from inbox.models import (
    Conversation,
    ConversationEvent,
    EventKind,
    ScheduledMessage,
    ScheduledStatus,
)
from inbox.sending import SendError, send
from inbox.visibility import can_see
from spoter.accounts.models import Membership, Role

MAX_TEXT = 4096


def schedule_message(
    conversation: Conversation, text: str, send_at: datetime, *, author: Membership
) -> ScheduledMessage:
    if author.account_id != conversation.account_id:
        raise ValueError("an author of another account")
    if not can_see(author, conversation):
        raise PermissionDenied(_("This chat is not in your inbox."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the message.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("At most %(max)d characters.") % {"max": MAX_TEXT}})
    if send_at <= timezone.now():
        raise ValidationError({"send_at": _("Choose a time in the future.")})
    with transaction.atomic():
        scheduled = ScheduledMessage.objects.for_account(conversation.account).create(
            account=conversation.account, conversation=conversation, author=author, send_at=send_at, text=text
        )
        events.panel_changed(conversation.contact, "scheduled", conversation=conversation)
    return scheduled


def cancel_scheduled(scheduled: ScheduledMessage, *, by: Membership) -> bool:
    """Its author or a supervisor cancels a pending message; False when it had gone already."""
    if by.account_id != scheduled.account_id:
        raise ValueError("a member of another account")
    if scheduled.author_id != by.id and not by.role_enum.at_least(Role.SUPERVISOR):
        raise PermissionDenied(_("Only its author or a supervisor can cancel this message."))
    with transaction.atomic():
        cancelled = (
            ScheduledMessage.objects.for_account(scheduled.account)
            .filter(id=scheduled.id, status=ScheduledStatus.PENDING)
            .update(status=ScheduledStatus.CANCELLED)
        )
        if cancelled:
            scheduled.status = ScheduledStatus.CANCELLED
            conversation = scheduled.conversation
            events.panel_changed(conversation.contact, "scheduled", conversation=conversation)
    return bool(cancelled)


def send_due_scheduled(limit: int = 200) -> int:
    """The scheduler's turn: send every pending message whose time has come; the number handled
    (sent or failed). Cross-account by design: it serves every account."""
    now = timezone.now()
    due_ids = list(
        ScheduledMessage.objects.unscoped()  # the scheduler serves every account
        .filter(status=ScheduledStatus.PENDING, send_at__lte=now)
        .order_by("send_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(_send_one(scheduled_id) for scheduled_id in due_ids)


def _send_one(scheduled_id: int) -> bool:
    with transaction.atomic():
        # Claimed by compare-and-set: a concurrent run waits on the row, then finds it taken.
        rows = ScheduledMessage.objects.unscoped()  # found by id from the due list above
        if not rows.filter(id=scheduled_id, status=ScheduledStatus.PENDING).update(
            status=ScheduledStatus.SENT
        ):
            return False  # another run has it, or it was cancelled meanwhile
        scheduled = rows.select_related(
            "account", "author__user", "conversation__line", "conversation__contact", "conversation__account"
        ).get(id=scheduled_id)
        conversation = scheduled.conversation
        try:
            # The reason is kept for the account's people, in their language.
            with transaction.atomic(), translation.override(scheduled.account.language):
                message = send(conversation, Text(scheduled.text), sender=scheduled.author)
        except SendError as error:
            scheduled.status = ScheduledStatus.FAILED
            scheduled.error = error.message[:300]
            scheduled.save(update_fields=["status", "error"])
            ConversationEvent.objects.for_account(scheduled.account).create(
                account=scheduled.account,
                conversation=conversation,
                kind=EventKind.SCHEDULED_FAILED,
                actor=scheduled.author,
                text=scheduled.error,
            )
            events.conversation_changed(conversation, kind="conversation.updated")
            events.panel_changed(conversation.contact, "scheduled", conversation=conversation)
            return True
        scheduled.message = message
        scheduled.save(update_fields=["message"])
        events.panel_changed(conversation.contact, "scheduled", conversation=conversation)
    return True
