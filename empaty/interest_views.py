"""EMPATY's interest pages (EMP-3, EMP-4): the taxonomy's settings, a contact's interests and
habits (a fragment of the contact page) and the communities, with "use as segment"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from audience.contact_views import get_contact
from audience.filters import ContactFilter
from audience.models import Contact, Segment
from audience.segments import MAX_NAME, save_segment
from empaty import communities, taxonomy
from empaty.habits import habits
from empaty.models import Category, Community, Emotion, Polarity
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

MEMBERS_PAGE = 50

# --- Taxonomy ------------------------------------------------------------------------------------


def _get_category(request: AccountRequest, category_id: int) -> Category:
    category = taxonomy.get_category(request.account, category_id)
    if category is None:
        raise Http404
    return category


@require_role(Role.SUPERVISOR)
def taxonomy_page(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The tree; a POST adds a category (a secondary when ``parent`` names a primary)."""
    account = request.account
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        parent = None
        raw_parent = request.POST.get("parent", "")
        if raw_parent:
            valid = raw_parent.isdigit() and len(raw_parent) < 10  # an id, not an overflow
            parent = taxonomy.get_category(account, int(raw_parent)) if valid else None
            if parent is None or parent.parent_id is not None:
                errors = {"parent": [_("Choose a primary category.")]}
        if not errors:
            try:
                category = taxonomy.save_category(
                    account,
                    None,
                    name=request.POST.get("name", ""),
                    keywords=request.POST.get("keywords", ""),
                    parent=parent,
                )
            except ValidationError as invalid:
                errors = invalid.message_dict
            else:
                messages.success(request, _("Category %(name)s added.") % {"name": category.name})
                return redirect("empaty_taxonomy", account_slug=account.slug)
    context = {
        "tree": taxonomy.tree(account),
        "kinds": list(taxonomy.KINDS.items()),
        "errors": errors,
        "posted": request.POST if errors else {},
    }
    return render(request, "empaty/taxonomy.html", context, status=400 if errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def taxonomy_defaults(request: AccountRequest, account_slug: str) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in taxonomy.KINDS:
        return HttpResponse(_("Choose a kind of business."), status=400)
    added = taxonomy.load_defaults(request.account, kind)
    messages.success(
        request,
        ngettext("%(n)d category added.", "%(n)d categories added.", added) % {"n": added}
        if added
        else _("You already had every default category."),
    )
    return redirect("empaty_taxonomy", account_slug=request.account.slug)


@require_role(Role.SUPERVISOR)
def taxonomy_edit(request: AccountRequest, account_slug: str, category_id: int) -> HttpResponse:
    category = _get_category(request, category_id)
    errors: dict[str, list[str]] = {}
    values = {"name": category.name, "keywords": category.keywords}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in values}
        try:
            taxonomy.save_category(
                request.account, category, name=values["name"], keywords=values["keywords"]
            )
        except ValidationError as invalid:
            errors = invalid.message_dict
            category.refresh_from_db()
        else:
            messages.success(request, _("Category %(name)s saved.") % {"name": category.name})
            return redirect("empaty_taxonomy", account_slug=request.account.slug)
    context = {"category": category, "values": values, "errors": errors}
    return render(request, "empaty/taxonomy_edit.html", context, status=400 if errors else 200)


@require_role(Role.SUPERVISOR)
def taxonomy_delete(request: AccountRequest, account_slug: str, category_id: int) -> HttpResponse:
    """GET asks for confirmation (naming the secondaries that go too); POST deletes."""
    category = _get_category(request, category_id)
    if request.method == "POST":
        taxonomy.delete_category(category)
        messages.success(request, _("Category %(name)s deleted.") % {"name": category.name})
        return redirect("empaty_taxonomy", account_slug=request.account.slug)
    children = Category.objects.for_account(request.account).filter(parent=category)
    return render(request, "empaty/taxonomy_delete.html", {"category": category, "children": children})


# --- A contact's interests -----------------------------------------------------------------------


