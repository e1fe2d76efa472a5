"""The worker's drain: claimed batches, each event's outcome recorded on it, leases respected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import webhook_events
from inbox.models import Line, Message, WebhookEvent
from tests.conftest import Team
from tests.inbox.webhooks.conftest import PHONE_NUMBER_ID, encode, fixture, make_line

GLOBEX_NUMBER_ID = "207640352242999"


def text(n: int, phone_number_id: str = PHONE_NUMBER_ID) -> bytes:
    """Message "hola <n>" with a wamid of its own."""
    body = fixture("text", **{"TEXT": f"N{n}", PHONE_NUMBER_ID: phone_number_id})
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = f"hola {n}"
    return encode(body)


def test_a_drain_processes_every_batch_and_keeps_each_events_errors(
    line: Line, globex: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_events, "DRAIN_BATCH", 3)  # several batches from seven events
    globex_line = make_line(globex, phone_number_id=GLOBEX_NUMBER_ID, waba_id="302290129340777")
    broken = fixture("text", TEXT="roto")
    broken["entry"][0]["changes"][0]["value"]["messages"][0]["type"] = "reaction"  # without its object
    events = [
        WebhookEvent.objects.create(line=line, body=text(1)),
        WebhookEvent.objects.create(line=globex_line, body=text(2, GLOBEX_NUMBER_ID)),
        WebhookEvent.objects.create(line=line, body=encode(broken)),
        WebhookEvent.objects.create(line=None, body=text(3)),  # the platform app's URL
        WebhookEvent.objects.create(line=line, body=text(4)),
        WebhookEvent.objects.create(line=line, body=text(5, GLOBEX_NUMBER_ID)),  # not this line's: dropped
        WebhookEvent.objects.create(line=globex_line, body=text(6, GLOBEX_NUMBER_ID)),
    ]

    assert webhook_events.drain() == (7, False)

    for event in events:
        event.refresh_from_db()
        assert (event.processed_at is not None, event.locked_until, event.attempts) == (True, None, 1)
    assert [bool(event.error) for event in events] == [False, False, True, False, False, False, False]
    assert events[2].error.startswith("message wamid.")
    ours = Message.objects.for_account(line.account).order_by("id").values_list("text", flat=True)
    theirs = Message.objects.for_account(globex.account).order_by("id").values_list("text", flat=True)
    assert (list(ours), list(theirs)) == (["hola 1", "hola 3", "hola 4"], ["hola 2", "hola 6"])


def test_a_drain_leaves_events_under_a_live_lease_and_takes_expired_ones(line: Line) -> None:
    now = timezone.now()
    held = WebhookEvent.objects.create(line=line, body=text(1), locked_until=now + timedelta(minutes=1))
    expired = WebhookEvent.objects.create(
        line=line, body=text(2), locked_until=now - timedelta(seconds=1), attempts=1
    )
    given_up = WebhookEvent.objects.create(line=line, body=text(3), attempts=webhook_events.MAX_ATTEMPTS)

    assert webhook_events.drain() == (1, False)

    for event in (held, expired, given_up):
        event.refresh_from_db()
    assert (held.processed_at, given_up.processed_at) == (None, None)
    assert (expired.processed_at is not None, expired.attempts) == (True, 2)
    assert list(Message.objects.for_account(line.account).values_list("text", flat=True)) == ["hola 2"]
