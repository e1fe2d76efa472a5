"""Property: any interleaving and repetition of a conversation's events ends in the same state.

The events: the customer's message, their reaction to it, the sent / delivered / read statuses of
our reply, and the moment the outbox worker stores our reply's wamid (inbox/outbox.py's step,
repeated here so the sandbox's random wamid does not get in the way).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audience.models import Contact
from inbox.models import Conversation, Line, Message, MessageStatus, UnmatchedStatus
from inbox.statuses import apply_unmatched_statuses
from tests.inbox.webhooks.conftest import deliver, fixture, outbound

OUT = "wamid.HBgNNTQ5MTE1NTU1MDAwMRUCERgSOUI2RjY3QjM3"
EVENTS = ["message", "reaction", "sent", "delivered", "read", "store"]


def store_wamid(reply: Message) -> None:
    """What the outbox worker does with the send's answer."""
    messages = Message.objects.for_account(reply.account)
    with transaction.atomic():
        messages.filter(id=reply.id, wamid="").update(wamid=OUT)
        messages.filter(id=reply.id, status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENT, status_changed_at=timezone.now()
        )
    reply.refresh_from_db(fields=["wamid", "status"])
    apply_unmatched_statuses(reply)


def play(line: Line, events: list[str], callback_data: bool) -> list[Any]:
    reply = outbound(line)
    marker = str(reply.id) if callback_data else "none"
    bodies = {
        "message": fixture("text"),
        "reaction": fixture("reaction"),
        **{
            status: fixture(f"status_{status}", MESSAGE_ID=marker) for status in ("sent", "delivered", "read")
        },
    }
    for event in events:
        if event == "store":
            store_wamid(reply)
        else:
            deliver(bodies[event], line)
    return snapshot(line)


def snapshot(line: Line) -> list[Any]:
    account = line.account
    fields = ("wamid", "direction", "type", "text", "payload", "reply_to_wamid", "status", "sent_at")
    rows = Message.objects.for_account(account).values_list(*fields, "status_changed_at")
    return [
        # A status's time is Meta's once one applied; rows created here carry the clock's.
        sorted((*row, changed if row[6] in {"delivered", "read"} else None) for *row, changed in rows),
        list(Conversation.objects.for_account(account).values_list("status", "last_inbound_at")),
        list(Contact.objects.for_account(account).values_list("wa_id", "profile_name", "last_seen_at")),
        UnmatchedStatus.objects.for_account(account).count(),
    ]


def test_any_order_and_repetition_ends_the_same(line: Line) -> None:
    with transaction.atomic():
        expected = play(line, EVENTS, callback_data=False)
        transaction.set_rollback(True)
    assert [row[6] for row in expected[0]] == ["received", "received", "read"]  # message, reaction, reply
    assert expected[3] == 0  # no status left waiting

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        events=st.lists(st.sampled_from(EVENTS), max_size=6).flatmap(
            lambda extra: st.permutations(EVENTS + extra)
        ),
        callback_data=st.booleans(),
    )
    def check(events: list[str], callback_data: bool) -> None:
        with transaction.atomic():
            assert play(line, events, callback_data) == expected, events
            transaction.set_rollback(True)

    check()
