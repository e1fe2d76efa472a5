"""Bots at run time: a session walks the tree, applies its actions, stops for a person."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audience.models import Tag
from audience.tags import get_or_create_tag
from bots import sessions
from bots.models import AutomationRun, Bot, BotSchedule, BotSession, Rule, WelcomeMessage
from bots.runtime import has_automations
from bots.schedule import save_schedule
from bots.tasks import react
from inbox.assignment import assign
from inbox.content import Text
from inbox.models import Conversation, ConversationEvent, Direction, EventKind, Line, Message, RoundRobin
from inbox.providers.whatsapp_cloud.inbound import InboundMessage, Sender
from inbox.receiving import receive_message
from inbox.sending import send
from spoter.accounts.models import Membership
from tests.conftest import Team

BA = ZoneInfo("America/Argentina/Buenos_Aires")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BA)  # a Monday, 10:00 in Buenos Aires
CUSTOMER = "5491155550001"


def make_line(team: Team, name: str = "Ventas") -> Line:
    return Line.objects.for_account(team.account).create(
        account=team.account,
        name=name,
        phone_number_id=secrets.token_hex(6),
        waba_id="waba",
        display_number="+1 555-000",
        provider="sandbox",
    )


def inbound(line: Line, text: str = "hola", *, wa_id: str = CUSTOMER, **fields: Any) -> Message:
    message = receive_message(
        line,
        InboundMessage(
            wamid=f"wamid.{secrets.token_hex(8)}",
            sender=Sender(user_id="", wa_id=wa_id, profile_name="Ana Pérez"),
            sent_at=None,
            kind=fields.pop("kind", "text"),
            text=text,
            payload=fields.pop("payload", {}),
        ),
    )
    assert message is not None
    return message


def say(line: Line, text: str = "hola", **fields: Any) -> tuple[Message, str]:
    """The customer writes and the task answers (run here, as the worker would)."""
    message = inbound(line, text, **fields)
    return message, react(line.account_id, message.id)


def sent(conversation_id: int) -> list[str]:
    return list(
        Message.objects.unscoped()  # a test's view of everything the chat received
        .filter(conversation_id=conversation_id, direction=Direction.OUTBOUND, automated=True)
        .order_by("id")
        .values_list("text", flat=True)
    )


def tree(team: Team, tag: Tag) -> dict[str, Any]:
    """Three levels: buttons, then a list, then a numbered text menu (labels too long)."""
    pool = [team.operator.id, team.supervisor.id]
    planes = {
        "id": "l3",
        "question": "¿Qué plan?",
        "options": [
            {
                "id": "o31",
                "label": "Plan básico mensual con soporte",
                "tags": [tag.id],
                "assign": pool,
                "closing": "Gracias, te escribe un asesor.",
            },
            {"id": "o32", "label": "Plan empresarial con factura A", "closing": "Listo."},
        ],
    }
    ventas = {
        "id": "l2",
        "question": "¿Qué necesitás?",
        "options": [{"id": f"o2{n}", "label": f"Opción {n}"} for n in range(1, 5)]
        + [{"id": "o25", "label": "Planes", "level": planes}],
    }
    return {
        "id": "l1",
        "question": "Hola, soy Sofía",
        "options": [
            {"id": "o11", "label": "Ventas", "level": ventas},
            {"id": "o12", "label": "Soporte", "assign": [team.operator.id], "closing": "Te atiende Juan."},
        ],
    }


def make_bot(team: Team, name: str = "Sofía", **fields: Any) -> Bot:
    tag = get_or_create_tag(team.account, "Planes")
    return Bot.objects.for_account(team.account).create(
        account=team.account, name=name, tree=tree(team, tag), error_message="No entendí.", **fields
    )


def always(team: Team, bot: Bot, **data: Any) -> BotSchedule:
    return save_schedule(
        team.account, None, {"bot": bot, "weekdays": list(range(7)), "start": "00:00", "end": "23:59"} | data
    )


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme)


@pytest.fixture
def bot(acme: Team) -> Bot:
    bot = make_bot(acme)
    always(acme, bot)
    return bot


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(MONDAY_10, tick=True):
        yield


def test_a_customer_walks_three_levels_by_tap_number_and_text(acme: Team, line: Line, bot: Bot) -> None:
    message, acted = say(line)
    assert acted == "bot_start"
    conversation = message.conversation
    assert sent(conversation.id) == ["Hola, soy Sofía"]  # buttons: the body is the text
    _m, acted = say(line, "Ventas", kind="interactive", payload={"type": "button_reply", "id": "o11"})
    assert acted == "bot"
    _m, _a = say(line, "5")  # by number, in the list
    _m, _a = say(line, "plan basico mensual con SOPORTE")  # by text, accents and case ignored
    session = BotSession.objects.for_account(acme.account).get(conversation=conversation)
    assert (session.outcome, session.option, session.ended_at is not None) == ("completed", "o31", True)
    conversation.refresh_from_db()
    assert conversation.assignee_id == acme.operator.id  # the pool's first turn
    assert list(conversation.tags.for_account(acme.account).values_list("name", flat=True)) == ["Planes"]
    contact_tags = conversation.contact.tags.for_account(acme.account)
    assert list(contact_tags.values_list("name", flat=True)) == ["Planes"]
    assert sent(conversation.id)[-1] == "Gracias, te escribe un asesor."
    tagged = ConversationEvent.objects.for_account(acme.account).get(
        conversation=conversation, kind=EventKind.TAGGED
    )
    assert (tagged.actor, tagged.text) == (None, "Planes")


def test_a_pool_is_served_in_turn_skipping_the_unavailable(acme: Team, line: Line, bot: Bot) -> None:
    assignees = []
    for number, wa_id in enumerate(["5491100000001", "5491100000002", "5491100000003"]):
        if number == 2:
            Membership.objects.for_account(acme.account).filter(id=acme.supervisor.id).update(available=False)
        for text in ["hola", "1", "5", "1"]:
            message, _acted = say(line, text, wa_id=wa_id)
        assignees.append(
            Conversation.objects.for_account(acme.account).get(id=message.conversation_id).assignee_id
        )
    assert assignees == [acme.operator.id, acme.supervisor.id, acme.operator.id]


def test_three_invalid_answers_hand_over_with_the_pending_tag(acme: Team, line: Line, bot: Bot) -> None:
    message, _acted = say(line)
    for text in ["qué?", "no sé", "nada"]:
        say(line, text)
    session = BotSession.objects.for_account(acme.account).get(conversation=message.conversation)
    assert session.outcome == "escalated"
    assert sent(message.conversation_id)[-2:] == [
        "No entendí.",
        "Usted no seleccionó ninguna respuesta válida. Un asesor se pondrá en contacto con usted",
    ]
    assert message.conversation.tags.for_account(acme.account).get().name == "Pendiente de atención"


def test_after_invalid_answers_the_round_robin_takes_the_chat(acme: Team, line: Line, bot: Bot) -> None:
    robin = RoundRobin.objects.for_account(acme.account).create(account=acme.account, line=line, enabled=True)
    robin.members.add(acme.supervisor)
    message, _acted = say(line)
    conversations = Conversation.objects.for_account(acme.account)
    assert conversations.get(id=message.conversation_id).assignee_id is None  # the bot talks first
    for text in ["?", "??", "???"]:
        say(line, text)
    assert conversations.get(id=message.conversation_id).assignee_id == acme.supervisor.id


def test_an_operator_writing_stops_the_bot(acme: Team, line: Line, bot: Bot) -> None:
    message, _acted = say(line)
    conversation = Conversation.objects.for_account(acme.account).get(id=message.conversation_id)
    send(conversation, Text("Hola, soy Juan"), sender=acme.operator)
    session = BotSession.objects.for_account(acme.account).get(conversation=message.conversation)
    assert session.outcome == "stopped"
    _m, acted = say(line, "1")
    assert acted == ""  # the bot is silent, and does not start again today
    assert sent(message.conversation_id) == ["Hola, soy Sofía"]


def test_a_person_assigning_the_chat_stops_the_bot(acme: Team, line: Line, bot: Bot) -> None:
    message, _acted = say(line)
    assign(message.conversation, acme.operator, by=acme.supervisor)
    assert (
        BotSession.objects.for_account(acme.account).get(conversation=message.conversation).outcome
        == "stopped"
    )


def test_the_bot_never_answers_automated_or_outbound_messages(acme: Team, line: Line, bot: Bot) -> None:
    message, _acted = say(line)
    ours = Message.objects.for_account(acme.account).filter(conversation=message.conversation).last()
    assert ours is not None
    assert ours.automated
    assert react(acme.account.id, ours.id) == ""
    assert BotSession.objects.for_account(acme.account).get().state["path"] == ["l1"]


def test_the_task_run_twice_answers_once(acme: Team, line: Line, bot: Bot) -> None:
    message, acted = say(line)
    assert acted == "bot_start"
    assert react(acme.account.id, message.id) == ""
    second, _acted = say(line, "1")
    assert react(acme.account.id, second.id) == ""
    assert len(sent(message.conversation_id)) == 2
    assert AutomationRun.objects.for_account(acme.account).count() == 2


def test_a_closed_window_ends_the_session_as_escalated(acme: Team, line: Line, bot: Bot) -> None:
    message, _acted = say(line)
    Conversation.objects.for_account(acme.account).filter(id=message.conversation_id).update(
        last_inbound_at=MONDAY_10 - timedelta(days=2)
    )
    later = Message.objects.for_account(acme.account).create(
        account=acme.account,
        conversation=message.conversation,
        line=line,
        direction=Direction.INBOUND,
        type="text",
        text="1",
        wamid="wamid.late",
    )
    assert react(acme.account.id, later.id) == "bot"
    assert BotSession.objects.for_account(acme.account).get().outcome == "escalated"


def test_sessions_without_an_answer_for_a_day_are_abandoned(acme: Team, line: Line, bot: Bot) -> None:
    say(line)
    assert sessions.abandon_idle() == 0
    with time_machine.travel(MONDAY_10 + timedelta(hours=24, minutes=1)):
        assert sessions.abandon_idle() == 1
    assert BotSession.objects.for_account(acme.account).get().outcome == "abandoned"


def test_a_bot_of_another_account_never_runs(acme: Team, globex: Team, line: Line) -> None:
    theirs = make_bot(globex)
    save_schedule(
        globex.account, None, {"bot": theirs, "weekdays": [0], "start": time(0), "end": time(23, 59)}
    )
    _m, acted = say(line)
    assert acted == ""
    assert not BotSession.objects.unscoped().exists()  # a test's view across accounts


def test_the_task_is_queued_only_for_accounts_with_automations(acme: Team, globex: Team) -> None:
    """The inbound path asks has_automations before queueing a task per message."""
    account = acme.account
    assert not has_automations(account)
    reply = account.quick_replies.create(shortcut="hola", text="Hola")
    rule = Rule.objects.for_account(account).create(account=account, name="Off", is_active=False)
    welcome = WelcomeMessage.objects.for_account(account).create(
        account=account, quick_reply=reply, is_active=False
    )
    assert not has_automations(account)  # inactive ones answer nobody
    for switched_on in (rule, welcome):
        type(switched_on).objects.for_account(account).filter(id=switched_on.id).update(is_active=True)
        assert has_automations(account)
        type(switched_on).objects.for_account(account).filter(id=switched_on.id).update(is_active=False)
    always(acme, make_bot(acme))
    assert has_automations(account)
    assert not has_automations(globex.account)  # another account's bot answers nobody here
