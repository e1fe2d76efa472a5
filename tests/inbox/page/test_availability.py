"""Every member switches themselves available or not for automatic assignment from the inbox,
without supervisor rights and without touching anyone else; round robin then skips them."""

from __future__ import annotations

import pytest
from django.test import Client

from inbox.assignment import auto_assign
from inbox.models import Line, RoundRobin
from spoter.accounts.models import Membership, Role
from spoter.accounts.services import set_own_availability
from tests.conftest import Team, client_for, make_member
from tests.inbox.page.conftest import htmx, inbox_url, make_conversation


def available(member: Membership) -> bool:
    return Membership.objects.for_account(member.account).get(id=member.id).available


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_member_switches_their_own_availability(acme: Team, role: Role) -> None:
    me = acme.member(role)
    others = [member for member in (acme.admin, acme.supervisor, acme.operator) if member != me]
    client = client_for(me)
    url = inbox_url(acme, "inbox_availability")
    page = client.get(inbox_url(acme, "inbox")).content.decode()
    assert 'data-testid="availability" data-available="1"' in page

    response = client.post(url, {"available": "0"})
    assert response.status_code == 302
    assert response["Location"] == inbox_url(acme, "inbox")
    assert available(me) is False
    assert all(available(other) for other in others)  # only mine
    assert 'data-available="0"' in client.get(inbox_url(acme, "inbox")).content.decode()

    fragment = htmx(client).post(url, {"available": "1"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert 'data-available="1"' in html
    assert 'value="0"' in html  # the next click switches it off again
    assert available(me) is True


def test_the_service_changes_only_availability_and_says_when_nothing_changed(acme: Team) -> None:
    me = acme.operator
    assert set_own_availability(me, True) is False  # already available: no write
    me.role = Role.ADMIN  # a stale object must not write anything else
    assert set_own_availability(me, False) is True
    stored = Membership.objects.for_account(acme.account).get(id=me.id)
    assert (stored.available, stored.role) == (False, Role.OPERATOR)


def test_a_bad_value_is_refused(acme: Team) -> None:
    client = client_for(acme.operator)
    url = inbox_url(acme, "inbox_availability")
    for data in ({}, {"available": "maybe"}):
        assert client.post(url, data).status_code == 400
    assert client.get(url).status_code == 405
    assert available(acme.operator) is True


def test_it_needs_the_csrf_token(acme: Team) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.operator.user)
    assert client.post(inbox_url(acme, "inbox_availability"), {"available": "0"}).status_code == 403
    assert available(acme.operator) is True


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    url = inbox_url(acme, "inbox_availability")
    for stranger in (globex.admin, globex.operator):
        assert client_for(stranger).post(url, {"available": "0"}).status_code == 404
    assert all(available(member) for member in (acme.admin, acme.supervisor, acme.operator))
    assert available(globex.admin)
    assert available(globex.operator)


def test_after_switching_off_new_conversations_skip_me(acme: Team, line: Line) -> None:
    colleague = make_member(acme.account, "colega@acme.test", Role.OPERATOR)
    robin = RoundRobin.objects.for_account(acme.account).create(account=acme.account, line=line, enabled=True)
    robin.members.add(acme.operator, colleague)
    first = [auto_assign(make_conversation(line, f"Cliente {index}")) for index in range(2)]
    assert set(first) == {acme.operator, colleague}  # both take turns while available

    client_for(acme.operator).post(inbox_url(acme, "inbox_availability"), {"available": "0"})
    got = [auto_assign(make_conversation(line, f"Nuevo {index}")) for index in range(3)]
    assert got == [colleague, colleague, colleague]

    client_for(acme.operator).post(inbox_url(acme, "inbox_availability"), {"available": "1"})
    assert acme.operator in [auto_assign(make_conversation(line, f"Otro {index}")) for index in range(2)]
