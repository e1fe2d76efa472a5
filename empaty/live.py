"""The badge appears in open chats without a reload (EMP-1): ``message.analysed`` tells the
members who may see a conversation (inbox.visibility) which of its messages were just analysed
or corrected; static/inbox/live.js redraws those messages from the inbox's own fragment, so the
badge shown is the one the database holds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from empaty.models import MessageAnalysis
from inbox import events
from inbox.models import Conversation
from inbox.visibility import can_see
from spoter.accounts.models import Account, Membership


@events.register
@dataclass(frozen=True)
class MessagesAnalysed(events.Event):
    type: ClassVar[str] = "message.analysed"
    conversation: int  # the account's conversation number
    messages: tuple[int, ...]


def publish(stored: Sequence[MessageAnalysis]) -> None:
    """One event per conversation touched, to its viewers, after commit; a fixed number of
    queries per account whatever the batch's size."""
    by_account: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in stored:
        by_account[row.account_id][row.conversation_id].append(row.message_id)
    for account_id, messages in by_account.items():
        account = Account.objects.get(id=account_id)
        conversations = Conversation.objects.for_account(account).filter(id__in=list(messages))
        members = list(Membership.objects.for_account(account).filter(is_active=True))
        for conversation in conversations.only("id", "account_id", "number", "assignee_id"):
            event = MessagesAnalysed(
                account_id=account_id,
                conversation=conversation.number,
                messages=tuple(sorted(messages[conversation.id])),
            )
            seeing = [member.id for member in members if can_see(member, conversation)]
            events.publish_on_commit(account_id, event, seeing)
