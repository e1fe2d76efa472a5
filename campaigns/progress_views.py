"""A started campaign's page (CAM-4): where it stands, live while it may still send, and its
results as CSV afterwards. Supervisors and admins."""

from __future__ import annotations

from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from campaigns import results_export
from campaigns.models import Campaign, CampaignState
from campaigns.progress import progress
from campaigns.progress_chart import chart
from campaigns.runner import quiet_end
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

# The states in which the counts may still change: the page polls for them.
LIVE = {CampaignState.SCHEDULED, CampaignState.RUNNING, CampaignState.PAUSED}
# campaigns.services.pause(reason=...) and campaigns.reactions' codes.
PAUSE_REASONS = {
    "manual": _("Paused by a supervisor."),
    "spam_limit": _("Paused by itself: WhatsApp's spam limit."),
    "template": _("Paused by itself: the template can no longer be sent."),
    "quality": _("Paused by itself: the line's quality dropped."),
    "problems": _("Not started at its time: it can't be sent as it is."),
    "plan": _("Paused: the account's plan does not include campaigns."),
    "read_only": _("Paused: the account is read-only."),
}


def _get(request: AccountRequest, campaign_id: int) -> Campaign:
    found = (
        Campaign.objects.for_account(request.account).select_related("line").filter(id=campaign_id).first()
    )
    if found is None:
        raise Http404
    return found


def _render(request: AccountRequest, campaign_id: int, template: str) -> HttpResponse:
    campaign = _get(request, campaign_id)
    found = progress(campaign)
    context = {
        "campaign": campaign,
        "progress": found,
        "chart": chart(found.series) if found.series else None,
        "finishes_at": timezone.now() + found.eta if found.eta else None,
        "live": campaign.state in LIVE,
        "pause_reason": PAUSE_REASONS.get(campaign.pause_reason, ""),
        "asleep": _asleep(campaign),
    }
    return render(request, template, context)


def _asleep(campaign: Campaign) -> dict[str, object] | None:
    """A running campaign waiting to send again: until when, and whether for its quiet hours."""
    now = timezone.now()
    if campaign.state != CampaignState.RUNNING or campaign.wake_at is None or campaign.wake_at <= now:
        return None
    return {"until": campaign.wake_at, "quiet": quiet_end(campaign, now) is not None}


@require_GET
@require_role(Role.SUPERVISOR)
def progress_page(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    return _render(request, campaign_id, "campaigns/progress.html")


@require_GET
@require_role(Role.SUPERVISOR)
def progress_live(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    """The counts fragment the page polls every 3 seconds (htmx) while the campaign is live."""
    return _render(request, campaign_id, "campaigns/progress_live.html")


@require_GET
@require_role(Role.SUPERVISOR)
def results_csv(request: AccountRequest, account_slug: str, campaign_id: int) -> StreamingHttpResponse:
    campaign = _get(request, campaign_id)
    return results_export.response(campaign, asynchronous=isinstance(request, ASGIRequest))
