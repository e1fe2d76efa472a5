"""Contacts: the operations that change them."""

from __future__ import annotations

from django.utils import timezone

from audience.models import Contact
from spoter.accounts.models import User


def block_contact(contact: Contact, *, by: User | None) -> Contact:
    """Block (INB-13): nothing of theirs is stored any more and nothing is sent to them except
    the line's one automatic answer. Blocking twice keeps the first who and when."""
    contacts = Contact.objects.for_account(contact.account).filter(id=contact.id)
    contacts.filter(blocked_at=None).update(blocked_at=timezone.now(), blocked_by=by)
    contact.refresh_from_db(fields=["blocked_at", "blocked_by", "blocked_reply_sent_at"])
    return contact


def unblock_contact(contact: Contact, *, by: User | None) -> Contact:
    """Unblock; a later block answers them once again. ``by`` is for the record to come (audit log)."""
    contacts = Contact.objects.for_account(contact.account).filter(id=contact.id)
    contacts.update(blocked_at=None, blocked_by=None, blocked_reply_sent_at=None)
    contact.refresh_from_db(fields=["blocked_at", "blocked_by", "blocked_reply_sent_at"])
    return contact
