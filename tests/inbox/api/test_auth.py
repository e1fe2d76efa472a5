"""API keys: Bearer authentication, 401 JSON for anything but a live key, hashed at rest."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from inbox.api.keys import create_api_key, revoke_api_key
from inbox.models import ApiKey
from tests.conftest import Team, client_for
from tests.inbox.api.helpers import api_client, key_for, make_conversation, make_line

URL = "/api/v1/conversations/"


def test_a_key_is_shown_once_and_stored_as_its_hash(acme: Team) -> None:
    key, raw = create_api_key(acme.account, "CRM", by=acme.admin.user)
    assert raw.startswith("spk_")
    assert len(raw) >= 40
    stored = ApiKey.objects.for_account(acme.account).get()
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in [str(value) for value in ApiKey.objects.for_account(acme.account).values_list().get()]
    assert raw.startswith(key.prefix)
    assert create_api_key(acme.account, "CRM")[1] != raw


def test_a_live_key_gets_in(acme: Team) -> None:
    response = api_client(key_for(acme.account)).get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "not_authenticated"),
        ("Bearer", "authentication_failed"),
        ("Bearer spk_one two", "authentication_failed"),
        ("Bearer spk_not-a-real-key", "authentication_failed"),
        ("Bearer something-else", "authentication_failed"),
        ("Basic dXNlcjpwYXNz", "not_authenticated"),
    ],
)
def test_anything_but_a_key_gets_401_json(acme: Team, header: str | None, code: str) -> None:
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working_at_once(acme: Team) -> None:
    key, raw = create_api_key(acme.account, "CRM")
    client = api_client(raw)
    assert client.get(URL).status_code == 200
    assert revoke_api_key(key, by=acme.admin.user)
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"
    assert not revoke_api_key(key), "revoking twice changes nothing"


def test_a_logged_in_session_is_no_api_key(acme: Team) -> None:
    assert client_for(acme.admin).get(URL).status_code == 401


def test_last_use_is_written_at_most_once_a_minute(
    acme: Team, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    key, raw = create_api_key(acme.account, "CRM")
    client = api_client(raw)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_assert_num_queries(3):  # the key, its last use, the page
            client.get(URL)
        key.refresh_from_db()
        assert key.last_used_at == timezone.now()
        traveller.shift(timedelta(seconds=30))
        with django_assert_num_queries(2):
            client.get(URL)
        traveller.shift(timedelta(seconds=31))
        client.get(URL)
        key.refresh_from_db()
        assert key.last_used_at == timezone.now()


def test_errors_are_json(acme: Team) -> None:
    client = api_client(key_for(acme.account))
    unknown = client.get("/api/v1/nothing-here/")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
    method = client.delete(URL)
    assert (method.status_code, method.json()["error"]) == (405, "method_not_allowed")
    malformed = client.post("/api/v1/messages/", "{not json", content_type="application/json")
    assert (malformed.status_code, malformed.json()["error"]) == (400, "parse_error")


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    """A key reads its own account only, whatever ids it is given."""
    conversation = make_conversation(make_line(globex.account), "+5491155550001")
    client = api_client(key_for(acme.account))
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{conversation.number}/").status_code == 404
    assert client.get(f"{URL}{conversation.number}/messages/").status_code == 404
