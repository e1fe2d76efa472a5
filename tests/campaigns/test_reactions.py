"""What campaigns do with what WhatsApp tells us, through the real webhook processing."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from audience.models import Contact
from campaigns import runner, services
from campaigns.models import Campaign, CampaignState, LineThrottle, OptOutSettings, Recipient, RecipientState
from campaigns.throttle import Limits, get_throttle
from inbox import outbox
from inbox.models import Direction, Line, Message, OutboxEntry, Template
from inbox.providers.sandbox.transport import Sandbox, meta_error
from tests.campaigns.factories import make_contacts, make_template, template_campaign
from tests.conftest import Team
from tests.inbox.webhooks.conftest import CUSTOMER_WA_ID, PHONE_NUMBER_ID, deliver, fixture, make_line

TEXT_WAMID = "wamid.HBgNNTQ5MTE1NTU1MDAwMRUCABIYFDNBMDFBQ0U2TEXT"


@pytest.fixture
def line(acme: Team) -> Line:
    line = make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    LineThrottle.objects.create(account=acme.account, line=line, per_second=1000)
    return line


@pytest.fixture
def customer(acme: Team) -> Contact:
    return Contact.objects.create(
        account=acme.account, phone="+" + CUSTOMER_WA_ID, wa_id=CUSTOMER_WA_ID, name="Lucía", registered=True
    )


def says(text: str, wamid: str = TEXT_WAMID) -> None:
    now = str(int(time.time()))
    body = fixture(
        "text", **{"Hola, ¿tienen *stock* del modelo 42?": text, TEXT_WAMID: wamid, "1767258000": now}
    )
    deliver(body)


def running(team: Team, line: Line, extra: int = 0) -> Campaign:
    make_contacts(team, extra)
    return services.start(template_campaign(team, line), by=None)


def recipient(campaign: Campaign, contact: Contact) -> Recipient:
    return Recipient.objects.for_account(campaign.account).get(campaign=campaign, contact=contact)


@pytest.mark.parametrize("text", ["BAJA", "baja.", " Stop! ", "0"])
def test_an_opt_out_keyword_opts_out_skips_queued_sends_and_confirms(
    acme: Team, line: Line, customer: Contact, text: str
) -> None:
    campaign = running(acme, line)
    says(text)
    customer.refresh_from_db()
    assert customer.opted_out_at is not None
    assert (recipient(campaign, customer).state, recipient(campaign, customer).reason) == (
        "skipped",
        "opted_out",
    )
    confirmation = Message.objects.for_account(acme.account).get(direction=Direction.OUTBOUND)
    assert confirmation.text == "Done: you will not receive more of these messages."


def test_the_accounts_own_keywords_and_confirmation(acme: Team, line: Line, customer: Contact) -> None:
    OptOutSettings.objects.create(account=acme.account, keywords="chau, no más", confirmation="Listo, Lucía.")
    says("BAJA")
    customer.refresh_from_db()
    assert customer.opted_out_at is None  # not one of this account's words
    says("Chau", wamid="wamid.second")
    customer.refresh_from_db()
    assert customer.opted_out_at is not None
    assert Message.objects.for_account(acme.account).get(direction=Direction.OUTBOUND).text == "Listo, Lucía."


def test_a_keyword_inside_a_sentence_is_conversation(acme: Team, line: Line, customer: Contact) -> None:
    says("No quiero darme de baja, quiero comprar")
    customer.refresh_from_db()
    assert customer.opted_out_at is None


def test_a_marketing_stop_on_whatsapp_opts_the_contact_out(acme: Team, line: Line, customer: Contact) -> None:
    campaign = running(acme, line)
    deliver(fixture("user_preferences"))
    customer.refresh_from_db()
    assert customer.opted_out_at is not None
    assert recipient(campaign, customer).state == RecipientState.SKIPPED
    assert not Message.objects.for_account(acme.account).exists()  # Meta told them already


def test_a_reply_within_72_hours_counts_for_the_campaign(acme: Team, line: Line, customer: Contact) -> None:
    campaign = running(acme, line)
    runner.run_slice(campaign, 5)
    says("¿Cuánto sale?")
    assert recipient(campaign, customer).replied_at is not None


def test_a_reply_after_72_hours_does_not(acme: Team, line: Line, customer: Contact) -> None:
    campaign = running(acme, line)
    runner.run_slice(campaign, 5)
    Recipient.objects.for_account(acme.account).update(sent_at=timezone.now() - timedelta(hours=73))
    says("¿Cuánto sale?")
    assert recipient(campaign, customer).replied_at is None


def test_meta_saying_too_fast_backs_the_line_off(acme: Team, line: Line, customer: Contact) -> None:
    campaign = running(acme, line)
    runner.run_slice(campaign, 5)
    Sandbox.fail_next(meta_error(130429))
    assert outbox.deliver(OutboxEntry.objects.for_account(acme.account).get().id) == "retry"
    held = get_throttle().take(line, 999, Limits(per_second=1000))
    assert held.reason == "backoff"


def test_the_spam_limit_pauses_the_lines_campaigns_and_says_why(
    acme: Team, line: Line, customer: Contact
) -> None:
    campaign = running(acme, line, extra=2)
    runner.send_one(campaign, runner.claim(campaign, 1)[0])
    Sandbox.fail_next(meta_error(131048))
    outbox.deliver(OutboxEntry.objects.for_account(acme.account).get().id)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.pause_reason) == (CampaignState.PAUSED, "spam_limit")
    assert "131048" in campaign.pause_detail


def test_a_paused_template_pauses_the_campaigns_using_it(acme: Team, line: Line, customer: Contact) -> None:
    campaign = running(acme, line)
    other = services.start(
        template_campaign(acme, line, template=make_template(line, name="order_update")), by=None
    )
    Template.objects.for_account(acme.account).filter(name="ofertas").update(provider_id="594425479261596")
    deliver(fixture("template_approved", **{'"APPROVED"': '"PAUSED"', "order_update": "ofertas"}))
    campaign.refresh_from_db()
    other.refresh_from_db()
    assert (campaign.state, other.state) == (CampaignState.PAUSED, CampaignState.RUNNING)
    assert campaign.pause_detail == "Meta set the template ofertas to Paused."


def test_a_flagged_number_pauses_its_campaigns(acme: Team, line: Line, customer: Contact) -> None:
    Line.objects.for_account(acme.account).filter(id=line.id).update(display_number="+1 555-078-3881")
    campaign = running(acme, line)
    deliver(fixture("quality_update"))
    campaign.refresh_from_db()
    assert (campaign.state, campaign.pause_reason) == (CampaignState.PAUSED, "quality")
