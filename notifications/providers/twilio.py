"""Twilio's REST API over HTTP (or any service that speaks it, such as a local fake in tests).

SMS: POST {base}/2010-04-01/Accounts/{sid}/Messages.json (To, From, Body). Calls: Calls.json with
To, From and Twiml ``<Response><Say language=..>text</Say></Response>``, the text XML-escaped, so
a contact's name cannot inject TwiML. HTTP Basic auth with the SID and the auth token.

Twilio's error answers ({"code", "message", "status", "more_info"}) become ProviderError with its
code and message; 5xx, 429 and network failures are temporary, every other 4xx permanent. In
production the API address must be a public one (the bots' SSRF guard, bots.http_steps).
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

import httpx

from notifications.models import ChannelSettings
from notifications.providers.base import ProviderError, SmsVoice
from spoter.http import shared_client
from spoter.outbound import UnsafeURLError, public_host

TIMEOUT_SECONDS = 15
API_VERSION = "2010-04-01"


def twiml_say(text: str, language: str) -> str:
    """The call's TwiML: the text read aloud once, in ``language``."""
    return f"<Response><Say language={quoteattr(language)}>{escape(text)}</Say></Response>"


def twilio_error(status: int, answer: Any) -> ProviderError:
    """An error answer as a ProviderError, temporary or permanent."""
    data = answer if isinstance(answer, dict) else {}
    code = data.get("code") if isinstance(data.get("code"), int) else None
    message = str(data.get("message") or f"HTTP {status}")
    text = f"Twilio {code}: {message}" if code else f"Twilio: {message}"
    return ProviderError(text, permanent=not (status >= 500 or status == 429), code=code)


class Twilio(SmsVoice):
    kind = "twilio"

    def __init__(self, channels: ChannelSettings | None) -> None:
        if channels is None or not (
            channels.twilio_account_sid and channels.twilio_auth_token and channels.from_number
        ):
            raise ProviderError(
                "Twilio: the account SID, auth token and sender number are required.", permanent=True
            )
        super().__init__(channels)
        self.settings = channels
        base = channels.twilio_base_url.rstrip("/")
        self.url = f"{base}/{API_VERSION}/Accounts/{channels.twilio_account_sid}"
        try:
            public_host(self.url)
        except UnsafeURLError as error:
            raise ProviderError(f"Twilio: {error}", permanent=True) from None

    def send_sms(self, to: str, body: str) -> str:
        return self._post("Messages.json", {"To": to, "From": self.settings.from_number, "Body": body})

    def call(self, to: str, text: str) -> str:
        twiml = twiml_say(text, self.settings.voice_language)
        return self._post("Calls.json", {"To": to, "From": self.settings.from_number, "Twiml": twiml})

    def _post(self, resource: str, fields: dict[str, str]) -> str:
        auth = (self.settings.twilio_account_sid, self.settings.twilio_auth_token)
        try:
            response = shared_client().post(
                f"{self.url}/{resource}",
                data=fields,
                auth=auth,
                timeout=TIMEOUT_SECONDS,
                follow_redirects=False,
            )
        except httpx.TimeoutException:
            raise ProviderError("Twilio: no answer in time", permanent=False) from None
        except httpx.HTTPError as error:
            raise ProviderError(f"Twilio: {error.__class__.__name__}", permanent=False) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 300:
            raise twilio_error(response.status_code, answer)
        # Accepted: an answer without a sid is still a message on its way, never one to send again.
        sid = answer.get("sid") if isinstance(answer, dict) else None
        return sid if isinstance(sid, str) else ""
