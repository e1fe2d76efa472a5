"""Access helpers: every account-owned object is fetched through the account.

"Missing" and "not yours" raise the same 404, so ids of other accounts reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.http import Http404, HttpRequest

from spoter.accounts.models import Account, Invitation, Membership, Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

V = TypeVar("V", bound=Callable[..., Any])


class AccountRequest(HttpRequest):
    """An HttpRequest for a URL under /a/<account_slug>/, after TenancyMiddleware."""

    account: Account
    membership: Membership
    user: User


def get_membership(user: User | AnonymousUser, account_slug: str) -> Membership:
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.for_user(user)
        # The plan comes along: limits and the read-only banner read it (billing.limits).
        .select_related("account", "account__subscription__plan")
        .filter(account__slug=account_slug)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def get_member(account: Account, membership_id: int) -> Membership:
    membership = account.memberships.select_related("user").filter(id=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def get_invitation(account: Account, invitation_id: int) -> Invitation:
    invitation = account.invitations.filter(id=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def require_role(role: Role, *, write: Role | None = None) -> Callable[[V], V]:
    """Declare the least role that may use an account view; TenancyMiddleware enforces it.

    ``write`` is the least role for unsafe methods (POST, ...) when it differs, as for a page
    supervisors may read and only admins may change. Every view under /a/<account_slug>/ must
    carry this: the middleware refuses views that do not, so a forgotten check fails closed.
    """

    def decorate(view: V) -> V:
        # Function attributes the middleware and the tenancy probe read.
        setattr(view, "min_role", role)  # noqa: B010
        setattr(view, "min_write_role", write or role)  # noqa: B010
        return view

    return decorate
