"""The bot schedule (BOT-2): slots, overlaps, the first inquiry of the day, "con rastro"."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audience.models import Contact, Tag
from bots.models import BotSchedule, BotSession
from bots.schedule import covers, delete_schedule, save_schedule
from bots.sessions import stop
from inbox.assignment import assign
from inbox.models import Conversation, Line, RoundRobin
from tests.bots.test_runtime import BA, MONDAY_10, make_bot, make_line, say
from tests.conftest import Team


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme)


def slot(team: Team, days: list[int], start: str, end: str, **data: Any) -> BotSchedule:
    bot = data.pop("bot", None) or make_bot(team, name=f"Bot {start}")
    return save_schedule(
        team.account, None, {"bot": bot, "weekdays": days, "start": start, "end": end} | data
    )


def test_a_slot_crossing_midnight_covers_the_next_morning() -> None:
    night = ([6], time(22), time(2))  # Sunday 22:00 to Monday 02:00
    assert covers(*night, datetime(2026, 11, 22, 23, 0, tzinfo=BA))  # Sunday
    assert covers(*night, datetime(2026, 11, 23, 1, 59, tzinfo=BA))  # Monday, wrapped past the week
    assert not covers(*night, datetime(2026, 11, 23, 2, 0, tzinfo=BA))  # the end is exclusive
    assert not covers(*night, datetime(2026, 11, 22, 1, 0, tzinfo=BA))  # Sunday early: Saturday's slot


def test_overlaps_are_refused_naming_the_other_bot_and_slot(acme: Team) -> None:
    slot(acme, [6], "22:00", "02:00")
    with pytest.raises(ValidationError, match=r"Bot 22:00 \((Sun|Dom) 22:00-02:00\)"):
        slot(acme, [0], "01:00", "03:00")  # Monday 01:00 is inside Sunday's night
    with pytest.raises(ValidationError, match="Bot 22:00"):
        slot(acme, [5, 6], "23:30", "23:45")
    slot(acme, [0], "02:00", "09:00")  # touching is not overlapping: the end is exclusive
    assert BotSchedule.objects.for_account(acme.account).count() == 2


def test_a_slot_may_be_moved_over_its_own_hours(acme: Team) -> None:
    mine = slot(acme, [0, 1], "09:00", "18:00")
    moved = save_schedule(
        acme.account, mine, {"bot": mine.bot, "weekdays": [1], "start": "10:00", "end": "19:00"}
    )
    assert (moved.weekdays, moved.start, moved.end) == ([1], time(10), time(19))
    delete_schedule(acme.account, moved)
    assert not BotSchedule.objects.for_account(acme.account).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        ({"weekdays": ["x"]}, "weekdays"),
        ({"start": "09:00", "end": "09:00"}, "end"),
        ({"start": "25:00"}, "start"),
        ({"bot": 0}, "bot"),
    ],
)
def test_bad_slots_are_refused_and_nothing_is_written(acme: Team, data: dict[str, Any], field: str) -> None:
    bot = make_bot(acme)
    with pytest.raises(ValidationError) as error:
        save_schedule(
            acme.account, None, {"bot": bot, "weekdays": [0], "start": "09:00", "end": "18:00"} | data
        )
    assert field in error.value.message_dict
    assert not BotSchedule.objects.for_account(acme.account).exists()


def test_a_bot_of_another_account_cannot_be_scheduled(acme: Team, globex: Team) -> None:
    theirs = make_bot(globex)
    with pytest.raises(ValidationError):
        save_schedule(
            acme.account, None, {"bot": theirs.id, "weekdays": [0], "start": "09:00", "end": "18:00"}
        )
    with pytest.raises(ValueError, match="another account"):
        save_schedule(acme.account, slot(globex, [0], "09:00", "18:00"), {"bot": make_bot(acme)})


def test_the_bot_answers_the_first_inquiry_of_the_day_in_the_accounts_zone(acme: Team, line: Line) -> None:
    slot(acme, list(range(7)), "00:00", "23:59")
    with time_machine.travel(MONDAY_10):
        message, acted = say(line)
        assert acted == "bot_start"
        stop(Conversation.objects.for_account(acme.account).get(id=message.conversation_id))
    with time_machine.travel(MONDAY_10.replace(hour=23, minute=30)):  # 02:30 UTC, Tuesday already
        assert say(line)[1] == ""
    with time_machine.travel(MONDAY_10 + timedelta(hours=14, minutes=10)):  # Tuesday 00:10 here
        assert say(line)[1] == "bot_start"
    assert BotSession.objects.for_account(acme.account).count() == 2


def known(team: Team, wa_id: str, *tags: str) -> Contact:
    """A contact the account had before they write (imported), with tags."""
    contact = Contact.objects.for_account(team.account).create(
        account=team.account, phone=f"+{wa_id}", wa_id=wa_id
    )
    for name in tags:
        contact.tags.add(
            Tag.objects.for_account(team.account).get_or_create(account=team.account, name=name)[0]
        )
    return contact


def test_con_rastro_runs_only_for_untouched_customers(acme: Team, line: Line) -> None:
    slot(acme, list(range(7)), "09:00", "18:00", untouched_only=True)
    known(acme, "5491100000001", "VIP")
    with time_machine.travel(MONDAY_10.replace(hour=8)):  # before the bot's hours: nothing runs
        assigned = say(line, wa_id="5491100000002")[0]
        assert say(line, wa_id="5491100000003")[1] == ""
    assign(
        Conversation.objects.for_account(acme.account).get(id=assigned.conversation_id),
        acme.operator,
        by=acme.admin,
    )
    with time_machine.travel(MONDAY_10):
        assert say(line, wa_id="5491100000001")[1] == ""  # a tagged contact
        assert say(line, wa_id="5491100000002")[1] == ""  # a chat with an operator
        assert say(line, wa_id="5491100000003")[1] == "bot_start"  # untouched, first bot of the day


def test_the_round_robin_waits_for_the_bot_and_takes_what_it_leaves(acme: Team, line: Line) -> None:
    slot(acme, list(range(7)), "00:00", "23:59", untouched_only=True)
    robin = RoundRobin.objects.for_account(acme.account).create(account=acme.account, line=line, enabled=True)
    robin.members.add(acme.operator)
    known(acme, "5491100000001", "VIP")
    with time_machine.travel(MONDAY_10):
        untouched, acted = say(line, wa_id="5491100000002")
        tagged, skipped = say(line, wa_id="5491100000001")
    assert (acted, skipped) == ("bot_start", "")
    conversations = Conversation.objects.for_account(acme.account)
    assert conversations.get(id=untouched.conversation_id).assignee_id is None  # the bot talks first
    assert conversations.get(id=tagged.conversation_id).assignee_id == acme.operator.id
