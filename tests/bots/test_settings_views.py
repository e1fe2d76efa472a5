"""The bot schedule, automatic replies and welcome message pages (BOT-2, BOT-3)."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from bots.builder import BotSettings, create_bot
from bots.models import AutoReply, Bot, BotSchedule, WelcomeMessage
from bots.schedule import save_auto_reply, save_schedule
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


def _slot(account_bot: Bot, weekdays: list[int], start: str, end: str) -> BotSchedule:
    return save_schedule(
        account_bot.account, None, {"bot": account_bot, "weekdays": weekdays, "start": start, "end": end}
    )


def test_edit_a_time_slot_in_place(acme: Team, bot: Bot) -> None:
    other_bot = create_bot(acme.account, BotSettings(name="Ventas"))
    mine = _slot(bot, [0, 1], "09:00", "18:00")
    theirs = _slot(other_bot, [2], "09:00", "18:00")
    client = client_for(acme.supervisor)
    url = reverse("bots_schedule_edit", args=[acme.account.slug, mine.id])
    listed = client.get(reverse("bots_schedule", args=[acme.account.slug])).content.decode()
    assert f'href="{url}"' in listed

    page = client.get(url)
    assert page.status_code == 200
    form = page.content.decode()
    assert 'name="start" value="09:00"' in form
    assert 'name="end" value="18:00"' in form
    assert f'<option value="{bot.id}" selected>' in form
    assert 'value="1" checked' in form
    assert 'value="2" checked' not in form

    unchanged = {"bot": bot.id, "weekdays": ["0", "1"], "start": "09:00", "end": "18:00"}
    assert client.post(url, unchanged).status_code == 302  # its own old hours are no overlap
    moved = {**unchanged, "weekdays": ["0"], "start": "20:00", "end": "02:00", "untouched_only": "1"}
    assert client.post(url, moved).status_code == 302
    mine.refresh_from_db()
    assert (mine.weekdays, mine.start, mine.end, mine.untouched_only) == ([0], time(20), time(2), True)
    assert BotSchedule.objects.for_account(acme.account).count() == 2

    overlap = client.post(url, {**unchanged, "weekdays": ["2"], "start": "17:00", "end": "19:00"})
    assert overlap.status_code == 400
    body = overlap.content.decode()
    assert "overlaps the slot of the bot Ventas" in body
    assert 'data-testid="edit-slot"' in body
    assert 'name="start" value="17:00"' in body  # the refused values stay in the form
    assert client.post(url, {**unchanged, "weekdays": []}).status_code == 400
    assert client.post(url, {**unchanged, "bot": "nope"}).status_code == 400
    mine.refresh_from_db()
    assert (mine.bot, mine.weekdays, mine.start, mine.end) == (bot, [0], time(20), time(2))
    theirs.refresh_from_db()
    assert (theirs.bot, theirs.weekdays) == (other_bot, [2])


def test_edit_an_automatic_reply_in_place(acme: Team, quick_reply: QuickReply) -> None:
    other = QuickReply.objects.for_account(acme.account).create(
        account=acme.account, shortcut="feriado", text="Hoy es feriado."
    )
    reply = save_auto_reply(
        acme.account,
        None,
        {"quick_reply": quick_reply, "weekdays": [5, 6], "start": "00:00", "end": "23:59", "is_active": True},
    )
    client = client_for(acme.supervisor)
    url = reverse("bots_auto_reply_edit", args=[acme.account.slug, reply.id])
    listed = client.get(reverse("bots_auto_replies", args=[acme.account.slug])).content.decode()
    assert f'href="{url}"' in listed

    form = client.get(url).content.decode()
    assert f'<option value="{quick_reply.id}" selected>' in form
    assert 'name="repeat_minutes" value="240"' in form
    assert 'name="is_active" value="1" checked' in form

    data = {
        "quick_reply": other.id,
        "weekdays": ["6"],
        "start": "08:00",
        "end": "20:00",
        "repeat_minutes": "60",
    }
    assert client.post(url, data).status_code == 302  # no is_active: switched off
    reply.refresh_from_db()
    assert (reply.quick_reply, reply.weekdays, reply.start, reply.end) == (other, [6], time(8), time(20))
    assert (reply.repeat_minutes, reply.is_active) == (60, False)
    assert 'name="is_active" value="1" >' in client.get(url).content.decode()
    assert client.post(url, {**data, "is_active": "1"}).status_code == 302
    reply.refresh_from_db()
    assert reply.is_active

    refused = client.post(url, {**data, "repeat_minutes": "-3", "start": "10:00"})
    assert refused.status_code == 400
    assert "Between 0 and" in refused.content.decode()
    assert client.post(url, {**data, "quick_reply": "0"}).status_code == 400
    reply.refresh_from_db()
    assert (reply.quick_reply, reply.start, reply.repeat_minutes, reply.is_active) == (
        other,
        time(8),
        60,
        True,
    )
    assert AutoReply.objects.for_account(acme.account).count() == 1


def test_editing_checks_ownership_and_role(
    acme: Team, globex: Team, bot: Bot, quick_reply: QuickReply
) -> None:
    slot = _slot(bot, [0], "09:00", "10:00")
    reply = save_auto_reply(
        acme.account, None, {"quick_reply": quick_reply, "weekdays": [0], "start": "20:00", "end": "08:00"}
    )
    their_bot = create_bot(globex.account, BotSettings(name="Suyo"))
    slot_url = reverse("bots_schedule_edit", args=[acme.account.slug, slot.id])
    reply_url = reverse("bots_auto_reply_edit", args=[acme.account.slug, reply.id])
    outsider = client_for(globex.supervisor)
    assert outsider.get(slot_url).status_code == 404
    assert outsider.get(reply_url).status_code == 404
    # Through their own account's address, acme's ids are not found either.
    assert outsider.get(reverse("bots_schedule_edit", args=[globex.account.slug, slot.id])).status_code == 404
    moved = {"bot": their_bot.id, "weekdays": ["3"], "start": "11:00", "end": "12:00"}
    assert (
        outsider.post(reverse("bots_schedule_edit", args=[globex.account.slug, slot.id]), moved).status_code
        == 404
    )
    assert (
        outsider.post(
            reverse("bots_auto_reply_edit", args=[globex.account.slug, reply.id]),
            {"quick_reply": quick_reply.id, "weekdays": ["3"], "start": "11:00", "end": "12:00"},
        ).status_code
        == 404
    )
    supervisor = client_for(acme.supervisor)
    assert supervisor.post(slot_url, moved).status_code == 400  # another account's bot
    operator = client_for(acme.operator)
    assert operator.get(slot_url).status_code == 403
    assert operator.post(slot_url, {**moved, "bot": bot.id}).status_code == 403
    assert operator.get(reply_url).status_code == 403
    slot.refresh_from_db()
    reply.refresh_from_db()
    assert (slot.bot, slot.weekdays, slot.start) == (bot, [0], time(9))
    assert (reply.weekdays, reply.start) == ([0], time(20))
