from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from spoter.accounts.models import Membership, Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    min_role: Role


NAVIGATION = [
    NavItem(_("Inbox"), "inbox", Role.OPERATOR),
    NavItem(_("Contacts"), "contacts", Role.OPERATOR),
    NavItem(_("Bots"), "bots", Role.SUPERVISOR),
    NavItem(_("Campaigns"), "campaigns", Role.SUPERVISOR),
    NavItem(_("Reports"), "reports", Role.SUPERVISOR),
    NavItem(_("Settings"), "account_settings", Role.SUPERVISOR),
    NavItem(_("Team"), "team", Role.SUPERVISOR),
    NavItem(_("Billing"), "billing", Role.ADMIN),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    """The account menu for the person's role, and the other accounts they can switch to."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return {}
    slug = membership.account.slug
    current = request.resolver_match.url_name if request.resolver_match else None
    items = [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"account_slug": slug}),
            "active": item.url_name == current,
        }
        for item in NAVIGATION
        if membership.role_enum.at_least(item.min_role)
    ]
    others = Membership.objects.for_user(request.user).exclude(id=membership.id).select_related("account")
    return {"nav_items": items, "other_memberships": others, "current_membership": membership}
