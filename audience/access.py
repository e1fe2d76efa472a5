"""The right of access (AUD-4): everything the account stores about one contact, as data a
supervisor downloads and hands to the person. Each download is recorded in the audience audit."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from audience.models import AudienceAudit, AuditAction, Contact, CustomField, Tag
from inbox.models import Conversation, ConversationEvent, Message, Note, Reminder, ScheduledMessage
from spoter.accounts.models import Membership, User

Data = dict[str, Any]


def contact_data(contact: Contact, *, by: User | None) -> Data:
    """The contact's data as JSON-ready values (datetimes in UTC, ISO 8601), and an audit row."""
    account = contact.account
    labels = dict(CustomField.objects.for_account(account).values_list("key", "label"))
    messages = Message.objects.for_account(account).select_related("media").order_by("created_at", "id")
    events = (
        ConversationEvent.objects.for_account(account)
        .select_related("actor__user", "target__user")
        .order_by("created_at", "id")
    )
    scheduled = ScheduledMessage.objects.for_account(account).order_by("send_at", "id")
    conversations = (
        Conversation.objects.for_account(account)
        .filter(contact=contact)
        .select_related("line", "assignee__user")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.for_account(account)))
        .prefetch_related(Prefetch("messages", queryset=messages))
        .prefetch_related(Prefetch("events", queryset=events))
        .prefetch_related(Prefetch("scheduled", queryset=scheduled))
        .order_by("created_at", "id")
    )
    data: Data = {
        "exported_at": timezone.now(),
        "account": account.name,
        "contact": {
            "id": contact.id,
            "name": contact.name,
            "nickname": contact.nickname,
            "whatsapp_profile_name": contact.profile_name,
            "phone": contact.phone,
            "whatsapp_id": contact.wa_id,
            "whatsapp_user_id": contact.wa_user_id,
            "email": contact.email,
            "dni": contact.dni,
            "source": contact.source,
            "registered": contact.registered,
            "created_at": contact.created_at,
            "last_seen_at": contact.last_seen_at,
            "opted_out_at": contact.opted_out_at,
            "blocked_at": contact.blocked_at,
            "consent_at": contact.consent_at,
            "consent_source": contact.consent_source,
        },
        "custom_fields": [
            {"variable": key, "name": labels.get(key, key), "value": value}
            for key, value in sorted((contact.custom_fields or {}).items())
        ],
        "tags": list(contact.tags.for_account(account).order_by("name").values_list("name", flat=True)),
        "notes": [
            {"text": note.text, "author": _member(note.author), "created_at": note.created_at}
            for note in Note.objects.for_account(account)
            .filter(contact=contact)
            .select_related("author__user")
        ],
        "reminders": [
            {"text": reminder.text, "due_at": reminder.due_at, "owner": _member(reminder.owner)}
            for reminder in Reminder.objects.for_account(account)
            .filter(contact=contact)
            .select_related("owner__user")
            .order_by("due_at", "id")
        ],
        "conversations": [_conversation(conversation) for conversation in conversations],
    }
    AudienceAudit.objects.for_account(account).create(
        account=account, actor=by, action=AuditAction.ACCESSED, summary=f"contact #{contact.id}"
    )
    return data


def _conversation(conversation: Conversation) -> Data:
    return {
        "number": conversation.number,
        "line": conversation.line.name,
        "status": conversation.status,
        "initiated_by": conversation.initiated_by,
        "assignee": _member(conversation.assignee),
        "created_at": conversation.created_at,
        "closed_at": conversation.closed_at,
        "tags": sorted(tag.name for tag in conversation.tags.all()),
        "messages": [_message(message) for message in conversation.messages.all()],
        "events": [
            {
                "kind": event.kind,
                "actor": _member(event.actor),
                "target": _member(event.target),
                "text": event.text,
                "at": event.created_at,
            }
            for event in conversation.events.all()
        ],
        "scheduled_messages": [
            {"text": item.text, "send_at": item.send_at, "status": item.status, "error": item.error}
            for item in conversation.scheduled.all()
        ],
    }


def _message(message: Message) -> Data:
    media = message.media
    return {
        "direction": message.direction,
        "type": message.type,
        "text": message.text,
        "status": message.status,
        "error": message.error_title,
        "created_at": message.created_at,
        "sent_at": message.sent_at,
        "status_changed_at": message.status_changed_at,
        "media": {"filename": media.filename, "mime_type": media.mime_type} if media else None,
    }


def _member(membership: Membership | None) -> str | None:
    if membership is None:
        return None
    return membership.user.get_full_name() or membership.user.email
