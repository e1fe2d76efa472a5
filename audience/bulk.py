"""Bulk actions on contacts (AUD-1): tag, untag, opt out, erase, on rows picked by checkbox or on
every contact a filter matches. One statement per batch of contacts, never one per contact."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audience.erasure import erase_contacts
from audience.filters import ContactFilter
from audience.models import Contact, Tag
from spoter.accounts.models import Account, Membership

BATCH = 1000
TagLink = Contact.tags.through


def selected_contacts(
    account: Account, *, ids: list[int] | None = None, contact_filter: ContactFilter | None = None
) -> QuerySet[Contact]:
    """The account's contacts among ``ids``, or those ``contact_filter`` matches (exactly one of
    the two). Ids of another account select nothing."""
    if (ids is None) == (contact_filter is None):
        raise ValueError("pass ids or a filter")
    if contact_filter is not None:
        return contact_filter.apply(account)
    return Contact.objects.for_account(account).filter(id__in=ids).order_by("id")


def _id_batches(contacts: QuerySet[Contact]) -> Iterator[list[int]]:
    ids = list(contacts.values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def add_tag(contacts: QuerySet[Contact], tag: Tag) -> int:
    """Put ``tag`` on the contacts (those that have it keep it); returns how many were selected."""
    count = 0
    for ids in _id_batches(contacts.filter(account_id=tag.account_id)):
        with transaction.atomic():
            links = [TagLink(contact_id=contact_id, tag_id=tag.id) for contact_id in ids]
            TagLink.objects.bulk_create(links, ignore_conflicts=True)
        count += len(ids)
    return count


def remove_tag(contacts: QuerySet[Contact], tag: Tag) -> int:
    """Take ``tag`` off the contacts; returns how many had it."""
    count = 0
    for ids in _id_batches(contacts.filter(account_id=tag.account_id)):
        deleted, _ = TagLink.objects.filter(tag_id=tag.id, contact_id__in=ids).delete()
        count += deleted
    return count


def opt_out(contacts: QuerySet[Contact], *, by: Membership) -> int:
    """Out of mass sends from now on; a contact opted out before keeps its first who and when.
    Returns how many were newly opted out."""
    count = 0
    now = timezone.now()
    for ids in _id_batches(contacts.filter(account_id=by.account_id)):
        count += (
            Contact.objects.for_account(by.account)
            .filter(id__in=ids, opted_out_at=None)
            .update(opted_out_at=now, opted_out_by=by.user)
        )
    return count


def erase(contacts: QuerySet[Contact], *, by: Membership) -> int:
    """Erase every selected contact with all their data (audience.erasure)."""
    return erase_contacts(by.account, contacts.values_list("id", flat=True), by=by)
