"""Negative-streak alerts (EMP-5): one alert per run of negative customer messages, told in
realtime to the account's supervisors and admins only, and the page that lists them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from empaty.alerts import check_streaks
from empaty.models import StreakAlert
from inbox.models import Conversation, Line, Message
from spoter.accounts.models import Membership
from tests.conftest import Team, client_for
from tests.empaty.test_dashboard_queries import analysed
from tests.inbox.sending.conftest import make_conversation, make_line
from tests.inbox.team.conftest import Inbox


class Clock:
    """Customer messages a minute apart, ending now."""

    def __init__(self) -> None:
        self.at = timezone.now() - timedelta(hours=1)

    def __call__(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at


@pytest.fixture
def tick() -> Clock:
    return Clock()


def says(chat: Conversation, tick: Clock, *polarities: str) -> list[int]:
    return [analysed(chat, tick(), polarity).message_id for polarity in polarities]


def alerts(team: Team) -> list[tuple[int, int, int]]:
    return list(
        StreakAlert.objects.for_account(team.account)
        .order_by("id")
        .values_list("conversation_id", "first_message_id", "length")
    )


def test_three_negatives_make_one_alert(acme: Team, chat: Conversation, tick: Clock) -> None:
    first, *_rest = says(chat, tick, "positive", "negative", "negative", "negative")[1:]
    assert check_streaks(acme.account, [chat.id]) == 1
    assert alerts(acme) == [(chat.id, first, 3)]


def test_two_negatives_are_no_streak_and_a_neutral_breaks_one(
    acme: Team, chat: Conversation, tick: Clock
) -> None:
    says(chat, tick, "negative", "negative")
    assert check_streaks(acme.account, [chat.id]) == 0
    says(chat, tick, "neutral", "negative")
    assert check_streaks(acme.account, [chat.id]) == 0
    assert alerts(acme) == []


def test_our_replies_in_between_do_not_break_it(acme: Team, chat: Conversation, tick: Clock) -> None:
    first = says(chat, tick, "negative")[0]
    Message.objects.for_account(acme.account).create(
        account=acme.account, conversation=chat, line=chat.line, direction="out", text="Perdón", status="sent"
    )
    says(chat, tick, "negative", "negative")
    assert check_streaks(acme.account, [chat.id]) == 1
    assert alerts(acme) == [(chat.id, first, 3)]


def test_a_fourth_negative_makes_no_second_alert(acme: Team, chat: Conversation, tick: Clock) -> None:
    first = says(chat, tick, "negative", "negative", "negative")[0]
    assert check_streaks(acme.account, [chat.id]) == 1
    says(chat, tick, "negative")
    assert check_streaks(acme.account, [chat.id]) == 0
    assert check_streaks(acme.account, [chat.id]) == 0  # a worker that runs the batch again
    assert alerts(acme) == [(chat.id, first, 4)]  # the same alert, with the run's length


def test_a_new_run_after_a_break_is_a_new_alert(acme: Team, chat: Conversation, tick: Clock) -> None:
    says(chat, tick, "negative", "negative", "negative")
    check_streaks(acme.account, [chat.id])
    second = says(chat, tick, "positive", "negative", "negative", "negative")[1]
    assert check_streaks(acme.account, [chat.id]) == 1
    assert [alert[1] for alert in alerts(acme)][-1] == second


def test_a_whole_batch_at_once_finds_every_run(acme: Team, chat: Conversation, tick: Clock) -> None:
    ids = says(chat, tick, "negative", "negative", "negative", "neutral", "negative", "negative", "negative")
    assert check_streaks(acme.account, [chat.id]) == 2
    assert [alert[1] for alert in alerts(acme)] == sorted([ids[0], ids[4]])


def test_conversations_are_separate(acme: Team, line: Line, tick: Clock) -> None:
    one, two, three = (make_conversation(line, f"+54911000000{n}") for n in range(3))
    says(one, tick, "negative", "negative")
    says(two, tick, "negative")  # interleaved in time with the first
    says(one, tick, "negative")
    says(two, tick, "negative")
    says(three, tick, "negative", "negative", "negative")
    assert check_streaks(acme.account, [one.id, two.id, three.id]) == 2
    assert {alert[0] for alert in alerts(acme)} == {one.id, three.id}


def test_an_operators_correction_wins(acme: Team, chat: Conversation, tick: Clock) -> None:
    analysed(chat, tick(), "negative")
    analysed(chat, tick(), "negative", corrected_polarity="neutral")  # not negative after all
    analysed(chat, tick(), "negative")
    analysed(chat, tick(), "positive", corrected_polarity="negative")
    assert check_streaks(acme.account, [chat.id]) == 0
    analysed(chat, tick(), "neutral", corrected_polarity="negative")
    assert check_streaks(acme.account, [chat.id]) == 1


def test_an_old_run_is_history_not_news(acme: Team, chat: Conversation) -> None:
    long_ago = timezone.now() - timedelta(days=3)
    for minute in range(3):
        analysed(chat, long_ago + timedelta(minutes=minute), "negative")
    assert check_streaks(acme.account, [chat.id]) == 0


def test_the_length_is_a_setting(acme: Team, chat: Conversation, tick: Clock, settings: object) -> None:
    settings.EMPATY_NEGATIVE_STREAK = 4  # type: ignore[attr-defined]
    says(chat, tick, "negative", "negative", "negative")
    assert check_streaks(acme.account, [chat.id]) == 0
    says(chat, tick, "negative")
    assert check_streaks(acme.account, [chat.id]) == 1


def test_supervisors_and_admins_are_told_in_realtime_after_commit(
    acme: Team,
    globex: Team,
    chat: Conversation,
    tick: Clock,
    listen: Callable[[Membership], Inbox],
    django_capture_on_commit_callbacks: object,
) -> None:
    says(chat, tick, "negative", "negative", "negative")
    supervisor, admin, operator = listen(acme.supervisor), listen(acme.admin), listen(acme.operator)
    outsider = listen(globex.supervisor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]  # pytest-django
        assert check_streaks(acme.account, [chat.id]) == 1
    assert len(callbacks) == 1  # the push waited for the commit
    [event] = supervisor.events()
    alert = StreakAlert.objects.for_account(acme.account).get()
    assert {key: event[key] for key in ("type", "account_id", "alert", "conversation", "length")} == {
        "type": "empaty.streak",
        "account_id": acme.account.id,
        "alert": alert.id,
        "conversation": chat.number,
        "length": 3,
    }
    assert event["contact"] == chat.contact.display_name
    assert admin.types() == ["empaty.streak"]
    assert operator.types() == []
    assert outsider.types() == []


def test_another_accounts_conversations_are_ignored(acme: Team, globex: Team, tick: Clock) -> None:
    theirs = make_conversation(make_line(globex), "+5491100000009")
    says(theirs, tick, "negative", "negative", "negative")
    assert check_streaks(acme.account, [theirs.id]) == 0
    assert StreakAlert.objects.unscoped().count() == 0  # the test's own rows: nothing anywhere


def test_the_alerts_page_lists_and_marks_seen(
    acme: Team, globex: Team, chat: Conversation, tick: Clock
) -> None:
    says(chat, tick, "negative", "negative", "negative")
    check_streaks(acme.account, [chat.id])
    alert = StreakAlert.objects.for_account(acme.account).get()
    client = client_for(acme.supervisor)
    page = reverse("empaty_alerts", kwargs={"account_slug": acme.account.slug})
    listed = client.get(page).text
    assert f'data-testid="alert-{alert.id}"' in listed
    assert f"#{chat.number}" in listed
    assert 'data-testid="mark-seen"' in listed

    seen = reverse("empaty_alerts_seen", kwargs={"account_slug": acme.account.slug, "alert_id": alert.id})
    assert client_for(globex.supervisor).post(seen).status_code == 404
    other = reverse("empaty_alerts_seen", kwargs={"account_slug": globex.account.slug, "alert_id": alert.id})
    assert client_for(globex.supervisor).post(other).status_code == 404
    alert.refresh_from_db()
    assert alert.seen_at is None
    assert client_for(acme.operator).post(seen).status_code == 403

    assert client.post(seen).status_code == 302
    alert.refresh_from_db()
    assert alert.seen_at is not None
    assert 'data-testid="mark-seen"' not in client.get(page).text
    assert f'data-testid="alert-{alert.id}"' not in client.get(page, {"unseen": "1"}).text


def test_mark_all_seen_touches_only_this_account(acme: Team, globex: Team, tick: Clock) -> None:
    ours = make_conversation(make_line(acme), "+5491100000001")
    theirs = make_conversation(make_line(globex), "+5491100000009")
    for chat, team in ((ours, acme), (theirs, globex)):
        says(chat, tick, "negative", "negative", "negative")
        check_streaks(team.account, [chat.id])
    url = reverse("empaty_alerts_seen_all", kwargs={"account_slug": acme.account.slug})
    assert client_for(acme.admin).post(url).status_code == 302
    assert StreakAlert.objects.for_account(acme.account).filter(seen_at__isnull=True).count() == 0
    assert StreakAlert.objects.for_account(globex.account).filter(seen_at__isnull=True).count() == 1
