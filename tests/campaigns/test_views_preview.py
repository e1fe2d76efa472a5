"""The preview (counts, exclusions, the sample message, problems, warnings) and the start, pause,
resume and cancel buttons (CAM-2, CAM-6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audience.models import Tag
from campaigns.models import Campaign, CampaignState, ContentKind, Recipient
from inbox.models import Line
from spoter.celery import app
from tests.campaigns.test_views import make_campaign, make_contact, make_line, make_template, open_window, url
from tests.conftest import Team, client_for


@pytest.fixture(autouse=True)
def _no_queued_runners() -> Iterator[None]:
    """Resume queues the campaign's runners on the test broker: no worker here, drop them."""
    yield
    app.control.purge()


@pytest.fixture
def client(acme: Team) -> Client:
    return client_for(acme.supervisor)


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme.account)


@pytest.fixture
def vip_campaign(acme: Team, line: Line) -> Campaign:
    """Free text to the VIP tag: Ana and Beto may get it; four others are left out."""
    account = acme.account
    vip = Tag.objects.for_account(account).create(account=account, name="VIP")
    ana = make_contact(account, 1, name="Ana Pérez")
    beto = make_contact(account, 2, name="Beto")
    blocked = make_contact(account, 3, blocked_at=timezone.now())
    opted_out = make_contact(account, 4, opted_out_at=timezone.now())
    invalid = make_contact(account, 5, phone="+123", wa_id="")
    silent = make_contact(account, 6, name="Sin ventana")
    for contact in (ana, beto, blocked, opted_out, invalid, silent):
        contact.tags.add(vip)
        if contact != silent:
            open_window(line, contact)
    make_contact(account, 7, name="Sin etiqueta")
    campaign = make_campaign(acme, line, text="Hola {{nombre|cliente}}, te esperamos.", opt_out_footer=True)
    campaign.tags.add(vip)
    return campaign


def test_the_preview_counts_recipients_and_exclusions_and_shows_the_first_message(
    acme: Team, client: Client, vip_campaign: Campaign
) -> None:
    response = client.get(url(acme, "campaigns_preview", campaign_id=vip_campaign.id))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<strong data-testid="recipient-count">2</strong>' in page
    for reason, label in [
        ("blocked", "blocked"),
        ("opted_out", "opted out"),
        ("invalid_number", "no valid WhatsApp number"),
        ("outside_window", "outside the 24-hour window (free text)"),
    ]:
        assert f'data-testid="excluded-{reason}">{label}: <strong>1</strong>' in page
    sample = page.split('data-testid="sample-text">')[1].split("</div>")[0]
    assert sample.startswith("Hola Ana, te esperamos.")
    assert sample.endswith("Write 0 to stop receiving these messages.")
    assert 'data-testid="problems"' not in page
    assert 'data-testid="warnings"' not in page


def test_another_recipient_is_found_and_shown(acme: Team, client: Client, vip_campaign: Campaign) -> None:
    preview = url(acme, "campaigns_preview", campaign_id=vip_campaign.id)
    found = client.get(preview, {"q": "bet"}).content.decode()
    beto = vip_campaign.account.contacts.get(name="Beto")
    assert f"?contact={beto.id}" in found
    assert "Sin etiqueta" not in client.get(preview, {"q": "Sin"}).content.decode()  # not a recipient
    page = client.get(preview, {"contact": beto.id}).content.decode()
    assert "Hola Beto, te esperamos." in page
    outsider = vip_campaign.account.contacts.get(name="Sin etiqueta")
    assert "Hola Ana" in client.get(preview, {"contact": outsider.id}).content.decode()


def test_a_template_is_shown_filled_in(acme: Team, client: Client, line: Line) -> None:
    template = make_template(
        acme.account,
        components=[
            {"type": "HEADER", "format": "TEXT", "text": "Ofertas para {{1}}"},
            {"type": "BODY", "text": "Hola {{1}}, usá el código {{2}}."},
            {"type": "FOOTER", "text": "Tienda Acme"},
        ],
    )
    make_contact(acme.account, 1)  # no name: the fallback goes out
    campaign = make_campaign(
        acme,
        line,
        kind=ContentKind.TEMPLATE,
        template=template,
        text="",
        template_values={"header_1": "{{nombre|vos}}", "body_1": "{{nombre|cliente}}", "body_2": "INVIERNO"},
    )
    page = client.get(url(acme, "campaigns_preview", campaign_id=campaign.id)).content.decode()
    assert "Ofertas para vos" in page
    assert "Hola cliente, usá el código INVIERNO." in page
    assert "Tienda Acme" in page


def test_a_contact_left_without_a_value_is_shown(acme: Team, client: Client, line: Line) -> None:
    template = make_template(acme.account)
    make_contact(acme.account, 1, name="Ana")  # no nickname, and no fallback
    campaign = make_campaign(
        acme,
        line,
        kind=ContentKind.TEMPLATE,
        template=template,
        text="",
        template_values={"body_1": "{{apodo}}"},
    )
    page = client.get(url(acme, "campaigns_preview", campaign_id=campaign.id)).content.decode()
    assert "This contact would get nothing: Fill in every value of the template." in page


def test_problems_block_the_start(acme: Team, client: Client, line: Line) -> None:
    make_contact(acme.account, 1)
    campaign = make_campaign(acme, line, kind=ContentKind.TEMPLATE, text="")
    page = client.get(url(acme, "campaigns_preview", campaign_id=campaign.id)).content.decode()
    assert "Choose a template." in page
    response = client.post(url(acme, "campaigns_start", campaign_id=campaign.id))
    assert response.status_code == 400
    assert "Choose a template." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT


