"""The EMPATY dashboard's numbers (EMP-5) on a small known data set: corrections win, days are the
account's days, filters by line, operator and tag, and another account's data never counts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audience.models import Contact
from empaty.dashboards import DashboardForm, Filters, compare, emotions_by_day, polarity_by_day
from empaty.models import MessageAnalysis
from inbox.models import Conversation, Line, Message
from spoter.accounts.models import Account, Membership
from tests.conftest import Team
from tests.inbox.sending.conftest import make_conversation, make_line

BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2025 in Buenos Aires (UTC-3)."""
    return datetime(2025, 3, day, hour, minute, tzinfo=BUENOS_AIRES)


def analysed(
    conversation: Conversation,
    at: datetime,
    polarity: str,
    emotion: str = "others",
    score: float | None = None,
    *,
    operator: Membership | None = None,
    corrected_polarity: str = "",
    corrected_emotion: str = "",
    text: str = "",
) -> MessageAnalysis:
    """A customer's message of ``conversation`` and its analysis."""
    account = conversation.account
    message = Message.objects.for_account(account).create(
        account=account,
        conversation=conversation,
        line=conversation.line,
        direction="in",
        text=text or f"{polarity} {emotion}",
        status="received",
        created_at=at,
    )
    default_score = {"positive": 0.8, "neutral": 0.0, "negative": -0.8}[polarity]
    return MessageAnalysis.objects.for_account(account).create(
        account=account,
        message=message,
        conversation=conversation,
        contact=conversation.contact,
        line=conversation.line,
        operator=operator,
        at=at,
        polarity=polarity,
        score=default_score if score is None else score,
        emotion=emotion,
        corrected_polarity=corrected_polarity,
        corrected_emotion=corrected_emotion,
        model_version="test",
    )


def period(account: Account, first: date, last: date, **fields: object) -> Filters:
    return Filters(account=account, first=first, last=last, **fields)  # type: ignore[arg-type]


class Data:
    """Acme: two lines, an operator, a VIP-tagged contact, four messages around 9-10 March."""

    def __init__(self, team: Team) -> None:
        self.ventas = make_line(team)
        self.soporte = make_line(team, name="Soporte", phone_number_id=f"pn2-{team.account.slug}")
        self.chat = make_conversation(self.ventas, "+5491100000001")
        self.other_chat = make_conversation(self.soporte, "+5491100000002")
        self.vip = team.account.tags.create(name="VIP")
        self.chat.contact.tags.add(self.vip, team.account.tags.create(name="Mayorista"))
        op = team.operator
        self.late = analysed(
            self.chat, local(9, 23, 30), "positive", "joy", 0.6, operator=op
        )  # 02:30 UTC on the 10th
        self.angry = analysed(self.chat, local(10, 10), "negative", "anger", -0.6, operator=op)
        self.fixed = analysed(
            self.chat, local(10, 11), "positive", "joy", 0.5, corrected_polarity="negative",
            corrected_emotion="sadness",
        )  # fmt: skip
        self.neutral = analysed(self.other_chat, local(10, 12), "neutral", "others", 0.1)
        self.next_day = analysed(self.other_chat, local(11, 0, 10), "negative", "fear", -0.9)  # outside


@pytest.fixture
def data(acme: Team) -> Data:
    return Data(acme)


def test_days_are_the_accounts_days_and_corrections_win(acme: Team, data: Data) -> None:
    filters = period(acme.account, date(2025, 3, 9), date(2025, 3, 10))

    assert emotions_by_day(filters) == {
        date(2025, 3, 9): {"joy": 1},
        date(2025, 3, 10): {"anger": 1, "sadness": 1, "others": 1},
    }
    shares = polarity_by_day(filters)
    assert shares[date(2025, 3, 9)].counts == {"positive": 1, "neutral": 0, "negative": 0}
    assert shares[date(2025, 3, 10)].counts == {"positive": 0, "neutral": 1, "negative": 2}
    # The corrected message counts as -1, not its model score of +0.5.
    assert shares[date(2025, 3, 10)].mean == pytest.approx((-0.6 - 1.0 + 0.1) / 3)
    assert set(shares) == {date(2025, 3, 9), date(2025, 3, 10)}


