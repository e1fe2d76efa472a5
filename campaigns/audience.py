"""Who a campaign reaches: its audience, and who is left out and why (CAM-1, CAM-2).

The preview and the start use the same function, so the count shown is the count written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.filters import ContactFilter
from audience.models import Contact
from audience.segments import segment_filter
from campaigns.models import Campaign, ContentKind, TagMode
from inbox.models import SERVICE_WINDOW, Conversation, Direction, Line, Message

E164 = r"^\+[1-9][0-9]{6,14}$"
TIER = re.compile(r"TIER_(\d+)(K?)", re.IGNORECASE)

# Why a contact of the audience gets nothing, in the order they are checked.
REASONS = {
    "blocked": _("blocked"),
    "opted_out": _("opted out"),
    "invalid_number": _("no valid WhatsApp number"),
    "duplicate": _("already in this campaign (same number)"),
    "outside_window": _("outside the 24-hour window (free text)"),
    "over_tier": _("over the line's messaging tier"),
}


@dataclass
class Selection:
    """The contacts a campaign sends to, in order, and the ones it leaves out by reason."""

    recipients: QuerySet[Contact]
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def audience(campaign: Campaign) -> QuerySet[Contact]:
    """Contacts of any of the campaign's segments (everyone without segments), narrowed by its
    tags as its tag mode says; each contact once."""
    account = campaign.account
    contacts = Contact.objects.for_account(account)
    segments = list(campaign.segments.for_account(account)) if campaign.pk else []
    if segments:
        members = Q()
        for segment in segments:
            members |= Q(id__in=segment_filter(segment).apply(account).order_by().values("id"))
        contacts = contacts.filter(members)
    tag_ids = [tag.id for tag in campaign.tags.for_account(account)] if campaign.pk else []
    if tag_ids:
        key = {TagMode.ANY: "tags_any", TagMode.ALL: "tags_all", TagMode.NONE: "tags_none"}[
            TagMode(campaign.tag_mode)
        ]
        tagged = ContactFilter.from_json({key: tag_ids}).apply(account).order_by().values("id")
        contacts = contacts.filter(id__in=tagged)
    return contacts.order_by("id")


def select(campaign: Campaign) -> Selection:
    """The campaign's recipients now, with what each rule removed counted."""
    contacts = audience(campaign)
    excluded: dict[str, int] = {}

    def drop(reason: str, condition: Q) -> None:
        nonlocal contacts
        count = contacts.filter(condition).count()
        if count:
            excluded[reason] = count
            contacts = contacts.exclude(condition)

    drop("blocked", Q(blocked_at__isnull=False))
    drop("opted_out", Q(opted_out_at__isnull=False))
    drop("invalid_number", ~Q(wa_id__regex=r"^[1-9][0-9]{6,14}$") & ~Q(phone__regex=E164))
    drop("duplicate", Q(id__in=_later_duplicates(contacts)))
    window_open = Exists(
        Conversation.objects.for_account(campaign.account).filter(
            contact_id=OuterRef("pk"),
            line=campaign.line,
            last_inbound_at__gt=timezone.now() - SERVICE_WINDOW,
        )
    )
    if campaign.kind == ContentKind.TEXT:
        drop("outside_window", ~Q(window_open))
    else:
        limit = tier_room(campaign.line)
        if limit is not None:
            # Contacts outside the window open a conversation each: the first ``limit`` go.
            outside = contacts.exclude(window_open)
            if limit == 0:
                drop("over_tier", ~Q(window_open))
            elif outside.count() > limit:
                cut = outside.values_list("id", flat=True)[limit - 1]
                drop("over_tier", ~Q(window_open) & Q(id__gt=cut))
    return Selection(contacts, excluded)


def _later_duplicates(contacts: QuerySet[Contact]) -> list[int]:
    """Contacts whose WhatsApp number (wa_id, or phone) an earlier contact of the same selection
    has: one pass with row_number() per column (a correlated lookup per contact took four minutes
    for 100,000 contacts, benchmarks/README.md)."""
    later: set[int] = set()
    for column in ("wa_id", "phone"):
        ranked = (
            contacts.exclude(**{column: ""})
            .order_by()
            .annotate(rank=Window(RowNumber(), partition_by=[F(column)], order_by=F("id").asc()))
        )
        later.update(ranked.filter(rank__gt=1).values_list("id", flat=True))
    return sorted(later)


def tier_limit(line: Line) -> int | None:
    """Unique customers a line may start conversations with per 24 hours; None: unlimited or
    unknown (Meta's tiers: TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED)."""
    match = TIER.search(line.messaging_tier or "")
    if match is None:
        return None
    return int(match.group(1)) * (1000 if match.group(2) else 1)


def tier_room(line: Line) -> int | None:
    """What is left of the tier: its limit minus the customers the line already wrote to first
    in the last 24 hours."""
    limit = tier_limit(line)
    if limit is None:
        return None
    since = timezone.now() - timedelta(hours=24)
    reached = (
        Message.objects.for_account(line.account)
        .filter(line=line, direction=Direction.OUTBOUND, type="template", created_at__gte=since)
        .values("conversation__contact_id")
        .distinct()
        .count()
    )
    return max(limit - reached, 0)
