"""The interface every provider kind implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inbox.models import Line, Message


class TransportError(Exception):
    """A provider refused or could not take a request.

    ``permanent`` errors are recorded on the message (failed, with the provider's code, title and
    details); the others are retried with backoff. ``sent`` is True when the request may have
    reached the provider (a timeout after sending): a retry could then deliver twice.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        code: int | None = None,
        title: str = "",
        details: str = "",
        sent: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.title = title or message
        self.details = details
        self.sent = sent


@dataclass(frozen=True)
class Download:
    data: bytes
    mime_type: str


@dataclass(frozen=True)
class RemoteTemplate:
    provider_id: str
    name: str
    language: str
    category: str
    status: str
    components: list[dict[str, Any]] = field(default_factory=list)
    rejection_reason: str = ""


class Provider:
    """One line's connection to its provider. Subclasses implement what their kind supports."""

    kind: str = ""

    def __init__(self, line: Line) -> None:
        self.line = line

    def send(self, message: Message, to: str) -> str:
        """Post one stored message to ``to``; return the provider's message id (wamid)."""
        raise NotImplementedError

    def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        """Upload a file; return the provider's media id."""
        raise NotImplementedError

    def download_media(self, media_id: str) -> Download:
        raise NotImplementedError

    def fetch_templates(self) -> list[RemoteTemplate]:
        raise NotImplementedError

    def create_template(
        self, name: str, language: str, category: str, components: list[dict[str, Any]]
    ) -> RemoteTemplate:
        raise NotImplementedError

    def mark_read(self, wamid: str) -> None:
        raise NotImplementedError
