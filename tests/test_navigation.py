"""The account menu and switching between accounts (TEN-3: one person, several accounts)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from spoter.accounts.models import Role
from tests.conftest import Team, client_for


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_menu_offers_exactly_the_sections_the_role_may_open(acme: Team, role: Role) -> None:
    client = client_for(acme.member(role))
    page = client.get(reverse("inbox", kwargs={"account_slug": "acme"})).content.decode()
    nav = re.search(r'<nav class="sections".*?</nav>', page, re.S)
    assert nav
    links = re.findall(r'href="(/a/acme/[^"]*)"', nav.group(0))
    for link in links:
        assert client.get(link).status_code == 200, f"{role} is offered {link} but cannot open it"
    expected = {Role.OPERATOR: 2, Role.SUPERVISOR: 8, Role.ADMIN: 9}[role]
    assert len(links) == expected, links
    if role == Role.OPERATOR:
        assert "/a/acme/settings/" not in links
        assert "/a/acme/team/" not in links


def test_a_person_in_two_accounts_chooses_and_switches(acme: Team, globex: Team) -> None:
    globex.account.memberships.create(user=acme.operator.user, role=Role.SUPERVISOR)
    client = client_for(acme.operator)
    chooser = client.get(reverse("account_chooser"))
    assert chooser.status_code == 200
    assert [m.account.slug for m in chooser.context["memberships"]] == ["acme", "globex"]

    inbox = client.get(reverse("inbox", kwargs={"account_slug": "acme"})).content.decode()
    assert 'href="/a/globex/"' in inbox  # the switcher offers the other account
    assert client.get("/a/globex/", follow=True).redirect_chain[-1][0] == "/a/globex/inbox/"
    # Each account applies its own role: supervisor in globex, operator in acme.
    assert client.get(reverse("team", kwargs={"account_slug": "globex"})).status_code == 200
    assert client.get(reverse("team", kwargs={"account_slug": "acme"})).status_code == 403


def test_one_account_goes_straight_to_its_inbox(acme: Team) -> None:
    response = client_for(acme.operator).get(reverse("account_chooser"))
    assert response["Location"] == "/a/acme/inbox/"
