"""Segments (AUD-3): named, saved contact filters, counted live and reused by campaigns. A
name is one segment per account whatever its case."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.filters import ContactFilter
from audience.models import Segment
from spoter.accounts.models import Account, Membership

MAX_NAME = 80


def segment_filter(segment: Segment) -> ContactFilter:
    """The segment's filter; what no longer exists (a deleted field) is dropped or matches nobody."""
    return ContactFilter.from_json(segment.filters if isinstance(segment.filters, dict) else {})


def save_segment(
    segment: Segment, *, name: str, contact_filter: ContactFilter | None, by: Membership
) -> Segment:
    """Create or update ``segment`` (of ``by``'s account): rename it and, when given, replace its
    filter. Raises ValidationError for an empty, too long or already used name."""
    account: Account = by.account
    if segment.account_id != account.id:
        raise ValueError("a segment of another account")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Write the segment's name.")})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": _("At most %(max)d characters.") % {"max": MAX_NAME}})
    taken = Segment.objects.for_account(account).filter(name__iexact=name).exclude(id=segment.id)
    if taken.exists():
        raise ValidationError({"name": _("Another segment is already called %(name)s.") % {"name": name}})
    segment.name = name
    if contact_filter is not None:
        segment.filters = contact_filter.to_json()
    segment.updated_at = timezone.now()
    if segment.pk is None:
        segment.created_by = by.user
    try:
        with transaction.atomic():
            if segment.pk is None:
                segment.save()
            else:
                segment.save(update_fields=["name", "filters", "updated_at"])
    except IntegrityError as error:  # the same name saved by someone else a moment ago
        raise ValidationError(
            {"name": _("Another segment is already called %(name)s.") % {"name": name}}
        ) from error
    return segment


def delete_segment(segment: Segment, *, by: Membership) -> None:
    if segment.account_id != by.account_id:
        raise ValueError("a segment of another account")
    Segment.objects.for_account(by.account).filter(id=segment.id).delete()
