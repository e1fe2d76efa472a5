"""Reading contacts by phone: the query is normalised to E.164 before it is compared."""

from __future__ import annotations

import pytest
from django.test import Client

from audience.models import Contact
from tests.conftest import Team
from tests.inbox.api.helpers import api_client, key_for

URL = "/api/v1/contacts/"


@pytest.fixture
def client(acme: Team) -> Client:
    return api_client(key_for(acme.account))


def make_contact(team: Team, phone: str, name: str = "") -> Contact:
    return Contact.objects.for_account(team.account).create(
        account=team.account, phone=phone, wa_id=phone[1:], name=name, registered=True
    )


@pytest.mark.parametrize(
    "query",
    [
        "%2B5491155550001",  # "+" encoded
        "+5491155550001",  # "+" unencoded: a space on arrival
        "5491155550001",
        "%2B54%209%2011%205555-0001",
        "(54)%209%2011.5555.0001",
    ],
)
def test_a_contact_by_phone(acme: Team, client: Client, query: str) -> None:
    ana = make_contact(acme, "+5491155550001", "Ana")
    make_contact(acme, "+5491155550002", "Beto")
    [row] = client.get(f"{URL}?phone={query}").json()["results"]
    assert (row["id"], row["name"], row["phone"], row["blocked"]) == (ana.id, "Ana", "+5491155550001", False)


def test_no_match_is_an_empty_list(acme: Team, client: Client) -> None:
    make_contact(acme, "+5491155550001")
    assert client.get(URL, {"phone": "+5491155550009"}).json()["results"] == []


@pytest.mark.parametrize("phone", ["abc", "123", "+0 11 5555 0001"])
def test_a_bad_phone_gets_400(client: Client, phone: str) -> None:
    response = client.get(URL, {"phone": phone})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "phone" in response.json()["detail"]


def test_it_checks_ownership(acme: Team, globex: Team, client: Client) -> None:
    make_contact(globex, "+5491155550001", "Secreto")
    assert client.get(URL, {"phone": "+5491155550001"}).json()["results"] == []
    assert client.get(URL).json()["results"] == []
