"""Notifications' Celery tasks: the beat's sweep and the sending of one run; both safe to run
twice (notifications/runs.py)."""

from __future__ import annotations

from functools import partial

from celery import shared_task
from django.db import transaction

from notifications import runs
from spoter.accounts.models import Account


@shared_task
def run_due() -> int:
    """Every minute (beat): start the due runs, and queue every run with deliveries left (new,
    or left by a worker that died); the number started."""
    started = runs.start_due()
    for account_id, run_id in runs.open_runs():
        transaction.on_commit(partial(run_notification.delay, account_id, run_id))
    return started


@shared_task
def run_notification(account_id: int, run_id: int) -> int:
    """Send a run's pending deliveries; the number sent."""
    account = Account.objects.filter(id=account_id).first()
    return runs.send_run(account, run_id) if account else 0
