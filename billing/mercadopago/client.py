"""The official SDK, pointed at Mercado Pago, at a local fake (MERCADOPAGO_API_URL, the tests) or
at the in-process sandbox (no access token: the embedded `make run` default)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

import mercadopago
import requests
from django.conf import settings
from django.utils.translation import gettext as _
from mercadopago.config import RequestOptions
from mercadopago.errors.exceptions import MercadoPagoError as SdkError
from mercadopago.http import HttpClient

from billing.mercadopago import MercadoPagoError

log = logging.getLogger(__name__)

API_URL = "https://api.mercadopago.com"  # fixed in the SDK (mercadopago.config.Config)
TIMEOUT_SECONDS = 20.0  # the SDK insists on a float
MAX_RETRIES = 2


class LocalApiClient(HttpClient):  # type: ignore[misc]  # the SDK ships no types
    """The SDK's own requests-based client, sending to another base URL (a local fake server)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if url.startswith(API_URL):
            url = self.base_url + url[len(API_URL) :]
        response: dict[str, Any] = super().request(method, url, *args, **kwargs)
        return response


def uses_sandbox() -> bool:
    """No access token and no fake server: the in-process sandbox plays Mercado Pago (development)."""
    return not settings.MERCADOPAGO_ACCESS_TOKEN and not settings.MERCADOPAGO_API_URL


def sdk() -> mercadopago.SDK:
    options = RequestOptions(connection_timeout=TIMEOUT_SECONDS, max_retries=MAX_RETRIES)
    if settings.MERCADOPAGO_API_URL:
        client: HttpClient = LocalApiClient(settings.MERCADOPAGO_API_URL)
    elif settings.MERCADOPAGO_ACCESS_TOKEN:
        client = HttpClient()
    elif settings.SIMULATOR_ENABLED:
        from billing.mercadopago import sandbox  # only development servers load the fake

        client = sandbox.InProcessClient(sandbox.local())
    else:
        raise MercadoPagoError(_("Card payments are not configured on this server. Please contact support."))
    token = settings.MERCADOPAGO_ACCESS_TOKEN or "TEST-sandbox"
    return mercadopago.SDK(token, http_client=client, request_options=options)


def call(operation: Callable[[mercadopago.SDK], Any]) -> dict[str, Any]:
    """Runs one SDK call; the answer's body, or MercadoPagoError with Mercado Pago's message."""
    try:
        result = operation(sdk())
    except (requests.RequestException, SdkError) as error:
        log.warning("Mercado Pago unreachable: %s", error)
        raise MercadoPagoError(
            _("Mercado Pago could not be reached. Please try again in a few minutes.")
        ) from error
    status, body = result.get("status", 0), result.get("response")
    if 200 <= status < 300 and isinstance(body, dict):
        return body
    message = body.get("message") if isinstance(body, dict) else ""
    log.warning("Mercado Pago answered %s: %s", status, body)
    raise MercadoPagoError(
        _("Mercado Pago refused the request (%(status)s): %(message)s")
        % {"status": status, "message": message or _("no details given")}
    )


def webhook_secret() -> str:
    """The secret Mercado Pago signs webhooks with; the sandbox's is derived from SECRET_KEY."""
    if settings.MERCADOPAGO_WEBHOOK_SECRET:
        return str(settings.MERCADOPAGO_WEBHOOK_SECRET)
    if uses_sandbox() and settings.SIMULATOR_ENABLED:
        return hmac.new(settings.SECRET_KEY.encode(), b"mercadopago-sandbox", hashlib.sha256).hexdigest()
    return ""
