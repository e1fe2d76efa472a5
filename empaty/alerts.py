"""Negative-streak alerts (EMP-5): when a customer writes ``EMPATY_NEGATIVE_STREAK`` negative
messages in a row in one conversation, the account's supervisors and admins are told at once.

The analysis worker calls ``check_streaks`` after each micro-batch with the conversations it
touched. A streak is a run of consecutive analysed inbound messages whose final polarity (an
operator's correction wins) is negative; our replies in between have no analysis and do not break
it, a non-negative customer message does. One ``StreakAlert`` per streak, known by its first
message (unique), so a longer run, a re-analysis or two workers at once never alert twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.utils import timezone

from empaty.models import MessageAnalysis, Polarity, StreakAlert
from inbox import events
from inbox.models import Conversation
from spoter.accounts.models import Account, Membership, Role

log = logging.getLogger(__name__)

# A run whose last message is older than this is history (a backfill or a re-analysis), not news:
# it is not alerted.
STALE_AFTER = timedelta(days=1)


@events.register
@dataclass(frozen=True)
class NegativeStreak(events.Event):
    """A conversation's customer wrote ``length`` negative messages in a row (static/inbox/live.js
    shows a toast and a browser notification that opens the conversation)."""

    type: ClassVar[str] = "empaty.streak"
    alert: int
    conversation: int  # the account's conversation number
    contact: str
    length: int


@dataclass(frozen=True)
class Streak:
    conversation_id: int
    first_message_id: int
    length: int
    last_at: datetime


# How far back a run may have started: a run is known by its first message, so it must be seen
# whole; customers do not stay angry in one conversation for longer than this.
LOOKBACK = timedelta(days=7)


def streaks(account: Account, conversation_ids: list[int]) -> list[Streak]:
    """The recent negative runs of at least the streak's length in these conversations."""
    if not conversation_ids:
        return []
    now = timezone.now()
    rows = (
        MessageAnalysis.objects.for_account(account)
        .filter(conversation_id__in=conversation_ids, at__gte=now - STALE_AFTER - LOOKBACK)
        .order_by("conversation_id", "at", "message_id")
        .values_list("conversation_id", "message_id", "at", "polarity", "corrected_polarity")
    )
    found: list[Streak] = []
    run: list[tuple[int, int, datetime]] = []  # the current run of negatives: conversation, message, at

    def close() -> None:
        if len(run) >= settings.EMPATY_NEGATIVE_STREAK and run[-1][2] >= now - STALE_AFTER:
            found.append(Streak(run[0][0], run[0][1], len(run), run[-1][2]))
        run.clear()

    for conversation_id, message_id, at, polarity, corrected in rows.iterator(chunk_size=2000):
        if run and run[-1][0] != conversation_id:
            close()
        if (corrected or polarity) == Polarity.NEGATIVE:
            run.append((conversation_id, message_id, at))
        else:
            close()
    close()
    return found


def check_streaks(account: Account, conversation_ids: Iterable[int]) -> int:
    """Alert the account's supervisors and admins of every new negative streak in these
    conversations (ids of the account's; others' are ignored); returns how many alerts were
    created. Events leave after commit."""
    found = streaks(account, sorted(set(conversation_ids)))
    if not found:
        return 0
    known = dict(
        StreakAlert.objects.for_account(account)
        .filter(first_message_id__in=[streak.first_message_id for streak in found])
        .values_list("first_message_id", "length")
    )
    created = []
    for streak in found:
        if streak.first_message_id in known:
            if streak.length > known[streak.first_message_id]:  # the run went on: no news, a longer count
                StreakAlert.objects.for_account(account).filter(
                    first_message_id=streak.first_message_id, length__lt=streak.length
                ).update(length=streak.length)
            continue
        alert, new = StreakAlert.objects.for_account(account).get_or_create(
            conversation_id=streak.conversation_id,
            first_message_id=streak.first_message_id,
            defaults={"account": account, "length": streak.length},
        )
        if new:
            created.append(alert)
    if created:
        _tell_supervisors(account, created)
    return len(created)


def _tell_supervisors(account: Account, alerts: list[StreakAlert]) -> None:
    members = Membership.objects.for_account(account).filter(is_active=True)
    ids = [member.id for member in members if member.role_enum.at_least(Role.SUPERVISOR)]
    conversations = (
        Conversation.objects.for_account(account)
        .select_related("contact")
        .in_bulk([alert.conversation_id for alert in alerts])
    )
    for alert in alerts:
        conversation = conversations[alert.conversation_id]
        log.info("negative streak of %s in conversation %s", alert.length, conversation.id)
        event = NegativeStreak(
            account_id=account.id,
            alert=alert.id,
            conversation=conversation.number,
            contact=conversation.contact.display_name,
            length=alert.length,
        )
        events.publish_on_commit(account, event, ids)
