"""Settings pages for lines and their entry points (wa.me link and QR code)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from inbox import lines as service
from inbox.access import get_line
from inbox.models import Line
from inbox.setup.forms import EntryPointForm, LineForm
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
ACTIVE_MESSAGES = {
    True: gettext_lazy("%(line)s is active again."),
    False: gettext_lazy("%(line)s was deactivated: nothing is sent from it; customers' messages are kept."),
}


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """A service's error on the form: on its field when the form has one, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_role(Role.SUPERVISOR)
def lines(request: AccountRequest, account_slug: str) -> HttpResponse:
    return render(request, "inbox/setup/lines.html", {"lines": Line.objects.for_account(request.account)})


@require_role(Role.SUPERVISOR)
def line_create(request: AccountRequest, account_slug: str) -> HttpResponse:
    form = LineForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            line = service.create_line(request.account, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Line %(line)s created.") % {"line": line.name})
            return redirect("settings_line", account_slug=account_slug, line_id=line.id)
    return render(request, "inbox/setup/line_new.html", {"form": form}, status=400 if form.errors else 200)


@require_role(Role.SUPERVISOR)
def line_edit(request: AccountRequest, account_slug: str, line_id: int) -> HttpResponse:
    line = get_line(request.account, line_id)
    form = LineForm(request.POST if request.method == "POST" else None, line=line)
    if form.is_valid():
        try:
            service.update_line(line, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Line %(line)s saved.") % {"line": line.name})
            return redirect("settings_line", account_slug=account_slug, line_id=line.id)
    context = {
        "line": line,
        "form": form,
        "webhook_url": service.webhook_url(line),
        "platform_webhook_url": service.platform_webhook_url(),
        "platform_app": bool(settings.WHATSAPP_APP_SECRET),
        **_entry_point(line, EntryPointForm(request.GET)),
    }
    return render(request, "inbox/setup/line_edit.html", context, status=400 if form.errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def line_set_active(request: AccountRequest, account_slug: str, line_id: int) -> HttpResponse:
    line = get_line(request.account, line_id)
    active = request.POST.get("active") == "1"
    service.set_line_active(line, active)
    messages.success(request, ACTIVE_MESSAGES[active] % {"line": line.name})
    return redirect("settings_lines", account_slug=account_slug)


@require_POST
@require_role(Role.SUPERVISOR)
def line_verify_token(request: AccountRequest, account_slug: str, line_id: int) -> HttpResponse:
    line = get_line(request.account, line_id)
    service.regenerate_verify_token(line)
    messages.success(request, _("New verify token: paste it into Meta's app before Meta verifies again."))
    return redirect("settings_line", account_slug=account_slug, line_id=line.id)


@require_GET
@require_role(Role.SUPERVISOR)
def line_entry_point(request: AccountRequest, account_slug: str, line_id: int) -> HttpResponse:
    """The link and QR preview for a prefilled message (htmx swaps it in as people type)."""
    form = EntryPointForm(request.GET)
    context = _entry_point(get_line(request.account, line_id), form)
    return render(request, "inbox/setup/entry_point.html", context, status=400 if form.errors else 200)


@require_GET
@require_role(Role.SUPERVISOR)
def line_qr(request: AccountRequest, account_slug: str, line_id: int, kind: str) -> HttpResponse:
    line = get_line(request.account, line_id)
    form = EntryPointForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    response = HttpResponse(
        service.qr_code(service.wa_me_link(line, form.cleaned_data["text"]), kind),
        content_type=QR_TYPES[kind],
    )
    if "download" in request.GET:
        response["Content-Disposition"] = (
            f'attachment; filename="whatsapp-{line.display_number.lstrip("+")}.{kind}"'
        )
    return response


def _entry_point(line: Line, form: EntryPointForm) -> dict[str, object]:
    text = form.cleaned_data["text"] if form.is_valid() else ""
    return {"line": line, "entry_form": form, "text": text, "link": service.wa_me_link(line, text)}
