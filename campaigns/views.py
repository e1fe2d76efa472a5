"""Campaign pages for supervisors (CAM-1, CAM-2): the list, and creating, editing, deleting and
duplicating a campaign before it starts. The preview and the start are in preview_views.py.

The form's content part (the line's templates, a template's values) is re-rendered by htmx as
the line, the kind or the template change; without htmx the page still works: a save with a new
template shows its fields with a 400 asking to fill them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audience.models import Segment, Tag
from billing.limits import check_feature
from billing.models import Feature
from campaigns import drafts
from campaigns.content import footer
from campaigns.forms import CampaignForm, template_keys
from campaigns.models import Campaign, CampaignState, RecipientState, TagMode
from campaigns.services import CampaignError
from inbox.compose import template_form
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Account, Role

STARTED = (CampaignState.RUNNING, CampaignState.PAUSED, CampaignState.COMPLETED, CampaignState.CANCELLED)


def get_campaign(request: AccountRequest, campaign_id: int) -> Campaign:
    """The account's campaign, or the same 404 for missing and not yours."""
    found = _with_audience(Campaign.objects.for_account(request.account), request.account)
    campaign = found.select_related("line", "template").filter(id=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


def _with_audience(campaigns: QuerySet[Campaign], account: Account) -> QuerySet[Campaign]:
    """Segments and tags fetched with the campaigns (describe_audience reads them)."""
    return campaigns.prefetch_related(
        Prefetch("segments", queryset=Segment.objects.for_account(account))
    ).prefetch_related(Prefetch("tags", queryset=Tag.objects.for_account(account)))


def describe_audience(campaign: Campaign) -> str:
    """The audience in words: "Segment A, Segment B · with any of the tags: VIP". The campaign
    comes with its segments and tags prefetched (_with_audience)."""
    segments = [segment.name for segment in campaign.segments.all()]
    parts = [", ".join(segments) if segments else _("All contacts")]
    tags = ", ".join(tag.name for tag in campaign.tags.all())
    if tags:
        label = {
            TagMode.ANY: _("with any of the tags: %(tags)s"),
            TagMode.ALL: _("with all of the tags: %(tags)s"),
            TagMode.NONE: _("without the tags: %(tags)s"),
        }[TagMode(campaign.tag_mode)]
        parts.append(label % {"tags": tags})
    return " · ".join(parts)


@require_role(Role.SUPERVISOR)
def campaigns(request: AccountRequest, account_slug: str) -> HttpResponse:
    state = request.GET.get("state", "")
    found = (
        _with_audience(Campaign.objects.for_account(request.account), request.account)
        .select_related("line")
        .annotate(
            recipient_count=Count("recipients"),
            sent_count=Count("recipients", filter=Q(recipients__state=RecipientState.SENT)),
        )
    )
    if state in CampaignState.values:
        found = found.filter(state=state)
    rows = [(campaign, describe_audience(campaign)) for campaign in found]
    context = {"rows": rows, "states": CampaignState.choices, "state": state, "started": STARTED}
    return render(request, "campaigns/list.html", context)


@require_role(Role.SUPERVISOR)
def new(request: AccountRequest, account_slug: str) -> HttpResponse:
    return _form(request, None)


@require_role(Role.SUPERVISOR)
def edit(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_campaign(request, campaign_id)
    if not drafts.is_editable(campaign):
        messages.error(request, _("A campaign that has started cannot be changed; duplicate it instead."))
        return redirect("campaigns_preview", account_slug=account_slug, campaign_id=campaign.id)
    return _form(request, campaign)


def _form(request: AccountRequest, campaign: Campaign | None) -> HttpResponse:
    account = request.account
    check_feature(account, Feature.CAMPAIGNS)  # the page says so, with the link to change the plan
    if request.method == "POST":
        form = CampaignForm(request.POST, account=account, campaign=campaign)
        if form.is_valid():
            try:
                saved = drafts.save_draft(account, campaign, form.cleaned_data, by=request.membership)
            except CampaignError as refused:
                messages.error(request, refused.message)
                return redirect("campaigns", account_slug=account.slug)
            messages.success(request, _("Campaign saved. Check the preview before starting it."))
            return redirect("campaigns_preview", account_slug=account.slug, campaign_id=saved.id)
    else:
        form = CampaignForm(account=account, campaign=campaign)
    context = {
        "form": form,
        "campaign": campaign,
        "variables": form.variables,
        "footer": footer(account),
        **_content_context(form),
    }
    return render(request, "campaigns/form.html", context, status=400 if form.errors else 200)


@require_GET
@require_role(Role.SUPERVISOR)
def fields(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The form's content part for what is chosen so far (htmx, as the line or template change)."""
    data = request.GET.copy()
    if "text" not in data:  # the text part was not on the page yet: the footer starts ticked
        data["opt_out_footer"] = "on"
    form = CampaignForm(data, account=request.account)
    return render(request, "campaigns/_content.html", {"form": form, **_content_context(form)})


def _content_context(form: CampaignForm) -> dict[str, Any]:
    template = form.chosen_template()
    values = form.template_values()
    parameters = template_form(template) if template else None
    keys = template_keys(parameters) if parameters else []
    return {
        "templates": form.templates(),
        "chosen_template": template,
        "parameters": parameters,
        "template_fields": [(key, part, name, values.get(key, "")) for key, part, name in keys],
        "footer": footer(form.account),
        "variables": form.variables,
    }


@require_POST
@require_role(Role.SUPERVISOR)
def delete(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    campaign = get_campaign(request, campaign_id)
    if drafts.delete_draft(campaign):
        messages.success(request, _("Campaign deleted."))
    else:
        messages.error(request, _("Only a draft can be deleted; cancel a campaign that has started."))
    return redirect("campaigns", account_slug=account_slug)


@require_POST
@require_role(Role.SUPERVISOR)
def duplicate(request: AccountRequest, account_slug: str, campaign_id: int) -> HttpResponse:
    copy = drafts.duplicate(get_campaign(request, campaign_id), by=request.membership)
    messages.success(request, _("Copied as a new draft."))
    return redirect("campaigns_edit", account_slug=account_slug, campaign_id=copy.id)
