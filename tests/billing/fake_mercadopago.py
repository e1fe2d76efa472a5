"""The sandbox (billing/mercadopago/sandbox.py) served over HTTP on a local port, so the tests run
the official SDK's real HTTP path against it (MERCADOPAGO_API_URL points the SDK here)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.test import Client
from django.urls import reverse

from billing import lifecycle
from billing.catalogue import FREE
from billing.mercadopago.sandbox import Delivery, Sandbox
from billing.models import ExchangeRate, RateSource, Subscription
from billing.subscriptions import plan_by_code, put_on_plan, subscription_for
from tests.conftest import Team

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response  # the test client's, stubs only


class FakeMercadoPago:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.sandbox = Sandbox(
            init_point=lambda id_: f"{self.url}/subscriptions/checkout?preapproval_id={id_}"
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's names
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def do_PUT(self) -> None:
                self._answer()

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = fake.sandbox.handle(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    body,
                    self.headers.get("Authorization", ""),
                )
                content = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the tests read the sandbox's requests instead

        return Handler

    @classmethod
    @contextmanager
    def serving(cls) -> Iterator[FakeMercadoPago]:
        fake = cls()
        thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield fake
        finally:
            fake.server.shutdown()
            fake.server.server_close()


def post_webhook(client: Client, delivery: Delivery) -> Response:
    """Posts a delivery to our endpoint as Mercado Pago would."""
    return client.post(
        f"{reverse('mercadopago_webhook')}?{urlencode(delivery.query)}",
        data=delivery.body,
        content_type="application/json",
        headers=delivery.headers,
    )


def sign_up_by_card(team: Team, day: date, seller: str = "1000") -> Subscription:
    """The account on FREE chooses PRO by card: PRO waits for the payer, and a pending
    preapproval charges USD 99 at that day's rate."""
    ExchangeRate.objects.create(source=RateSource.MANUAL, quote_date=day, seller=Decimal(seller))
    put_on_plan(team.account, FREE)
    lifecycle.start_card(
        subscription_for(team.account), plan_by_code("pro"), 0, 0, payer_email="pagos@acme.test", today=day
    )
    return subscription_for(team.account)
