"""The cross-tenant probe for websockets: every websocket route, as every role of another account.

Every websocket route must live under ws/a/<account_slug>/ and refuse (close 4403) a member of
another account; its own members get in; and an event of one account never reaches a socket of
the other, whatever the roles.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern

from inbox.content import Text
from inbox.routing import websocket_urlpatterns
from inbox.sending import send
from inbox.teamwork import add_note
from spoter.accounts.models import Role
from tests.conftest import Team
from tests.inbox.live.helpers import QUIET, close_code, connected, in_db, run
from tests.inbox.sending.conftest import make_conversation, make_line

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = [Role.ADMIN, Role.SUPERVISOR, Role.OPERATOR]


def paths(slug: str) -> list[str]:
    found = []
    for pattern in websocket_urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        assert route.startswith("ws/a/<slug:account_slug>/"), f"{route} is not account-scoped"
        assert "<" not in route.removeprefix("ws/a/<slug:account_slug>/"), (
            f"{route}: probe its other parameters"
        )
        found.append("/" + route.replace("<slug:account_slug>", slug))
    return found


def test_there_is_something_to_probe() -> None:
    assert paths("acme") == ["/ws/a/acme/inbox/"]


@pytest.mark.parametrize("role", ROLES)
def test_members_of_another_account_are_refused(acme: Team, globex: Team, role: Role) -> None:
    for path in paths("acme"):
        assert close_code(path, globex.member(role)) == 4403
        assert close_code(path, acme.member(role)) is None


def test_events_stay_in_their_account(acme: Team, globex: Team) -> None:
    conversation = make_conversation(make_line(acme))

    async def scenario() -> None:
        theirs = [await connected("globex", globex.member(role)) for role in ROLES]
        ours = await connected("acme", acme.admin)
        await in_db(lambda: send(conversation, Text("solo para acme"), sender=acme.admin))
        assert (await ours.receive_json_from())["type"] == "message.created"
        for communicator in theirs:
            assert await communicator.receive_nothing(QUIET)
            await communicator.disconnect()
        await ours.disconnect()

    run(scenario)


def test_panel_events_stay_in_their_account(acme: Team, globex: Team) -> None:
    # panel.changed goes to the viewers of a contact's chats: none of another account, whatever
    # their role.
    conversation = make_conversation(make_line(acme))

    async def scenario() -> None:
        theirs = [await connected("globex", globex.member(role)) for role in ROLES]
        ours = await connected("acme", acme.admin)
        await in_db(lambda: add_note(conversation.contact, "solo para acme", author=acme.supervisor))
        event = await ours.receive_json_from()
        assert (event["type"], event["contact_id"]) == ("panel.changed", conversation.contact.id)
        for communicator in theirs:
            assert await communicator.receive_nothing(QUIET)
            await communicator.disconnect()
        await ours.disconnect()

    run(scenario)
