"""The campaign's progress page, its live fragment and its results as CSV (CAM-4)."""

from __future__ import annotations

import csv
import io
import re
import warnings
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.http import StreamingHttpResponse
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from audience.models import Contact
from campaigns.models import Campaign, CampaignState, Recipient, RecipientState
from campaigns.services import pause
from inbox.models import MessageStatus
from tests.campaigns.factories import make_contacts
from tests.campaigns.test_progress import add, running
from tests.conftest import Team, client_for

ROUTES = ("campaigns_progress", "campaigns_progress_live", "campaigns_results_export")


def url(name: str, campaign: Campaign) -> str:
    return reverse(name, kwargs={"account_slug": campaign.account.slug, "campaign_id": campaign.id})


def count(page: str, kind: str) -> int:
    found = re.search(rf'data-testid="count-{kind}"><strong>(\d+)</strong>', page)
    assert found, f"no {kind} count on the page"
    return int(found.group(1))


@pytest.fixture
def campaign(acme: Team) -> Campaign:
    campaign = running(acme, name="Spring sale", excluded={"invalid_number": 2})
    people = [
        Contact.objects.for_account(acme.account).create(
            account=acme.account, phone=f"+5491150000{n:03d}", name=f"Cliente {n}", registered=True
        )
        for n in range(6)
    ]
    add(campaign, people[0], RecipientState.PENDING)
    add(campaign, people[1], status=MessageStatus.SENT)
    add(campaign, people[2], status=MessageStatus.READ, replied_at=timezone.now())
    add(
        campaign,
        people[3],
        status=MessageStatus.FAILED,
        error_code=131026,
        error_title="Message undeliverable",
    )
    add(campaign, people[4], RecipientState.SKIPPED, reason="opted_out")
    add(campaign, people[5], status=MessageStatus.DELIVERED)
    return campaign


def test_the_page_shows_the_counts_the_bar_and_the_chart(acme: Team, campaign: Campaign) -> None:
    response = client_for(acme.supervisor).get(url("campaigns_progress", campaign))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Spring sale" in page
    expected = {"total": 6, "queued": 1, "sent": 3, "delivered": 2, "read": 1, "replied": 1}
    assert {kind: count(page, kind) for kind in expected} == expected
    assert (count(page, "failed"), count(page, "skipped"), count(page, "excluded")) == (1, 1, 2)
    assert 'data-testid="progress-bar"' in page
    assert re.search(r'<svg class="sends-chart"[^>]*role="img"', page)
    assert '<title id="sends-title">Messages sent every 10 seconds</title>' in page
    assert "131026 · Message undeliverable" in page
    assert "no valid WhatsApp number" in page
    assert 'hx-trigger="every 3s"' in page  # running: the counts refresh
    assert "4 messages sent in the last minute (0.07 per second)." in page
    assert "Less than a minute left." in page  # one queued, at 4 a minute
    assert url("campaigns_results_export", campaign) in page


def test_numbers_in_the_svg_and_the_bar_are_not_localised(acme: Team, campaign: Campaign) -> None:
    """Spanish writes 12,5: a style or an SVG attribute must keep the dot."""
    acme.account.language = "es-ar"
    acme.account.save(update_fields=["language"])
    client = client_for(acme.supervisor)
    client.cookies["django_language"] = "es-ar"

    page = client.get(url("campaigns_progress", campaign)).content.decode()

    assert "width: 16.67%" in page
    assert not re.search(r'(x|y|width|height)="\d+,\d', page)


def test_a_paused_campaign_says_why(acme: Team, campaign: Campaign) -> None:
    pause(campaign, reason="template", detail="Meta set the template ofertas to Paused.")

    page = client_for(acme.supervisor).get(url("campaigns_progress", campaign)).content.decode()

    assert 'data-testid="campaign-state">Paused<' in page
    assert "Meta set the template ofertas to Paused." in page
    assert "the template can no longer be sent" in page
    assert 'hx-trigger="every 3s"' in page  # it may resume


def test_a_sleeping_campaign_says_until_when_and_why(acme: Team, campaign: Campaign) -> None:
    zone = ZoneInfo(acme.account.time_zone)
    campaigns = Campaign.objects.for_account(acme.account).filter(id=campaign.id)
    campaigns.update(quiet_from=time(21), quiet_until=time(9), wake_at=datetime(2026, 11, 22, 9, tzinfo=zone))
    client = client_for(acme.supervisor)
    with time_machine.travel(datetime(2026, 11, 21, 23, tzinfo=zone), tick=False):
        page = client.get(url("campaigns_progress_live", campaign)).content.decode()
        assert "Quiet hours: sending goes on at 11/22/2026 9 a.m." in page
        campaigns.update(quiet_from=None, quiet_until=None)
        page = client.get(url("campaigns_progress_live", campaign)).content.decode()
        assert "Waiting for the line's sending limits" in page
    with time_machine.travel(datetime(2026, 11, 22, 9, 1, tzinfo=zone), tick=False):
        page = client.get(url("campaigns_progress_live", campaign)).content.decode()
    assert 'data-testid="asleep"' not in page


