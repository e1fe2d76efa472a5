"""The read-only banner every member of a read-only account sees (BIL-4)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from billing.limits import read_only_message, request_subscription
from spoter.accounts.models import Membership, Role


def read_only(request: HttpRequest) -> dict[str, object]:
    """``read_only_banner``: the message, and the Billing page for admins; absent otherwise."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return {}
    subscription = request_subscription(membership.account)
    if not subscription.read_only:
        return {}
    is_admin = membership.role_enum.at_least(Role.ADMIN)
    billing_url = reverse("billing", kwargs={"account_slug": membership.account.slug}) if is_admin else ""
    return {"read_only_banner": {"message": read_only_message(subscription), "billing_url": billing_url}}
