"""Who works a conversation (INB-6): manual assignment, transfers and the per-line round robin.

Every change is a system line in the chat (ConversationEvent) and a ``conversation.assigned``
event to the people who may see the chat, published after commit. Rows are locked while they
change, so two people assigning at once, or two chats arriving at once, never interleave.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox import events
from inbox.models import Conversation, ConversationEvent, ConversationStatus, EventKind, Line, RoundRobin
from inbox.visibility import can_see
from spoter.accounts.models import Account, Membership, Role

__all__ = [
    "AssignmentError",
    "assign",
    "assign_automatically",
    "auto_assign",
    "candidates",
    "configure_round_robin",
    "stop_bot",
    "transfer_all",
]


class AssignmentError(Exception):
    """An assignment refused: ``code`` for programs and tests, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def candidates(account: Account) -> list[Membership]:
    """The active members a chat can be given to, in a stable order."""
    return list(
        Membership.objects.for_account(account)
        .filter(is_active=True)
        .select_related("user")
        .order_by("user__email")
    )


def assign(conversation: Conversation, to: Membership | None, *, by: Membership) -> bool:
    """Give the conversation to ``to`` (None: nobody). Supervisors and admins assign anything;
    an operator may take an unassigned chat, or hand over or release one of their own.
    Returns False when nothing changed (it was already so)."""
    account = conversation.account
    if by.account_id != account.id or (to is not None and to.account_id != account.id):
        raise ValueError("members of another account")
    if to is not None and not to.is_active:
        raise AssignmentError("inactive", _("%(member)s is deactivated.") % {"member": to.user})
    with transaction.atomic():
        locked = Conversation.objects.for_account(account).select_for_update().get(id=conversation.id)
        previous_id = locked.assignee_id
        _check_may_assign(locked, to, by)
        if previous_id == (to.id if to else None):
            return False
        _set_assignee(locked, to, previous_id, actor=by)
        stop_bot(locked)  # a person took the chat: the bot stops (BOT-1)
    conversation.assignee = to
    conversation.updated_at = locked.updated_at
    return True


def _check_may_assign(conversation: Conversation, to: Membership | None, by: Membership) -> None:
    if by.role_enum.at_least(Role.SUPERVISOR):
        return
    if not can_see(by, conversation):
        raise AssignmentError("not_visible", _("This chat is not in your inbox."))
    mine = conversation.assignee_id == by.id
    taking = conversation.assignee_id is None and to is not None and to.id == by.id
    if not (mine or taking):
        raise AssignmentError(
            "not_yours", _("Only a supervisor can reassign a chat that another operator is handling.")
        )


def _set_assignee(
    conversation: Conversation, to: Membership | None, previous_id: int | None, *, actor: Membership | None
) -> None:
    """Write the new assignee, its system line and its event: call with the row locked."""
    now = timezone.now()
    Conversation.objects.for_account(conversation.account).filter(id=conversation.id).update(
        assignee=to, updated_at=now
    )
    conversation.assignee = to
    conversation.updated_at = now
    ConversationEvent.objects.for_account(conversation.account).create(
        account=conversation.account,
        conversation=conversation,
        kind=EventKind.ASSIGNED if to is not None else EventKind.UNASSIGNED,
        actor=actor,
        target=to if to is not None else _member(conversation, previous_id),
        created_at=now,
    )
    events.conversation_changed(conversation, kind="conversation.assigned", previous_assignee_id=previous_id)


def assign_automatically(conversation: Conversation, to: Membership) -> bool:
    """An automation (a bot option) gives the chat to ``to``: a system line with no actor; False
    when it had it already."""
    if to.account_id != conversation.account_id:
        raise ValueError("a member of another account")
    with transaction.atomic():
        locked = (
            Conversation.objects.for_account(conversation.account).select_for_update().get(id=conversation.id)
        )
        if locked.assignee_id == to.id:
            return False
        _set_assignee(locked, to, locked.assignee_id, actor=None)
    conversation.assignee = to
    conversation.updated_at = locked.updated_at
    return True


