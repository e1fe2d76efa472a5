"""The contact page (AUD-1): create, edit, show, opt out of mass sends, block (INB-13), and the
download of everything stored about a contact (AUD-4 access). Contacts are fetched through the
account: missing and foreign are the same 404."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audience import services
from audience.access import contact_data as collect_contact_data
from audience.custom_fields import labelled_values, ordered_fields
from audience.forms import ContactForm
from audience.models import Contact
from inbox.models import Note
from inbox.visibility import visible_conversations
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


def get_contact(request: AccountRequest, contact_id: int) -> Contact:
    contact = Contact.objects.for_account(request.account).filter(id=contact_id).first()
    if contact is None:
        raise Http404
    return contact


@require_role(Role.OPERATOR)
def contact_create(request: AccountRequest, account_slug: str) -> HttpResponse:
    return _edit(request, None)


@require_role(Role.OPERATOR)
def contact_edit(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    return _edit(request, get_contact(request, contact_id))


def _edit(request: AccountRequest, contact: Contact | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, account=request.account, contact=contact)
    if form.is_valid():
        try:
            if contact is None:
                contact = services.create_contact(request.account, form.to_input(), by=request.user)
                messages.success(request, _("Contact %(name)s added.") % {"name": contact.display_name})
            else:
                services.update_contact(contact, form.to_input(), by=request.user)
                messages.success(request, _("Contact %(name)s saved.") % {"name": contact.display_name})
        except services.PhoneTakenError as taken:
            form.add_error("phone", _phone_taken(request, taken.existing))
            if contact is not None:
                contact.refresh_from_db()
        else:
            return redirect("contact_detail", account_slug=request.account.slug, contact_id=contact.id)
    return render(
        request,
        "audience/contact_form.html",
        {"form": form, "contact": contact},
        status=400 if form.errors else 200,
    )


def _phone_taken(request: AccountRequest, existing: Contact | None) -> str:
    if existing is None:
        return _("Another contact already has this phone.")
    url = reverse("contact_detail", kwargs={"account_slug": request.account.slug, "contact_id": existing.id})
    return format_html(
        '{} <a href="{}" data-testid="phone-owner">{}</a>',
        _("Another contact already has this phone:"),
        url,
        existing.display_name,
    )


@require_GET
@require_role(Role.OPERATOR)
def contact_detail(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    account, member = request.account, request.membership
    contact = (
        Contact.objects.for_account(account)
        .select_related("opted_out_by", "blocked_by")
        .filter(id=contact_id)
        .first()
    )
    if contact is None:
        raise Http404
    context = {
        "contact": contact,
        "custom_values": labelled_values(contact, ordered_fields(account)),
        "tags": contact.tags.for_account(account).order_by("name"),
        "notes": Note.objects.for_account(account).filter(contact=contact).select_related("author__user"),
        "conversations": visible_conversations(member)
        .filter(contact=contact)
        .select_related("line", "assignee__user")
        .order_by("-last_message_at"),
        "is_supervisor": member.role_enum.at_least(Role.SUPERVISOR),
    }
    return render(request, "audience/contact_detail.html", context)


Toggle = tuple[Callable[..., Contact], str]  # (service, message naming the contact)


@require_POST
@require_role(Role.OPERATOR)
def contact_opt_out(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    actions = {
        "out": (services.opt_out_contact, _("%(name)s will not receive mass sends.")),
        "in": (services.opt_in_contact, _("%(name)s receives mass sends again.")),
    }
    return _toggle(request, contact_id, actions, _("Say whether to opt the contact out or back in."))


@require_POST
@require_role(Role.OPERATOR)
def contact_block(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    actions = {
        "block": (services.block_contact, _("%(name)s is blocked.")),
        "unblock": (services.unblock_contact, _("%(name)s is unblocked.")),
    }
    return _toggle(request, contact_id, actions, _("Say whether to block or unblock the contact."))


def _toggle(
    request: AccountRequest, contact_id: int, actions: dict[str, Toggle], missing: str
) -> HttpResponse:
    """Apply the posted ``action`` (a bare POST changes nothing: 400) and go back to the contact."""
    contact = get_contact(request, contact_id)
    chosen = actions.get(request.POST.get("action", ""))
    if chosen is None:
        return HttpResponse(missing, status=400)
    service, message = chosen
    service(contact, by=request.user)
    messages.success(request, message % {"name": contact.display_name})
    return redirect("contact_detail", account_slug=request.account.slug, contact_id=contact.id)


@require_GET
@require_role(Role.SUPERVISOR)
def contact_data(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    """Everything stored about the contact, as a JSON file (AUD-4: the person's right of access)."""
    contact = get_contact(request, contact_id)
    data = collect_contact_data(contact, by=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.id}.json"'
    return response
