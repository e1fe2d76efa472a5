"""Simulated numbers for tests, and lines of an account wired to them over HTTP.

`connect_line(team, base_url)` gives a whatsapp_cloud line whose Graph URL is the simulator at
``base_url`` (pytest-django's live_server) and a simulated number posting webhooks back to the
line's own webhook endpoint: the real adapter and the real ingest, end to end.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.test import Client

from inbox.lines import create_line
from inbox.models import Line
from inbox.simulator.models import SimNumber
from inbox.simulator.services import register_number
from tests.conftest import Team

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response  # the test client's, stubs only

TOKEN = "simulated-access-token"
SECRET = "simulated-app-secret"
PHONE_NUMBER_ID = "1000000001"
WABA_ID = "2000000001"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def make_number(
    *,
    phone_number_id: str = PHONE_NUMBER_ID,
    waba_id: str = WABA_ID,
    webhook_url: str = "http://127.0.0.1:9/",
) -> SimNumber:
    return register_number(
        phone_number_id=phone_number_id,
        waba_id=waba_id,
        display_number="+54 11 5555-0100",
        verified_name="Tienda Simulada",
        access_token=TOKEN,
        app_secret=SECRET,
        webhook_url=webhook_url,
    )


def connect_line(
    team: Team, base_url: str, *, phone_number_id: str = PHONE_NUMBER_ID
) -> tuple[Line, SimNumber]:
    line = create_line(
        team.account,
        name="WhatsApp",
        display_number="+541155550100",
        phone_number_id=phone_number_id,
        waba_id=WABA_ID,
        access_token=TOKEN,
        app_secret=SECRET,
        graph_url=f"{base_url}/simulator/graph",
    )
    number = make_number(
        phone_number_id=phone_number_id, webhook_url=f"{base_url}/webhooks/whatsapp/{line.uuid}/"
    )
    return line, number


def graph(
    method: str, path: str, body: Any = None, *, token: str = TOKEN, multipart: bool = False
) -> Response:
    """A Graph API call to the simulator through Django's test client: JSON, or a form upload."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"/simulator/graph/v23.0/{path}"
    if method == "GET":
        return Client().get(url, body, headers=headers)
    if multipart:
        return Client().post(url, body, headers=headers)
    return Client().post(url, json.dumps(body), content_type="application/json", headers=headers)


def text_body(to: str = "5491122334455", text: str = "Hola", **fields: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text}, **fields}


def interactive(kind: str, action: dict[str, Any], body: str = "Elegí") -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": "5491122334455",
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": body}, "action": action},
    }


def buttons(*titles: str) -> dict[str, Any]:
    return {
        "buttons": [{"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)]
    }


def rows(count: int, title: str = "Fila") -> dict[str, Any]:
    return {
        "button": "Ver",
        "sections": [{"rows": [{"id": f"r{i}", "title": f"{title} {i}"} for i in range(count)]}],
    }
