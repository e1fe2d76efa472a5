"""Who sees which conversation (INB-2): the one rule the list, the chat, the websocket events and
the notifications all follow.

Admins and supervisors see every conversation of the account; so does an operator whose inbox is
shared. An operator whose inbox is private sees only the conversations assigned to them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, QuerySet

from audience.models import Contact
from inbox.models import Conversation
from spoter.accounts.models import Account, InboxMode, Membership, Role


def sees_all(membership: Membership) -> bool:
    return membership.role_enum.at_least(Role.SUPERVISOR) or membership.inbox_mode == InboxMode.SHARED


def visible_conversations(membership: Membership) -> QuerySet[Conversation]:
    conversations = Conversation.objects.for_account(membership.account)
    if sees_all(membership):
        return conversations
    return conversations.filter(assignee=membership)


def can_see(membership: Membership, conversation: Conversation) -> bool:
    return conversation.account_id == membership.account_id and (
        sees_all(membership) or conversation.assignee_id == membership.id
    )


def viewers(conversation: Conversation) -> QuerySet[Membership]:
    """The active members who may see ``conversation`` now."""
    return _seeing(conversation.account, [conversation.assignee_id])


def contact_viewers(contact: Contact) -> QuerySet[Membership]:
    """The active members who may see at least one conversation of ``contact`` (and so its panel:
    tags, notes); nobody when it has none."""
    assignees = list(
        Conversation.objects.for_account(contact.account)
        .filter(contact=contact)
        .values_list("assignee_id", flat=True)
    )
    if not assignees:
        return Membership.objects.for_account(contact.account).none()
    return _seeing(contact.account, assignees)


def _seeing(account: Account, assignee_ids: Sequence[int | None]) -> QuerySet[Membership]:
    return (
        Membership.objects.for_account(account)
        .filter(is_active=True)
        .filter(
            Q(role__in=[Role.ADMIN, Role.SUPERVISOR])
            | Q(inbox_mode=InboxMode.SHARED)
            | Q(id__in=[member for member in assignee_ids if member is not None])
        )
    )
