"""EMP-1: every inbound text message gets its polarity and emotion, in a worker, in micro-batches.

The inbox's ``message_received`` signal queues ``empaty.tasks.analyse_account`` after commit,
at most one waiting per account (``queue``), so messages arriving together are read together.
The task reads what has no analysis yet, so running it twice, or a sweep catching what a lost
task missed, writes nothing twice (the analysis is one-to-one with its message).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from empaty import adjustment
from empaty.classifier import Prediction, model
from empaty.models import MessageAnalysis
from inbox.models import Direction, Line, Message, MessageType
from spoter.accounts.models import Account, Membership

BATCH = 500
QUEUED_KEY = "empaty:queued:{account_id}"
QUEUED_TTL = 30  # seconds; the task clears it first thing, this only bounds a lost task


def queue(account_id: int) -> None:
    """Ask for the account's pending messages to be analysed, unless a task is already waiting."""
    from empaty.analysis_tasks import analyse_account

    if cache.add(QUEUED_KEY.format(account_id=account_id), 1, timeout=QUEUED_TTL):
        analyse_account.delay(account_id)


def on_message(sender: type[Line], line: Line, message: Message, **kwargs: object) -> None:
    """inbox.signals.message_received: inside the receiving transaction, so queue after commit."""
    if message.type == MessageType.TEXT and message.text:
        account_id = message.account_id
        transaction.on_commit(lambda: queue(account_id))


def pending(account: Account) -> Sequence[Message]:
    return list(
        Message.objects.for_account(account)
        .filter(direction=Direction.INBOUND, type=MessageType.TEXT, analysis__isnull=True)
        .exclude(text="")
        .select_related("conversation")
        .order_by("id")[:BATCH]
    )


def analyse(account: Account, messages: Sequence[Message]) -> list[MessageAnalysis]:
    """Classify ``messages`` (the account's) and store what is not stored yet; the rows written."""
    if not messages:
        return []
    learnt = adjustment.for_account(account)
    predictions = model().predict([message.text for message in messages], learnt.weights)
    now = timezone.now()
    rows = [
        _row(account, message, learnt.apply(message.text, prediction), learnt.active, now)
        for message, prediction in zip(messages, predictions, strict=True)
    ]
    with transaction.atomic():
        MessageAnalysis.objects.bulk_create(rows, ignore_conflicts=True)
        return list(
            MessageAnalysis.objects.for_account(account).filter(
                message_id__in=[row.message_id for row in rows], analysed_at=now
            )
        )


def _row(
    account: Account, message: Message, prediction: Prediction, adjusted: bool, now: datetime
) -> MessageAnalysis:
    conversation = message.conversation
    return MessageAnalysis(
        account=account,
        message=message,
        conversation=conversation,
        contact_id=conversation.contact_id,
        line_id=message.line_id,
        operator_id=conversation.assignee_id,
        at=message.sent_at or message.created_at,
        polarity=prediction.polarity,
        score=prediction.score,
        emotion=prediction.emotion,
        probabilities=prediction.probabilities,
        model_version=model().version,
        adjusted=adjusted,
        analysed_at=now,
    )


def correct(analysis: MessageAnalysis, by: Membership, *, polarity: str = "", emotion: str = "") -> None:
    """An operator's correction: it wins where the analysis is shown and counted, and teaches the
    account's adjustment (retrained in a worker), never another account's."""
    if analysis.account_id != by.account_id:
        raise ValueError("an analysis of another account")
    analysis.corrected_polarity = polarity
    analysis.corrected_emotion = emotion
    analysis.corrected_by = by
    analysis.corrected_at = timezone.now()
    analysis.save(update_fields=["corrected_polarity", "corrected_emotion", "corrected_by", "corrected_at"])
    transaction.on_commit(lambda: adjustment.queue_training(analysis.account_id))
