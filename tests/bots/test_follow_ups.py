"""Follow-ups (BOT-4): once per outbound message, only when the customer did not answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bots.follow_ups import run_due
from bots.models import AutomationKind, AutomationRun, FollowUp
from bots.rule_tasks import send_follow_ups
from inbox.models import Conversation, ConversationEvent, Direction, EventKind, Line, Message, MessageStatus
from tests.bots.test_rules import inbound, line_of, quick_reply, sent
from tests.conftest import Team

START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def line(acme: Team) -> Line:
    return line_of(acme)


def ours(line: Line, text: str = "¿Le sirvió la cotización?") -> Message:
    return inbound(line, text, direction=Direction.OUTBOUND, status=MessageStatus.SENT)


def test_sends_once_after_the_hours_without_answer(acme: Team, line: Line) -> None:
    FollowUp.objects.for_account(acme.account).create(
        account=acme.account, hours=3, quick_reply=quick_reply(acme, "{{nombre}}, ¿pudo verla?")
    )
    with time_machine.travel(START, tick=False):
        inbound(line, "quiero una cotización")
        ours(line)
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        assert run_due() == 0
    with time_machine.travel(START + timedelta(hours=3, minutes=1), tick=False):
        assert send_follow_ups() == 1  # the beat task
        assert run_due() == 0  # its own message is the last one now, and it is not followed up again
    with time_machine.travel(START + timedelta(hours=7), tick=False):
        assert run_due() == 0
    assert sent(line) == ["¿Le sirvió la cotización?", "Ana, ¿pudo verla?"]
    reply = Message.objects.for_account(acme.account).order_by("-id").first()
    assert reply is not None
    assert reply.automated


def test_no_follow_up_when_the_customer_answered(acme: Team, line: Line) -> None:
    FollowUp.objects.for_account(acme.account).create(
        account=acme.account, hours=1, quick_reply=quick_reply(acme, "¿?")
    )
    with time_machine.travel(START, tick=False):
        ours(line)
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        inbound(line, "gracias")
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        assert run_due() == 0


def test_closed_window_is_skipped_with_a_reason_and_notifies_the_assignee(acme: Team, line: Line) -> None:
    FollowUp.objects.for_account(acme.account).create(
        account=acme.account, hours=30, quick_reply=quick_reply(acme, "¿Sigue ahí?"), notify_assignee=True
    )
    with time_machine.travel(START, tick=False):
        message = ours(line)
    Conversation.objects.for_account(acme.account).filter(id=message.conversation_id).update(
        assignee=acme.operator
    )
    with time_machine.travel(START + timedelta(hours=31), tick=False):
        assert run_due() == 1
        assert run_due() == 0
    assert sent(line) == ["¿Le sirvió la cotización?"]  # nothing new: the 24-hour window closed
    lines = ConversationEvent.objects.for_account(acme.account).filter(kind=EventKind.BOT)
    texts = list(lines.values_list("text", flat=True))
    assert any("24 hours" in text for text in texts)
    assert any(acme.operator.user.email in text for text in texts)
    run = AutomationRun.objects.for_account(acme.account).get(kind=AutomationKind.FOLLOW_UP)
    assert run.message_id == message.id


def test_other_accounts_follow_ups_never_act(acme: Team, globex: Team, line: Line) -> None:
    FollowUp.objects.for_account(globex.account).create(
        account=globex.account, hours=1, quick_reply=quick_reply(globex, "de globex")
    )
    with time_machine.travel(START, tick=False):
        inbound(line, "hola")
        ours(line)
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        assert run_due() == 0
    assert sent(line) == ["¿Le sirvió la cotización?"]
