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
from typing import Any, ClassVar

from django.conf import settings
from django.db import connection
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


# Gaps and islands: within a conversation, a row's position among all its analyses minus its
# position among those of the same negativity is constant along a run of equal negativity.
_STREAKS = """
WITH ordered AS (
    SELECT conversation_id, message_id, at,
           COALESCE(NULLIF(corrected_polarity, ''), polarity) = %(negative)s AS negative,
           ROW_NUMBER() OVER (PARTITION BY conversation_id ORDER BY at, message_id) AS position
    FROM {table}
    WHERE account_id = %(account)s AND conversation_id = ANY(%(conversations)s)
), runs AS (
    SELECT *, position - ROW_NUMBER() OVER (
        PARTITION BY conversation_id, negative ORDER BY at, message_id
    ) AS run
    FROM ordered
)
SELECT conversation_id, (ARRAY_AGG(message_id ORDER BY at, message_id))[1], COUNT(*), MAX(at)
FROM runs
WHERE negative
GROUP BY conversation_id, run
HAVING COUNT(*) >= %(length)s AND MAX(at) >= %(since)s
"""


def streaks(account: Account, conversation_ids: list[int]) -> list[Streak]:
    """The recent negative runs of at least the streak's length in these conversations."""
    if not conversation_ids:
        return []
    sql = _STREAKS.format(table=connection.ops.quote_name(MessageAnalysis._meta.db_table))
    params: dict[str, Any] = {
        "negative": Polarity.NEGATIVE.value,
        "account": account.id,
        "conversations": conversation_ids,
        "length": settings.EMPATY_NEGATIVE_STREAK,
        "since": timezone.now() - STALE_AFTER,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Streak(*row) for row in cursor.fetchall()]


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
