"""The follow-ups' periodic task (BOT-4); bots/tasks.py imports this module so Celery finds it."""

from __future__ import annotations

from celery import shared_task

from bots import follow_ups


@shared_task
def send_follow_ups() -> int:
    return follow_ups.run_due()
