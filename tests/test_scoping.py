"""The scoping helpers: fail closed, same 404 for "missing" and "not yours"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from spoter.accounts.access import get_invitation, get_member, get_membership
from spoter.accounts.middleware import TenancyMiddleware
from spoter.accounts.models import Invitation, Membership
from spoter.accounts.scoping import UnscopedQueryError
from tests.conftest import Team


def test_unscoped_queries_refuse_to_run(acme: Team) -> None:
    for evaluate in (list, len, bool):
        with pytest.raises(UnscopedQueryError, match="Membership query without an account"):
            evaluate(Membership.objects.all())
    with pytest.raises(UnscopedQueryError):
        Membership.objects.filter(role="admin").count()
    with pytest.raises(UnscopedQueryError):
        Membership.objects.get(id=acme.admin.id)
    with pytest.raises(UnscopedQueryError):
        Invitation.objects.filter(email="x@example.com").exists()
    with pytest.raises(UnscopedQueryError):
        Membership.objects.filter(account=acme.account).update(available=False)
    with pytest.raises(UnscopedQueryError):
        Invitation.objects.all().delete()


def test_scoped_queries_see_only_their_account(acme: Team, globex: Team) -> None:
    assert set(Membership.objects.for_account(acme.account)) == {acme.admin, acme.supervisor, acme.operator}
    assert set(acme.account.memberships.all()) == {acme.admin, acme.supervisor, acme.operator}
    assert acme.account.memberships.filter(id=globex.admin.id).count() == 0
    # Chaining keeps the scope: filters, ordering and values() still run.
    assert acme.account.memberships.filter(role="operator").order_by("id").values_list(
        "id", flat=True
    ).get() == (acme.operator.id)
    assert Membership.objects.unscoped().count() == 6


def test_a_users_own_memberships_span_accounts(acme: Team, globex: Team) -> None:
    globex.account.memberships.create(user=acme.operator.user, role="supervisor")
    slugs = {m.account.slug for m in Membership.objects.for_user(acme.operator.user)}
    assert slugs == {"acme", "globex"}


def test_access_helpers_404_alike_for_missing_and_foreign(acme: Team, globex: Team) -> None:
    assert get_member(acme.account, acme.operator.id) == acme.operator
    foreign_invitation = globex.account.invitations.create(
        email="x@example.com", token_hash="f" * 64, expires_at="2099-01-01T00:00Z"
    )
    for lookup in (
        lambda: get_member(acme.account, globex.operator.id),
        lambda: get_member(acme.account, 10**9),
        lambda: get_invitation(acme.account, foreign_invitation.id),
        lambda: get_membership(acme.admin.user, "globex"),
        lambda: get_membership(acme.admin.user, "no-such-account"),
    ):
        with pytest.raises(Http404):
            lookup()


def test_a_deactivated_member_is_a_stranger(acme: Team) -> None:
    acme.operator.is_active = False
    acme.operator.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        get_membership(acme.operator.user, "acme")


def test_account_views_without_a_declared_role_fail_closed(acme: Team) -> None:
    def undeclared(request: object, account_slug: str) -> HttpResponse:
        return HttpResponse("should never run")

    request = RequestFactory().get("/a/acme/x/")
    request.user = acme.admin.user
    middleware = TenancyMiddleware(lambda request: HttpResponse())
    with pytest.raises(ImproperlyConfigured, match="needs @require_role"):
        middleware.process_view(request, undeclared, (), {"account_slug": "acme"})
