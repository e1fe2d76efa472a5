"""Settings > API keys: admins create keys (shown once) and revoke them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from inbox.access import get_api_key
from inbox.api.keys import create_api_key, revoke_api_key
from inbox.models import ApiKey
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=80,
        help_text=gettext_lazy("What uses the key, e.g. “CRM sync”, so you know which one to revoke."),
    )


@require_role(Role.ADMIN)
def api_keys(request: AccountRequest, account_slug: str) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, raw = create_api_key(request.account, form.cleaned_data["name"], by=request.user)
        # Shown in this answer only: the raw key is kept nowhere (not in the session, not in a
        # redirect), and the page must not be cached.
        response = render(request, "inbox/setup/api_key_created.html", {"key": key, "raw_key": raw})
        response["Cache-Control"] = "no-store"
        return response
    keys = ApiKey.objects.for_account(request.account).select_related("created_by")
    return render(
        request, "inbox/setup/api_keys.html", {"form": form, "keys": keys}, status=400 if form.errors else 200
    )


@require_role(Role.ADMIN)
@require_POST
def api_key_revoke(request: AccountRequest, account_slug: str, key_id: int) -> HttpResponse:
    key = get_api_key(request.account, key_id)
    if revoke_api_key(key, by=request.user):
        messages.success(request, _("API key “%(name)s” revoked.") % {"name": key.name})
    return redirect("settings_api_keys", account_slug=account_slug)
