"""The team's work around a chat: conversation and contact tags (INB-7), internal notes (INB-8)
and reminders (INB-9). Scheduled messages (INB-10) live in inbox.scheduling.

Notes and reminders are internal to the account: nothing here ever reaches the customer. Every
change tells the open contact panels that show it (``panel.changed``, after commit).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.models import Contact, Tag
from audience.tags import add_contact_tag, remove_contact_tag
from inbox import events
from inbox.models import Conversation, ConversationEvent, EventKind, Note, Reminder
from spoter.accounts.models import Membership, Role

MAX_NOTE = 4000
MAX_REMINDER = 500


def _same_account(*objects: Contact | Conversation | Membership | Tag | Note | Reminder | None) -> None:
    if len({obj.account_id for obj in objects if obj is not None}) != 1:
        raise ValueError("objects of different accounts")


def _is_supervisor(member: Membership) -> bool:
    return member.role_enum.at_least(Role.SUPERVISOR)


# Conversation tags ----------------------------------------------------------------------------


def tag_conversation(conversation: Conversation, tag: Tag, *, by: Membership | None) -> bool:
    """Add a tag to the chat, with a system line; False when it had it already. ``by`` None: an
    automation (a bot, a rule) tagged it; the system line has no actor."""
    return _retag(conversation, tag, by=by, add=True)


def untag_conversation(conversation: Conversation, tag: Tag, *, by: Membership) -> bool:
    """Remove a tag from the chat, with a system line; False when it did not have it."""
    return _retag(conversation, tag, by=by, add=False)


def _retag(conversation: Conversation, tag: Tag, *, by: Membership | None, add: bool) -> bool:
    _same_account(conversation, tag, by)
    with transaction.atomic():
        # The chat's row lock orders concurrent changes: one system line per real change.
        Conversation.objects.for_account(conversation.account).select_for_update().filter(
            id=conversation.id
        ).first()
        has_it = conversation.tags.for_account(conversation.account).filter(id=tag.id).exists()
        if has_it == add:
            return False
        if add:
            conversation.tags.add(tag)
        else:
            conversation.tags.remove(tag)
        ConversationEvent.objects.for_account(conversation.account).create(
            account=conversation.account,
            conversation=conversation,
            kind=EventKind.TAGGED if add else EventKind.UNTAGGED,
            actor=by,
            text=tag.name,
        )
        events.conversation_changed(conversation, kind="conversation.updated")
        events.panel_changed(conversation.contact, "tags", conversation=conversation)
    return True


# Contact tags -----------------------------------------------------------------------------------


def tag_contact(contact: Contact, tag: Tag, *, by: Membership | None) -> bool:
    """Add a tag to the contact (every panel of the contact shows it); False when it had it."""
    return _retag_contact(contact, tag, by=by, add=True)


def untag_contact(contact: Contact, tag: Tag, *, by: Membership) -> bool:
    """Remove a tag from the contact; False when it did not have it."""
    return _retag_contact(contact, tag, by=by, add=False)


def _retag_contact(contact: Contact, tag: Tag, *, by: Membership | None, add: bool) -> bool:
    _same_account(contact, tag, by)
    with transaction.atomic():
        if contact.tags.for_account(contact.account).filter(id=tag.id).exists() == add:
            return False
        if add:
            add_contact_tag(contact, tag)
        else:
            remove_contact_tag(contact, tag)
        events.panel_changed(contact, "tags")
    return True


# Notes ------------------------------------------------------------------------------------------


def add_note(contact: Contact, text: str, *, author: Membership) -> Note:
    _same_account(contact, author)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > MAX_NOTE:
        raise ValidationError({"text": _("At most %(max)d characters.") % {"max": MAX_NOTE}})
    with transaction.atomic():
        note = Note.objects.for_account(contact.account).create(
            account=contact.account, contact=contact, author=author, text=text
        )
        events.panel_changed(contact, "notes")
    return note


def delete_note(note: Note, *, by: Membership) -> None:
    """Its author or a supervisor deletes a note; nobody else."""
    _same_account(note, by)
    if note.author_id != by.id and not _is_supervisor(by):
        raise PermissionDenied(_("Only its author or a supervisor can delete this note."))
    with transaction.atomic():
        note.delete()
        events.panel_changed(note.contact, "notes")


# Reminders --------------------------------------------------------------------------------------


def add_reminder(contact: Contact, due_at: datetime, text: str, *, owner: Membership) -> Reminder:
    _same_account(contact, owner)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what to remember.")})
    if len(text) > MAX_REMINDER:
        raise ValidationError({"text": _("At most %(max)d characters.") % {"max": MAX_REMINDER}})
    if due_at <= timezone.now():
        raise ValidationError({"due_at": _("Choose a time in the future.")})
    with transaction.atomic():
        reminder = Reminder.objects.for_account(contact.account).create(
            account=contact.account, contact=contact, owner=owner, due_at=due_at, text=text
        )
        _reminders_changed(reminder)
    return reminder


def _reminders_changed(reminder: Reminder) -> None:
    # The panel lists only one's own reminders: the owner's other open panels of the contact.
    events.panel_changed(reminder.contact, "reminders", owner_id=reminder.owner_id)


def _check_owner(reminder: Reminder, by: Membership) -> None:
    _same_account(reminder, by)
    if reminder.owner_id != by.id:
        raise PermissionDenied(_("This reminder is someone else's."))


def mark_reminder_read(reminder: Reminder, *, by: Membership) -> None:
    _check_owner(reminder, by)
    now = timezone.now()
    with transaction.atomic():
        marked = (
            Reminder.objects.for_account(reminder.account)
            .filter(id=reminder.id, read_at=None)
            .update(read_at=now)
        )
        if marked:
            _reminders_changed(reminder)
    reminder.read_at = reminder.read_at or now


def delete_reminder(reminder: Reminder, *, by: Membership) -> None:
    _check_owner(reminder, by)
    with transaction.atomic():
        reminder.delete()
        _reminders_changed(reminder)


def reminders_of(member: Membership) -> QuerySet[Reminder]:
    return Reminder.objects.for_account(member.account).filter(owner=member).select_related("contact")


def notify_due_reminders(limit: int = 500) -> int:
    """The scheduler's turn (CONVENTIONS 13): every reminder due and not yet notified gets
    ``notified_at`` by compare-and-set and its owner a ``reminder.due`` event. Safe to run twice
    at once: a row's owner is notified by whichever run flips it. Cross-account by design."""
    now = timezone.now()
    due = list(
        Reminder.objects.unscoped()  # the scheduler serves every account
        .filter(notified_at=None, due_at__lte=now)
        .select_related("account", "owner", "contact")
        .order_by("due_at")[:limit]
    )
    notified = 0
    for reminder in due:
        with transaction.atomic():
            flipped = (
                Reminder.objects.for_account(reminder.account)
                .filter(id=reminder.id, notified_at=None)
                .update(notified_at=now)
            )
            if not flipped:
                continue
            reminder.notified_at = now
            events.reminder_due(reminder)
        notified += 1
    return notified
