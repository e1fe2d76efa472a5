"""Notifications' tests: English messages, a local fake Twilio server, and helpers that build
tagged contacts and notifications through the service."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.conf import LazySettings

from audience.models import Contact, Tag
from notifications.models import ChannelSettings, Notification
from notifications.services import save_notification
from tests.conftest import Team

# Numbers the fake answers with an error, as Twilio does.
INVALID_NUMBER = "+5491100000400"
BROKEN_NUMBER = "+5491100000500"


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """tests/conftest.py's ``english``, for every test here."""


@dataclass
class FakeTwilio:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)

    def to(self, number: str) -> list[dict[str, Any]]:
        return [request for request in self.requests if request["form"].get("To") == number]


class _Handler(BaseHTTPRequestHandler):
    """Answers Messages.json and Calls.json like Twilio: 201 with a sid, or Twilio's error JSON."""

    fake: FakeTwilio

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
        auth = base64.b64decode(self.headers.get("authorization", "Basic ").split(" ", 1)[1]).decode()
        self.fake.requests.append({"path": self.path, "auth": auth, "form": form})
        if form.get("To") == INVALID_NUMBER:
            self._answer(400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400})
        elif form.get("To") == BROKEN_NUMBER:
            self._answer(503, {"code": 20500, "message": "Internal Server Error", "status": 503})
        else:
            prefix = "CA" if self.path.endswith("/Calls.json") else "SM"
            self._answer(201, {"sid": f"{prefix}{uuid.uuid4().hex}", "status": "queued"})

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def fake_twilio(settings: LazySettings) -> Iterator[FakeTwilio]:
    settings.BOT_HTTP_ALLOW_PRIVATE = True  # the fake listens on 127.0.0.1
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    fake = FakeTwilio(url=f"http://127.0.0.1:{server.server_address[1]}")
    _Handler.fake = fake
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def use_twilio(team: Team, fake: FakeTwilio) -> ChannelSettings:
    return ChannelSettings.objects.for_account(team.account).create(
        account=team.account,
        sms_voice_provider="twilio",
        twilio_base_url=fake.url,
        twilio_account_sid="AC123",
        twilio_auth_token="s3cret",
        from_number="+15005550006",
    )


def tagged(team: Team, tag: Tag, **fields: Any) -> Contact:
    contact = Contact.objects.for_account(team.account).create(account=team.account, **fields)
    contact.tags.add(tag)
    return contact


def make_tag(team: Team, name: str = "Clientes") -> Tag:
    return Tag.objects.for_account(team.account).get_or_create(account=team.account, name=name)[0]


def daily(team: Team, tag: Tag, **data: Any) -> Notification:
    """A daily notification at 09:00 (the account's zone) through the service."""
    values: dict[str, Any] = {
        "name": "Aviso",
        "channel": "sms",
        "tags": [tag],
        "schedule": "daily",
        "time_of_day": time(9, 0),
        "body": "Hola {{nombre}}",
        **data,
    }
    return save_notification(team.account, None, values, team.supervisor)


def due_now(notification: Notification, at: datetime) -> None:
    """Make it due at ``at`` (as the sweep finds it when its time comes)."""
    Notification.objects.for_account(notification.account).filter(id=notification.id).update(next_run_at=at)
