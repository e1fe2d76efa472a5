"""A campaign's life (CAM-2): start now or at its time, pause, resume, cancel.

Recipients are written when the campaign starts, in the transaction that makes it running, so a
running campaign always has all of them (one row per contact, unique) and a start that dies
halfway leaves a campaign still scheduled, started again by the next sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.limits import LimitReached, check_campaigns
from campaigns.audience import select
from campaigns.models import Campaign, CampaignState, ContentKind, Recipient, RecipientState
from inbox import events
from inbox.models import Line, TemplateStatus
from spoter.accounts.models import Membership, Role

log = logging.getLogger(__name__)

INSERT_BATCH = 5000


class CampaignError(Exception):
    """A campaign cannot do what was asked; ``message`` says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@events.register
@dataclass(frozen=True)
class CampaignPaused(events.Event):
    """A campaign stopped by itself (Meta's spam limit, a paused template, the line's quality)."""

    type: ClassVar[str] = "campaign.paused"
    campaign: int
    name: str
    detail: str


def problems(campaign: Campaign) -> list[str]:
    """What keeps the campaign from starting, in words (empty: it may start)."""
    found = []
    if not campaign.line.is_active:
        found.append(_("The line is switched off."))
    if campaign.kind == ContentKind.TEMPLATE:
        template = campaign.template
        if template is None:
            found.append(_("Choose a template."))
        elif template.status != TemplateStatus.APPROVED:
            found.append(_("The template %(name)s is not approved.") % {"name": template.name})
        elif template.waba_id != campaign.line.waba_id:
            found.append(_("The template belongs to another WhatsApp account than the line's."))
    elif not campaign.text.strip():
        found.append(_("Write the message."))
    return found


def start(campaign: Campaign, *, by: Membership | None) -> Campaign:
    """Start now, or schedule for ``start_at`` when that is still ahead."""
    check_campaigns(campaign.account)
    issues = problems(campaign)
    if issues:
        raise CampaignError(" ".join(issues))
    if campaign.start_at and campaign.start_at > timezone.now():
        moved = _campaigns(campaign).filter(state=CampaignState.DRAFT).update(state=CampaignState.SCHEDULED)
        if not moved:
            raise CampaignError(_("Only a draft can be scheduled."))
        campaign.state = CampaignState.SCHEDULED
        return campaign
    return materialise(campaign)


def start_scheduled(campaign: Campaign) -> bool:
    """A scheduled campaign's time has come: start it, or, when something changed since it was
    scheduled (the line switched off, the template no longer approved), pause it and tell the
    supervisors why instead of sending what would fail; the same when the plan no longer
    includes campaigns or the account turned read-only."""
    try:
        check_campaigns(campaign.account)
    except LimitReached as refused:
        reason = "read_only" if refused.code == "read_only" else "plan"
        return _pause_and_tell(campaign, reason, refused.message)
    issues = problems(campaign)
    if issues:
        return _pause_and_tell(campaign, "problems", " ".join(issues))
    materialise(campaign)
    return True


def _pause_and_tell(campaign: Campaign, reason: str, detail: str) -> bool:
    if pause(campaign, reason=reason, detail=detail):
        _tell_supervisors(campaign, detail)
    return False


def materialise(campaign: Campaign) -> Campaign:
    """Write the recipients and set the campaign running, in one transaction."""
    with transaction.atomic():
        locked = _campaigns(campaign).select_for_update().get(id=campaign.id)
        if locked.state not in {CampaignState.DRAFT, CampaignState.SCHEDULED}:
            raise CampaignError(_("The campaign has started already."))
        selection = select(locked)
        ids = selection.recipients.values_list("id", flat=True)
        batch: list[Recipient] = []
        for contact_id in ids.iterator(chunk_size=INSERT_BATCH):
            batch.append(Recipient(account=campaign.account, campaign=locked, contact_id=contact_id))
            if len(batch) >= INSERT_BATCH:
                Recipient.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Recipient.objects.bulk_create(batch, ignore_conflicts=True)
        now = timezone.now()
        _campaigns(campaign).filter(id=campaign.id).update(
            state=CampaignState.RUNNING, started_at=now, excluded=selection.excluded, wake_at=None
        )
        transaction.on_commit(lambda: kick(campaign))
    campaign.refresh_from_db()
    return campaign


