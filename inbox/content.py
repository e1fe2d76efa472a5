"""What an outbound message says, before it is a stored Message: one dataclass per kind.

``inbox.sending`` validates these against Meta's limits (FACTS.md) and turns them into rows the
outbox worker posts; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inbox.models import MediaFile, Template


@dataclass(frozen=True)
class Text:
    body: str  # WhatsApp formatting (*bold*, _italic_, ...) goes out as written
    preview_url: bool = False


@dataclass(frozen=True)
class Media:
    """A new file: image, audio, video, document or sticker, checked by content."""

    kind: str
    data: bytes = field(repr=False)
    filename: str
    caption: str = ""


@dataclass(frozen=True)
class StoredMedia:
    """A file the account already has (an earlier upload, a received file): sent again without
    being stored twice, and uploaded to Meta only when the line has no fresh media id for it."""

    media: MediaFile
    kind: str
    caption: str = ""


@dataclass(frozen=True)
class TemplateMessage:
    """An approved template. ``body`` is positional ({{1}}, {{2}}: a list) or named
    ({{first_name}}: a dict); ``header`` fills a text header's variables, or is one link for a
    media header; ``buttons`` fills the URL / copy-code buttons that have a variable, in order."""

    template: Template
    header: list[str] = field(default_factory=list)
    body: list[str] | dict[str, str] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Buttons:
    """Reply buttons: ``buttons`` holds (id, title) pairs; the tapped id comes back inbound."""

    body: str
    buttons: list[tuple[str, str]]
    header: str = ""
    footer: str = ""


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class ListMenu:
    """A list message: ``button`` opens the menu of ``sections``."""

    body: str
    button: str
    sections: list[Section]
    header: str = ""
    footer: str = ""


Content = Text | Media | StoredMedia | TemplateMessage | Buttons | ListMenu
