"""The outbox worker: posts once, retries with backoff, records permanent errors, survives deaths."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from inbox import outbox
from inbox.content import Text
from inbox.models import Conversation, Message, MessageStatus, OutboxEntry
from inbox.providers.sandbox.transport import Sandbox, WorkerDied, meta_error, timeout_after_send
from inbox.sending import send
from inbox.statuses import UNCONFIRMED, apply_status
from tests.conftest import Team
from tests.inbox.sending.conftest import make_conversation, make_line


def entry_of(message: Message) -> OutboxEntry | None:
    return OutboxEntry.objects.for_account(message.account).filter(message=message).first()


def test_a_queued_message_is_posted_once_and_gets_its_wamid(
    conversation: Conversation, sandbox: type[Sandbox]
) -> None:
    message = send(conversation, Text("hola"))
    entry_id = message.outbox.id
    assert outbox.deliver(entry_id) == "sent"
    assert outbox.deliver(entry_id) == "busy"  # the entry is gone: a rerun does nothing
    message.refresh_from_db()
    [sent] = sandbox.sent
    assert message.wamid == sent.wamid
    assert message.status == MessageStatus.SENT
    assert entry_of(message) is None
    assert sent.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5491122334455",
        "type": "text",
        "biz_opaque_callback_data": str(message.id),
        "text": {"body": "hola", "preview_url": False},
    }


def test_statuses_that_came_before_the_wamid_are_applied(
    conversation: Conversation, sandbox: type[Sandbox]
) -> None:
    message = send(conversation, Text("hola"))
    sandbox.fail_next(timeout_after_send())  # Meta took it, our answer was lost
    assert outbox.deliver(message.outbox.id) == "waiting"
    wamid = sandbox.sent[0].wamid
    # The status webhook finds the message by its callback data and brings the wamid.
    apply_status(conversation.line, wamid, "delivered", callback_data=str(message.id))
    with time_machine.travel(timezone.now() + outbox.OUTCOME_GRACE + timedelta(seconds=1)):
        assert outbox.deliver(message.outbox.id) == "done"
    message.refresh_from_db()
    assert (message.wamid, message.status) == (wamid, MessageStatus.DELIVERED)
    assert len(sandbox.sent) == 1  # not sent again


@pytest.mark.parametrize("error", [meta_error(131000, status=500), meta_error(130429), meta_error(131056)])
def test_transient_errors_retry_with_backoff(
    conversation: Conversation, sandbox: type[Sandbox], error: Exception
) -> None:
    message = send(conversation, Text("hola"))
    sandbox.fail_next(error, error)
    start = timezone.now()
    assert outbox.deliver(message.outbox.id) == "retry"
    entry = entry_of(message)
    assert entry is not None
    assert (entry.attempts, entry.locked_until, entry.posted_at) == (1, None, None)
    assert entry.available_at - start == pytest.approx(timedelta(seconds=2), abs=timedelta(seconds=1))
    assert outbox.deliver(entry.id) == "busy"  # not due yet
    with time_machine.travel(start + timedelta(seconds=3)):
        assert outbox.deliver(entry.id) == "retry"
        entry.refresh_from_db()
        assert entry.available_at - timezone.now() == pytest.approx(
            timedelta(seconds=4), abs=timedelta(seconds=1)
        )
    with time_machine.travel(start + timedelta(seconds=10)):
        assert outbox.deliver(entry.id) == "sent"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(sandbox.sent) == 1


def test_permanent_errors_are_recorded_with_metas_code(
    conversation: Conversation, sandbox: type[Sandbox]
) -> None:
    message = send(conversation, Text("hola"))
    sandbox.fail_next(meta_error(132001, message="(#132001) Template name does not exist in the translation"))
    assert outbox.deliver(message.outbox.id) == "failed"
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error_code == 132001
    assert "132001" in message.error_title
    assert message.error_details
    assert entry_of(message) is None
    assert sandbox.sent == []


def test_retries_end_as_failed(conversation: Conversation, sandbox: type[Sandbox]) -> None:
    message = send(conversation, Text("hola"))
    OutboxEntry.objects.for_account(conversation.account).update(
        attempts=outbox.MAX_ATTEMPTS - 1, available_at=timezone.now()
    )
    sandbox.fail_next(meta_error(131000, status=503))
    assert outbox.deliver(message.outbox.id) == "failed"
    message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, 131000)


def test_a_worker_dying_after_the_post_does_not_resend(
    conversation: Conversation, sandbox: type[Sandbox]
) -> None:
    message = send(conversation, Text("hola"))
    sandbox.fail_next(WorkerDied())
    with pytest.raises(WorkerDied):
        outbox.deliver(message.outbox.id)
    assert outbox.deliver(message.outbox.id) == "busy"  # its lease still holds
    start = timezone.now()
    with time_machine.travel(start + outbox.LEASE + timedelta(seconds=1)):
        assert outbox.deliver_due() == 1
        assert entry_of(message) is not None  # waiting for a status, not resent
    assert len(sandbox.sent) == 1
    apply_status(conversation.line, sandbox.sent[0].wamid, "sent", callback_data=str(message.id))
    with time_machine.travel(start + outbox.OUTCOME_GRACE + timedelta(seconds=5)):
        outbox.deliver_due()
    assert entry_of(message) is None
    assert len(sandbox.sent) == 1


def test_with_no_status_after_the_grace_period_it_fails_unconfirmed_and_is_not_resent(
    conversation: Conversation, sandbox: type[Sandbox]
) -> None:
    message = send(conversation, Text("hola"))
    sandbox.fail_next(WorkerDied())
    with pytest.raises(WorkerDied):
        outbox.deliver(message.outbox.id)
    with time_machine.travel(timezone.now() + outbox.OUTCOME_GRACE + timedelta(seconds=1)):
        assert outbox.deliver(message.outbox.id) == "failed"
    assert len(sandbox.sent) == 1  # never twice: a person resends after checking
    message.refresh_from_db()
    assert (message.status, message.error_title) == (MessageStatus.FAILED, UNCONFIRMED)
    assert entry_of(message) is None
    # Meta did have it after all: its late status revives the message.
    apply_status(conversation.line, sandbox.sent[0].wamid, "delivered", callback_data=str(message.id))
    message.refresh_from_db()
    assert (message.status, message.wamid, message.error_title) == (
        MessageStatus.DELIVERED,
        sandbox.sent[0].wamid,
        "",
    )


def test_the_sweep_delivers_entries_whose_task_was_lost(
    acme: Team, globex: Team, sandbox: type[Sandbox]
) -> None:
    messages = [send(make_conversation(make_line(team)), Text("hola")) for team in (acme, globex)]
    assert outbox.deliver_due() == 0  # just queued: their own tasks deliver them
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        assert outbox.deliver_due() == 2
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        assert sandbox.sent_on(message.line_id)[0]["biz_opaque_callback_data"] == str(message.id)


@pytest.mark.django_db(transaction=True)
def test_the_task_run_twice_at_once_sends_once(acme: Team, sandbox: type[Sandbox]) -> None:
    message = send(make_conversation(make_line(acme)), Text("hola"))
    sandbox.send_seconds = 0.3
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        barrier.wait()
        try:
            outcomes.append(outbox.deliver(message.outbox.id))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["busy", "sent"]
    assert len(sandbox.sent) == 1


def test_the_worker_delivers_after_commit(worker: None, acme: Team, sandbox: type[Sandbox]) -> None:
    message = send(make_conversation(make_line(acme)), Text("hola"))
    deadline = time.monotonic() + 10
    while not Message.objects.for_account(acme.account).filter(id=message.id).exclude(wamid="").exists():
        assert time.monotonic() < deadline, "the worker did not deliver"
        time.sleep(0.05)
    assert len(sandbox.sent) == 1
