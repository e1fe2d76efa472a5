"""Starting a conversation from a contact (INB-12): the contact panel and the contacts list link
here."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audience.models import Contact
from inbox.compose import approved_templates, template_content, template_form
from inbox.content import Content, Text
from inbox.listing import window_state
from inbox.models import Line
from inbox.quick_replies import variables_for
from inbox.send_errors import SendError
from inbox.starting import open_conversation, start_conversation
from inbox.visibility import can_see
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


@require_role(Role.OPERATOR)
def start(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    contact = Contact.objects.for_account(request.account).filter(id=contact_id).first()
    if contact is None:
        raise Http404
    lines = list(Line.objects.for_account(request.account).filter(is_active=True))
    chosen = request.POST.get("line") or request.GET.get("line", "")
    line = next((item for item in lines if str(item.id) == chosen), lines[0] if lines else None)
    existing = open_conversation(contact, line) if line else None
    if existing and can_see(request.membership, existing) and request.method == "GET":
        return redirect("inbox_conversation", account_slug=account_slug, number=existing.number)
    window = window_state(existing) if existing else "closed"
    templates = list(approved_templates(line)) if line else []
    wanted = request.POST.get("template") or request.GET.get("template", "")
    chosen_template = next((template for template in templates if str(template.id) == wanted), None)
    error = ""
    known = variables_for(contact, request.membership)
    if request.method == "POST" and line is not None:
        try:
            content: Content
            if window != "closed" and request.POST.get("text", "").strip():
                content = Text(request.POST["text"])
            elif chosen_template is not None:
                content = template_content(chosen_template, request.POST, known)
            else:
                raise SendError("template_required", _("Choose an approved template."))
            conversation = start_conversation(contact, line, content, sender=request.membership)
        except SendError as refused:
            error = refused.message
        else:
            return redirect("inbox_conversation", account_slug=account_slug, number=conversation.number)
    context = {
        "contact": contact,
        "lines": lines,
        "line": line,
        "window": window,
        "templates": templates,
        "chosen_template": chosen_template,
        "form": template_form(chosen_template, known) if chosen_template else None,
        "error": error,
    }
    return render(request, "inbox/start.html", context, status=400 if error else 200)
