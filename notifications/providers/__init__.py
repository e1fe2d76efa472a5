"""SMS, voice and email providers behind small interfaces (CONVENTIONS.md 2): a dict maps the
account's chosen SMS/voice kind to its class, resolved lazily; email goes through Django's
configured backend (notifications/providers/email.py)."""

from __future__ import annotations

from importlib import import_module

from notifications.models import ChannelSettings, SmsVoiceProvider
from notifications.providers.base import ProviderError, SmsVoice

__all__ = ["KINDS", "ProviderError", "SmsVoice", "sms_voice_provider"]

KINDS = {
    SmsVoiceProvider.CONSOLE: "notifications.providers.console:Console",
    SmsVoiceProvider.TWILIO: "notifications.providers.twilio:Twilio",
}


def sms_voice_provider(channels: ChannelSettings | None) -> SmsVoice:
    """The account's SMS and voice provider; the console one until the account sets another."""
    kind = SmsVoiceProvider(channels.sms_voice_provider) if channels else SmsVoiceProvider.CONSOLE
    module, _, name = KINDS[kind].partition(":")
    provider: type[SmsVoice] = getattr(import_module(module), name)
    return provider(channels)
