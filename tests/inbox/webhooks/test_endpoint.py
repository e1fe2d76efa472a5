"""The webhook endpoints: handshake, signature, envelope, storage and the enqueue after commit."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from audience.models import Contact
from inbox.models import Conversation, Direction, Line, Message, MessageStatus, WebhookEvent
from inbox.providers.whatsapp_cloud.inbound import sign
from inbox.tasks import DRAIN_QUEUED
from inbox.webhook_events import process_event
from tests.conftest import Team
from tests.inbox.webhooks.conftest import APP_SECRET, PHONE_NUMBER_ID, encode, fixture, make_line, post_signed

PLATFORM_SECRET = "platform-app-secret"


def line_url(line: Line) -> str:
    return reverse("whatsapp_line_webhook", kwargs={"line_uuid": line.uuid})


@pytest.fixture
def platform(settings) -> None:
    settings.WHATSAPP_APP_SECRET = PLATFORM_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "platform-verify-token"


def handshake(door: Any, url: str, token: str) -> Any:
    return door.get(url, {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"})


def test_the_handshake_echoes_the_challenge_for_the_right_token(door: Any, line: Line) -> None:
    response = handshake(door, line_url(line), line.verify_token)
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")
    assert handshake(door, line_url(line), "wrong").status_code == 403
    assert door.get(line_url(line), {"hub.verify_token": line.verify_token}).status_code == 403


def test_the_platform_endpoint_exists_only_when_configured(door: Any, db: None, settings) -> None:
    settings.WHATSAPP_APP_SECRET = ""
    url = reverse("whatsapp_webhook")
    assert handshake(door, url, "").status_code == 404
    body = encode(fixture("text"))
    assert post_signed(door, url, body, "").status_code == 404
    settings.WHATSAPP_APP_SECRET, settings.WHATSAPP_VERIFY_TOKEN = PLATFORM_SECRET, "platform-verify-token"
    assert handshake(door, url, "platform-verify-token").status_code == 200
    assert handshake(door, url, "").status_code == 403


def test_an_unknown_line_is_404(door: Any, db: None) -> None:
    url = reverse("whatsapp_line_webhook", kwargs={"line_uuid": "8a4f1f0e-2a4b-4c39-9d7e-1f0a3b2c4d5e"})
    assert post_signed(door, url, encode(fixture("text")), APP_SECRET).status_code == 404


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        sign(b"another body", APP_SECRET),
        sign(b"{}", "other-secret"),
    ],
)
def test_a_missing_or_wrong_signature_is_403_and_stores_nothing(
    door: Any, line: Line, header: str | None
) -> None:
    headers = {} if header is None else {"X-Hub-Signature-256": header}
    response = door.post(
        line_url(line), encode(fixture("text")), content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_another_lines_secret_does_not_sign_for_this_line(door: Any, line: Line, globex: Team) -> None:
    other = make_line(globex, phone_number_id="999", app_secret="globex-secret")
    response = post_signed(door, line_url(line), encode(fixture("text")), other.app_secret)
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account"}',
    ],
)
def test_malformed_bodies_are_400_with_a_json_error(door: Any, line: Line, body: bytes) -> None:
    response = post_signed(door, line_url(line), body, APP_SECRET)
    assert response.status_code == 400
    assert response.json()["error"] == "malformed"
    assert not WebhookEvent.objects.exists()


def test_a_signed_webhook_is_stored_raw_and_a_drain_requested_on_commit(
    door: Any, line: Line, django_capture_on_commit_callbacks
) -> None:
    body = encode(fixture("text"))
    cache.delete(DRAIN_QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signed(door, line_url(line), body, APP_SECRET)
        # Inside a transaction (the test's, around the Django door) the request waits for the commit.
        assert (cache.get(DRAIN_QUEUED) is None) == transaction.get_connection().in_atomic_block
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert bytes(event.body) == body
    assert event.line_id == line.id
    assert event.processed_at is None
    assert cache.get(DRAIN_QUEUED) == 1


def test_the_platform_endpoint_stores_without_a_line(door: Any, db: None, platform: None) -> None:
    response = post_signed(door, reverse("whatsapp_webhook"), encode(fixture("text")), PLATFORM_SECRET)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().line_id is None


def test_a_3_mb_batch_is_accepted_and_all_of_it_applied(door: Any, line: Line) -> None:
    """Meta's largest batch: 1,000 updates in 3 MB, here 100 long messages and 900 statuses."""
    conversation = Conversation.objects.for_account(line.account).create(
        account=line.account,
        number=1,
        line=line,
        contact=Contact.objects.for_account(line.account).create(
            account=line.account, phone="+5491155550001", wa_id="5491155550001"
        ),
    )
    outbound = Message.objects.for_account(line.account).bulk_create(
        Message(
            account=line.account,
            conversation=conversation,
            line=line,
            direction=Direction.OUTBOUND,
            wamid=f"wamid.OUT{i:03d}",
            status=MessageStatus.QUEUED,
        )
        for i in range(300)
    )
    body = fixture("batch")
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"] = [
        {**value["messages"][0], "id": f"wamid.BIG{i:03d}", "text": {"body": f"{i} " + "x" * 29_000}}
        for i in range(100)
    ]
    value["statuses"] = [
        {"id": message.wamid, "status": status, "timestamp": "1767258300", "recipient_id": "5491155550001"}
        for message in outbound
        for status in ("read", "sent", "delivered")
    ]
    raw = encode(body)
    assert len(raw) > 2_900_000
    assert post_signed(door, line_url(line), raw, APP_SECRET).status_code == 200
    assert process_event(WebhookEvent.objects.get().id)
    assert WebhookEvent.objects.get().error == ""
    messages = Message.objects.for_account(line.account)
    assert messages.filter(direction=Direction.INBOUND).count() == 101  # + the batch's other entry
    assert set(messages.filter(direction=Direction.OUTBOUND).values_list("status", flat=True)) == {"read"}


@pytest.mark.django_db(transaction=True)
def test_a_webhook_reaches_the_inbox_through_the_worker(door: Any, worker: None, acme: Team) -> None:
    """End to end: the view, the commit, the Redis broker, the Celery worker, the services."""
    line = make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    assert post_signed(door, line_url(line), encode(fixture("text")), APP_SECRET).status_code == 200
    deadline = time.monotonic() + 20
    while not Message.objects.for_account(acme.account).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    message = Message.objects.for_account(acme.account).get()
    assert message.text == fixture("text")["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"]


def test_a_body_over_4_mb_is_413_and_stores_nothing(door: Any, line: Line) -> None:
    body = b'{"object": "whatsapp_business_account", "entry": [], "pad": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    response = post_signed(door, line_url(line), body, APP_SECRET)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert not WebhookEvent.objects.exists()


def test_a_new_app_secret_works_at_once_and_the_old_one_stops(door: Any, line: Line) -> None:
    """The secret is remembered per process; a signature that fails is checked again against
    the stored secret, so rotating it never refuses Meta's new signatures."""
    body = encode(fixture("text"))
    assert post_signed(door, line_url(line), body, APP_SECRET).status_code == 200
    line.app_secret = "rotated-secret"
    line.save(update_fields=["app_secret"])
    assert post_signed(door, line_url(line), body, "rotated-secret").status_code == 200
    assert post_signed(door, line_url(line), body, APP_SECRET).status_code == 403
    assert WebhookEvent.objects.count() == 2
