"""Follow-ups (BOT-4): when the customer has not answered ``hours`` after our last message, send a
quick reply or notify the chat's assignee.

``run_due(now)`` is the scheduler's turn (bots/rule_tasks.py, every few minutes). For each active
follow-up, a conversation is due when its last message is ours (outbound, by a person or an
automation), older than ``hours``, and the customer wrote nothing since. Each follow-up acts once
per outbound message (AutomationRun with ref = the follow-up and message = that message), and once
per silence: its own message does not set it off again until the customer writes; another,
longer follow-up still counts its hours from that message. A quick reply goes out only while the
24-hour window is open; otherwise the chat gets a system line saying why nothing went out (the
assignee, when ``notify_assignee``, is still told).
Messages older than ``LOOKBACK`` are not considered, so a new follow-up does not write to every
old chat at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from bots.models import AutomationKind, AutomationRun, FollowUp
from bots.rules import contact_variables
from inbox import events
from inbox.content import Text
from inbox.models import Conversation, ConversationEvent, Direction, EventKind, Message
from inbox.quick_replies import fill_variables
from inbox.sending import SendError, send

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=7)
BATCH = 200


@events.register
@dataclass(frozen=True)
class FollowUpDue(events.Event):
    """The customer has not answered a chat of this member for a while."""

    type: ClassVar[str] = "follow_up.due"
    conversation: int
    contact: str
    hours: int


def run_due(now: datetime | None = None) -> int:
    """Act on every due conversation of every account; the number acted on. Safe to run twice at
    once: the AutomationRun row decides who acts."""
    now = now or timezone.now()
    done = 0
    # Cross-account by design: one periodic task serves every account.
    for follow_up in (
        FollowUp.objects.unscoped().filter(is_active=True).select_related("account", "quick_reply")
    ):
        for message in due_messages(follow_up, now):
            done += act(follow_up, message)
    return done


def due_messages(follow_up: FollowUp, now: datetime) -> list[Message]:
    """The last messages of the account's chats that are ours, old enough, and not followed up."""
    account = follow_up.account
    messages = Message.objects.for_account(account)
    latest = (
        messages.filter(conversation=OuterRef("conversation")).order_by("-created_at", "-id").values("id")[:1]
    )
    done = AutomationRun.objects.for_account(account).filter(kind=AutomationKind.FOLLOW_UP, ref=follow_up.id)
    cutoff = now - timedelta(hours=follow_up.hours)
    return list(
        messages.filter(
            direction=Direction.OUTBOUND,
            created_at__lte=cutoff,
            created_at__gte=cutoff - LOOKBACK,
            id=Subquery(latest),
        )
        .exclude(id__in=done.filter(message__isnull=False).values("message_id"))
        # Once per silence: not again on its own message while the customer says nothing.
        .exclude(
            Exists(
                done.filter(conversation=OuterRef("conversation")).filter(
                    Q(created_at__gt=OuterRef("conversation__last_inbound_at"))
                    | Q(conversation__last_inbound_at=None)
                )
            )
        )
        .select_related("conversation__contact", "conversation__assignee__user", "conversation__account")
        .order_by("created_at")[:BATCH]
    )


def act(follow_up: FollowUp, message: Message) -> int:
    conversation = message.conversation
    account = follow_up.account
    try:
        with transaction.atomic():
            AutomationRun.objects.for_account(account).create(
                account=account,
                contact_id=conversation.contact_id,
                conversation=conversation,
                kind=AutomationKind.FOLLOW_UP,
                ref=follow_up.id,
                message=message,
            )
            if follow_up.quick_reply is not None:
                _reply(follow_up, conversation)
            if follow_up.notify_assignee:
                _notify(follow_up, conversation)
    except IntegrityError:
        return 0  # another run took it
    return 1


def _reply(follow_up: FollowUp, conversation: Conversation) -> None:
    assert follow_up.quick_reply is not None  # noqa: S101  the caller checked
    body = fill_variables(follow_up.quick_reply.text, contact_variables(conversation)).strip()
    if not conversation.window_open():
        _line(conversation, _("Follow-up not sent: the customer wrote more than 24 hours ago."))
        return
    try:
        with transaction.atomic():
            send(conversation, Text(body), automated=True)
    except SendError as error:
        _line(conversation, _("Follow-up not sent: %(error)s") % {"error": error.message})


def _notify(follow_up: FollowUp, conversation: Conversation) -> None:
    assignee = conversation.assignee
    if assignee is None or not assignee.is_active:
        return
    _line(
        conversation,
        _("No answer for %(hours)d h: %(member)s notified")
        % {
            "hours": follow_up.hours,
            "member": assignee.user,
        },
    )
    event = FollowUpDue(
        account_id=conversation.account_id,
        conversation=conversation.number,
        contact=conversation.contact.display_name,
        hours=follow_up.hours,
    )
    events.publish_on_commit(conversation.account, event, [assignee.id])


def _line(conversation: Conversation, text: str) -> None:
    ConversationEvent.objects.for_account(conversation.account).create(
        account=conversation.account, conversation=conversation, kind=EventKind.BOT, text=text[:300]
    )
