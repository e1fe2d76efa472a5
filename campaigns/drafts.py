"""Writing a campaign before it starts (CAM-2): save a draft, delete it, duplicate a campaign.

Only a draft or a scheduled campaign may change; saving a scheduled one puts it back to draft (it
has to be started again). The state is checked under a row lock, so a campaign the scheduler is
starting at that moment is not edited half-way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audience.models import Segment, Tag
from campaigns.models import Campaign, CampaignState
from campaigns.services import CampaignError
from spoter.accounts.models import Account, Membership

EDITABLE = (CampaignState.DRAFT, CampaignState.SCHEDULED)
FIELDS = (
    "name",
    "line",
    "tag_mode",
    "kind",
    "template",
    "template_values",
    "text",
    "opt_out_footer",
    "start_at",
    "quiet_from",
    "quiet_until",
)


def is_editable(campaign: Campaign) -> bool:
    return campaign.state in EDITABLE


def save_draft(
    account: Account, campaign: Campaign | None, data: dict[str, Any], *, by: Membership
) -> Campaign:
    """Create or change a draft from a valid CampaignForm's cleaned data."""
    with transaction.atomic():
        if campaign is None:
            campaign = Campaign(account=account, created_by=by)
        else:
            locked = Campaign.objects.for_account(account).select_for_update().filter(id=campaign.id).first()
            if locked is None or not is_editable(locked):
                raise CampaignError(_("Only a draft or a scheduled campaign can be changed."))
            campaign = locked
        for name in FIELDS:
            setattr(campaign, name, data[name])
        campaign.state = CampaignState.DRAFT
        campaign.save()
        _set(campaign.segments, data["segments"], account)
        _set(campaign.tags, data["tags"], account)
    return campaign


def _set(related: Any, wanted: Iterable[Segment | Tag], account: Account) -> None:
    """Make the campaign's segments or tags ``wanted`` (scoped reads: audience.services' way)."""
    ids = {item.id for item in wanted}
    had = set(related.for_account(account).values_list("id", flat=True))
    if had - ids:
        related.remove(*(had - ids))
    if ids - had:
        related.add(*(ids - had))


def delete_draft(campaign: Campaign) -> bool:
    """Delete the campaign if it is still a draft; False when it is not (anymore)."""
    deleted, _rows = (
        Campaign.objects.for_account(campaign.account)
        .filter(id=campaign.id, state=CampaignState.DRAFT)
        .delete()
    )
    return bool(deleted)


def duplicate(campaign: Campaign, *, by: Membership) -> Campaign:
    """A new draft with the campaign's audience and message; when to start is asked again."""
    copy = Campaign(
        account=campaign.account,
        created_by=by,
        name=_("%(name)s (copy)") % {"name": campaign.name[:100]},  # the name holds 120
        **{name: getattr(campaign, name) for name in FIELDS if name not in {"name", "start_at"}},
    )
    with transaction.atomic():
        copy.save()
        _set(copy.segments, campaign.segments.for_account(campaign.account), campaign.account)
        _set(copy.tags, campaign.tags.for_account(campaign.account), campaign.account)
    return copy
