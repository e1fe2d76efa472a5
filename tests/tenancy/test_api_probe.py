"""The cross-tenant probe of the REST API: every /api/v1/ route, called with acme's key and
globex's ids, answers 404 or an empty list, never globex's data; without a live key, 401.

A new API route with a path parameter needs a maker in ``FOREIGN_IDS``, or the probe fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from audience.models import Contact
from inbox.api.keys import create_api_key, revoke_api_key
from inbox.models import ApiKey, Conversation, MediaFile, Message
from tests.conftest import Team
from tests.inbox.api.helpers import add_message, api_client, key_for, make_conversation, make_line
from tests.tenancy.test_probe import API_PREFIX, walk

API_ROUTES = [
    (entry.name, pattern)
    for pattern, entry in walk(get_resolver().url_patterns)
    if pattern.startswith(API_PREFIX)
]
PHONE = "+5491155550077"


@dataclass
class Globex:
    conversation: Conversation
    message: Message
    media: MediaFile

    @property
    def secrets(self) -> list[str]:
        """Strings that must never appear in an answer to acme."""
        contact = self.conversation.contact
        return [PHONE, contact.profile_name, self.message.text]


FOREIGN_IDS: dict[str, Callable[[Globex], int]] = {
    "number": lambda globex: globex.conversation.number,
    "media_id": lambda globex: globex.media.id,
}


@pytest.fixture
def theirs(globex: Team) -> Globex:
    line = make_line(globex.account)
    make_conversation(line, "+5491155550070")  # globex #1: acme has a #1 of its own
    conversation = make_conversation(line, PHONE, assignee=globex.operator)
    media = MediaFile.objects.for_account(globex.account).create(
        account=globex.account, line=line, state=MediaFile.State.READY, file="1/in/secret.jpg"
    )
    return Globex(conversation, add_message(conversation, "mensaje secreto de globex", media=media), media)


def api_url(name: str, pattern: str, theirs: Globex) -> str:
    params = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    missing = [param for param in params if param not in FOREIGN_IDS]
    assert not missing, f"{pattern}: add a maker to FOREIGN_IDS for {missing}"
    path = reverse(name, kwargs={param: FOREIGN_IDS[param](theirs) for param in params})
    conversation = theirs.conversation
    # List filters pointed at globex's objects: they must narrow acme's rows, not widen them.
    return f"{path}?line={conversation.line_id}&assignee={conversation.assignee_id}&phone={PHONE[1:]}"


def body_for(theirs: Globex) -> dict[str, object]:
    return {"type": "text", "text": {"body": "probe"}, "line": theirs.conversation.line_id, "to": PHONE}


def test_the_probe_finds_the_api() -> None:
    assert len(API_ROUTES) >= 5


@pytest.mark.parametrize(("name", "pattern"), API_ROUTES, ids=[name for name, _pattern in API_ROUTES])
def test_a_key_never_reaches_another_account(name: str, pattern: str, acme: Team, theirs: Globex) -> None:
    make_conversation(make_line(acme.account), "+5491155550010")
    client = api_client(key_for(acme.account))
    url = api_url(name, pattern, theirs)
    before = _snapshot(theirs)
    answers = [
        ("GET", client.get(url)),
        ("POST", client.post(url, body_for(theirs), content_type="application/json")),
    ]
    for method, response in answers:
        if response.status_code == 200 and "results" in response.json():
            assert all(row.get("contact", {}).get("phone") != PHONE for row in response.json()["results"])
            assert all(row.get("phone") != PHONE for row in response.json()["results"])
        else:
            assert response.status_code in {404, 405}, f"{method} {url}: {response.status_code}"
        text = response.content.decode()
        assert not [secret for secret in theirs.secrets if secret in text], f"{method} {url} leaked"
    assert _snapshot(theirs) == before, f"{url}: acme's key changed globex"


@pytest.mark.parametrize(("name", "pattern"), API_ROUTES, ids=[name for name, _pattern in API_ROUTES])
def test_no_key_and_a_revoked_key_get_401(name: str, pattern: str, acme: Team, theirs: Globex) -> None:
    key, raw = create_api_key(acme.account, "Revoked")
    revoke_api_key(key)
    url = api_url(name, pattern, theirs)
    for client in (Client(), api_client(raw)):
        for response in (
            client.get(url),
            client.post(url, body_for(theirs), content_type="application/json"),
        ):
            assert response.status_code == 401, f"{url}: {response.status_code}"
            assert response.json()["error"] in {"not_authenticated", "authentication_failed"}


def _snapshot(theirs: Globex) -> list[object]:
    account = theirs.conversation.account
    return [
        *Message.objects.for_account(account).order_by("id").values_list(),
        *Conversation.objects.for_account(account).order_by("id").values_list(),
        *Contact.objects.for_account(account).order_by("id").values_list(),
        *ApiKey.objects.for_account(account).order_by("id").values_list(),
    ]
