"""A campaign's counts by outcome, its sending rate and time left, and its sends over time (CAM-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from audience.models import Contact
from campaigns.models import Campaign, CampaignState, Recipient, RecipientState
from campaigns.progress import Reason, progress, series
from campaigns.progress_chart import chart, nice_top
from inbox.conversations import current_conversation
from inbox.models import Direction, Initiator, Line, Message, MessageStatus
from tests.campaigns.factories import make_contacts, make_line, text_campaign
from tests.conftest import Team

NOW = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)  # 12:00 in Buenos Aires


def add(campaign: Campaign, contact: Contact, state: str = RecipientState.SENT, **fields: Any) -> Recipient:
    """One recipient of ``campaign``; ``status`` (and ``error_code``, ``error_title``) give it a
    message in that status, as the runner and Meta's statuses leave it."""
    status = fields.pop("status", None)
    error = {key: fields.pop(key) for key in ("error_code", "error_title") if key in fields}
    message = None
    if status is not None:
        with transaction.atomic():
            conversation = current_conversation(campaign.line, contact, initiated_by=Initiator.COMPANY)
        message = Message.objects.for_account(campaign.account).create(
            account=campaign.account,
            conversation=conversation,
            line=campaign.line,
            direction=Direction.OUTBOUND,
            text="Hola",
            status=status,
            automated=True,
            **error,
        )
        fields.setdefault("sent_at", timezone.now())
    return Recipient.objects.for_account(campaign.account).create(
        account=campaign.account, campaign=campaign, contact=contact, state=state, message=message, **fields
    )


def running(team: Team, line: Line | None = None, **fields: Any) -> Campaign:
    values: dict[str, Any] = {"state": CampaignState.RUNNING, "started_at": timezone.now(), **fields}
    return text_campaign(team, line or make_line(team), **values)


@pytest.fixture
def campaign(acme: Team) -> Campaign:
    return running(acme, excluded={"invalid_number": 3, "opted_out": 2})


def test_every_outcome_is_counted_from_one_grouped_query(
    acme: Team, campaign: Campaign, django_assert_num_queries: Any
) -> None:
    people = iter(make_contacts(acme, 25))
    for state in (RecipientState.PENDING, RecipientState.PENDING, RecipientState.SENDING):
        add(campaign, next(people), state)
    add(campaign, next(people), status=MessageStatus.QUEUED)  # in our outbox
    for status, count, replied in (
        (MessageStatus.SENT, 2, 0),
        (MessageStatus.DELIVERED, 3, 1),
        (MessageStatus.READ, 4, 2),
    ):
        for n in range(count):
            add(campaign, next(people), status=status, replied_at=timezone.now() if n < replied else None)
    undeliverable: dict[str, Any] = {"error_code": 131026, "error_title": "Message undeliverable"}
    for _ in range(2):
        add(campaign, next(people), status=MessageStatus.FAILED, **undeliverable)
    add(campaign, next(people), status=MessageStatus.FAILED, error_code=131049, error_title="Ecosystem")
    add(campaign, next(people), RecipientState.FAILED, reason="template_params")
    add(campaign, next(people), RecipientState.SKIPPED, reason="opted_out")
    add(campaign, next(people), RecipientState.SKIPPED, reason="opted_out")
    add(campaign, next(people), RecipientState.SKIPPED, reason="blocked")

    with django_assert_num_queries(3):  # the counts, the rate with the span, the series
        found = progress(campaign)

    assert found.total == 20
    assert (found.queued, found.sent, found.delivered, found.read) == (4, 2, 3, 4)
    assert (found.reached_sent, found.reached_delivered, found.replied) == (9, 7, 3)
    assert found.failed == [
        Reason("whatsapp:131026:Message undeliverable", "131026 · Message undeliverable", 2),
        Reason("send:template_params", "a template value is empty for this contact", 1),
        Reason("whatsapp:131049:Ecosystem", "131049 · Ecosystem", 1),
    ]
    assert found.skipped == [Reason("opted_out", "opted out", 2), Reason("blocked", "blocked", 1)]
    assert found.excluded == [
        Reason("invalid_number", "no valid WhatsApp number", 3),
        Reason("opted_out", "opted out", 2),
    ]
    assert (found.failed_total, found.skipped_total, found.excluded_total, found.cancelled) == (4, 3, 5, 0)
    parts = {part.kind: (part.count, part.percent) for part in found.segments()}
    assert parts == {
        "queued": (4, 20.0),
        "sent": (2, 10.0),
        "delivered": (3, 15.0),
        "read": (4, 20.0),
        "failed": (4, 20.0),
        "skipped": (3, 15.0),
    }
    assert found.done == 16


def test_what_was_still_queued_when_cancelled_counts_as_cancelled(acme: Team, campaign: Campaign) -> None:
    first, second, third = make_contacts(acme, 3)
    add(campaign, first, RecipientState.PENDING)
    add(campaign, second, RecipientState.SENDING)
    add(campaign, third, status=MessageStatus.DELIVERED)
    Campaign.objects.for_account(acme.account).filter(id=campaign.id).update(state=CampaignState.CANCELLED)
    campaign.refresh_from_db()

    found = progress(campaign)

    assert (found.cancelled, found.queued, found.delivered, found.total) == (2, 0, 1, 3)
    assert found.eta is None


