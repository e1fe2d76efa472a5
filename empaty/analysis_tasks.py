"""EMPATY's analysis tasks (EMP-1): the per-account micro-batch, the straggler sweep and the
retraining of an account's adjustment."""

from __future__ import annotations

import time
from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from empaty import adjustment, analysis, hooks
from inbox.models import Direction, Message, MessageType
from spoter.accounts.models import Account

TIME_BUDGET = 20.0  # seconds per task run; what is left is queued again
STRAGGLER_WINDOW = timedelta(days=1)


@shared_task
def analyse_account(account_id: int) -> int:
    """Analyse the account's inbound text messages that have no analysis yet, in batches."""
    cache.delete(analysis.QUEUED_KEY.format(account_id=account_id))  # later messages queue anew
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        return 0
    done = 0
    started = time.monotonic()
    while True:
        batch = analysis.pending(account)
        stored = hooks.process(account, batch)
        done += len(stored)
        if len(batch) < analysis.BATCH:
            return done
        if time.monotonic() - started > TIME_BUDGET:
            analysis.queue(account_id)
            return done


@shared_task
def analyse_stragglers() -> int:
    """Beat sweep: queue the accounts whose recent inbound messages a lost task left unread."""
    since = timezone.now() - STRAGGLER_WINDOW
    # Across accounts on purpose: each account found is analysed by its own task.
    account_ids = set(
        Message.objects.unscoped()
        .filter(
            direction=Direction.INBOUND, type=MessageType.TEXT, created_at__gte=since, analysis__isnull=True
        )
        .exclude(text="")
        .values_list("account_id", flat=True)
        .distinct()
    )
    for account_id in account_ids:
        analysis.queue(account_id)
    return len(account_ids)


@shared_task
def train_adjustment(account_id: int) -> int:
    """Refit the account's adjustment on its operators' corrections."""
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        return 0
    return adjustment.train(account).corrections
