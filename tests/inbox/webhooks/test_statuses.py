"""Statuses of our messages: forward only, whatever the order; failed keeps Meta's error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from inbox.models import Line, Message, UnmatchedStatus
from inbox.statuses import apply_unmatched_statuses
from tests.conftest import Team
from tests.inbox.webhooks.conftest import deliver, fixture, make_line, outbound

OUT = "wamid.HBgNNTQ5MTE1NTU1MDAwMRUCERgSOUI2RjY3QjM3"  # the status fixtures' wamid


def status_of(message: Message) -> str:
    message.refresh_from_db()
    return message.status


@pytest.mark.parametrize(
    "order",
    [
        ["sent", "delivered", "read"],
        ["read", "delivered", "sent"],
        ["delivered", "read", "sent", "read", "delivered"],
        ["sent", "read"],  # delivered skipped: read at once
    ],
)
def test_statuses_only_move_forward(line: Line, order: list[str]) -> None:
    message = outbound(line, OUT)
    for status in order:
        deliver(fixture(f"status_{status}"), line)
    assert status_of(message) == "read"
    assert message.status_changed_at == datetime(2026, 1, 1, 9, 4, 20, tzinfo=UTC)  # read's own time


def test_failed_is_terminal_and_keeps_metas_error(line: Line) -> None:
    message = outbound(line, OUT)
    deliver(fixture("status_sent"), line)
    deliver(fixture("status_failed"), line)
    deliver(fixture("status_delivered"), line)  # late, and ignored
    assert status_of(message) == "failed"
    assert message.error_code == 131047
    assert message.error_title == "Re-engagement message"
    assert "more than 24 hours have passed" in message.error_details


def test_a_status_for_an_unknown_wamid_waits_for_the_wamid(line: Line) -> None:
    message = outbound(line)  # the send's answer has not come back yet
    deliver(fixture("status_delivered"), line)
    deliver(fixture("status_sent"), line)
    deliver(fixture("status_sent"), line)  # a retry
    assert UnmatchedStatus.objects.for_account(line.account).count() == 2
    assert status_of(message) == "queued"
    message.wamid = OUT  # what the outbox worker does with the answer
    message.save(update_fields=["wamid"])
    assert apply_unmatched_statuses(message) == 2
    assert status_of(message) == "delivered"
    assert not UnmatchedStatus.objects.for_account(line.account).exists()


def test_a_lost_send_answer_is_matched_by_the_callback_data(line: Line) -> None:
    message = outbound(line)
    deliver(fixture("status_read", MESSAGE_ID=str(message.id)), line)
    message.refresh_from_db()
    assert (message.wamid, message.status) == (OUT, "read")


def test_callback_data_never_reaches_another_lines_message(line: Line, globex: Team) -> None:
    other = outbound(make_line(globex, phone_number_id="999"))
    deliver(fixture("status_read", MESSAGE_ID=str(other.id)), line)
    other.refresh_from_db()
    assert (other.wamid, other.status) == ("", "queued")
    assert UnmatchedStatus.objects.for_account(line.account).count() == 1


def test_statuses_never_touch_inbound_messages(line: Line) -> None:
    deliver(fixture("text"), line)
    inbound = Message.objects.for_account(line.account).get()
    deliver(fixture("status_read", **{OUT: inbound.wamid}), line)
    assert status_of(inbound) == "received"
