"""The support page (BIL-5): the plan's response time, the help desk's wa.me link and the admin's
"my WhatsApp number"; admins only, each account its own."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from billing import catalogue, support
from billing.models import SupportPhone
from billing.subscriptions import plan_by_code, subscription_for
from inbox.models import Line
from spoter.accounts.models import Role
from tests.billing.support_helpers import make_desk
from tests.conftest import Team, client_for


def url(team: Team) -> str:
    return reverse("billing_support", kwargs={"account_slug": team.account.slug})


def phones(team: Team) -> list[str]:
    return list(SupportPhone.objects.for_account(team.account).values_list("phone", flat=True))


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    assert client_for(globex.admin).get(url(acme)).status_code == 404
    assert client_for(globex.admin).post(url(acme), {"phone": "11 5555-0001"}).status_code == 404
    for role in (Role.SUPERVISOR, Role.OPERATOR):
        assert client_for(acme.member(role)).get(url(acme)).status_code == 403
        assert client_for(acme.member(role)).post(url(acme), {"phone": "11 5555-0001"}).status_code == 403
    assert phones(acme) == []
    assert phones(globex) == []
    assert client_for(acme.admin).get(url(acme)).status_code == 200


@pytest.mark.usefixtures("english")
def test_it_shows_the_response_time_and_the_help_desk_link(acme: Team, settings: LazySettings) -> None:
    subscription = subscription_for(acme.account)
    subscription.plan = plan_by_code(catalogue.PRO)
    subscription.save(update_fields=["plan"])
    client = client_for(acme.admin)
    html = client.get(url(acme)).content.decode()
    assert "within 48 business hours" in html
    assert 'data-testid="help-desk-off"' in html  # SUPPORT_ACCOUNT_SLUG is empty: no desk

    _desk, line = make_desk(settings)
    Line.objects.for_account(line.account).filter(id=line.id).update(is_active=False)
    assert 'data-testid="help-desk-off"' in client.get(url(acme)).content.decode()  # no active line
    Line.objects.for_account(line.account).filter(id=line.id).update(is_active=True)
    page = client.get(url(acme))
    link = urlsplit(page.context["link"])
    assert (link.netloc, link.path) == ("wa.me", "/5491140000000")
    assert "Acme (acme)" in parse_qs(link.query)["text"][0]
    assert 'data-testid="help-desk-link"' in page.content.decode()


def test_an_admin_registers_and_changes_their_number(acme: Team) -> None:
    client = client_for(acme.admin)
    page = client.post(url(acme), {"phone": "011 15-5555-0001"})
    assert page.status_code == 302
    assert phones(acme) == ["+5491155550001"]
    assert client.post(url(acme), {"phone": "+54 9 351 555-0002"}).status_code == 302
    assert phones(acme) == ["+5493515550002"]  # changed, not added
    assert "+5493515550002" in client.get(url(acme)).content.decode()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("raw", "error"),
    [("", "This field is required."), ("12", "12 is not a valid phone number."), ("x" * 41, "at most 40")],
)
def test_bad_numbers_are_refused(acme: Team, raw: str, error: str) -> None:
    support.register_phone(acme.account, acme.admin.user, "11 5555-0001")
    page = client_for(acme.admin).post(url(acme), {"phone": raw})
    assert page.status_code == 400
    assert error in page.content.decode()
    assert phones(acme) == ["+5491155550001"]  # the registered number is kept


@pytest.mark.usefixtures("english")
def test_a_number_someone_else_registered_is_refused(acme: Team, globex: Team) -> None:
    support.register_phone(globex.account, globex.admin.user, "+54 9 11 5555-0001")
    second_admin = acme.supervisor
    second_admin.role = Role.ADMIN
    second_admin.save(update_fields=["role"])
    for client in (client_for(acme.admin), client_for(second_admin)):
        page = client.post(url(acme), {"phone": "11 5555-0001"})
        assert page.status_code == 400
        assert "+5491155550001 is already registered by someone else." in page.content.decode()
    assert phones(acme) == []
    assert phones(globex) == ["+5491155550001"]


def test_saving_the_same_number_again_is_fine(acme: Team) -> None:
    client: Client = client_for(acme.admin)
    assert client.post(url(acme), {"phone": "11 5555-0001"}).status_code == 302
    assert client.post(url(acme), {"phone": "+5491155550001"}).status_code == 302
    assert phones(acme) == ["+5491155550001"]
