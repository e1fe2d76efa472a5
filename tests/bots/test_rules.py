"""Rules (BOT-4): conditions, actions, loop protection and tenancy."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from audience.models import Contact, Tag
from bots.models import AutomationKind, AutomationRun, Rule
from bots.rules import MAX_RUNS_PER_HOUR, apply_rules, validate_pattern
from inbox.models import (
    Conversation,
    ConversationEvent,
    Direction,
    EventKind,
    Line,
    Message,
    MessageStatus,
    QuickReply,
    next_number,
)
from tests.conftest import Team
from tests.inbox.webhooks.conftest import make_line

# Tuesday 2026-03-10 15:00 in Buenos Aires (UTC-3)
TUESDAY_AFTERNOON = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def line_of(team: Team, phone_number_id: str = "111") -> Line:
    return make_line(team, phone_number_id=phone_number_id, provider="sandbox")


def inbound(line: Line, text: str, wa_id: str = "5491100000001", **fields: object) -> Message:
    """A customer's message as receiving stores it, with the 24-hour window open."""
    account = line.account
    contact, _ = Contact.objects.for_account(account).get_or_create(
        account=account, phone="+" + wa_id, defaults={"wa_id": wa_id, "name": "Ana Pérez"}
    )
    conversation = Conversation.objects.for_account(account).filter(line=line, contact=contact).first()
    if conversation is None:
        conversation = Conversation.objects.for_account(account).create(
            account=account, number=next_number(account, "conversation"), line=line, contact=contact
        )
    now = timezone.now()
    Conversation.objects.for_account(account).filter(id=conversation.id).update(last_inbound_at=now)
    conversation.refresh_from_db()
    values: dict[str, object] = {"direction": Direction.INBOUND, "status": MessageStatus.RECEIVED}
    return Message.objects.for_account(account).create(
        account=account, conversation=conversation, line=line, text=text, created_at=now, **(values | fields)
    )


def quick_reply(team: Team, text: str, shortcut: str = "precios") -> QuickReply:
    return QuickReply.objects.for_account(team.account).create(
        account=team.account, shortcut=shortcut, text=text
    )


def rule(team: Team, **fields: object) -> Rule:
    return Rule.objects.for_account(team.account).create(account=team.account, name="r", **fields)


def sent(line: Line) -> list[str]:
    return list(
        Message.objects.for_account(line.account)
        .filter(direction=Direction.OUTBOUND)
        .order_by("id")
        .values_list("text", flat=True)
    )


@pytest.fixture
def line(acme: Team) -> Line:
    return line_of(acme)


def test_keywords_match_whole_words_ignoring_accents_and_case(acme: Team, line: Line) -> None:
    rule(
        acme, keywords="precio\nlista de precios", reply=quick_reply(acme, "Hola {{nombre}}, los precios...")
    )
    assert apply_rules(inbound(line, "¿Qué PRÉCIO tiene?"))
    assert sent(line) == ["Hola Ana, los precios..."]
    assert not apply_rules(inbound(line, "Qué preciosa foto"))
    assert apply_rules(inbound(line, "me pasás la  Lista de Precios"))
    assert len(sent(line)) == 2
    reply = Message.objects.for_account(acme.account).filter(direction=Direction.OUTBOUND).first()
    assert reply is not None
    assert reply.automated


def test_regular_expression(acme: Team, line: Line) -> None:
    rule(acme, pattern=r"pedido\s*#?\d{4,}", reply=quick_reply(acme, "Buscamos su pedido"))
    assert not apply_rules(inbound(line, "dónde está mi pedido"))
    assert apply_rules(inbound(line, "Pedido #12345 no llegó"))


def test_catastrophic_and_invalid_patterns_are_refused() -> None:
    for pattern in ["(a+)+$", "(a|aa)*b", r"(\w+\s?)*$", r"(x)\1", "(abc", "a" * 301]:
        with pytest.raises(ValidationError):
            validate_pattern(pattern)
    for pattern in [r"\d{4}-\d+", "precio|costo", "(ja)+", r"[\w.]+@[\w.]+"]:
        validate_pattern(pattern)


def test_hours_and_weekdays_in_the_account_zone(acme: Team, line: Line) -> None:
    reply = quick_reply(acme, "Fuera de horario")
    rule(acme, weekdays=[1], start=time(14, 0), end=time(16, 0), reply=reply)  # Tuesday 14-16 local
    with time_machine.travel(TUESDAY_AFTERNOON, tick=False):
        assert apply_rules(inbound(line, "hola"))
    with time_machine.travel(datetime(2026, 3, 10, 20, 0, tzinfo=UTC), tick=False):  # 17:00 local
        assert not apply_rules(inbound(line, "hola"))
    with time_machine.travel(datetime(2026, 3, 11, 18, 0, tzinfo=UTC), tick=False):  # Wednesday
        assert not apply_rules(inbound(line, "hola"))


