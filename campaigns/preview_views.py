"""The preview of a campaign and what may be done to it (CAM-2, CAM-6): who gets it and who is
left out, one contact's message exactly as they would read it, what blocks it, the anti-spam
warnings; start or schedule it, pause, resume, cancel.

The counts come from campaigns.audience.select, the function the start writes recipients with,
so the number shown is the number written (unless contacts change in between).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audience.models import Contact
from campaigns import guard, services
from campaigns.audience import REASONS, select, tier_limit, tier_room
from campaigns.drafts import is_editable
from campaigns.models import Campaign, CampaignState
from campaigns.sample import sample
from campaigns.views import describe_audience, get_campaign
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

SEARCH_MAX = 10


def progress_url(campaign: Campaign) -> str:
    """The progress page (campaigns/progress_urls.py); the preview while that page is missing."""
    kwargs = {"account_slug": campaign.account.slug, "campaign_id": campaign.id}
    try:
        return reverse("campaigns_progress", kwargs=kwargs)
    except NoReverseMatch:
        return reverse("campaigns_preview", kwargs=kwargs)


@require_GET
@require_role(Role.SUPERVISOR)
def preview(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    return _page(request, get_campaign(request, campaign_id))


def _page(request: AccountRequest, campaign: Campaign, error: str = "") -> HttpResponse:
    written = campaign.started_at is not None
    selection = None if written else select(campaign)
    pool = _written(campaign) if selection is None else selection.recipients
    query = request.GET.get("q", "").strip()
    chosen = request.GET.get("contact", "")
    contact = pool.filter(id=int(chosen)).first() if chosen.isdigit() else None
    contact = contact or pool.first()
    context: dict[str, Any] = {
        "campaign": campaign,
        "audience": describe_audience(campaign),
        "count": pool.count(),
        "written": written,
        "excluded": _excluded(selection.excluded if selection else campaign.excluded),
        "contact": contact,
        "shown": sample(campaign, contact) if contact else None,
        "query": query,
        "matches": list(pool.filter(_search(query))[:SEARCH_MAX]) if query else [],
        "problems": services.problems(campaign) if not written else [],
        "warnings": guard.warnings(campaign, selection) if selection is not None else [],
        "line": campaign.line,
        "tier_limit": tier_limit(campaign.line),
        "tier_room": tier_room(campaign.line),
        "editable": is_editable(campaign),
        "progress_url": progress_url(campaign),
        "error": error,
    }
    return render(request, "campaigns/preview.html", context, status=400 if error else 200)


def _written(campaign: Campaign) -> QuerySet[Contact]:
    """A started campaign's recipients, as written when it started."""
    return (
        Contact.objects.for_account(campaign.account)
        .filter(campaign_recipients__campaign=campaign)
        .order_by("id")
    )


def _excluded(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(reason, str(REASONS.get(reason, reason)), count) for reason, count in counts.items() if count]


def _search(query: str) -> Q:
    return Q(name__icontains=query) | Q(profile_name__icontains=query) | Q(phone__icontains=query)


@require_POST
@require_role(Role.SUPERVISOR)
def start(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_campaign(request, campaign_id)
    if campaign.state != CampaignState.DRAFT:
        messages.error(request, _("Only a draft can be started."))
        return redirect(progress_url(campaign))
    if not request.POST.get("confirm_warnings") and guard.warnings(campaign, select(campaign)):
        return _page(request, campaign, _("Tick “I have read the warnings” to start anyway."))
    try:
        services.start(campaign, by=request.membership)
    except services.CampaignError as refused:
        return _page(request, campaign, refused.message)
    if campaign.state == CampaignState.SCHEDULED:
        messages.success(request, _("Campaign scheduled."))
    else:
        messages.success(request, _("Campaign started."))
    return redirect(progress_url(campaign))


@require_POST
@require_role(Role.SUPERVISOR)
def pause(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_campaign(request, campaign_id)
    _tell(
        request, services.pause(campaign), _("Campaign paused."), _("Only a running campaign can be paused.")
    )
    return redirect(progress_url(campaign))


@require_POST
@require_role(Role.SUPERVISOR)
def resume(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_campaign(request, campaign_id)
    try:
        resumed = services.resume(campaign)
    except services.CampaignError as refused:
        messages.error(request, refused.message)
    else:
        _tell(request, resumed, _("Campaign resumed."), _("Only a paused campaign can be resumed."))
    return redirect(progress_url(campaign))


@require_POST
@require_role(Role.SUPERVISOR)
def cancel(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_campaign(request, campaign_id)
    _tell(
        request,
        services.cancel(campaign),
        _("Campaign cancelled: nothing more is sent."),
        _("The campaign has ended already."),
    )
    return redirect(progress_url(campaign))


def _tell(request: AccountRequest, done: bool, success: str, failure: str) -> None:
    if done:
        messages.success(request, success)
    else:
        messages.error(request, failure)
