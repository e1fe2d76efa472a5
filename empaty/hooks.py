"""What else reads each analysed micro-batch: personal data (EMP-2), interests (EMP-3), negative
streaks (EMP-5) and the open chats' badges. Cheap, idempotent steps; a batch read twice changes
nothing."""

from __future__ import annotations

from collections.abc import Sequence

from empaty import alerts, interests, live, profile
from empaty.models import MessageAnalysis
from inbox.models import Message
from spoter.accounts.models import Account


def after_analysis(account: Account, messages: Sequence[Message], stored: Sequence[MessageAnalysis]) -> None:
    if not messages:
        return
    profile.suggest_from(account, messages)
    interests.observe(account, messages)
    alerts.check_streaks(account, {message.conversation_id for message in messages})
    live.publish(stored)  # the badges appear in the open chats
