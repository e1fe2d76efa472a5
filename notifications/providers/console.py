"""The console provider: logs what would go out and sends nothing (the embedded default, and
every account until it configures a real provider)."""

from __future__ import annotations

import logging
import uuid

from notifications.providers.base import SmsVoice

log = logging.getLogger(__name__)


class Console(SmsVoice):
    kind = "console"

    def send_sms(self, to: str, body: str) -> str:
        return self._log("SMS", to, body)

    def call(self, to: str, text: str) -> str:
        return self._log("call", to, text)

    @staticmethod
    def _log(what: str, to: str, text: str) -> str:
        provider_id = f"console-{uuid.uuid4().hex}"
        log.info("%s to %s (%s): %s", what, to, provider_id, text)
        return provider_id
