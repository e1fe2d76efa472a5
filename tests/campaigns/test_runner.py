"""Sending a running campaign (CAM-2, CAM-3): each recipient once, in order, within the limits."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from audience.models import Contact
from audience.services import opt_out_contact
from campaigns import runner, services
from campaigns.models import Campaign, CampaignState, LineThrottle, Recipient, RecipientState
from campaigns.throttle import Limits
from inbox.models import Conversation, Line, Message, MessageStatus, OutboxEntry
from tests.campaigns.factories import make_contacts, make_line, open_window, template_campaign, text_campaign
from tests.conftest import Team


@pytest.fixture
def line(acme: Team) -> Line:
    line = make_line(acme)
    LineThrottle.objects.create(account=acme.account, line=line, per_second=1000)
    return line


def started(campaign: Campaign) -> Campaign:
    return services.start(campaign, by=None)


def rows(campaign: Campaign) -> list[Recipient]:
    return list(Recipient.objects.for_account(campaign.account).filter(campaign=campaign).order_by("id"))


def test_a_running_campaign_sends_each_recipient_one_message_with_its_variables(
    acme: Team, line: Line
) -> None:
    contacts = make_contacts(acme, 5)
    Contact.objects.for_account(acme.account).filter(id=contacts[0].id).update(name="")
    campaign = started(template_campaign(acme, line))
    assert campaign.state == CampaignState.RUNNING
    assert len(rows(campaign)) == 5

    outcome = runner.run_slice(campaign, 10)

    assert (outcome.state, outcome.sent) == ("completed", 5)
    assert {row.state for row in rows(campaign)} == {RecipientState.SENT}
    messages = Message.objects.for_account(acme.account).filter(campaign_recipient__campaign=campaign)
    assert messages.count() == 5
    assert OutboxEntry.objects.for_account(acme.account).count() == 5  # the outbox posts them
    texts = sorted(message.text for message in messages)
    assert texts[0] == "Hola Cliente, tenemos ofertas."  # {{nombre}}: the first name
    assert "Hola cliente, tenemos ofertas." in texts  # the fallback for the contact with no name
    campaign.refresh_from_db()
    assert (campaign.state, campaign.finished_at is not None) == (CampaignState.COMPLETED, True)


def test_free_text_carries_the_opt_out_footer(acme: Team, line: Line) -> None:
    contact = make_contacts(acme, 1)[0]
    open_window(line, contact)
    campaign = started(text_campaign(acme, line, opt_out_footer=True))
    runner.run_slice(campaign, 5)
    message = Message.objects.for_account(acme.account).get(campaign_recipient__campaign=campaign)
    assert message.text == "Hola Cliente\n\nWrite 0 to stop receiving these messages."


def test_a_contact_who_opts_out_mid_campaign_is_skipped(acme: Team, line: Line) -> None:
    contacts = make_contacts(acme, 3)
    campaign = started(template_campaign(acme, line))
    claimed = runner.claim(campaign, 3)
    opt_out_contact(contacts[1], by=None)  # after the claim: checked again when sent
    results = [runner.send_one(campaign, recipient) for recipient in claimed]
    assert results == [True, False, True]
    skipped = rows(campaign)[1]
    assert (skipped.state, skipped.reason, skipped.message) == (RecipientState.SKIPPED, "opted_out", None)


def test_a_worker_whose_lease_was_taken_over_sends_nothing(acme: Team, line: Line) -> None:
    make_contacts(acme, 1)
    campaign = started(template_campaign(acme, line))
    [slow] = runner.claim(campaign, 1)
    with time_machine.travel(timezone.now() + runner.lease_time() + timedelta(seconds=1)):
        [taken] = runner.claim(campaign, 1)  # the lease ran out: another worker takes the row
        assert runner.send_one(campaign, taken)
    assert not runner.send_one(campaign, slow)  # the first worker wakes up: nothing happens
    assert Message.objects.for_account(acme.account).count() == 1


def test_claimed_rows_are_not_claimed_twice(acme: Team, line: Line) -> None:
    make_contacts(acme, 4)
    campaign = started(template_campaign(acme, line))
    first, second = runner.claim(campaign, 3), runner.claim(campaign, 3)
    assert len(first) == 3
    assert len(second) == 1
    assert not {row.id for row in first} & {row.id for row in second}


def test_free_text_refused_for_a_closed_window_fails_with_its_reason(acme: Team, line: Line) -> None:
    contact = make_contacts(acme, 1)[0]
    open_window(line, contact)
    campaign = started(text_campaign(acme, line))
    # The window closes before the send.
    Conversation.objects.for_account(acme.account).update(last_inbound_at=timezone.now() - timedelta(days=2))
    runner.run_slice(campaign, 5)
    [row] = rows(campaign)
    assert (row.state, row.reason) == (RecipientState.FAILED, "window_closed")


def test_a_paused_campaign_stops_and_resumes_where_it_was(acme: Team, line: Line) -> None:
    make_contacts(acme, 3)
    campaign = started(template_campaign(acme, line))
    claimed = runner.claim(campaign, 3)
    runner.send_one(campaign, claimed[0])
    assert services.pause(campaign)
    runner.release(claimed[1:])
    assert runner.run_slice(campaign, 5).state == CampaignState.PAUSED
    assert [row.state for row in rows(campaign)] == ["sent", "pending", "pending"]
    assert services.resume(campaign)
    assert runner.run_slice(campaign, 5).sent == 2
    assert Message.objects.for_account(acme.account).count() == 3


def test_a_cancelled_campaign_sends_no_more(acme: Team, line: Line) -> None:
    make_contacts(acme, 3)
    campaign = started(template_campaign(acme, line))
    assert services.cancel(campaign)
    assert runner.run_slice(campaign, 5).state == CampaignState.CANCELLED
    assert Message.objects.for_account(acme.account).count() == 0
    assert not services.resume(campaign)


def test_quiet_hours_put_the_campaign_to_sleep_until_they_end(acme: Team, line: Line) -> None:
    make_contacts(acme, 2)
    campaign = started(template_campaign(acme, line, quiet_from=time(21), quiet_until=time(9)))
    zone = ZoneInfo(acme.account.time_zone)
    with time_machine.travel(datetime(2026, 11, 21, 23, 30, tzinfo=zone), tick=False):
        assert runner.run_slice(campaign, 5).state == "quiet"
    campaign.refresh_from_db()
    assert campaign.wake_at == datetime(2026, 11, 22, 9, 0, tzinfo=zone)
    with time_machine.travel(datetime(2026, 11, 22, 9, 1, tzinfo=zone), tick=False):
        assert runner.run_slice(campaign, 5).sent == 2


def test_the_daily_cap_stops_the_day_and_wakes_the_next(acme: Team, line: Line) -> None:
    LineThrottle.objects.for_account(acme.account).filter(line=line).update(daily_cap=2)
    make_contacts(acme, 3)
    campaign = started(template_campaign(acme, line))
    outcome = runner.run_slice(campaign, 5)
    assert (outcome.state, outcome.sent) == ("waiting", 2)
    campaign.refresh_from_db()
    assert campaign.wake_at is not None
    assert campaign.wake_at > timezone.now() + timedelta(minutes=1)
    assert [row.state for row in rows(campaign)] == ["sent", "sent", "pending"]


def test_a_scheduled_campaign_starts_when_its_time_comes(acme: Team, line: Line) -> None:
    from campaigns.tasks import start_due_campaigns

    make_contacts(acme, 2)
    campaign = started(template_campaign(acme, line, start_at=timezone.now() + timedelta(hours=1)))
    assert (campaign.state, rows(campaign)) == (CampaignState.SCHEDULED, [])
    assert start_due_campaigns() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        assert start_due_campaigns() == 1
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.RUNNING
    assert len(rows(campaign)) == 2


def test_a_campaign_with_an_unapproved_template_does_not_start(acme: Team, line: Line) -> None:
    campaign = template_campaign(acme, line)
    campaign.template.status = "PAUSED"  # type: ignore[union-attr]
    campaign.template.save()  # type: ignore[union-attr]
    with pytest.raises(services.CampaignError, match="not approved"):
        services.start(campaign, by=None)
    assert Campaign.objects.for_account(acme.account).get().state == CampaignState.DRAFT


def test_messages_are_queued_for_the_outbox(acme: Team, line: Line) -> None:
    make_contacts(acme, 1)
    campaign = started(template_campaign(acme, line))
    runner.run_slice(campaign, 5)
    message = Message.objects.for_account(acme.account).get()
    assert (message.status, message.automated) == (MessageStatus.QUEUED, True)


def test_an_unexpected_error_fails_that_recipient_and_the_campaign_goes_on(acme: Team, line: Line) -> None:
    make_contacts(acme, 2)
    campaign = started(template_campaign(acme, line))
    # Stored values that are not a mapping (edited by hand in the admin): the template can't be filled.
    Campaign.objects.for_account(acme.account).filter(id=campaign.id).update(template_values=["?"])
    campaign.refresh_from_db()
    outcome = runner.run_slice(campaign, 5)
    assert (outcome.state, outcome.failed) == ("completed", 2)
    assert {(row.state, row.reason) for row in rows(campaign)} == {(RecipientState.FAILED, "error")}


def test_a_short_wait_past_the_slice_hands_over_to_the_next_slice(acme: Team, line: Line) -> None:
    LineThrottle.objects.for_account(acme.account).filter(line=line).update(per_second=2)
    make_contacts(acme, 4)
    campaign = started(template_campaign(acme, line))
    outcome = runner.run_slice(campaign, 0.6)
    assert outcome.state == "running"  # tasks.run_campaign queues the next slice at once
    assert 1 <= outcome.sent < 4
    campaign.refresh_from_db()
    assert campaign.wake_at is None
    assert {row.state for row in rows(campaign)} == {RecipientState.SENT, RecipientState.PENDING}


def test_a_long_wait_puts_the_campaign_to_sleep(acme: Team, line: Line) -> None:
    LineThrottle.objects.for_account(acme.account).filter(line=line).update(per_second=0.1)  # 1 per 10 s
    make_contacts(acme, 2)
    campaign = started(template_campaign(acme, line))
    outcome = runner.run_slice(campaign, 5)
    assert (outcome.state, outcome.sent) == ("waiting", 1)
    campaign.refresh_from_db()
    assert campaign.wake_at is not None
    assert campaign.wake_at > timezone.now() + timedelta(seconds=5)


def test_a_group_sent_in_one_transaction_skips_only_the_row_another_worker_took(
    acme: Team, line: Line
) -> None:
    make_contacts(acme, 3)
    campaign = started(template_campaign(acme, line))
    mine = runner.claim(campaign, 3)
    Recipient.objects.for_account(acme.account).filter(id=mine[1].id).update(
        locked_until=timezone.now() + timedelta(minutes=5)  # another worker's lease now
    )
    assert runner.send_many(campaign, mine) == [True, False, True]
    assert [row.message_id is not None for row in rows(campaign)] == [True, False, True]
    assert runner.group_size(Limits(per_second=80)) == 10
    assert runner.group_size(Limits(per_second=4)) == 1


def test_a_scheduled_campaign_that_can_no_longer_go_is_paused_with_the_reason(acme: Team, line: Line) -> None:
    from campaigns.tasks import start_due_campaigns

    make_contacts(acme, 2)
    campaign = started(template_campaign(acme, line, start_at=timezone.now() + timedelta(hours=1)))
    Line.objects.for_account(acme.account).filter(id=line.id).update(is_active=False)
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        assert start_due_campaigns() == 0
    campaign.refresh_from_db()
    assert (campaign.state, campaign.pause_reason) == (CampaignState.PAUSED, "problems")
    assert campaign.pause_detail == "The line is switched off."
    assert rows(campaign) == []
