from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from spoter.accounts.models import Membership, Role

NAVIGATION = [
    (_("Inbox"), "inbox"),
    (_("Contacts"), "contacts"),
    (_("Bots"), "bots"),
    (_("Campaigns"), "campaigns"),
    (_("EMPATY"), "empaty_dashboard"),
    (_("Reports"), "reports"),
    (_("Settings"), "account_settings"),
    (_("Team"), "team"),
    (_("Billing"), "billing"),
]


@cache
def _min_role(url_name: str) -> Role:
    """The role the section's own view declares (@require_role): the menu never repeats it."""
    role: Role = resolve(reverse(url_name, kwargs={"account_slug": "any"})).func.min_role  # type: ignore[attr-defined]
    return role


def navigation(request: HttpRequest) -> dict[str, object]:
    """The account menu for the person's role, and the other accounts they can switch to."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return {}
    slug = membership.account.slug
    current = request.resolver_match.url_name if request.resolver_match else None
    items = [
        {
            "label": label,
            "url": reverse(url_name, kwargs={"account_slug": slug}),
            "active": url_name == current,
        }
        for label, url_name in NAVIGATION
        if membership.role_enum.at_least(_min_role(url_name))
    ]
    others = Membership.objects.for_user(request.user).exclude(id=membership.id).select_related("account")
    return {"nav_items": items, "other_memberships": others, "current_membership": membership}
