"""The ASGI door's own behaviour: what it leaves to Django and how it reads bodies. Everything a
webhook means is tested through both doors in test_endpoint.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from inbox.models import Line, WebhookEvent
from inbox.providers.whatsapp_cloud.inbound import sign
from inbox.webhooks.asgi import WebhookApp
from tests.inbox.webhooks.conftest import APP_SECRET, AsgiClient, encode, fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_webhooks_are_answered_before_django_and_the_rest_by_django(line: Line) -> None:
    """Django's middleware marks its answers (X-Frame-Options); the webhook door skips it all."""
    url = reverse("whatsapp_line_webhook", kwargs={"line_uuid": line.uuid})
    webhook = AsgiClient().post(
        url, encode(fixture("text")), HTTP_X_HUB_SIGNATURE_256=sign(encode(fixture("text")), APP_SECRET)
    )
    assert webhook.status_code == 200
    assert "x-frame-options" not in webhook.headers
    assert "x-frame-options" in AsgiClient().get("/healthz").headers


def test_other_methods_are_405(line: Line) -> None:
    response = AsgiClient().request("PUT", reverse("whatsapp_line_webhook", kwargs={"line_uuid": line.uuid}))
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_other_paths_go_on_to_django(db: None) -> None:
    assert AsgiClient().get("/healthz").status_code == 200
    # Under the prefix but no webhook route: Django's own 404, not ours.
    response = AsgiClient().get("/webhooks/whatsapp/not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_client_gone_before_the_end_of_its_body_stores_nothing(line: Line) -> None:
    body = encode(fixture("text"))
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Mapping[str, Any]] = []

    async def django(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("a webhook path must not reach Django")

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    path = reverse("whatsapp_line_webhook", kwargs={"line_uuid": line.uuid})
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"x-hub-signature-256", sign(body, APP_SECRET).encode())],
    }
    async_to_sync(WebhookApp(django))(scope, receive, send)
    assert sent == []
    assert not WebhookEvent.objects.exists()
