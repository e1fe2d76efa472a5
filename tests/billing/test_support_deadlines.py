"""Support priority by plan on the platform's own help desk (BIL-5): a question from a customer
account's admin carries the plan's deadline in business hours, until a person answers it."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import LazySettings
from django.urls import reverse

from billing import catalogue, support
from billing.models import SupportDeadline
from billing.subscriptions import plan_by_code, subscription_for
from inbox.content import Text
from inbox.models import Conversation, Line, Message
from inbox.providers.whatsapp_cloud.inbound import InboundMessage, Sender
from inbox.receiving import receive_message
from inbox.sending import send
from spoter.accounts.models import Role
from tests.billing.support_helpers import make_desk
from tests.conftest import Team, client_for

BA = ZoneInfo("America/Argentina/Buenos_Aires")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BA)
ADMIN_WA_ID = "5491155550001"


@pytest.fixture
def desk(settings: LazySettings, acme: Team) -> tuple[Team, Line]:
    """The help desk, and acme's admin registered as writing from +54 9 11 5555-0001."""
    support.register_phone(acme.account, acme.admin.user, "11 5555-0001")
    return make_desk(settings)


def on_plan(team: Team, code: str) -> None:
    subscription = subscription_for(team.account)
    subscription.plan = plan_by_code(code)
    subscription.save(update_fields=["plan"])


def ask(line: Line, text: str = "Hola, no puedo enviar plantillas", wa_id: str = ADMIN_WA_ID) -> Message:
    message = receive_message(
        line,
        InboundMessage(
            wamid=f"wamid.{secrets.token_hex(8)}",
            sender=Sender(user_id="", wa_id=wa_id, profile_name="Admin"),
            sent_at=None,
            kind="text",
            text=text,
            payload={},
        ),
    )
    assert message is not None
    return message


def deadline_of(message: Message) -> SupportDeadline | None:
    return (
        SupportDeadline.objects.for_account(message.account).filter(conversation=message.conversation).first()
    )


def reply(message: Message, team: Team, *, automated: bool = False) -> None:
    conversation = Conversation.objects.for_account(team.account).select_related("line", "contact")
    send(
        conversation.get(id=message.conversation_id),
        Text("Hola, ya lo miramos"),
        sender=None if automated else team.operator,
        automated=automated,
    )


@pytest.mark.parametrize(
    ("code", "hours", "due"),
    [
        (catalogue.FREE, 72, datetime(2026, 12, 3, 10, 0, tzinfo=BA)),
        (catalogue.PRO, 48, datetime(2026, 11, 30, 13, 0, tzinfo=BA)),
        (catalogue.PERSONALIZADO, 24, datetime(2026, 11, 25, 16, 0, tzinfo=BA)),
    ],
)
def test_an_admins_question_gets_the_plans_deadline(
    desk: tuple[Team, Line], acme: Team, code: str, hours: int, due: datetime
) -> None:
    _team, line = desk
    on_plan(acme, code)
    with time_machine.travel(MONDAY_10, tick=False):
        deadline = deadline_of(ask(line))
    assert deadline is not None
    assert (deadline.customer, deadline.hours, deadline.plan_name) == (acme.account, hours, code.upper())
    assert deadline.asked_at == MONDAY_10
    assert deadline.due_at == due
    assert deadline.answered_at is None


def test_strangers_and_non_admins_get_no_deadline(desk: tuple[Team, Line], acme: Team) -> None:
    _team, line = desk
    assert deadline_of(ask(line, wa_id="5491166660000")) is None  # an unregistered number
    acme.admin.role = Role.OPERATOR  # no longer an admin of the customer account
    acme.admin.save(update_fields=["role"])
    assert deadline_of(ask(line)) is None
    acme.admin.role = Role.ADMIN
    acme.admin.is_active = False
    acme.admin.save(update_fields=["role", "is_active"])
    assert deadline_of(ask(line)) is None