def test_the_live_fragment_polls_until_the_campaign_ends(acme: Team, campaign: Campaign) -> None:
    client = client_for(acme.supervisor)
    fragment = client.get(url("campaigns_progress_live", campaign), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert text.startswith('<div id="campaign-live"')
    assert "<html" not in text
    assert count(text, "read") == 1

    Campaign.objects.for_account(acme.account).filter(id=campaign.id).update(
        state=CampaignState.COMPLETED, finished_at=timezone.now()
    )
    done = client.get(url("campaigns_progress_live", campaign)).content.decode()
    assert 'data-state="completed"' in done
    assert "hx-trigger" not in done  # polling stops
    assert count(done, "read") == 1  # the results stay


def test_the_results_export_has_one_row_per_recipient(acme: Team, campaign: Campaign) -> None:
    contact = Contact.objects.for_account(acme.account).create(
        account=acme.account, phone="+5491150000999", name='=HYPERLINK("http://x")', registered=True
    )
    sent_at = datetime(2025, 3, 10, 15, 0, 5, tzinfo=UTC)
    add(
        campaign, contact, status=MessageStatus.READ, sent_at=sent_at, replied_at=sent_at + timedelta(hours=1)
    )

    response = client_for(acme.supervisor).get(url("campaigns_results_export", campaign))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="spring-sale-{campaign.id}.csv"'
    body = b"".join(response.streaming_content)  # bytes when synchronous
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Phone",
        "Name",
        "State",
        "Reason",
        "Message status",
        "Error code",
        "Error title",
        "Sent at",
        "Replied at",
    ]
    assert len(rows) == 8
    by_phone = {row[0]: row for row in rows[1:]}
    assert by_phone["+5491150000999"] == [
        "+5491150000999",
        '\'=HYPERLINK("http://x")',  # a formula becomes text
        "Handed to WhatsApp",
        "",
        "Read",
        "",
        "",
        "2025-03-10 12:00:05",  # Buenos Aires
        "2025-03-10 13:00:05",
    ]
    assert by_phone["+5491150000003"][2:7] == [
        "Handed to WhatsApp",
        "",
        "Failed",
        "131026",
        "Message undeliverable",
    ]
    assert by_phone["+5491150000004"][2:5] == ["Skipped", "opted out", ""]
    assert by_phone["+5491150000000"][2] == "Queued"

    Campaign.objects.for_account(acme.account).filter(id=campaign.id).update(state=CampaignState.CANCELLED)
    again = client_for(acme.supervisor).get(url("campaigns_results_export", campaign))
    rows = list(csv.reader(io.StringIO(b"".join(again.streaming_content).decode("utf-8-sig"))))
    assert {row[0]: row for row in rows[1:]}["+5491150000000"][2] == "Cancelled"


def test_under_asgi_the_export_is_sent_in_pieces(acme: Team, campaign: Campaign) -> None:
    """Django would read a synchronous iterator whole before sending under ASGI."""
    Recipient.objects.for_account(acme.account).bulk_create(
        Recipient(account=acme.account, campaign=campaign, contact=contact)
        for contact in make_contacts(acme, 1200)
    )
    client = AsyncClient()
    client.force_login(acme.supervisor.user)

    async def download() -> tuple[bool, list[bytes]]:
        response = await client.get(url("campaigns_results_export", campaign))
        assert isinstance(response, StreamingHttpResponse)
        return response.is_async, [part async for part in response.streaming_content]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "StreamingHttpResponse must consume synchronous iterators"
        is_async, parts = async_to_sync(download)()

    assert is_async
    assert len(parts) == 3  # the BOM, the header and 1206 rows, 500 lines a piece
    rows = list(csv.reader(io.StringIO(b"".join(parts).decode("utf-8-sig"))))
    assert len(rows) == 1207
    assert rows[-1][:3] == ["+5491140001199", "Cliente 1199", "Queued"]


@pytest.mark.parametrize("name", ROUTES)
def test_operators_are_refused(acme: Team, campaign: Campaign, name: str) -> None:
    assert client_for(acme.operator).get(url(name, campaign)).status_code == 403


@pytest.mark.parametrize("name", ROUTES)
def test_it_checks_ownership(acme: Team, globex: Team, campaign: Campaign, name: str) -> None:
    assert client_for(globex.admin).get(url(name, campaign)).status_code == 404
    theirs = url(name, campaign).replace("/a/acme/", "/a/globex/")
    assert client_for(globex.admin).get(theirs).status_code == 404  # acme's id under their account
