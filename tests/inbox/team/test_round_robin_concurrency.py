"""Many customers writing at the same moment: the round robin still deals chats in turn (INB-6)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection

from inbox.assignment import auto_assign
from inbox.models import Conversation, ConversationEvent, EventKind, WebhookEvent
from inbox.webhook_events import process_event
from spoter.accounts.models import Membership
from tests.conftest import Team
from tests.inbox.team.conftest import make_conversation, operators, robin
from tests.inbox.webhooks.conftest import CUSTOMER_WA_ID, PHONE_NUMBER_ID, encode, fixture, make_line

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMERS = 24
OPERATORS = 4
T = TypeVar("T")


def run_together(work: Callable[[T], object], items: list[T]) -> None:
    barrier, errors = threading.Barrier(len(items)), []

    def run(item: T) -> None:
        try:
            barrier.wait()
            work(item)
        except BaseException as error:  # noqa: BLE001 -- reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def assert_dealt_in_turn(team: Team, members: list[Membership]) -> None:
    chats = Conversation.objects.for_account(team.account)
    assert chats.count() == CUSTOMERS
    assert Counter(chats.values_list("assignee_id", flat=True)) == {
        member.id: CUSTOMERS // OPERATORS for member in members
    }
    # In the order the chats were dealt, the operators follow the rotation without a skip.
    dealt = list(
        ConversationEvent.objects.for_account(team.account)
        .filter(kind=EventKind.ASSIGNED, actor=None)
        .order_by("id")
        .values_list("target_id", flat=True)
    )
    order = sorted(member.id for member in members)
    assert dealt == [order[index % OPERATORS] for index in range(CUSTOMERS)]


def test_parallel_auto_assignments_take_consecutive_turns(acme: Team) -> None:
    """The round robin's own lock, apart from anything else that serializes arrivals."""
    line = make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    members = operators(acme, OPERATORS)
    robin(line, members)
    chats = [make_conversation(line, f"+54911{index:08d}") for index in range(CUSTOMERS)]
    run_together(auto_assign, chats)
    assert_dealt_in_turn(acme, members)


def test_parallel_inbound_webhooks_of_new_customers_take_consecutive_turns(acme: Team) -> None:
    line = make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    members = operators(acme, OPERATORS)
    robin(line, members)
    events = [
        WebhookEvent.objects.create(
            line=line,
            body=encode(
                fixture(
                    "text",
                    **{
                        CUSTOMER_WA_ID: f"54911{index:08d}",
                        "AR.13491208655302741918": f"AR.{index}",
                        "TEXT": f"T{index:04d}",
                    },
                )
            ),
        )
        for index in range(CUSTOMERS)
    ]
    run_together(lambda event: process_event(event.id), events)
    assert_dealt_in_turn(acme, members)
