"""Segments (AUD-3): saved filters of the contacts page, listed with live counts. Operators may
read them; supervisors save, rename, update and delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audience.filters import ContactFilter
from audience.list_views import request_filter
from audience.models import Segment
from audience.segments import delete_segment, save_segment, segment_filter
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


def _get(request: AccountRequest, segment_id: int) -> Segment:
    segment = Segment.objects.for_account(request.account).filter(id=segment_id).first()
    if segment is None:
        raise Http404
    return segment


def _can_supervise(request: AccountRequest) -> bool:
    return request.membership.role_enum.at_least(Role.SUPERVISOR)


def _posted_filter(request: AccountRequest) -> ContactFilter | None:
    """The filter posted as the contacts page's query string (``query``), if one was posted."""
    if "query" not in request.POST:
        return None
    return request_filter(QueryDict(request.POST["query"]))


@require_role(Role.OPERATOR, write=Role.SUPERVISOR)
def segments(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The list; a POST saves the posted filter as a new segment."""
    error = ""
    if request.method == "POST":
        segment = Segment(account=request.account)
        try:
            save_segment(
                segment,
                name=request.POST.get("name", ""),
                contact_filter=_posted_filter(request) or ContactFilter(),
                by=request.membership,
            )
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
            return redirect("segments", account_slug=request.account.slug)
    rows = [
        (segment, segment_filter(segment).to_query())
        for segment in Segment.objects.for_account(request.account)
    ]
    return render(
        request,
        "audience/segment_list.html",
        {"rows": rows, "error": error, "can_supervise": _can_supervise(request)},
        status=400 if error else 200,
    )


@require_role(Role.OPERATOR, write=Role.SUPERVISOR)
def segment_edit(request: AccountRequest, account_slug: str, segment_id: int) -> HttpResponse:
    """Rename; with ``query`` posted (from the contacts page), also replace the filter."""
    segment = _get(request, segment_id)
    error = ""
    if request.method == "POST":
        try:
            save_segment(
                segment,
                name=request.POST.get("name", ""),
                contact_filter=_posted_filter(request),
                by=request.membership,
            )
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
            segment.refresh_from_db()
        else:
            messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
            return redirect("segments", account_slug=request.account.slug)
    return render(
        request,
        "audience/segment_form.html",
        {
            "segment": segment,
            "query": segment_filter(segment).to_query(),
            "error": error,
            "can_supervise": _can_supervise(request),
        },
        status=400 if error else 200,
    )


@require_POST
@require_role(Role.SUPERVISOR)
def segment_delete(request: AccountRequest, account_slug: str, segment_id: int) -> HttpResponse:
    segment = _get(request, segment_id)
    delete_segment(segment, by=request.membership)
    messages.success(request, _("Segment %(name)s deleted.") % {"name": segment.name})
    return redirect("segments", account_slug=account_slug)


@require_GET
@require_role(Role.OPERATOR)
def segment_count(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The count fragment for the filter in the query string."""
    total = request_filter(request.GET).apply(request.account).count()
    return render(request, "audience/segment_count.html", {"total": total})
