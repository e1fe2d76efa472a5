"""The notification pages (CAM-5) and the channel settings (LIN-7), as supervisors use them."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications import runs
from notifications.models import ChannelSettings, Notification
from tests.conftest import Team, client_for
from tests.notifications.conftest import daily, due_now, make_tag, tagged
from tests.notifications.test_schedule import local


def url(team: Team, name: str, *args: int) -> str:
    return reverse(name, args=[team.account.slug, *args])


def form(tag_id: int, **values: str) -> dict[str, object]:
    return {
        "name": "Recordatorio",
        "channel": "sms",
        "tags": [tag_id],
        "tag_mode": "any",
        "body": "Hola {{nombre}}",
        "schedule": "monthly",
        "time_of_day": "10:15",
        "day_of_month": "31",
        "active": "on",
        **values,
    }


@time_machine.travel(local(2025, 4, 2, 12, 0), tick=False)
def test_a_supervisor_creates_a_notification_and_sees_it_listed(acme: Team) -> None:
    tag = make_tag(acme, "Socios")
    client = client_for(acme.supervisor)
    response = client.post(url(acme, "campaigns_notification_new"), form(tag.id))
    assert response.status_code == 302
    notification = Notification.objects.for_account(acme.account).get()
    assert notification.next_run_at == local(2025, 4, 30, 10, 15)
    assert notification.created_by == acme.supervisor
    page = client.get(url(acme, "campaigns_notifications")).content.decode()
    assert "Recordatorio" in page
    assert "Every month on day 31 at 10:15" in page
    assert "Socios" in page
    assert "Not run yet" in page


def test_the_form_refuses_an_sms_over_160_characters(acme: Team) -> None:
    tag = make_tag(acme)
    client = client_for(acme.supervisor)
    response = client.post(url(acme, "campaigns_notification_new"), form(tag.id, body="x" * 161))
    assert response.status_code == 400
    assert "An SMS has at most 160 characters; this one has 161." in response.content.decode()
    assert not Notification.objects.for_account(acme.account).exists()
    # The same text is fine as an email (with a subject) or a call.
    response = client.post(
        url(acme, "campaigns_notification_new"), form(tag.id, body="x" * 161, channel="voice")
    )
    assert response.status_code == 302


def test_the_form_shows_the_counter_and_edits_in_place(acme: Team) -> None:
    tag = make_tag(acme)
    notification = daily(acme, tag, body="Hola")
    client = client_for(acme.supervisor)
    page = client.get(url(acme, "campaigns_notification_edit", notification.id)).content.decode()
    assert 'data-testid="sms-counter" data-sms-counter>4/160<' in page
    response = client.post(
        url(acme, "campaigns_notification_edit", notification.id),
        form(tag.id, channel="email", subject="Hola", html="<b>Hola</b>", schedule="daily"),
    )
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.channel, notification.subject, notification.html) == ("email", "Hola", "<b>Hola</b>")
    assert notification.day_of_month is None  # daily: the monthly field is dropped


def test_the_run_log_shows_each_delivery_with_its_reason(acme: Team) -> None:
    tag = make_tag(acme)
    tagged(acme, tag, name="Ana", phone="+5491155550001")
    tagged(acme, tag, name="Beto", opted_out_at=timezone.now(), phone="+5491155550002")
    notification = daily(acme, tag)
    due_now(notification, timezone.now())
    runs.start_due()
    for _account_id, run_id in runs.open_runs():
        runs.send_run(acme.account, run_id)
    client = client_for(acme.supervisor)
    page = client.get(url(acme, "campaigns_notification_runs", notification.id)).content.decode()
    assert "Ana" in page
    assert "Sent" in page
    assert "opted out" in page
    listing = client.get(url(acme, "campaigns_notifications")).content.decode()
    assert "1 sent, 0 failed, 1 skipped" in listing


def test_delete_asks_first(acme: Team) -> None:
    notification = daily(acme, make_tag(acme))
    client = client_for(acme.supervisor)
    delete = url(acme, "campaigns_notification_delete", notification.id)
    assert "confirm-delete" in client.get(delete).content.decode()
    assert Notification.objects.for_account(acme.account).exists()
    assert client.post(delete).status_code == 302
    assert not Notification.objects.for_account(acme.account).exists()


def test_channel_settings_keep_the_token_secret(acme: Team) -> None:
    client = client_for(acme.admin)
    settings_url = url(acme, "settings_notification_channels")
    values = {
        "sms_voice_provider": "twilio",
        "twilio_base_url": "https://api.twilio.com",
        "twilio_account_sid": "AC123",
        "twilio_auth_token": "s3cret-token",
        "from_number": "+15005550006",
        "voice_language": "es-MX",
        "email_from": "Acme <avisos@acme.com>",
    }
    assert client.post(settings_url, values).status_code == 302
    page = client.get(settings_url).content.decode()
    assert "s3cret-token" not in page
    assert 'data-testid="token-saved"' in page
    assert client.post(settings_url, {**values, "twilio_auth_token": ""}).status_code == 302  # kept
    channels = ChannelSettings.objects.for_account(acme.account).get()
    assert channels.twilio_auth_token == "s3cret-token"
    refused = client.post(settings_url, {**values, "twilio_account_sid": "", "from_number": "5491155"})
    assert refused.status_code == 400
    assert "Required for Twilio." in refused.content.decode()
    channels.refresh_from_db()
    assert channels.twilio_account_sid == "AC123"


@pytest.mark.parametrize("name", ["campaigns_notification_edit", "campaigns_notification_runs"])
def test_it_checks_ownership(acme: Team, globex: Team, name: str) -> None:
    notification = daily(acme, make_tag(acme))
    assert client_for(globex.supervisor).get(url(acme, name, notification.id)).status_code == 404
    assert client_for(globex.supervisor).get(url(globex, name, notification.id)).status_code == 404
    assert client_for(acme.operator).get(url(acme, name, notification.id)).status_code == 403