def test_the_rate_is_the_last_minutes_sends_and_the_eta_follows_from_it(
    acme: Team, campaign: Campaign
) -> None:
    people = make_contacts(acme, 130)
    with time_machine.travel(NOW, tick=False):
        for n, contact in enumerate(people[:30]):  # 30 in the last minute: 0.5 a second
            add(campaign, contact, status=MessageStatus.SENT, sent_at=NOW - timedelta(seconds=2 * n))
        for contact in people[30:40]:  # earlier: not in the rate
            add(campaign, contact, status=MessageStatus.DELIVERED, sent_at=NOW - timedelta(seconds=90))
        for contact in people[40:]:
            add(campaign, contact, RecipientState.PENDING)

        found = progress(campaign)

    assert found.rate == 0.5
    assert found.queued == 90
    assert found.eta == timedelta(seconds=180)

    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        stalled = progress(campaign)
    assert stalled.rate == 0
    assert stalled.eta is None  # nothing sent lately: no guess

    Campaign.objects.for_account(acme.account).filter(id=campaign.id).update(state=CampaignState.PAUSED)
    campaign.refresh_from_db()
    with time_machine.travel(NOW, tick=False):
        paused = progress(campaign)
    assert paused.rate == 0.5
    assert paused.eta is None  # a paused campaign does not finish by itself


def test_a_short_campaign_is_counted_every_ten_seconds(acme: Team, campaign: Campaign) -> None:
    people = make_contacts(acme, 40)
    start = NOW - timedelta(minutes=5)
    for n, contact in enumerate(people):  # one every 7 seconds, from 14:55:00 UTC
        add(campaign, contact, status=MessageStatus.SENT, sent_at=start + timedelta(seconds=7 * n))
    Campaign.objects.for_account(acme.account).filter(id=campaign.id).update(state=CampaignState.COMPLETED)
    campaign.refresh_from_db()

    found = progress(campaign, now=NOW)

    assert found.series is not None
    assert found.series.step == timedelta(seconds=10)
    points = found.series.points
    assert points[0][0] == start
    assert points[-1][0] == start + timedelta(seconds=270)  # the last send, at 4:33
    assert len(points) == 28
    assert all(b - a == timedelta(seconds=10) for (a, _), (b, _) in pairwise(points))
    assert found.series.total == 40
    # 0, 7 | 14 | 21, 28 | 35 | 42, 49 | ...
    assert [count for _at, count in points[:5]] == [2, 1, 2, 1, 2]


def test_a_long_campaign_has_at_most_120_buckets_on_local_boundaries(acme: Team) -> None:
    campaign = running(acme, state=CampaignState.COMPLETED)
    people = make_contacts(acme, 50)
    start = datetime(2025, 3, 10, 12, 7, 30, tzinfo=UTC)  # 09:07:30 in Buenos Aires
    for n, contact in enumerate(people):  # over about 4 hours 5 minutes
        add(campaign, contact, status=MessageStatus.READ, sent_at=start + timedelta(minutes=5 * n))

    found = series(campaign, start, start + timedelta(minutes=245))

    assert found.step == timedelta(minutes=5)  # 2 minutes would make 123 buckets
    assert len(found.points) == 50
    zone = ZoneInfo("America/Argentina/Buenos_Aires")
    assert found.points[0][0] == datetime(2025, 3, 10, 9, 5, tzinfo=zone)
    assert found.total == 50
    assert {count for _at, count in found.points} == {1}


def test_a_running_campaign_is_charted_until_now(acme: Team, campaign: Campaign) -> None:
    (contact,) = make_contacts(acme, 1)
    add(campaign, contact, status=MessageStatus.SENT, sent_at=NOW - timedelta(minutes=10))

    found = progress(campaign, now=NOW)

    assert found.series is not None
    assert found.series.step == timedelta(seconds=10)
    assert found.series.points[-1] == (NOW, 0)
    assert found.series.total == 1


def test_the_chart_scales_the_bars_to_a_round_top(acme: Team, campaign: Campaign) -> None:
    people = make_contacts(acme, 7)
    for n, contact in enumerate(people):  # 4 in the first bucket, 3 in the third
        add(campaign, contact, status=MessageStatus.SENT, sent_at=NOW + timedelta(seconds=0 if n < 4 else 25))
    Campaign.objects.for_account(acme.account).filter(id=campaign.id).update(state=CampaignState.COMPLETED)
    campaign.refresh_from_db()

    found = progress(campaign)
    assert found.series is not None
    with timezone.override(ZoneInfo(acme.account.time_zone)):
        drawn = chart(found.series)

    assert [bar.height for bar in drawn.bars] == [144.0, 0.0, 108.0]  # of 180: 4 and 3 of 5
    assert [(bar.x, bar.width) for bar in drawn.bars] == [(134.0, 48.0), (354.0, 48.0), (574.0, 48.0)]
    assert [tick.text for tick in drawn.y_ticks] == ["0", "5"]
    assert [tick.text for tick in drawn.x_ticks] == ["12:00:00", "12:00:10", "12:00:20"]
    assert drawn.title == "Messages sent every 10 seconds"
    assert "7 messages sent" in drawn.description
    assert [nice_top(peak) for peak in (0, 1, 3, 10, 11, 180, 501)] == [1, 1, 5, 10, 20, 200, 1000]
