"""The real whatsapp_cloud adapter over HTTP, against the WhatsApp simulator under live_server."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import LazySettings
from django.utils import timezone

from inbox import outbox
from inbox.content import Media, TemplateMessage, Text
from inbox.models import Line, Message, MessageStatus, OutboxEntry
from inbox.providers import TransportError, get_provider
from inbox.sending import send
from inbox.simulator import services as simulator
from inbox.simulator.models import SimMedia, SimMessage, SimNumber, SimTemplate
from tests.conftest import Team
from tests.inbox.sending.conftest import make_conversation, make_line, make_template

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BODY = [{"type": "BODY", "text": "Hola {{1}}", "example": {"body_text": [["Ana"]]}}]


@pytest.fixture
def cloud_line(acme: Team, live_server: Any, settings: LazySettings, tmp_path: Path) -> Line:
    settings.MEDIA_ROOT = str(tmp_path)
    line = make_line(
        acme,
        provider="whatsapp_cloud",
        graph_url=f"{live_server.url}/simulator/graph",
        phone_number_id="109000000000001",
        waba_id="209000000000001",
        access_token="sim-token",
        app_secret="sim-secret",
    )
    simulator.register_number(
        phone_number_id=line.phone_number_id,
        waba_id=line.waba_id,
        display_number=line.display_number,
        verified_name="Acme",
        access_token="sim-token",
        app_secret="sim-secret",
        webhook_url=f"{live_server.url}/webhooks/whatsapp/{line.uuid}/",
    )
    return line


def number(line: Line) -> SimNumber:
    return SimNumber.objects.get(phone_number_id=line.phone_number_id)


def deliver(message: Message) -> str:
    return outbox.deliver(message.outbox.id)


def test_a_text_reaches_the_simulator_once_with_its_callback_data(cloud_line: Line) -> None:
    message = send(make_conversation(cloud_line), Text("*Hola*, ¿cómo estás?"))
    assert deliver(message) == "sent"
    message.refresh_from_db()
    stored = SimMessage.objects.get(wamid=message.wamid)
    assert message.wamid.startswith("wamid.")
    assert (stored.text, stored.callback_data, stored.customer.wa_id) == (
        "*Hola*, ¿cómo estás?",
        str(message.id),
        "5491122334455",
    )


def test_media_is_uploaded_sent_by_id_and_downloadable(cloud_line: Line) -> None:
    message = send(make_conversation(cloud_line), Media("image", PNG, "foto.png", caption="Mirá"))
    assert deliver(message) == "sent"
    message.refresh_from_db()
    assert message.media is not None
    uploaded = SimMedia.objects.get(media_id=message.media.provider_media_id)
    assert (bytes(uploaded.data), uploaded.mime_type) == (PNG, "image/png")
    assert SimMessage.objects.get(wamid=message.wamid).media == uploaded
    download = get_provider(cloud_line).download_media(uploaded.media_id)
    assert (download.data, download.mime_type) == (PNG, "image/png")


def test_a_server_error_is_retried_with_backoff(cloud_line: Line) -> None:
    message = send(make_conversation(cloud_line), Text("hola"))
    simulator.fail_next_calls(number(cloud_line))
    assert deliver(message) == "retry"
    assert not SimMessage.objects.exists()
    with time_machine.travel(timezone.now() + outbox.backoff(1) + timedelta(seconds=1)):
        assert deliver(message) == "sent"
    assert SimMessage.objects.count() == 1


def test_over_the_throughput_limit_is_retried(cloud_line: Line, settings: LazySettings) -> None:
    settings.SIMULATOR_RATE = 1
    conversation = make_conversation(cloud_line)
    first, second = send(conversation, Text("uno")), send(conversation, Text("dos"))
    with time_machine.travel(timezone.now(), tick=False):  # both in the simulator's same second
        assert deliver(first) == "sent"
        assert deliver(second) == "retry"
    assert "130429" in OutboxEntry.objects.for_account(cloud_line.account).get().last_error
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert deliver(second) == "sent"


def test_an_unknown_template_fails_with_metas_code(cloud_line: Line) -> None:
    conversation = make_conversation(cloud_line, window_open=False)
    template = make_template(cloud_line, "no_existe", components=BODY)  # approved here, unknown at Meta
    message = send(conversation, TemplateMessage(template, body=["Ana"]))
    assert deliver(message) == "failed"
    message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, 132001)
    assert message.error_title


def test_an_approved_template_goes_out(cloud_line: Line) -> None:
    simulator.add_template(cloud_line.waba_id, "saludo", "es_AR", "UTILITY", BODY)
    template = make_template(cloud_line, "saludo", components=BODY)
    message = send(make_conversation(cloud_line, window_open=False), TemplateMessage(template, body=["Ana"]))
    assert deliver(message) == "sent"
    assert SimMessage.objects.get(callback_data=str(message.id)).type == "template"


def test_a_wrong_token_is_a_permanent_error(cloud_line: Line) -> None:
    cloud_line.access_token = "wrong"
    cloud_line.save(update_fields=["access_token"])
    with pytest.raises(TransportError) as caught:
        get_provider(cloud_line).fetch_templates()
    assert (caught.value.code, caught.value.permanent) == (190, True)


def test_templates_are_fetched_across_pages_and_created(cloud_line: Line) -> None:
    for index in range(101):  # more than one page of 100
        simulator.add_template(cloud_line.waba_id, f"plantilla_{index}", "es_AR", "UTILITY", BODY)
    provider = get_provider(cloud_line)
    fetched = provider.fetch_templates()
    assert sorted(t.name for t in fetched) == sorted(f"plantilla_{index}" for index in range(101))
    assert fetched[0].status == "APPROVED"
    created = provider.create_template("nueva", "es_AR", "MARKETING", BODY)
    assert created.status == "PENDING"
    assert SimTemplate.objects.get(name="nueva").template_id == created.provider_id


def test_end_to_end_the_status_webhooks_come_back(worker: None, cloud_line: Line) -> None:
    """send -> worker posts to the simulator -> signed status webhooks -> ingest -> delivered."""
    simulator.add_template(cloud_line.waba_id, "saludo", "es_AR", "UTILITY", BODY)
    template = make_template(cloud_line, "saludo", components=BODY)
    conversation = make_conversation(cloud_line, window_open=False)
    message = send(conversation, TemplateMessage(template, body=["Ana"]))
    deadline = time.monotonic() + 30  # the shared test broker may hold other tests' leftovers first
    while message.status in (MessageStatus.QUEUED, MessageStatus.SENT):
        assert time.monotonic() < deadline, f"stuck at {message.status}"
        time.sleep(0.1)
        message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.DELIVERED, None)
    assert SimMessage.objects.filter(callback_data=str(message.id)).count() == 1
