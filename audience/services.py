"""Contacts: the operations that change them (AUD-1, INB-13). Views, imports and the API parse
input, then call one of these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from audience.fields import Value
from audience.models import Contact, Source, Tag
from audience.tags import get_or_create_tag
from spoter.accounts.models import Account, User


class PhoneTakenError(Exception):
    """Another contact of the account already has this phone (the unique constraint
    contact_unique_phone has the last word under races)."""

    def __init__(self, existing: Contact | None) -> None:
        super().__init__(existing.phone if existing else "")
        self.existing = existing


@dataclass
class ContactInput:
    """A contact's editable data, already validated: phone in E.164, DNI as digits, custom field
    values coerced (None clears a field), tags of the same account."""

    name: str = ""
    nickname: str = ""
    phone: str = ""
    email: str = ""
    dni: str = ""
    custom_fields: dict[str, Value] = field(default_factory=dict)
    tags: Sequence[Tag] = ()
    new_tags: Sequence[str] = ()  # names of tags to create (or find, whatever their case)
    consent: bool = False
    consent_source: str = ""


def create_contact(account: Account, data: ContactInput, *, by: User | None) -> Contact:
    """A contact added by hand: registered (the account knows them), source "manual"."""
    contact = Contact(account=account, registered=True, source=Source.MANUAL)
    return _save(contact, data, by=by)


def update_contact(contact: Contact, data: ContactInput, *, by: User | None) -> Contact:
    """Edit a contact. Changing a WhatsApp contact's phone keeps its wa_id: WhatsApp still
    reaches them by the id they wrote from."""
    return _save(contact, data, by=by)


def _save(contact: Contact, data: ContactInput, *, by: User | None) -> Contact:
    if any(tag.account_id != contact.account_id for tag in data.tags):
        raise ValueError("a tag of another account")
    contacts = Contact.objects.for_account(contact.account)
    for name in ("name", "nickname", "phone", "email", "dni"):
        setattr(contact, name, getattr(data, name))
    values = dict(contact.custom_fields or {})
    for key, value in data.custom_fields.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    contact.custom_fields = values
    if not data.consent:
        contact.consent_at, contact.consent_source = None, ""
    else:
        contact.consent_at = contact.consent_at or timezone.now()  # when they first agreed
        contact.consent_source = data.consent_source
    try:
        with transaction.atomic():  # the tags created inline go away with a refused phone
            if data.phone:
                existing = contacts.filter(phone=data.phone).exclude(id=contact.id).first()
                if existing is not None:
                    raise PhoneTakenError(existing)
            tags = [*data.tags, *(get_or_create_tag(contact.account, name) for name in data.new_tags)]
            contact.save()
            _set_tags(contact, tags)
    except IntegrityError:
        if contact._state.adding:
            contact.pk = None  # the failed insert's id must not linger on the instance
        raise PhoneTakenError(contacts.filter(phone=data.phone).first()) from None
    return contact


def _set_tags(contact: Contact, tags: Sequence[Tag]) -> None:
    wanted = {tag.id for tag in tags}
    had = set(contact.tags.for_account(contact.account).values_list("id", flat=True))
    if had - wanted:
        contact.tags.remove(*(had - wanted))
    if wanted - had:
        contact.tags.add(*(wanted - had))


def opt_out_contact(contact: Contact, *, by: User | None) -> Contact:
    """Out of mass sends (AUD-1, CAM-2); conversations go on. Twice keeps the first who and when."""
    contacts = Contact.objects.for_account(contact.account).filter(id=contact.id)
    contacts.filter(opted_out_at=None).update(opted_out_at=timezone.now(), opted_out_by=by)
    contact.refresh_from_db(fields=["opted_out_at", "opted_out_by"])
    return contact


def opt_in_contact(contact: Contact, *, by: User | None) -> Contact:
    """Back in mass sends; the opt-out's who and when are cleared."""
    contacts = Contact.objects.for_account(contact.account).filter(id=contact.id)
    contacts.update(opted_out_at=None, opted_out_by=None)
    contact.refresh_from_db(fields=["opted_out_at", "opted_out_by"])
    return contact


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
