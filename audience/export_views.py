"""Contact exports (AUD-4) and the audience's audit trail: supervisors only."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from audience.exports import (
    ExportFormatError,
    download_name,
    filter_summaries,
    filter_summary,
    request_export,
)
from audience.filters import ContactFilter
from audience.models import AudienceAudit, ContactExport, ExportFormat, JobState
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

LIST_SIZE = 50


class HtmxRequest(AccountRequest):
    htmx: HtmxDetails  # django-htmx's middleware sets it


def _get(request: AccountRequest, export_id: int) -> ContactExport:
    found = ContactExport.objects.for_account(request.account).filter(id=export_id).first()
    if found is None:
        raise Http404
    return found


@require_GET
@require_role(Role.SUPERVISOR)
def export_list(request: AccountRequest, account_slug: str) -> HttpResponse:
    exports = list(
        ContactExport.objects.for_account(request.account).select_related("created_by")[:LIST_SIZE]
    )
    summaries = filter_summaries(request.account, [export.filters for export in exports])
    rows = list(zip(exports, summaries, strict=True))
    audit = AudienceAudit.objects.for_account(request.account).select_related("actor")[:LIST_SIZE]
    return render(request, "audience/exports.html", {"exports": rows, "audit": audit})


@require_POST
@require_role(Role.SUPERVISOR)
def export_create(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The contacts page's filter (its query-string fields, posted) and ``file_format``."""
    try:
        export = request_export(
            request.account,
            contact_filter=ContactFilter.from_query(request.POST),
            file_format=request.POST.get("file_format", ""),
            by=request.membership,
        )
    except ExportFormatError:
        formats = ", ".join(ExportFormat.values)
        return HttpResponseBadRequest(_("Choose a file format: %(formats)s.") % {"formats": formats})
    messages.success(request, _("Export requested: the file is being written."))
    return redirect("contact_export", account_slug=account_slug, export_id=export.id)


@require_GET
@require_role(Role.SUPERVISOR)
def export_detail(request: HtmxRequest, account_slug: str, export_id: int) -> HttpResponse:
    """The export's page; htmx polls it for the progress fragment while the worker runs."""
    export = _get(request, export_id)
    context = {
        "export": export,
        "summary": filter_summary(request.account, export.filters),
        "running": export.state in {JobState.QUEUED, JobState.RUNNING},
        "percent": min(100, export.processed_rows * 100 // export.total_rows) if export.total_rows else 0,
    }
    if request.htmx:
        return render(request, "audience/export_progress.html", context)
    return render(request, "audience/export.html", context)


@require_GET
@require_role(Role.SUPERVISOR)
def export_download(request: AccountRequest, account_slug: str, export_id: int) -> HttpResponseBase:
    export = _get(request, export_id)
    if export.state != JobState.DONE or not export.file:
        messages.error(request, _("This export is not ready to download."))
        return redirect("contact_export", account_slug=account_slug, export_id=export.id)
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        messages.error(request, _("This export's file is no longer available."))
        return redirect("contact_export", account_slug=account_slug, export_id=export.id)
    return FileResponse(handle, as_attachment=True, filename=download_name(export, request.account))
