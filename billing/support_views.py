"""The support page (BIL-5): the plan's response time, a wa.me link to the platform's help desk
and the admin's "my WhatsApp number", by which the help desk knows who writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import support
from billing.subscriptions import subscription_for
from inbox.lines import wa_me_link
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


class SupportPhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("My WhatsApp number"),
        max_length=40,
        help_text=gettext_lazy("The number you write to the help desk from, such as +54 9 11 2233-4455."),
    )


@require_role(Role.ADMIN)
def support_page(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    form = SupportPhoneForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            saved = support.register_phone(account, request.user, form.cleaned_data["phone"])
        except ValidationError as error:
            form.add_error("phone", error)
        else:
            messages.success(
                request,
                _("Saved: the help desk will know you when you write from %(phone)s.")
                % {"phone": saved.phone},
            )
            return redirect("billing_support", account_slug=account.slug)
    registered = support.registered_phone(account, request.user)
    context: dict[str, Any] = {
        "form": form,
        "plan": subscription_for(account).plan,
        "registered": registered,
        "link": _help_desk_link(request),
    }
    return render(request, "billing/support.html", context, status=400 if form.errors else 200)


def _help_desk_link(request: AccountRequest) -> str:
    desk = support.help_desk()
    line = support.help_desk_line(desk) if desk is not None else None
    if line is None:
        return ""
    text = _("Hello, I am %(name)s, admin of %(account)s (%(slug)s) on Spoter.") % {
        "name": request.user.get_full_name() or request.user.email,
        "account": request.account.name,
        "slug": request.account.slug,
    }
    return wa_me_link(line, text)
