"""Acme's sandbox line with a customer's chat, operators to hand chats to, and a listener on
the live events a member receives."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.layers import get_channel_layer

from inbox import events
from inbox.assignment import assign
from inbox.models import Conversation, Line, RoundRobin
from spoter.accounts.models import InboxMode, Membership, Role
from tests.conftest import Team, make_member

# The sending tests' sandbox line and open chat, as fixtures here too (the sandbox is reset around
# each test).
from tests.inbox.sending.conftest import conversation, line, make_conversation, make_line, sandbox

__all__ = [
    "Inbox",
    "conversation",
    "given_to_another_with_private_inbox",
    "line",
    "make_conversation",
    "make_line",
    "operators",
    "robin",
    "sandbox",
]


def operators(team: Team, count: int) -> list[Membership]:
    return [
        make_member(team.account, f"op{index}@{team.account.slug}.test", Role.OPERATOR)
        for index in range(count)
    ]


def given_to_another_with_private_inbox(team: Team, conversation: Conversation) -> Membership:
    """The conversation goes to another operator, and the team's operator switches to a private
    inbox: the chat leaves their sight. Returns the other operator."""
    [other] = operators(team, 1)
    assign(conversation, other, by=team.supervisor)
    team.operator.inbox_mode = InboxMode.PRIVATE
    team.operator.save(update_fields=["inbox_mode"])
    return other


def robin(line: Line, members: list[Membership], *, enabled: bool = True) -> RoundRobin:
    rr = RoundRobin.objects.for_account(line.account).create(account=line.account, line=line, enabled=enabled)
    rr.members.add(*members)
    return rr


class Inbox:
    """What one member's browser would get: a channel in the member's group on the real layer.
    The Redis pub/sub layer is bound to its event loop, so the channel lives on a loop of its own."""

    def __init__(self, membership: Membership) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.layer = get_channel_layer()
        assert self.layer is not None
        self.channel: str = self._run(self.layer.new_channel())
        self._run(self.layer.group_add(events.group_name(membership.account_id, membership.id), self.channel))

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def events(self, quiet: float = 0.3) -> list[dict[str, Any]]:
        """Everything delivered so far (waits ``quiet`` seconds of silence)."""

        async def drain() -> list[dict[str, Any]]:
            got: list[dict[str, Any]] = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), quiet)
                except TimeoutError:
                    return got
                got.append(json.loads(message["text"]))  # inbox.event_delivery.frame

        return self._run(drain())  # type: ignore[no-any-return]

    def types(self) -> list[str]:
        return [event["type"] for event in self.events()]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def listen() -> Iterator[Callable[[Membership], Inbox]]:
    opened: list[Inbox] = []

    def open_for(membership: Membership) -> Inbox:
        opened.append(Inbox(membership))
        return opened[-1]

    yield open_for
    for inbox in opened:
        inbox.close()
