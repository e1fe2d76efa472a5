"""Who answers (BOT-2, BOT-3, docs/bots.md): a running bot, then the scheduled bot, then an
automatic reply, then the welcome message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from bots.models import AutomationRun, AutoReply, Rule, WelcomeMessage
from bots.schedule import delete_auto_reply, save_auto_reply, save_schedule, save_welcome
from bots.tasks import react
from inbox.models import Line, QuickReply
from tests.bots.test_runtime import MONDAY_10, make_bot, make_line, say, sent
from tests.conftest import Team

CLOSED = "Hola {{nombre}}, estamos cerrados. Te atiende {{operador}} mañana."
WELCOME = "¡Bienvenido, {{nombre}}!"


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme)


def quick(team: Team, shortcut: str, text: str) -> QuickReply:
    return QuickReply.objects.for_account(team.account).create(
        account=team.account, shortcut=shortcut, text=text
    )


@pytest.fixture
def setup(acme: Team) -> None:
    """The bot from 09:00 to 18:00 on weekdays, an automatic reply from 20:00 to 08:00 every day
    (repeat: 2 hours), and a welcome message."""
    save_schedule(
        acme.account,
        None,
        {"bot": make_bot(acme), "weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "18:00"},
    )
    save_auto_reply(
        acme.account,
        None,
        {
            "quick_reply": quick(acme, "cerrado", CLOSED),
            "weekdays": list(range(7)),
            "start": "20:00",
            "end": "08:00",
            "repeat_minutes": 120,
        },
    )
    save_welcome(acme.account, quick(acme, "hola", WELCOME), is_active=True)


def at(hour: int, minute: int = 0, days: int = 0) -> time_machine.travel:
    return time_machine.travel(MONDAY_10.replace(hour=hour, minute=minute) + timedelta(days=days))


@pytest.mark.usefixtures("setup")
def test_the_bot_comes_first_in_its_hours(acme: Team, line: Line) -> None:
    with at(10):
        message, acted = say(line)
    assert acted == "bot_start"
    assert sent(message.conversation_id) == ["Hola, soy Sofía"]  # no welcome besides the bot


@pytest.mark.usefixtures("setup")
def test_the_automatic_reply_holds_the_welcome_back_and_waits_its_interval(acme: Team, line: Line) -> None:
    with at(21):
        message, acted = say(line)
    assert acted == "auto_reply"
    assert sent(message.conversation_id) == ["Hola Ana, estamos cerrados. Te atiende Acme mañana."]
    with at(22, 59):
        assert say(line, "hola?")[1] == ""  # within two hours: silence, and still no welcome
    with at(23, 1):
        assert say(line, "hola??")[1] == "auto_reply"
    assert len(sent(message.conversation_id)) == 2


@pytest.mark.usefixtures("setup")
def test_the_welcome_goes_once_a_day_when_nothing_else_applies(acme: Team, line: Line) -> None:
    with at(18, 30):  # after the bot, before the automatic reply
        message, acted = say(line)
        assert acted == "welcome"
    with at(19):
        assert say(line, "sigo acá")[1] == ""
    with at(18, 30, days=1):  # Tuesday: a new day, a new welcome
        assert say(line)[1] == "welcome"
    assert sent(message.conversation_id) == ["¡Bienvenido, Ana!", "¡Bienvenido, Ana!"]


@pytest.mark.usefixtures("setup")
def test_the_welcome_waits_for_the_first_contact_of_the_day(acme: Team, line: Line) -> None:
    with at(7):
        assert say(line)[1] == "auto_reply"
    with at(18, 30):  # not the first contact today any more
        assert say(line, "¿abrieron?")[1] == ""
    assert AutomationRun.objects.for_account(acme.account).get().kind == "auto_reply"


@pytest.mark.usefixtures("setup")
def test_on_saturday_the_welcome_answers_in_the_bots_hours(acme: Team, line: Line) -> None:
    with at(10, days=5):  # Saturday: the bot does not work weekends
        assert say(line)[1] == "welcome"


def test_inactive_automatic_replies_and_welcomes_are_silent(acme: Team, line: Line) -> None:
    reply = save_auto_reply(
        acme.account,
        None,
        {
            "quick_reply": quick(acme, "c", CLOSED),
            "weekdays": [0],
            "start": "00:00",
            "end": "23:59",
            "is_active": False,
        },
    )
    save_welcome(acme.account, quick(acme, "w", WELCOME), is_active=False)
    with at(10):
        assert say(line)[1] == ""
    delete_auto_reply(acme.account, reply)
    save_welcome(acme.account, None, is_active=False)
    assert not AutoReply.objects.for_account(acme.account).exists()
    assert not WelcomeMessage.objects.for_account(acme.account).exists()


def test_bad_automatic_replies_are_refused(acme: Team, globex: Team) -> None:
    theirs = quick(globex, "x", "x")
    good: dict[str, Any] = {
        "quick_reply": quick(acme, "c", CLOSED),
        "weekdays": [0],
        "start": "20:00",
        "end": "08:00",
    }
    bad_values: list[dict[str, Any]] = [
        {"quick_reply": theirs.id},
        {"repeat_minutes": -1},
        {"repeat_minutes": "x"},
        {"weekdays": []},
    ]
    for bad in bad_values:
        with pytest.raises(ValidationError):
            save_auto_reply(acme.account, None, good | bad)
    with pytest.raises(ValidationError):
        save_welcome(acme.account, theirs, is_active=True)
    assert not AutoReply.objects.for_account(acme.account).exists()
    assert not WelcomeMessage.objects.for_account(acme.account).exists()


@pytest.mark.usefixtures("setup")
def test_a_rules_reply_holds_the_welcome_back_even_when_the_task_runs_again(acme: Team, line: Line) -> None:
    Rule.objects.for_account(acme.account).create(
        account=acme.account,
        name="Precios",
        keywords="precio",
        reply=quick(acme, "precios", "Lista de precios"),
    )
    with at(18, 30):  # no bot, no automatic reply: the welcome's hour
        message, acted = say(line, "¿Precio?")
        assert acted == "rule"
        assert react(acme.account.id, message.id) == "rule"
    assert sent(message.conversation_id) == ["Lista de precios"]
