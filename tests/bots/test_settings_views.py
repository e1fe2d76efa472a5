"""The bot schedule, automatic replies and welcome message pages (BOT-2, BOT-3)."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from bots.builder import BotSettings, create_bot
from bots.models import AutoReply, Bot, BotSchedule, WelcomeMessage
from inbox.models import QuickReply
from tests.conftest import Team, client_for


@pytest.fixture
def bot(acme: Team) -> Bot:
    return create_bot(acme.account, BotSettings(name="Atención"))


@pytest.fixture
def quick_reply(acme: Team) -> QuickReply:
    return QuickReply.objects.for_account(acme.account).create(
        account=acme.account, shortcut="fuera", text="Estamos fuera de horario."
    )


def test_schedule(acme: Team, bot: Bot) -> None:
    client = client_for(acme.supervisor)
    url = reverse("bots_schedule", args=[acme.account.slug])
    slot = {"bot": bot.id, "weekdays": ["0", "1"], "start": "09:00", "end": "18:00", "untouched_only": "1"}
    assert client.post(url, slot).status_code == 302
    saved = BotSchedule.objects.for_account(acme.account).get()
    assert (saved.weekdays, saved.start, saved.end, saved.untouched_only) == ([0, 1], time(9), time(18), True)
    overlap = client.post(url, {**slot, "weekdays": ["1"], "start": "17:00", "end": "20:00"})
    assert overlap.status_code == 400
    assert "overlaps the slot of the bot Atención" in overlap.content.decode()
    assert client.post(url, {**slot, "weekdays": []}).status_code == 400
    assert "Atención" in client.get(url).content.decode()
    client.post(reverse("bots_schedule_delete", args=[acme.account.slug, saved.id]))
    assert not BotSchedule.objects.for_account(acme.account).exists()


def test_auto_replies_and_welcome(acme: Team, quick_reply: QuickReply) -> None:
    client = client_for(acme.supervisor)
    url = reverse("bots_auto_replies", args=[acme.account.slug])
    data = {
        "form": "auto_reply",
        "quick_reply": quick_reply.id,
        "weekdays": ["0", "1", "2", "3", "4"],
        "start": "20:00",
        "end": "08:00",
        "repeat_minutes": "120",
        "is_active": "1",
    }
    assert client.post(url, data).status_code == 302
    reply = AutoReply.objects.for_account(acme.account).get()
    assert (reply.repeat_minutes, reply.start, reply.end) == (120, time(20), time(8))
    assert client.post(url, {**data, "repeat_minutes": "-3"}).status_code == 400
    assert (
        client.post(url, {"form": "welcome", "quick_reply": quick_reply.id, "is_active": "1"}).status_code
        == 302
    )
    assert WelcomeMessage.objects.for_account(acme.account).get().quick_reply == quick_reply
    assert client.post(url, {"form": "welcome", "quick_reply": ""}).status_code == 302
    assert not WelcomeMessage.objects.for_account(acme.account).exists()
    client.post(reverse("bots_auto_reply_delete", args=[acme.account.slug, reply.id]))
    assert not AutoReply.objects.for_account(acme.account).exists()


def test_refuses_another_accounts_objects(acme: Team, globex: Team, bot: Bot) -> None:
    theirs = QuickReply.objects.for_account(globex.account).create(
        account=globex.account, shortcut="x", text="x"
    )
    their_bot = create_bot(globex.account, BotSettings(name="Suyo"))
    client = client_for(acme.supervisor)
    welcome = client.post(
        reverse("bots_auto_replies", args=[acme.account.slug]), {"form": "welcome", "quick_reply": theirs.id}
    )
    assert welcome.status_code == 400
    slot = {"bot": their_bot.id, "weekdays": ["0"], "start": "09:00", "end": "10:00"}
    assert client.post(reverse("bots_schedule", args=[acme.account.slug]), slot).status_code == 400
    assert not WelcomeMessage.objects.for_account(acme.account).exists()
    assert not BotSchedule.objects.for_account(acme.account).exists()


def test_it_checks_ownership(acme: Team, globex: Team, bot: Bot, quick_reply: QuickReply) -> None:
    slot = BotSchedule.objects.for_account(acme.account).create(
        account=acme.account, bot=bot, weekdays=[0], start="09:00", end="10:00"
    )
    reply = AutoReply.objects.for_account(acme.account).create(
        account=acme.account, quick_reply=quick_reply, weekdays=[0], start="20:00", end="08:00"
    )
    outsider = client_for(globex.supervisor)
    assert (
        outsider.post(reverse("bots_schedule_delete", args=[acme.account.slug, slot.id])).status_code == 404
    )
    assert (
        outsider.post(reverse("bots_auto_reply_delete", args=[acme.account.slug, reply.id])).status_code
        == 404
    )
    operator = client_for(acme.operator)
    assert operator.get(reverse("bots_schedule", args=[acme.account.slug])).status_code == 403
    assert operator.get(reverse("bots_auto_replies", args=[acme.account.slug])).status_code == 403
    assert BotSchedule.objects.for_account(acme.account).exists()
    assert AutoReply.objects.for_account(acme.account).exists()
