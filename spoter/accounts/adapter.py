from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from spoter.accounts.models import Membership


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Straight to the inbox when the person belongs to one account; else the chooser."""
        memberships = list(Membership.objects.for_user(request.user).select_related("account")[:2])
        if len(memberships) == 1:
            return reverse("inbox", kwargs={"account_slug": memberships[0].account.slug})
        return reverse("account_chooser")
