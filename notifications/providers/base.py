"""The interface of SMS and voice providers, and the one error every provider raises."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifications.models import ChannelSettings


class ProviderError(Exception):
    """A provider refused or could not take a message.

    ``permanent`` errors fail the delivery at once (a bad number, bad credentials); the others
    (5xx, timeouts, connection errors) leave it pending for a later attempt. ``code`` is the
    provider's own error code when it gave one.
    """

    def __init__(self, message: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code


class SmsVoice:
    """Sends text messages and places calls that read a text aloud; each returns the provider's id."""

    kind: str = ""

    def __init__(self, channels: ChannelSettings | None) -> None:
        self.channels = channels

    def send_sms(self, to: str, body: str) -> str:
        raise NotImplementedError

    def call(self, to: str, text: str) -> str:
        raise NotImplementedError
