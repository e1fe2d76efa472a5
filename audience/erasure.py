"""Right to erasure (AUD-4): a contact goes with everything the account holds about them.

Deleted: the contact, their conversations with every message, message status left waiting for a
wamid, outbox entry, scheduled message and conversation event, their notes and reminders, their
tag links, the processed raw webhook bodies that carry their number (inbox/webhook_retention.py),
and the media files only their messages use (rows now, stored files once the
transaction has committed, so a rollback never leaves a row pointing at a missing file). What
stays is one AudienceAudit row whose summary counts what went, with no personal data in it.
Nothing is published: the erased rows simply stop appearing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from audience.models import AudienceAudit, AuditAction, Contact
from inbox import webhook_retention
from inbox.models import (
    Conversation,
    ConversationEvent,
    MediaFile,
    Message,
    Note,
    OutboxEntry,
    Reminder,
    ScheduledMessage,
    UnmatchedStatus,
)
from spoter.accounts.models import Account, Membership

BATCH = 200


@dataclass(frozen=True)
class ErasureCounts:
    """What erasing some contacts deletes; shown on the confirmation page and in the audit."""

    contacts: int
    conversations: int
    messages: int
    media_files: int
    notes: int
    reminders: int

    def summary(self, contact_ids: Iterable[int]) -> str:
        numbers = ", ".join(f"#{contact_id}" for contact_id in contact_ids)
        return (
            f"contact {numbers}: {self.conversations} conversations, {self.messages} messages, "
            f"{self.media_files} media files, {self.notes} notes, {self.reminders} reminders"
        )[:500]


def erasure_counts(account: Account, contact_ids: list[int]) -> ErasureCounts:
    conversations = _conversations(account, contact_ids)
    messages = Message.objects.for_account(account).filter(conversation__in=conversations)
    return ErasureCounts(
        contacts=Contact.objects.for_account(account).filter(id__in=contact_ids).count(),
        conversations=conversations.count(),
        messages=messages.count(),
        media_files=_own_media(account, messages).count(),
        notes=Note.objects.for_account(account).filter(contact_id__in=contact_ids).count(),
        reminders=Reminder.objects.for_account(account).filter(contact_id__in=contact_ids).count(),
    )


def erase_contact(contact: Contact, *, by: Membership) -> None:
    """Erase one contact of ``by``'s account, with an audit row naming them only by number."""
    if contact.account_id != by.account_id:
        raise ValueError("a contact of another account")
    erase_contacts(by.account, [contact.id], by=by)


def erase_contacts(account: Account, contact_ids: Iterable[int], *, by: Membership) -> int:
    """Erase the account's contacts among ``contact_ids`` (others' ids are ignored), in batches
    of one transaction each; one audit row per contact. Returns how many were erased."""
    if by.account_id != account.id:
        raise ValueError("a member of another account")
    ids = list(
        Contact.objects.for_account(account).filter(id__in=list(contact_ids)).values_list("id", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        _erase_batch(account, ids[start : start + BATCH], by)
    return len(ids)


def _erase_batch(account: Account, contact_ids: list[int], by: Membership) -> None:
    with transaction.atomic():
        # Lock the contacts: an inbound message for them waits, then creates a new contact.
        locked = list(
            Contact.objects.for_account(account)
            .filter(id__in=contact_ids)
            .select_for_update()
            .values_list("id", flat=True)
        )
        audits = [
            AudienceAudit(
                account=account,
                actor=by.user,
                action=AuditAction.ERASED,
                summary=erasure_counts(account, [contact_id]).summary([contact_id]),
            )
            for contact_id in locked
        ]
        conversations = _conversations(account, locked)
        messages = Message.objects.for_account(account).filter(conversation__in=conversations)
        media = _own_media(account, messages)
        files = [name for name in media.exclude(file="").values_list("file", flat=True) if name]
        media_ids = list(media.values_list("id", flat=True))
        wamids = list(messages.exclude(wamid="").values_list("line_id", "wamid"))
        OutboxEntry.objects.for_account(account).filter(message__in=messages).delete()
        ScheduledMessage.objects.for_account(account).filter(conversation__in=conversations).delete()
        ConversationEvent.objects.for_account(account).filter(conversation__in=conversations).delete()
        for line_id, wamid in wamids:  # statuses that arrived before their message
            UnmatchedStatus.objects.for_account(account).filter(line_id=line_id, wamid=wamid).delete()
        messages.delete()
        MediaFile.objects.for_account(account).filter(id__in=media_ids).delete()
        Conversation.tags.through.objects.filter(conversation__in=conversations).delete()
        conversations.delete()
        Note.objects.for_account(account).filter(contact_id__in=locked).delete()
        Reminder.objects.for_account(account).filter(contact_id__in=locked).delete()
        Contact.tags.through.objects.filter(contact_id__in=locked).delete()
        contacts = Contact.objects.for_account(account).filter(id__in=locked)
        numbers = [number.lstrip("+") for pair in contacts.values_list("wa_id", "phone") for number in pair]
        webhook_retention.forget_senders(account, numbers)  # the raw bodies Meta sent about them
        contacts.delete()
        AudienceAudit.objects.for_account(account).bulk_create(audits)
        transaction.on_commit(lambda: _delete_files(files))


def _conversations(account: Account, contact_ids: list[int]) -> QuerySet[Conversation]:
    return Conversation.objects.for_account(account).filter(contact_id__in=contact_ids)


def _own_media(account: Account, messages: QuerySet[Message]) -> QuerySet[MediaFile]:
    """Media files these messages use and no other message does."""
    used_elsewhere = (
        Message.objects.for_account(account)
        .filter(media_id=OuterRef("pk"))
        .exclude(id__in=messages.values("id"))
    )
    return (
        MediaFile.objects.for_account(account)
        .filter(id__in=messages.exclude(media=None).values("media_id"))
        .exclude(Exists(used_elsewhere))
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def confirmation_lines(counts: ErasureCounts) -> list[str]:
    """The confirmation page's list of what goes."""
    return [
        _("%(count)d conversations") % {"count": counts.conversations},
        _("%(count)d messages") % {"count": counts.messages},
        _("%(count)d media files") % {"count": counts.media_files},
        _("%(count)d notes") % {"count": counts.notes},
        _("%(count)d reminders") % {"count": counts.reminders},
    ]
