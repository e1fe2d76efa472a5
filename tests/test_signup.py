"""Self-service sign-up (TEN-2): a new account with its first admin, verified email, rate limits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client
from django.urls import reverse

from billing.subscriptions import subscription_for
from spoter.accounts.models import Account, Role, User
from tests.conftest import PASSWORD, Team

SIGNUP = {
    "account_name": "Panadería Don Luis",
    "email": "luis@panaderia.test",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def _confirmation_link() -> str:
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_sign_up_creates_an_account_with_its_first_admin(db: None) -> None:
    client = Client()
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    account = Account.objects.get()
    assert (account.name, account.slug) == ("Panadería Don Luis", "panaderia-don-luis")
    assert subscription_for(account).plan.code == "free"
    assert account.time_zone == "America/Argentina/Buenos_Aires"
    membership = account.memberships.get()
    assert (membership.user.email, membership.role) == ("luis@panaderia.test", Role.ADMIN)

    # Mandatory verification: no way in before the emailed link is followed.
    assert client.get(reverse("inbox", kwargs={"account_slug": account.slug})).status_code == 302
    assert (
        client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": PASSWORD}).status_code
        == 302
    )
    assert "verif" in client.get(reverse("account_email_verification_sent")).content.decode().lower()
    link = _confirmation_link()
    client.post(link.split("testserver", 1)[-1])
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/a/{account.slug}/inbox/"
    assert response.status_code == 200


def test_a_second_account_with_the_same_name_gets_its_own_address(db: None) -> None:
    Client().post(reverse("account_signup"), SIGNUP)
    Client().post(reverse("account_signup"), {**SIGNUP, "email": "otra@panaderia.test"})
    slugs = sorted(Account.objects.values_list("slug", flat=True))
    assert len(slugs) == 2
    assert slugs[0] == "panaderia-don-luis"
    assert slugs[1].startswith("panaderia-don-luis-")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"account_name": "  "}, "account_name"),
        ({"email": "not-an-email"}, "email"),
        ({"password2": "something else entirely"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
    ],
)
def test_bad_sign_ups_are_refused_and_leave_nothing(db: None, change: dict[str, str], field: str) -> None:
    response = Client().post(reverse("account_signup"), {**SIGNUP, **change})
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not Account.objects.exists()
    assert not User.objects.exists()


def test_an_email_already_in_use_creates_nothing_and_tells_its_owner(acme: Team) -> None:
    """No "already registered" error on the page (that would reveal who has a user); the owner
    of the address is emailed instead (allauth's enumeration prevention)."""
    response = Client().post(reverse("account_signup"), {**SIGNUP, "email": acme.admin.user.email})
    assert response.status_code == 302
    assert Account.objects.count() == 1
    assert User.objects.filter(email=acme.admin.user.email).count() == 1
    assert mail.outbox[-1].to == [acme.admin.user.email]
    assert "/accounts/password/reset/" in mail.outbox[-1].body


def test_failed_logins_are_rate_limited(acme: Team) -> None:
    client = Client()
    login = {"login": acme.admin.user.email, "password": "wrong password"}

    def locked_out(response: Any) -> bool:
        return bool(response.context["form"].has_error(NON_FIELD_ERRORS, code="too_many_login_attempts"))

    attempts = [client.post(reverse("account_login"), login) for _attempt in range(6)]
    assert [locked_out(response) for response in attempts] == [False] * 5 + [True]
    # Even the right password waits until the window passes.
    response = client.post(reverse("account_login"), {**login, "password": PASSWORD})
    assert locked_out(response)
    assert "_auth_user_id" not in client.session