def test_start_writes_the_recipients_and_runs(acme: Team, client: Client, vip_campaign: Campaign) -> None:
    response = client.post(url(acme, "campaigns_start", campaign_id=vip_campaign.id))
    assert response.status_code == 302
    assert response["Location"] == url(acme, "campaigns_progress", campaign_id=vip_campaign.id)
    vip_campaign.refresh_from_db()
    assert vip_campaign.state == CampaignState.RUNNING
    assert vip_campaign.started_at is not None
    names = (
        Recipient.objects.for_account(acme.account)
        .filter(campaign=vip_campaign)
        .values_list("contact__name", flat=True)
    )
    assert sorted(names) == ["Ana Pérez", "Beto"]
    assert vip_campaign.excluded == {"blocked": 1, "opted_out": 1, "invalid_number": 1, "outside_window": 1}
    # Started: the preview shows what was written and no start button.
    page = client.get(url(acme, "campaigns_preview", campaign_id=vip_campaign.id)).content.decode()
    assert '<strong data-testid="recipient-count">2</strong>' in page
    assert 'data-testid="start"' not in page
    again = client.post(url(acme, "campaigns_start", campaign_id=vip_campaign.id))
    assert again.status_code == 302
    assert Recipient.objects.for_account(acme.account).filter(campaign=vip_campaign).count() == 2


def test_start_at_a_later_time_schedules(acme: Team, client: Client, vip_campaign: Campaign) -> None:
    vip_campaign.start_at = timezone.now() + timedelta(days=1)
    vip_campaign.save(update_fields=["start_at"])
    page = client.get(url(acme, "campaigns_preview", campaign_id=vip_campaign.id)).content.decode()
    assert "Schedule" in page
    assert client.post(url(acme, "campaigns_start", campaign_id=vip_campaign.id)).status_code == 302
    vip_campaign.refresh_from_db()
    assert vip_campaign.state == CampaignState.SCHEDULED
    assert not Recipient.objects.for_account(acme.account).filter(campaign=vip_campaign).exists()


def test_warnings_must_be_acknowledged(acme: Team, client: Client, vip_campaign: Campaign) -> None:
    vip_campaign.line.quality_rating = "YELLOW"
    vip_campaign.line.save(update_fields=["quality_rating"])
    preview = client.get(url(acme, "campaigns_preview", campaign_id=vip_campaign.id)).content.decode()
    assert 'data-testid="warning-quality"' in preview
    assert 'name="confirm_warnings"' in preview
    refused = client.post(url(acme, "campaigns_start", campaign_id=vip_campaign.id))
    assert refused.status_code == 400
    assert "I have read the warnings" in refused.content.decode()
    vip_campaign.refresh_from_db()
    assert vip_campaign.state == CampaignState.DRAFT
    started = client.post(
        url(acme, "campaigns_start", campaign_id=vip_campaign.id), {"confirm_warnings": "1"}
    )
    assert started.status_code == 302
    vip_campaign.refresh_from_db()
    assert vip_campaign.state == CampaignState.RUNNING


def test_pause_resume_and_cancel(acme: Team, client: Client, vip_campaign: Campaign) -> None:
    client.post(url(acme, "campaigns_start", campaign_id=vip_campaign.id))
    progress = url(acme, "campaigns_progress", campaign_id=vip_campaign.id)
    steps = [
        ("campaigns_pause", CampaignState.PAUSED),
        ("campaigns_pause", CampaignState.PAUSED),  # twice: nothing changes, it says so
        ("campaigns_resume", CampaignState.RUNNING),
        ("campaigns_cancel", CampaignState.CANCELLED),
        ("campaigns_resume", CampaignState.CANCELLED),
    ]
    for name, state in steps:
        response = client.post(url(acme, name, campaign_id=vip_campaign.id))
        assert response.status_code == 302
        assert response["Location"] == progress
        vip_campaign.refresh_from_db()
        assert vip_campaign.state == state, name
    assert vip_campaign.pause_reason == ""
    assert vip_campaign.finished_at is not None


def test_the_cancel_button_asks_first(acme: Team, client: Client, vip_campaign: Campaign) -> None:
    client.post(url(acme, "campaigns_start", campaign_id=vip_campaign.id))
    page = client.get(url(acme, "campaigns_preview", campaign_id=vip_campaign.id)).content.decode()
    assert "confirm('Cancel the campaign?" in page


def test_operators_are_refused(acme: Team, vip_campaign: Campaign) -> None:
    operator = client_for(acme.operator)
    assert operator.get(url(acme, "campaigns_preview", campaign_id=vip_campaign.id)).status_code == 403
    for name in ("campaigns_start", "campaigns_pause", "campaigns_cancel"):
        assert operator.post(url(acme, name, campaign_id=vip_campaign.id)).status_code == 403
    vip_campaign.refresh_from_db()
    assert vip_campaign.state == CampaignState.DRAFT


def test_it_checks_ownership(acme: Team, globex: Team, vip_campaign: Campaign) -> None:
    outsider = client_for(globex.admin)
    assert outsider.get(url(acme, "campaigns_preview", campaign_id=vip_campaign.id)).status_code == 404
    assert outsider.post(url(globex, "campaigns_start", campaign_id=vip_campaign.id)).status_code == 404
    vip_campaign.refresh_from_db()
    assert vip_campaign.state == CampaignState.DRAFT
