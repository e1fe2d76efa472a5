"""A micro-batch of inbound messages, end to end: their analyses, then what else reads them:
personal data (EMP-2), interests (EMP-3), negative streaks (EMP-5) and the open chats' badges.

All in one transaction, so a worker killed half-way leaves the batch unanalysed and the next run
does all of it again; nothing half-done is skipped. Each step is idempotent (unique rows, counts
of what is newer only), so a batch read twice, or by two workers at once, changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from empaty import alerts, analysis, interests, live, profile
from empaty.models import MessageAnalysis
from inbox.models import Message
from spoter.accounts.models import Account


def process(account: Account, messages: Sequence[Message]) -> list[MessageAnalysis]:
    with transaction.atomic():
        stored = analysis.analyse(account, messages)
        after_analysis(account, messages, stored)
    return stored


def after_analysis(account: Account, messages: Sequence[Message], stored: Sequence[MessageAnalysis]) -> None:
    if not messages:
        return
    profile.suggest_from(account, messages)
    interests.observe(account, messages)
    alerts.check_streaks(account, {message.conversation_id for message in messages})
    live.publish(stored)  # the badges appear in the open chats
