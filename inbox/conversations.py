"""Contacts and conversations as messages find them: shared by receiving and sending."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from audience.models import Contact
from inbox import events
from inbox.models import (
    Conversation,
    ConversationEvent,
    ConversationStatus,
    EventKind,
    Initiator,
    Line,
    next_number,
)
from spoter.accounts.models import Account, Membership


def find_or_create_contact(
    account: Account, *, wa_user_id: str = "", wa_id: str = "", profile_name: str = ""
) -> Contact:
    """The contact for a WhatsApp identity: by business-scoped user id where Meta gives one, else
    by wa_id (the phone's digits). A contact first seen by phone gets the user id when it appears.
    Created unregistered (flagged unknown) when new. Safe under concurrent calls."""
    if not wa_user_id and not wa_id:
        raise ValueError("a WhatsApp contact needs a user id or a wa_id")
    contacts = Contact.objects.for_account(account)
    phone = f"+{wa_id}" if wa_id else ""
    contact = None
    if wa_user_id:
        contact = contacts.filter(wa_user_id=wa_user_id).first()
    if contact is None and phone:
        contact = contacts.filter(phone=phone).first()
    if contact is None:
        try:
            with transaction.atomic():
                return contacts.create(
                    account=account,
                    wa_user_id=wa_user_id,
                    wa_id=wa_id,
                    phone=phone,
                    profile_name=profile_name,
                )
        except IntegrityError:  # another worker created it a moment ago
            return find_or_create_contact(
                account, wa_user_id=wa_user_id, wa_id=wa_id, profile_name=profile_name
            )
    changed = []
    for field, value in (
        ("wa_user_id", wa_user_id),
        ("wa_id", wa_id),
        ("phone", phone),
        ("profile_name", profile_name),
    ):
        if (
            value
            and getattr(contact, field) != value
            and (field == "profile_name" or not getattr(contact, field))
        ):
            setattr(contact, field, value)
            changed.append(field)
    if changed:
        contact.save(update_fields=changed)
    return contact


def current_conversation(line: Line, contact: Contact, *, initiated_by: Initiator) -> Conversation:
    """The contact's conversation on the line: the one not closed, else the latest closed one
    reopened, else a new one with the account's next number. Call inside a transaction."""
    conversation = _current_conversation(line, contact, initiated_by)
    # The caller holds these already: events and visibility read them without fetching them again.
    conversation.account, conversation.line, conversation.contact = line.account, line, contact
    return conversation


def _current_conversation(line: Line, contact: Contact, initiated_by: Initiator) -> Conversation:
    conversations = Conversation.objects.for_account(line.account).filter(line=line, contact=contact)
    conversation = conversations.exclude(status=ConversationStatus.CLOSED).select_for_update().first()
    if conversation is not None:
        return conversation
    closed = conversations.order_by("-last_message_at").select_for_update().first()
    now = timezone.now()
    if closed is not None:
        closed.status = ConversationStatus.OPEN
        closed.closed_at = None
        closed.updated_at = now
        closed.save(update_fields=["status", "closed_at", "updated_at"])
        return closed
    try:
        with transaction.atomic():
            return conversations.create(
                account=line.account,
                number=next_number(line.account, "conversation"),
                line=line,
                contact=contact,
                initiated_by=initiated_by,
                last_message_at=now,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:  # a concurrent message opened it first
        opened = conversations.exclude(status=ConversationStatus.CLOSED).select_for_update().first()
        if opened is None:
            raise  # another constraint: not the race this handles
        return opened


def set_status(
    conversation: Conversation, status: ConversationStatus, *, actor: Membership | None = None
) -> Conversation:
    """Close, reopen or park a conversation (INB-12). Closing and reopening are lines in the chat
    history, written in the same transaction; setting the status it already has changes nothing."""
    now = timezone.now()
    conversations = Conversation.objects.for_account(conversation.account)
    try:
        with transaction.atomic():
            previous = (
                conversations.select_for_update()
                .filter(id=conversation.id)
                .values_list("status", flat=True)
                .get()
            )
            conversation.status = status
            conversation.closed_at = now if status == ConversationStatus.CLOSED else None
            conversation.updated_at = now
            if previous == status:
                return conversation
            conversation.save(update_fields=["status", "closed_at", "updated_at"])
            if ConversationStatus.CLOSED in (previous, status):
                ConversationEvent.objects.for_account(conversation.account).create(
                    account=conversation.account,
                    conversation=conversation,
                    kind=EventKind.CLOSED if status == ConversationStatus.CLOSED else EventKind.REOPENED,
                    actor=actor,
                    created_at=now,
                )
            events.conversation_changed(conversation)
    except IntegrityError:  # reopening while another conversation with the contact is open
        raise ValueError("conversation_already_open") from None
    return conversation
