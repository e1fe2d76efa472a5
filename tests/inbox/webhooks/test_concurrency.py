"""Meta's retries processed at the same moment by several workers still store one message."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from audience.models import Contact
from inbox.models import Conversation, Message, WebhookEvent
from inbox.webhook_events import process_event
from tests.conftest import Team
from tests.inbox.webhooks.conftest import PHONE_NUMBER_ID, encode, fixture, make_line

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(targets: list[int]) -> list[BaseException]:
    barrier, errors = threading.Barrier(len(targets)), []

    def work(event_id: int) -> None:
        try:
            barrier.wait()
            process_event(event_id)
        except BaseException as error:  # noqa: BLE001 -- reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_retries_of_a_new_contacts_message_store_it_once(acme: Team) -> None:
    line = make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    body = encode(fixture("text"))
    events = [WebhookEvent.objects.create(line=line, body=body) for _ in range(4)]
    events.append(events[0])  # and one event run twice at once
    assert run_together([event.id for event in events]) == []
    assert Message.objects.for_account(acme.account).count() == 1
    assert Contact.objects.for_account(acme.account).count() == 1
    assert Conversation.objects.for_account(acme.account).count() == 1
    assert WebhookEvent.objects.filter(processed_at=None).count() == 0
    assert set(WebhookEvent.objects.values_list("attempts", "error")) == {(1, "")}  # no losers' errors
