"""Which files WhatsApp takes, per media kind (FACTS.md), judged by content, never by name.

Used before a file is sent and when one is received. The file's name only chooses between
formats its content cannot tell apart (the legacy Office formats share one container).
"""

from __future__ import annotations

import io
import zipfile

import puremagic
from django.utils.translation import gettext as _

from inbox.send_errors import SendError

MB = 1024 * 1024
KB = 1024
MAX_FILES_PER_SEND = 30

JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
PDF, TXT = "application/pdf", "text/plain"
DOC, XLS, PPT = "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
AAC, AMR, MP3, M4A, OGG = "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"
MP4, THREE_GP = "video/mp4", "video/3gpp"

ALLOWED: dict[str, frozenset[str]] = {
    "image": frozenset({JPEG, PNG}),
    "audio": frozenset({AAC, AMR, MP3, M4A, OGG}),
    "video": frozenset({MP4, THREE_GP}),
    "document": frozenset({PDF, TXT, DOC, XLS, PPT, DOCX, XLSX, PPTX}),
    "sticker": frozenset({WEBP}),
}
MAX_SIZE = {"image": 5 * MB, "audio": 16 * MB, "video": 16 * MB, "document": 100 * MB, "sticker": 500 * KB}
STATIC_STICKER_MAX = 100 * KB

# puremagic names what it recognises by extension; these are the ones WhatsApp accepts.
_BY_EXTENSION = {
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jpe": JPEG,
    ".jfif": JPEG,
    ".webp": WEBP,
    ".pdf": PDF,
    ".aac": AAC,
    ".amr": AMR,
    ".mp3": MP3,
    ".m4a": M4A,
    ".f4a": M4A,
    ".ogg": OGG,
    ".oga": OGG,
    ".opus": OGG,
    ".mp4": MP4,
    ".3gp": THREE_GP,
    ".3ga": THREE_GP,
}
_OLE = {".doc": DOC, ".xls": XLS, ".ppt": PPT}  # one container signature for all three
_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}  # zip archives told apart by their folders


def detect_mime_type(data: bytes, filename: str = "") -> str | None:
    """The WhatsApp-accepted type of ``data``, or None when it is none of them."""
    try:
        extensions = [match.extension.lower() for match in puremagic.magic_string(data)]
    except (puremagic.PureError, ValueError):
        extensions = []
    if ".docx" in extensions or ".xlsx" in extensions:
        return _office_open_xml(data)
    if ".doc" in extensions:
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        return _OLE.get(suffix)
    for extension in extensions:
        mime_type = _BY_EXTENSION.get(extension)
        if mime_type == OGG and b"OpusHead" not in data[:200]:
            return None  # WhatsApp plays Ogg with the Opus codec only
        if mime_type:
            return mime_type
    return TXT if not extensions and _is_text(data) else None


def _office_open_xml(data: bytes) -> str | None:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return None
    for folder, mime_type in _OOXML.items():
        if any(name.startswith(folder) for name in names):
            return mime_type
    return None


def _is_text(data: bytes) -> bool:
    try:
        text = data[: 64 * KB].decode("utf-8")
    except UnicodeDecodeError:
        # The cut may split a character; anything else is binary.
        return len(data) > 64 * KB and _is_text(data[: 64 * KB - 3])
    return "\x00" not in text


def _animated_webp(data: bytes) -> bool:
    # An extended-format WebP (VP8X chunk) sets bit 1 of its flags byte when animated.
    return data[12:16] == b"VP8X" and len(data) > 20 and bool(data[20] & 0x02)


def check_media(kind: str, data: bytes, filename: str) -> str:
    """The file's MIME type when WhatsApp takes it as ``kind``; else SendError media_type or
    media_too_large."""
    if kind not in ALLOWED:
        raise SendError("media_type", _("Unknown media kind: %(kind)s.") % {"kind": kind})
    if not data:
        raise SendError("media_type", _("The file is empty."))
    if len(data) > MAX_SIZE[kind]:
        raise SendError("media_too_large", _too_large(kind, MAX_SIZE[kind]))
    mime_type = detect_mime_type(data, filename)
    if mime_type not in ALLOWED[kind]:
        raise SendError(
            "media_type",
            _("WhatsApp does not accept this file as %(kind)s (its content is %(type)s).")
            % {"kind": kind, "type": mime_type or _("not a known type")},
        )
    if kind == "sticker" and len(data) > STATIC_STICKER_MAX and not _animated_webp(data):
        raise SendError("media_too_large", _too_large(kind, STATIC_STICKER_MAX))
    return mime_type


def _too_large(kind: str, limit: int) -> str:
    size = f"{limit // MB} MB" if limit >= MB else f"{limit // KB} KB"
    return _("The file is too large: WhatsApp takes %(kind)s files up to %(size)s.") % {
        "kind": kind,
        "size": size,
    }
