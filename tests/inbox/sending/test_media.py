"""Media rules (LIN-10): types judged by content, WhatsApp's sizes, 30 files per send; upload once."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import LazySettings

from inbox import outbox
from inbox.content import Media, StoredMedia
from inbox.media_rules import MB, check_media, detect_mime_type
from inbox.models import Conversation, Message, OutboxEntry
from inbox.providers.sandbox.transport import Sandbox
from inbox.sending import SendError, send, send_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64
OGG_OPUS = b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead" + b"\x00" * 64
OGG_VORBIS = b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis" + b"\x00" * 64
WEBP_STATIC = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64
WEBP_ANIMATED = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x0a\x00\x00\x00" + b"\x02" + b"\x00" * 64


def office(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media_root(settings: LazySettings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.parametrize(
    ("kind", "data", "filename", "mime_type"),
    [
        ("image", PNG, "a.png", "image/png"),
        ("image", JPEG, "foto", "image/jpeg"),
        ("document", PDF, "factura.pdf", "application/pdf"),
        ("document", b"hola, mundo\n", "nota.txt", "text/plain"),
        (
            "document",
            office("word/"),
            "carta.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "document",
            office("xl/"),
            "planilla.bin",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("audio", OGG_OPUS, "voz.ogg", "audio/ogg"),
        ("sticker", WEBP_STATIC, "s.webp", "image/webp"),
    ],
)
def test_types_are_told_by_content(kind: str, data: bytes, filename: str, mime_type: str) -> None:
    assert check_media(kind, data, filename) == mime_type


@pytest.mark.parametrize(
    ("kind", "data", "filename"),
    [
        ("document", PNG, "factura.pdf"),  # a PNG renamed .pdf is still a PNG
        ("image", PDF, "foto.png"),
        ("audio", OGG_VORBIS, "voz.ogg"),  # WhatsApp plays Ogg with Opus only
        ("image", b"\x00\x01binary", "foto.jpg"),
        ("video", PNG, "clip.mp4"),
        ("image", b"", "vacio.png"),
    ],
)
def test_other_types_are_refused(kind: str, data: bytes, filename: str) -> None:
    with pytest.raises(SendError) as caught:
        check_media(kind, data, filename)
    assert caught.value.code == "media_type"


def test_sizes_per_kind() -> None:
    check_media("image", PNG + b"\x00" * (5 * MB - len(PNG)), "a.png")
    for kind, data, limit in (
        ("image", PNG, 5 * MB),
        ("audio", OGG_OPUS, 16 * MB),
        ("document", PDF, 100 * MB),
    ):
        with pytest.raises(SendError) as caught:
            check_media(kind, data + b"\x00" * (limit - len(data) + 1), "x")
        assert caught.value.code == "media_too_large"
    big_static = WEBP_STATIC + b"\x00" * (100 * 1024)
    with pytest.raises(SendError) as caught:
        check_media("sticker", big_static, "s.webp")
    assert caught.value.code == "media_too_large"
    assert check_media("sticker", WEBP_ANIMATED + b"\x00" * (200 * 1024), "s.webp") == "image/webp"


def test_unknown_bytes_are_no_type() -> None:
    assert detect_mime_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "setup.msi") is None


def test_thirty_files_per_send(conversation: Conversation) -> None:
    files = [Media("image", PNG, f"{i}.png") for i in range(31)]
    with pytest.raises(SendError) as caught:
        send_files(conversation, files)
    assert caught.value.code == "too_many_files"
    assert not Message.objects.for_account(conversation.account).exists()
    messages = send_files(conversation, files[:30])
    assert len(messages) == 30
    assert OutboxEntry.objects.for_account(conversation.account).count() == 30


def test_one_bad_file_queues_none(conversation: Conversation) -> None:
    with pytest.raises(SendError):
        send_files(conversation, [Media("image", PNG, "a.png"), Media("document", PNG, "b.pdf")])
    assert not Message.objects.for_account(conversation.account).exists()


def test_captions_only_where_whatsapp_shows_them(conversation: Conversation) -> None:
    with pytest.raises(SendError) as caught:
        send(conversation, Media("sticker", WEBP_STATIC, "s.webp", caption="hola"))
    assert caught.value.code == "media_type"


def test_media_is_uploaded_then_sent_by_id_and_reused(
    conversation: Conversation, sandbox: type[Sandbox]
) -> None:
    first = send(conversation, Media("document", PDF, "factura.pdf", caption="Tu factura"))
    assert outbox.deliver(first.outbox.id) == "sent"
    first.refresh_from_db()
    assert first.media is not None
    media_id = first.media.provider_media_id
    assert sandbox.uploads[media_id] == (PDF, "application/pdf", "factura.pdf")
    body = sandbox.sent_on(conversation.line_id)[0]
    assert body["type"] == "document"
    assert body["document"] == {"id": media_id, "caption": "Tu factura", "filename": "factura.pdf"}
    again = send(conversation, StoredMedia(first.media, "document"))
    assert again.media == first.media  # the same stored file, not a copy
    assert outbox.deliver(again.outbox.id) == "sent"
    assert len(sandbox.uploads) == 1  # Meta's media id is reused
    assert sandbox.sent_on(conversation.line_id)[1]["document"]["id"] == media_id
