"""Settings pages for message templates: the WABAs' templates, sync from WhatsApp, submit new ones."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inbox import templates_service
from inbox.access import get_line
from inbox.models import Line, Template, TemplateStatus
from inbox.providers import TransportError
from inbox.setup.forms import TemplateForm
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

# The templates service's error codes, shown on the field they are about.
ERROR_FIELDS = {
    "name": "name",
    "duplicate": "name",
    "language": "language",
    "category": "category",
    "body": "body",
    "header": "header",
    "example": "body_examples",
}
BADGES = {
    TemplateStatus.APPROVED: "ok",
    TemplateStatus.PENDING: "",
    TemplateStatus.IN_APPEAL: "",
    TemplateStatus.PAUSED: "warn",
    TemplateStatus.FLAGGED: "warn",
}


@dataclass
class Waba:
    """A WhatsApp Business Account as Settings shows it: its lines and its templates."""

    waba_id: str
    lines: list[Line] = field(default_factory=list)
    templates: list[dict[str, object]] = field(default_factory=list)


@require_role(Role.SUPERVISOR)
def templates(request: AccountRequest, account_slug: str) -> HttpResponse:
    wabas: dict[str, Waba] = {}
    for line in Line.objects.for_account(request.account).exclude(waba_id=""):
        wabas.setdefault(line.waba_id, Waba(line.waba_id)).lines.append(line)
    rows = Template.objects.for_account(request.account).exclude(status=TemplateStatus.DELETED)
    for template in rows.filter(waba_id__in=wabas):
        wabas[template.waba_id].templates.append(
            {
                "template": template,
                "body": templates_service.component(template.components, "BODY").get("text", ""),
                "badge": BADGES.get(TemplateStatus(template.status), "off"),
            }
        )
    return render(request, "inbox/setup/templates.html", {"wabas": wabas.values()})


@require_POST
@require_role(Role.SUPERVISOR)
def templates_sync(request: AccountRequest, account_slug: str, line_id: int) -> HttpResponse:
    line = get_line(request.account, line_id)
    try:
        count = templates_service.sync_templates(line)
    except TransportError as error:
        messages.error(request, _("WhatsApp did not answer the sync: %(error)s") % {"error": describe(error)})
    else:
        messages.success(request, _("%(count)d templates synced from WhatsApp.") % {"count": count})
    return redirect("settings_templates", account_slug=account_slug)


@require_role(Role.SUPERVISOR)
def template_create(request: AccountRequest, account_slug: str) -> HttpResponse:
    lines = Line.objects.for_account(request.account).exclude(waba_id="").filter(is_active=True)
    form = TemplateForm(request.POST if request.method == "POST" else None, lines=lines)
    if form.is_valid():
        data = form.cleaned_data
        try:
            template = templates_service.submit_template(
                data["line"],
                name=data["name"],
                language=data["language"],
                category=data["category"],
                components=form.components(),
            )
        except ValidationError as error:
            form.add_error(ERROR_FIELDS.get(error.code or ""), error)
        else:
            messages.success(
                request,
                _("Template %(name)s sent to WhatsApp for review.") % {"name": template.name},
            )
            return redirect("settings_templates", account_slug=account_slug)
    return render(
        request,
        "inbox/setup/template_new.html",
        {"form": form, "has_lines": lines.exists()},
        status=400 if form.errors else 200,
    )


def describe(error: TransportError) -> str:
    """Meta's error as people can act on it: title, code, details."""
    text = f"{error.title} ({error.code})" if error.code else error.title
    return f"{text}: {error.details}" if error.details and error.details != error.title else text