def test_specific_contacts_and_tags(acme: Team, line: Line) -> None:
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    first = inbound(line, "hola", wa_id="5491100000001")
    second = inbound(line, "hola", wa_id="5491100000002")
    by_contact = rule(acme, contact_ids=[first.conversation.contact_id], reply=quick_reply(acme, "A"))
    assert apply_rules(first)
    assert not apply_rules(second)
    by_contact.delete()
    rule(acme, tag_ids=[vip.id], reply=quick_reply(acme, "B", shortcut="b"))
    assert not apply_rules(inbound(line, "otra", wa_id="5491100000002"))
    second.conversation.contact.tags.add(vip)
    assert apply_rules(inbound(line, "otra más", wa_id="5491100000002"))


def test_tags_assign_in_turn_and_notify(acme: Team, line: Line) -> None:
    tag = Tag.objects.for_account(acme.account).create(account=acme.account, name="Ventas")
    pool = [acme.operator.id, acme.supervisor.id]
    rule(acme, keywords="comprar", add_tag_ids=[tag.id], assign_ids=pool, notify_ids=[acme.admin.id])
    first = inbound(line, "quiero comprar", wa_id="5491100000001")
    second = inbound(line, "quiero comprar", wa_id="5491100000002")
    assert not apply_rules(first)  # acted, but did not reply
    apply_rules(second)
    one = Conversation.objects.for_account(acme.account).get(id=first.conversation_id)
    two = Conversation.objects.for_account(acme.account).get(id=second.conversation_id)
    assert list(one.tags.for_account(acme.account).values_list("name", flat=True)) == ["Ventas"]
    assert {one.assignee_id, two.assignee_id} == set(pool)  # in turn
    lines = ConversationEvent.objects.for_account(acme.account).filter(conversation=one)
    assert lines.filter(kind=EventKind.TAGGED, actor=None, text="Ventas").exists()
    assert lines.filter(kind=EventKind.ASSIGNED, actor=None).exists()
    assert lines.filter(kind=EventKind.BOT, text__contains=acme.admin.user.email).exists()


def test_a_rule_never_takes_a_chat_from_a_person(acme: Team, line: Line) -> None:
    message = inbound(line, "comprar")
    Conversation.objects.for_account(acme.account).filter(id=message.conversation_id).update(
        assignee=acme.admin
    )
    rule(acme, keywords="comprar", assign_ids=[acme.operator.id])
    apply_rules(Message.objects.for_account(acme.account).get(id=message.id))
    assert (
        Conversation.objects.for_account(acme.account).get(id=message.conversation_id).assignee == acme.admin
    )


def test_loop_protection(acme: Team, line: Line) -> None:
    rule(acme, keywords="hola", reply=quick_reply(acme, "hola"))
    ours = inbound(line, "hola", direction=Direction.OUTBOUND, status=MessageStatus.SENT)
    assert not apply_rules(ours)
    theirs = inbound(line, "hola")
    assert apply_rules(theirs)
    assert not apply_rules(theirs)  # once per message, however often the task runs
    for _ in range(MAX_RUNS_PER_HOUR):
        apply_rules(inbound(line, "hola"))
    runs = AutomationRun.objects.for_account(acme.account).filter(kind=AutomationKind.RULE)
    assert runs.count() == MAX_RUNS_PER_HOUR
    assert len(sent(line)) == 1 + MAX_RUNS_PER_HOUR  # the outbound "hola" + five replies


def test_all_matching_rules_run_in_position_order(acme: Team, line: Line) -> None:
    rule(acme, keywords="hola", reply=quick_reply(acme, "segunda", "b"), position=2)
    rule(acme, keywords="hola", reply=quick_reply(acme, "primera", "a"), position=1)
    apply_rules(inbound(line, "hola"))
    assert sent(line) == ["primera", "segunda"]


def test_inactive_rules_and_other_accounts_rules_never_fire(acme: Team, globex: Team, line: Line) -> None:
    rule(globex, keywords="hola", reply=quick_reply(globex, "de globex"))
    rule(acme, keywords="hola", reply=quick_reply(acme, "inactiva"), is_active=False)
    assert not apply_rules(inbound(line, "hola"))
    assert sent(line) == []
