"""HTTP steps (BOT-5) against a local fake server: success, secrets, errors and timeouts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from django.conf import LazySettings

from bots import engine
from bots.definition import HttpStep, Option, new_id, parse
from bots.http_steps import DEFAULT_ERROR, StepError, call, pick, run
from bots.models import Bot, BotSecret, BotSession, SessionOutcome
from inbox.models import Line
from tests.bots.test_rules import inbound, line_of, sent
from tests.conftest import Team


class FakeApi(BaseHTTPRequestHandler):
    """Answers by path; remembers what it received."""

    received: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        FakeApi.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path.startswith("/slow"):
            time.sleep(2)
        if self.path.startswith("/error"):
            self._send(500, b'{"error": "boom"}')
        elif self.path.startswith("/html"):
            self._send(200, b"<html>no</html>")
        elif self.path.startswith("/big"):
            self._send(200, b'{"a": "' + b"x" * 200_000 + b'"}')
        elif self.path.startswith("/away"):
            self.send_response(302)
            self.send_header("Location", "http://example.invalid/steal")
            self.end_headers()
        else:
            self._send(200, json.dumps({"order": {"items": [{"status": "en camino"}], "eta": 2}}).encode())

    def _send(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def api(settings: LazySettings) -> Iterator[str]:
    settings.BOT_HTTP_ALLOW_PRIVATE = True
    FakeApi.received.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def session_for(team: Team, line: Line, url: str, **http: Any) -> tuple[BotSession, Option]:
    step = {
        "method": "POST",
        "url": url,
        "headers": {"Authorization": "Bearer {{secret.token}}"},
        "body": '{"name": "{{nombre}}", "phone": "{{telefono}}"}',
        "timeout": 1,
        "pick": {"estado": "order.items.0.status", "dias": "order.eta"},
        "reply": "{{nombre}}, su pedido está {{estado}} (llega en {{dias}} días)",
        **http,
    }
    tree = {
        "id": "top",
        "question": "¿Qué desea?",
        "options": [{"id": "o1", "label": "Mi pedido", "http": step}],
    }
    bot = Bot.objects.for_account(team.account).create(
        account=team.account, name=f"Pedidos {new_id()}", tree=tree
    )
    message = inbound(line, "1")
    state = engine.State(path=("top",), waiting_http="o1")
    session = BotSession.objects.for_account(team.account).create(
        account=team.account, conversation=message.conversation, bot=bot, state=state.to_json()
    )
    option = parse(tree).options[0]
    return session, option


@pytest.fixture
def line(acme: Team) -> Line:
    BotSecret.objects.for_account(acme.account).create(account=acme.account, name="token", value="s3cr3t")
    return line_of(acme)


def test_success_picks_values_and_answers(acme: Team, line: Line, api: str) -> None:
    session, option = session_for(acme, line, f"{api}/orders")
    run(session, option)
    assert sent(line) == ["Ana, su pedido está en camino (llega en 2 días)"]
    request = FakeApi.received[0]
    assert request["headers"]["Authorization"] == "Bearer s3cr3t"  # the secret, decrypted
    assert json.loads(request["body"]) == {"name": "Ana", "phone": "+5491100000001"}
    session.refresh_from_db()
    assert session.outcome == SessionOutcome.COMPLETED


def test_variables_are_json_escaped_in_the_body(acme: Team, line: Line, api: str) -> None:
    session, option = session_for(acme, line, f"{api}/orders")
    contact = session.conversation.contact
    contact.name = 'Ana "la" \\ Pérez'
    contact.save(update_fields=["name"])
    run(session, option)
    assert json.loads(FakeApi.received[0]["body"])["name"] == "Ana"  # first name only
    contact.custom_fields = {"nota": 'dice "hola"\n'}
    contact.save(update_fields=["custom_fields"])
    session, option = session_for(acme, line, f"{api}/orders", body='{"n": "{{nota}}"}')
    call(session, option.http)  # type: ignore[arg-type]
    assert json.loads(FakeApi.received[-1]["body"]) == {"n": 'dice "hola"\n'}


@pytest.mark.parametrize("path", ["/error", "/html", "/slow", "/big", "/away"])
def test_failures_send_the_error_message_and_hand_over(acme: Team, line: Line, api: str, path: str) -> None:
    session, option = session_for(acme, line, f"{api}{path}", error_message="No pudimos consultar.")
    run(session, option)
    assert sent(line) == ["No pudimos consultar."]
    session.refresh_from_db()
    assert session.outcome == SessionOutcome.ESCALATED


def test_default_error_message(acme: Team, line: Line, api: str) -> None:
    session, option = session_for(acme, line, f"{api}/error")
    run(session, option)
    assert sent(line) == [DEFAULT_ERROR]


def test_private_addresses_are_refused_in_production(
    acme: Team, line: Line, api: str, settings: LazySettings
) -> None:
    settings.BOT_HTTP_ALLOW_PRIVATE = False
    settings.DEBUG = False
    session, option = session_for(acme, line, f"{api}/orders")
    with pytest.raises(StepError, match="private"):
        call(session, option.http)  # type: ignore[arg-type]
    assert FakeApi.received == []
    with pytest.raises(StepError, match="http"):
        call(session, HttpStep(url="file:///etc/passwd"))


def test_secrets_of_another_account_are_never_used(acme: Team, globex: Team, line: Line, api: str) -> None:
    BotSecret.objects.for_account(globex.account).create(account=globex.account, name="other", value="theirs")
    session, option = session_for(acme, line, f"{api}/orders", headers={"X-Key": "{{secret.other}}"})
    run(session, option)
    assert FakeApi.received[0]["headers"].get("X-Key") == ""


def test_pick_by_dotted_path() -> None:
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert pick(data, "a.b.1.c") == 2
    assert pick(data, "a.b.5.c") is None
    assert pick(data, "a.x") is None