def pause(campaign: Campaign, *, reason: str = "manual", detail: str = "") -> bool:
    """Stop sending; the runners notice within a second and put their claimed rows back."""
    paused = (
        _campaigns(campaign)
        .filter(id=campaign.id, state__in=[CampaignState.RUNNING, CampaignState.SCHEDULED])
        .update(state=CampaignState.PAUSED, pause_reason=reason, pause_detail=detail)
    )
    campaign.refresh_from_db()
    return bool(paused)


def resume(campaign: Campaign) -> bool:
    """Paused → running (or back to scheduled when it never started)."""
    check_campaigns(campaign.account)
    issues = problems(campaign)
    if issues:
        raise CampaignError(" ".join(issues))
    target = CampaignState.RUNNING if campaign.started_at else CampaignState.SCHEDULED
    resumed = (
        _campaigns(campaign)
        .filter(id=campaign.id, state=CampaignState.PAUSED)
        .update(state=target, pause_reason="", pause_detail="", wake_at=None)
    )
    campaign.refresh_from_db()
    if resumed and target == CampaignState.RUNNING:
        kick(campaign)
    return bool(resumed)


def cancel(campaign: Campaign) -> bool:
    """Stop for good: what was not sent stays unsent (counted as cancelled in the results)."""
    cancelled = (
        _campaigns(campaign)
        .exclude(state__in=[CampaignState.COMPLETED, CampaignState.CANCELLED])
        .filter(id=campaign.id)
        .update(state=CampaignState.CANCELLED, finished_at=timezone.now(), wake_at=None)
    )
    campaign.refresh_from_db()
    return bool(cancelled)


def pause_line(line: Line, *, reason: str, detail: str, template_id: int | None = None) -> int:
    """Pause the line's running campaigns (those with the template, when given) and tell the
    account's supervisors why; returns how many were paused."""
    running = Campaign.objects.for_account(line.account).filter(
        line=line, state__in=[CampaignState.RUNNING, CampaignState.SCHEDULED]
    )
    if template_id is not None:
        running = running.filter(template_id=template_id)
    paused = 0
    for campaign in running:
        if pause(campaign, reason=reason, detail=detail):
            paused += 1
            _tell_supervisors(campaign, detail)
            log.warning("campaign %s paused: %s", campaign.id, detail)
    return paused


def skip_opted_out(contact_id: int, account_id: int) -> int:
    """An opted-out contact's queued sends are skipped at once (a claimed one is checked again
    when sent)."""
    return (
        Recipient.objects.unscoped()
        .filter(account_id=account_id, contact_id=contact_id, state=RecipientState.PENDING)
        .update(state=RecipientState.SKIPPED, reason="opted_out")
    )


def kick(campaign: Campaign) -> None:
    """Queue the campaign's runners (a runner slot already busy ends at once)."""
    from campaigns.tasks import run_campaign, runner_slots  # the tasks import this module

    for slot in range(runner_slots()):
        run_campaign.delay(campaign.account_id, campaign.id, slot)


def _tell_supervisors(campaign: Campaign, detail: str) -> None:
    supervisors = Membership.objects.for_account(campaign.account).filter(is_active=True)
    ids = [member.id for member in supervisors if member.role_enum.at_least(Role.SUPERVISOR)]
    event = CampaignPaused(
        account_id=campaign.account_id, campaign=campaign.id, name=campaign.name, detail=detail
    )
    events.publish_on_commit(campaign.account, event, ids)


def _campaigns(campaign: Campaign) -> QuerySet[Campaign]:
    return Campaign.objects.for_account(campaign.account)