def stop_bot(conversation: Conversation) -> None:
    """A person took over the chat (assigned it, or wrote in: inbox.sending): its bot stops."""
    from bots.sessions import stop  # bots build on the inbox, not the other way round

    stop(conversation)


def take_started(conversation: Conversation, starter: Membership) -> None:
    """The member who starts a conversation (INB-12) gets it when nobody has it, whatever their
    inbox mode: call in the transaction that locked its row (inbox/starting.py)."""
    if conversation.assignee_id is None:
        _set_assignee(conversation, starter, None, actor=starter)


def _member(conversation: Conversation, member_id: int | None) -> Membership | None:
    if member_id is None:
        return None
    return Membership.objects.for_account(conversation.account).filter(id=member_id).first()


def transfer_all(from_: Membership, to: Membership, *, by: Membership) -> int:
    """Move every open and pending chat of one member to another (supervisors); the count moved."""
    account = by.account
    if from_.account_id != account.id or to.account_id != account.id:
        raise ValueError("members of another account")
    if not by.role_enum.at_least(Role.SUPERVISOR):
        raise AssignmentError("not_allowed", _("Only supervisors and admins transfer chats."))
    if not to.is_active:
        raise AssignmentError("inactive", _("%(member)s is deactivated.") % {"member": to.user})
    if from_.id == to.id:
        raise AssignmentError("same_member", _("Choose another person to receive the chats."))
    with transaction.atomic():
        conversations = list(
            Conversation.objects.for_account(account)
            .filter(assignee=from_, status__in=[ConversationStatus.OPEN, ConversationStatus.PENDING])
            .select_related("account", "line", "contact")
            .select_for_update(of=("self",))
            .order_by("id")
        )
        for conversation in conversations:
            _set_assignee(conversation, to, from_.id, actor=by)
            stop_bot(conversation)
    return len(conversations)


def auto_assign(conversation: Conversation) -> Membership | None:
    """Give a new conversation to the next member of its line's round robin who is active and
    available, after the last one who got a chat. The line's RoundRobin row stays locked until
    the caller's transaction ends, so concurrent arrivals take consecutive turns."""
    account = conversation.account
    with transaction.atomic():
        robin = (
            RoundRobin.objects.for_account(account)
            .select_for_update()
            .filter(line_id=conversation.line_id, enabled=True)
            .first()
        )
        if robin is None:
            return None
        members = list(
            robin.members.for_account(account)
            .filter(is_active=True, available=True)
            .select_related("user")
            .order_by("id")
        )
        if not members:
            return None
        last = robin.last_assigned_id or 0
        chosen = next((member for member in members if member.id > last), members[0])
        taken = (
            Conversation.objects.for_account(account)
            .select_for_update()
            .filter(id=conversation.id, assignee=None)
            .first()
        )
        if taken is None:  # assigned meanwhile by a person: keep their choice, keep the turn
            return None
        _set_assignee(taken, chosen, None, actor=None)
        robin.last_assigned = chosen
        robin.save(update_fields=["last_assigned"])
    conversation.assignee = chosen
    return chosen


def configure_round_robin(
    line: Line, account_members: list[Membership], *, enabled: bool, by: Membership
) -> RoundRobin:
    """Switch a line's round robin and choose who takes part (supervisors)."""
    account = line.account
    if not by.role_enum.at_least(Role.SUPERVISOR):
        raise AssignmentError("not_allowed", _("Only supervisors and admins configure assignment."))
    if by.account_id != account.id or any(member.account_id != account.id for member in account_members):
        raise ValueError("members of another account")
    with transaction.atomic():
        robin, _created = RoundRobin.objects.for_account(account).get_or_create(account=account, line=line)
        robin = RoundRobin.objects.for_account(account).select_for_update().get(id=robin.id)
        robin.enabled = enabled
        robin.save(update_fields=["enabled"])
        robin.members.clear()
        robin.members.add(*account_members)
    return robin
