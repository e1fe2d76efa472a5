"""Files from the composer: each one's WhatsApp kind chosen by its content (never its name)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from inbox.content import Media
from inbox.drafts import CAPTIONLESS
from inbox.media_rules import ALLOWED, MAX_FILES_PER_SEND, MAX_SIZE, detect_mime_type
from inbox.send_errors import SendError

# WebP goes as an image here: a sticker is a choice the composer does not offer.
_KIND_ORDER = ("image", "video", "audio", "document")


def kind_of(data: bytes, filename: str) -> str:
    mime_type = detect_mime_type(data, filename)
    for kind in _KIND_ORDER:
        if mime_type in ALLOWED[kind]:
            return kind
    return "document"  # the send service says why WhatsApp refuses it


def files_from(uploads: Sequence[UploadedFile], *, caption: str = "") -> list[Media]:
    """The uploads as Media (the caption on the first file); checked again by the send service."""
    if len(uploads) > MAX_FILES_PER_SEND:
        raise SendError(
            "too_many_files", _("Send at most %(max)d files at a time.") % {"max": MAX_FILES_PER_SEND}
        )
    media = []
    for index, upload in enumerate(uploads):
        if (upload.size or 0) > max(MAX_SIZE.values()):
            raise SendError("media_too_large", _("The file %(name)s is too large.") % {"name": upload.name})
        data = upload.read()
        name = upload.name or "file"
        kind = kind_of(data, name)
        media.append(
            Media(kind, data, name, caption=caption if index == 0 and kind not in CAPTIONLESS else "")
        )
    return media