@require_GET
@require_role(Role.OPERATOR)
def contact_interests(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    """The contact page's fragment: whoever may see the contact may see it."""
    contact = get_contact(request, contact_id)
    return render(request, "empaty/interests_panel.html", {"contact": contact, "habits": habits(contact)})


# --- Communities ---------------------------------------------------------------------------------


def _get_community(request: AccountRequest, community_id: int) -> Community:
    community = Community.objects.for_account(request.account).filter(id=community_id).first()
    if community is None:
        raise Http404
    return community


def _bars(counts: dict[str, int], labels: dict[str, Any]) -> list[dict[str, Any]]:
    """Stacked-bar pieces (x and width in percent) for a summary's emotion or polarity counts."""
    total = sum(counts.get(key, 0) for key in labels)
    pieces, x = [], 0.0
    for key, label in labels.items():
        count = counts.get(key, 0)
        if count and total:
            width = 100 * count / total
            pieces.append({"key": key, "label": label, "count": count, "x": x, "width": width})
            x += width
    return pieces


def _card(community: Community) -> dict[str, Any]:
    summary = community.summary if isinstance(community.summary, dict) else {}
    return {
        "community": community,
        "emotions": _bars(summary.get("emotions") or {}, dict(Emotion.choices)),
        "polarity": _bars(summary.get("polarity") or {}, dict(Polarity.choices)),
        "interests": [
            {"name": name, "percent": round(100 * strength)}
            for name, strength in summary.get("interests") or []
        ],
    }


def _status_context(request: AccountRequest) -> dict[str, Any]:
    return {
        "active": communities.active_run(request.account),
        "latest": communities.latest_run(request.account),
    }


@require_GET
@require_role(Role.SUPERVISOR)
def communities_page(request: AccountRequest, account_slug: str) -> HttpResponse:
    context = _status_context(request)
    latest = context["latest"]
    found = Community.objects.for_account(request.account).filter(run=latest) if latest else []
    context["cards"] = [_card(community) for community in found]
    return render(request, "empaty/communities.html", context)


@require_GET
@require_role(Role.SUPERVISOR)
def communities_status(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The run's state, polled by htmx while a run is under way; reloads the page once it ends."""
    context = _status_context(request)
    if context["active"] is None and request.GET.get("polling"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "empaty/communities_status.html", context)


@require_POST
@require_role(Role.SUPERVISOR)
def communities_run(request: AccountRequest, account_slug: str) -> HttpResponse:
    _run, started = communities.start_run(request.account, request.membership)
    if started:
        messages.success(request, _("Calculating the communities; this page shows them when they are ready."))
    else:
        messages.info(request, _("The communities are already being calculated."))
    return redirect("empaty_communities", account_slug=request.account.slug)


@require_GET
@require_role(Role.SUPERVISOR)
def communities_detail(request: AccountRequest, account_slug: str, community_id: int) -> HttpResponse:
    community = _get_community(request, community_id)
    members = (
        Contact.objects.for_account(request.account)
        .filter(community_links__community=community)
        .order_by("name", "id")
    )
    page = Paginator(members, MEMBERS_PAGE).get_page(request.GET.get("page"))
    context = {"card": _card(community), "community": community, "page": page}
    return render(request, "empaty/communities_detail.html", context)


@require_POST
@require_role(Role.SUPERVISOR)
def communities_segment(request: AccountRequest, account_slug: str, community_id: int) -> HttpResponse:
    """A segment of the community's contacts: the one made before, or a new one named after it."""
    community = _get_community(request, community_id)
    account = request.account
    segments = Segment.objects.for_account(account)
    segment = next((s for s in segments if s.filters.get("communities") == [community.id]), None)
    if segment is None:
        base = community.name[: MAX_NAME - 4].strip() or _("Community")
        taken = {name.lower() for name in segments.values_list("name", flat=True)}
        name = next(
            (n for n in (base, *(f"{base} ({i})" for i in range(2, 100))) if n.lower() not in taken), base
        )
        segment = Segment(account=account)
        try:
            save_segment(
                segment,
                name=name,
                contact_filter=ContactFilter(communities=(community.id,)),
                by=request.membership,
            )
        except ValidationError as invalid:
            messages.error(request, " ".join(invalid.messages))
            return redirect("empaty_communities_detail", account_slug=account.slug, community_id=community.id)
        messages.success(request, _("Segment %(name)s created.") % {"name": segment.name})
    contacts = reverse("contacts", kwargs={"account_slug": account.slug})
    return redirect(f"{contacts}?segment={segment.id}")  # the contacts page opens the segment
