from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import LazySettings

from tests.billing.fake_mercadopago import FakeMercadoPago


@pytest.fixture
def fake_mp(settings: LazySettings) -> Iterator[FakeMercadoPago]:
    """A local fake Mercado Pago; the SDK talks to it over HTTP with a test token and secret. No
    network for dollar rates either: the tests enter manual rates."""
    settings.BNA_RATE_URL = settings.BNA_RATE_MIRROR_URL = "http://127.0.0.1:9/"
    with FakeMercadoPago.serving() as fake:
        settings.MERCADOPAGO_API_URL = fake.url
        settings.MERCADOPAGO_ACCESS_TOKEN = "TEST-0000-spoter"
        settings.MERCADOPAGO_WEBHOOK_SECRET = "test-webhook-secret"
        yield fake