def test_hiding_no_emotion_leaves_the_six_emotions(acme: Team, data: Data) -> None:
    filters = period(acme.account, date(2025, 3, 10), date(2025, 3, 10), hide_others=True)
    assert emotions_by_day(filters) == {date(2025, 3, 10): {"anger": 1, "sadness": 1}}


def test_comparisons_by_line_operator_and_tag(acme: Team, data: Data) -> None:
    filters = period(acme.account, date(2025, 3, 9), date(2025, 3, 10))

    by_line = {share.label: (share.counts, round(share.mean, 3)) for share in compare(filters, "line")}
    assert by_line == {
        "Ventas": ({"positive": 1, "neutral": 0, "negative": 2}, round((0.6 - 0.6 - 1.0) / 3, 3)),
        "Soporte": ({"positive": 0, "neutral": 1, "negative": 0}, 0.1),
    }
    by_operator = {share.key: share.total for share in compare(filters, "operator")}
    assert by_operator == {str(acme.operator.id): 2, "none": 2}
    by_tag = {share.label: share.total for share in compare(filters, "tag")}
    assert by_tag == {"VIP": 3, "Mayorista": 3}  # the untagged contact's message has no tag row


def test_filters_by_line_operator_unassigned_and_tag(acme: Team, data: Data) -> None:
    def total(**fields: object) -> int:
        found = polarity_by_day(period(acme.account, date(2025, 3, 9), date(2025, 3, 10), **fields))
        return sum(share.total for share in found.values())

    assert total() == 4
    assert total(line=data.soporte) == 1
    assert total(operator=acme.operator) == 2
    assert total(unassigned=True) == 2
    assert total(tag=data.vip) == 3  # two tags on the contact do not count its messages twice
    assert total(tag=data.vip, line=data.soporte) == 0


def test_another_accounts_data_never_counts(acme: Team, globex: Team, data: Data) -> None:
    theirs = make_conversation(make_line(globex), "+5491100000009")
    for hour in range(5):
        analysed(theirs, local(10, 12 + hour), "negative", "anger")
    filters = period(acme.account, date(2025, 3, 9), date(2025, 3, 10))

    assert sum(share.total for share in polarity_by_day(filters).values()) == 4
    assert emotions_by_day(filters)[date(2025, 3, 10)]["anger"] == 1
    assert {share.label for share in compare(filters, "line")} == {"Ventas", "Soporte"}


def test_the_period_ends_today_in_the_accounts_zone(acme: Team) -> None:
    with time_machine.travel(datetime(2025, 3, 10, 1, 0, tzinfo=ZoneInfo("UTC"))):
        form = DashboardForm({"period": "7"}, account=acme.account)
        assert form.is_valid(), form.errors
        filters = form.filters()
    assert (filters.first, filters.last) == (date(2025, 3, 3), date(2025, 3, 9))  # 22:00 on the 9th there


@pytest.mark.parametrize(
    "data_in",
    [
        {"period": "custom"},
        {"period": "custom", "start": "2025-03-10", "end": "2025-03-01"},
        {"period": "custom", "start": "2020-01-01", "end": "2025-03-01"},
        {"period": "custom", "start": "ayer", "end": "2025-03-01"},
        {"period": "365"},
        {"line": "999999"},
        {"line": "abc"},
        {"operator": "999999"},
        {"tag": "x"},
    ],
)
def test_bad_filters_are_form_errors(acme: Team, data_in: dict[str, str]) -> None:
    assert not DashboardForm(data_in, account=acme.account).is_valid()


def test_another_accounts_line_is_not_a_choice(acme: Team, globex: Team) -> None:
    theirs = make_line(globex)
    operator = globex.operator
    assert not DashboardForm({"line": str(theirs.id)}, account=acme.account).is_valid()
    assert not DashboardForm({"operator": str(operator.id)}, account=acme.account).is_valid()
    assert Line.objects.for_account(acme.account).count() == 0
    assert Contact.objects.for_account(acme.account).count() == 0
