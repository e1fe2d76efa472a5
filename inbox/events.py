"""Live inbox events (INB-3): one registry of typed events, pushed after commit to per-user groups.

Every event goes to the group ``inbox.<account_id>.<membership_id>`` of each member who may see it
(inbox.visibility.viewers: role, inbox mode, assignment), never to an account-wide group. Each
delivery carries ``seq``, a counter per membership that grows by one per event: a browser that sees
a gap, or reconnects, reloads what it shows from the database (channel layers drop silently when a
channel is full). Presence (who views or types in a chat) is ephemeral and carries no ``seq``.

Services call the helpers at the bottom (message_created, message_status, conversation_changed,
panel_changed, reminder_due) inside their transaction; nothing is sent if it rolls back.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.db import transaction

from inbox.event_delivery import deliver, group_name
from inbox.visibility import contact_viewers, viewers
from spoter.accounts.models import Account, Membership

if TYPE_CHECKING:
    from audience.models import Contact
    from inbox.models import Conversation, Message, Reminder

log = logging.getLogger(__name__)
__all__ = ["group_name"]  # where a member's events go, for tests that listen like a browser


@dataclass(frozen=True)
class Event:
    type: ClassVar[str]
    account_id: int

    def payload(self) -> dict[str, Any]:
        return {"type": self.type, **dataclasses.asdict(self)}


E = TypeVar("E", bound=type[Event])
REGISTRY: dict[str, type[Event]] = {}


def register(cls: E) -> E:
    if cls.type in REGISTRY:
        raise ValueError(f"two events named {cls.type}")
    REGISTRY[cls.type] = cls
    return cls


@register
@dataclass(frozen=True)
class MessageCreated(Event):
    type: ClassVar[str] = "message.created"
    conversation: int  # the account's conversation number
    message: int
    direction: str
    assignee_id: int | None
    contact: str  # for the browser notification
    preview: str


@register
@dataclass(frozen=True)
class MessageStatusChanged(Event):
    type: ClassVar[str] = "message.status"
    conversation: int
    message: int
    status: str


@register
@dataclass(frozen=True)
class ConversationUpdated(Event):
    """Status, tags, unread count or preview changed: the list item is redrawn."""

    type: ClassVar[str] = "conversation.updated"
    conversation: int
    assignee_id: int | None
    status: str


@register
@dataclass(frozen=True)
class ConversationAssigned(ConversationUpdated):
    """Assigned, reassigned or unassigned: the list may change for several members."""

    type: ClassVar[str] = "conversation.assigned"


@register
@dataclass(frozen=True)
class ConversationRemoved(Event):
    """A member lost sight of the conversation (a private operator after a reassign)."""

    type: ClassVar[str] = "conversation.removed"
    conversation: int


@register
@dataclass(frozen=True)
class PanelChanged(Event):
    """A section of the contact panel changed (tags, notes, reminders, scheduled): open panels of
    that contact redraw it, or only the panel of ``conversation`` when the change is on that chat."""

    type: ClassVar[str] = "panel.changed"
    contact_id: int
    section: str  # one of PANEL_SECTIONS
    conversation: int | None = None  # the account's number, for conversation tags and scheduled


PANEL_SECTIONS = ("tags", "notes", "reminders", "scheduled")


@register
@dataclass(frozen=True)
class ReminderDue(Event):
    type: ClassVar[str] = "reminder.due"
    reminder: int
    contact_id: int
    contact: str
    text: str


@register
@dataclass(frozen=True)
class Presence(Event):
    """Relayed by the consumer from one viewer to the others; ephemeral, no seq."""

    type: ClassVar[str] = "presence"
    conversation: int
    membership_id: int
    name: str
    state: str  # viewing, typing, left


def publish_on_commit(account: Account | int, event: Event, membership_ids: Iterable[int]) -> None:
    """Send ``event`` to these members once the current transaction commits (at once outside one)."""
    account_id = account if isinstance(account, int) else account.id
    if event.account_id != account_id:
        raise ValueError("an event goes only to members of its own account")
    members = sorted(set(membership_ids))
    if members:
        transaction.on_commit(lambda: _deliver(account_id, event, members))


def _deliver(account_id: int, event: Event, members: list[int]) -> None:
    try:
        deliver(account_id, event.payload(), members)
    except Exception:  # a lost push is recovered by the browser's resync; the commit stands
        log.exception("could not publish %s", event.type)


def _member_ids(conversation: Conversation) -> list[int]:
    return list(viewers(conversation).values_list("id", flat=True))


# What services call -------------------------------------------------------------------------


def message_created(message: Message) -> None:
    conversation = message.conversation
    event = MessageCreated(
        account_id=message.account_id,
        conversation=conversation.number,
        message=message.id,
        direction=message.direction,
        assignee_id=conversation.assignee_id,
        contact=conversation.contact.display_name,
        preview=message.text[:120],
    )
    publish_on_commit(message.account_id, event, _member_ids(conversation))


def message_status(message: Message) -> None:
    conversation = message.conversation
    event = MessageStatusChanged(
        account_id=message.account_id,
        conversation=conversation.number,
        message=message.id,
        status=message.status,
    )
    publish_on_commit(message.account_id, event, _member_ids(conversation))


def conversation_changed(
    conversation: Conversation, kind: str = "conversation.updated", previous_assignee_id: int | None = None
) -> None:
    """Redraw the conversation for whoever sees it now; tell a previous assignee who no longer
    does to drop it (kind is conversation.updated or conversation.assigned)."""
    factory: Callable[..., Event] = {
        ConversationUpdated.type: ConversationUpdated,
        ConversationAssigned.type: ConversationAssigned,
    }[kind]
    event = factory(
        account_id=conversation.account_id,
        conversation=conversation.number,
        assignee_id=conversation.assignee_id,
        status=conversation.status,
    )
    members = _member_ids(conversation)
    publish_on_commit(conversation.account_id, event, members)
    if previous_assignee_id is not None and previous_assignee_id not in members:
        gone = Membership.objects.for_account(conversation.account).filter(
            id=previous_assignee_id, is_active=True
        )
        if gone.exists():
            removed = ConversationRemoved(
                account_id=conversation.account_id, conversation=conversation.number
            )
            publish_on_commit(conversation.account_id, removed, [previous_assignee_id])


def panel_changed(
    contact: Contact,
    section: str,
    *,
    conversation: Conversation | None = None,
    owner_id: int | None = None,
) -> None:
    """Redraw a section of the open contact panels: those of ``conversation`` (its tags, its
    scheduled messages) for its viewers, else every panel of the contact for whoever sees one of
    its chats (contact tags, notes). A reminder is its owner's alone (the panel lists only one's
    own): ``owner_id`` narrows the recipients to them, while they may still see the contact."""
    if section not in PANEL_SECTIONS:
        raise ValueError(f"no panel section {section}")
    if conversation is not None:
        members = _member_ids(conversation)
    else:
        members = list(contact_viewers(contact).values_list("id", flat=True))
    if owner_id is not None:
        members = [member for member in members if member == owner_id]
    event = PanelChanged(
        account_id=contact.account_id,
        contact_id=contact.id,
        section=section,
        conversation=conversation.number if conversation is not None else None,
    )
    publish_on_commit(contact.account_id, event, members)


def reminder_due(reminder: Reminder) -> None:
    contact = reminder.contact
    event = ReminderDue(
        account_id=reminder.account_id,
        reminder=reminder.id,
        contact_id=contact.id,
        contact=contact.display_name,
        text=reminder.text,
    )
    publish_on_commit(reminder.account_id, event, [reminder.owner_id])