def test_only_the_help_desk_account_tracks_deadlines(
    desk: tuple[Team, Line], acme: Team, globex: Team, settings: LazySettings
) -> None:
    _team, line = desk
    globex_line = Line.objects.for_account(globex.account).create(
        account=globex.account, name="Ventas", provider="sandbox", display_number="+5491100000001",
        phone_number_id="pn-globex", waba_id="waba-globex", access_token="token",
    )  # fmt: skip
    assert deadline_of(ask(globex_line)) is None  # acme's admin writing to another customer
    settings.SUPPORT_ACCOUNT_SLUG = ""  # the feature off
    assert deadline_of(ask(line)) is None


def test_a_persons_reply_answers_it_and_a_new_question_starts_again(
    desk: tuple[Team, Line], acme: Team
) -> None:
    team, line = desk
    on_plan(acme, catalogue.PRO)
    with time_machine.travel(MONDAY_10, tick=False):
        first = ask(line)
    with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
        ask(line, "¿Alguien?")  # still the first question's deadline
        reply(first, team, automated=True)  # a bot's answer is no answer
    deadline = deadline_of(first)
    assert deadline is not None
    assert (deadline.asked_at, deadline.answered_at) == (MONDAY_10, None)

    answered_at = MONDAY_10 + timedelta(hours=2)
    with time_machine.travel(answered_at, tick=False):
        reply(first, team)
    deadline.refresh_from_db()
    assert deadline.answered_at == answered_at
    with time_machine.travel(answered_at + timedelta(hours=1), tick=False):
        reply(first, team)  # later replies change nothing
    deadline.refresh_from_db()
    assert deadline.answered_at == answered_at

    thursday = datetime(2026, 11, 26, 17, 30, tzinfo=BA)
    with time_machine.travel(thursday, tick=False):
        ask(line, "Otra consulta")
    deadline.refresh_from_db()
    assert deadline.asked_at == thursday
    assert deadline.answered_at is None
    assert deadline.due_at == datetime(2026, 12, 4, 11, 30, tzinfo=BA)  # 0.5 + 9 * 5 + 2.5 hours


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge support-deadline[^"]*"[^>]*>[^<]*</span>', html)


def test_the_desks_inbox_shows_the_deadline_and_turns_it_red_when_overdue(
    desk: tuple[Team, Line], acme: Team
) -> None:
    team, line = desk
    with time_machine.travel(MONDAY_10, tick=False):
        question = ask(line)  # acme is on PERSONALIZADO: 24 business hours, Wednesday 16:00
    number = question.conversation.number
    client = client_for(team.supervisor)
    urls = [
        reverse(name, kwargs={"account_slug": team.account.slug, "number": number})
        for name in ("inbox_list_item", "inbox_chat_head")
    ]
    with time_machine.travel(MONDAY_10 + timedelta(hours=3), tick=False):
        for url in urls:
            (badge,) = badges(client.get(url).content.decode())
            assert "PERSONALIZADO · answer by Wed 16:00" in badge
            assert 'data-overdue="false"' in badge
            assert " off" not in badge
    with time_machine.travel(datetime(2026, 11, 25, 16, 1, tzinfo=BA), tick=False):
        for url in urls:
            (badge,) = badges(client.get(url).content.decode())
            assert 'class="badge support-deadline off"' in badge  # red
            assert 'data-overdue="true"' in badge
        ask(line, "¿Hola?")  # writing again keeps the first question's deadline (and opens the window)
        assert badges(client.get(urls[0]).content.decode()) == [badge]
        reply(question, team)
        for url in urls:
            assert badges(client.get(url).content.decode()) == []


def test_customers_inboxes_show_no_badge(desk: tuple[Team, Line], acme: Team, settings: LazySettings) -> None:
    team, line = desk
    question = ask(line)
    settings.SUPPORT_ACCOUNT_SLUG = "another-desk"  # the conversation's account is no longer the desk
    url = reverse(
        "inbox_list_item", kwargs={"account_slug": team.account.slug, "number": question.conversation.number}
    )
    page = client_for(team.supervisor).get(url)
    assert page.status_code == 200
    assert badges(page.content.decode()) == []
