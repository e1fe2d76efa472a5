"""Bots' Celery tasks: answering an inbound message, and ending idle sessions."""

from __future__ import annotations

from celery import shared_task

from bots import runtime, sessions
from inbox.models import Message
from spoter.accounts.models import Account


@shared_task
def react(account_id: int, message_id: int) -> str:
    """Let the bot, the automatic replies or the welcome message answer a new inbound message;
    safe to run twice (bots.runtime)."""
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        return ""
    message = (
        Message.objects.for_account(account).filter(id=message_id).select_related("conversation").first()
    )
    if message is None:
        return ""
    return runtime.react(account, message)


@shared_task
def abandon_idle_sessions() -> int:
    return sessions.abandon_idle()


from bots import rule_tasks  # noqa: E402, F401  follow-ups' task (Celery autodiscovers tasks.py only)
