"""Two-factor authentication: available to everyone, required by role when the account says so."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from spoter.accounts.models import MfaPolicy
from tests.conftest import Team, client_for

INBOX = reverse("inbox", kwargs={"account_slug": "acme"})


def require(team: Team, policy: MfaPolicy) -> None:
    team.account.mfa_policy = policy
    team.account.save(update_fields=["mfa_policy"])


def test_optional_by_default(acme: Team) -> None:
    assert client_for(acme.admin).get(INBOX).status_code == 200


@pytest.mark.parametrize(
    ("policy", "admin", "supervisor", "operator"),
    [(MfaPolicy.ADMINS, True, False, False), (MfaPolicy.STAFF, True, True, False)],
)
def test_required_roles_are_sent_to_set_up_totp(acme: Team, policy, admin, supervisor, operator) -> None:
    require(acme, policy)
    for membership, required in (
        (acme.admin, admin),
        (acme.supervisor, supervisor),
        (acme.operator, operator),
    ):
        response = client_for(membership).get(INBOX)
        if required:
            assert response.status_code == 302
            assert response["Location"] == reverse("mfa_activate_totp")
        else:
            assert response.status_code == 200


def test_with_totp_set_up_the_admin_gets_in(acme: Team, globex: Team) -> None:
    require(acme, MfaPolicy.ADMINS)
    Authenticator.objects.create(user=acme.admin.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client_for(acme.admin).get(INBOX).status_code == 200
    # Another account's policy does not leak into globex.
    assert (
        client_for(globex.admin).get(reverse("inbox", kwargs={"account_slug": "globex"})).status_code == 200
    )
