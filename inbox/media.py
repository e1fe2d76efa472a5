"""Media files: received ones are downloaded at once by a worker, checked and stored per account;
every file is served only through signed, expiring URLs under its account.

Meta's download URL expires in 5 minutes (the media id lasts 7 days), so the worker fetches as
soon as the message is stored and retries transient errors with backoff (FACTS.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import mimetypes
import re
import uuid
from functools import partial
from pathlib import PurePosixPath
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse

from inbox.media_rules import check_media
from inbox.models import MediaFile, Message
from inbox.providers import TransportError, get_provider
from inbox.send_errors import SendError
from spoter.accounts.models import Account

log = logging.getLogger(__name__)

SALT = "inbox.media"
# Shown in the browser; anything else is downloaded, so no stored file runs as a page here.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "audio/aac",
        "audio/amr",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
    }
    | {"video/mp4", "video/3gpp"}
)
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/]')


def download_on_commit(media_file: MediaFile) -> None:
    transaction.on_commit(partial(_enqueue_download, media_file.account_id, media_file.id))


def _enqueue_download(account_id: int, media_id: int) -> None:
    # Imported here: inbox.tasks imports the services, this one among them.
    from inbox.tasks import download_media

    download_media.delay(account_id, media_id)


def download(account: Account, media_id: int) -> MediaFile | None:
    """Fetch one pending file, check it and store it under the account; None when it is not
    pending (done, failed, or another worker's). Raises TransportError when worth retrying."""
    files = MediaFile.objects.for_account(account)
    media_file = files.select_related("line").filter(id=media_id, state=MediaFile.State.PENDING).first()
    if media_file is None:
        return None
    try:
        fetched = get_provider(media_file.line).download_media(media_file.provider_media_id)
    except TransportError as error:
        if not error.permanent:
            raise
        return fail(account, media_id, f"download: {error.title}")
    kind = (
        Message.objects.for_account(account).filter(media=media_file).values_list("type", flat=True).first()
    )
    if media_file.sha256 and not _same_hash(fetched.data, media_file.sha256):
        return fail(account, media_id, "sha256_mismatch")
    try:
        mime_type = check_media(kind or "document", fetched.data, media_file.filename)
    except SendError as error:
        return fail(account, media_id, error.code)
    suffix = (
        PurePosixPath(media_file.filename).suffix.lower()[:10] or mimetypes.guess_extension(mime_type) or ""
    )
    name = default_storage.save(f"{account.id}/in/{uuid.uuid4().hex}{suffix}", ContentFile(fetched.data))
    stored = files.filter(id=media_id, state=MediaFile.State.PENDING).update(
        state=MediaFile.State.READY, file=name, size=len(fetched.data), mime_type=mime_type, error=""
    )
    if not stored:  # a concurrent run finished first: keep one copy
        default_storage.delete(name)
    return files.get(id=media_id)


def fail(account: Account, media_id: int, reason: str) -> MediaFile | None:
    log.warning("media %s of account %s not stored: %s", media_id, account.id, reason)
    files = MediaFile.objects.for_account(account)
    files.filter(id=media_id, state=MediaFile.State.PENDING).update(
        state=MediaFile.State.FAILED, error=reason[:255]
    )
    return files.filter(id=media_id).first()


def _same_hash(data: bytes, expected: str) -> bool:
    """Meta's sha256: base64 in webhooks, hex in some answers; accept either."""
    digest = hashlib.sha256(data).digest()
    if expected.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(expected, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


def media_url(media_file: MediaFile) -> str:
    """A URL for the file that only members of its account can open, valid MEDIA_URL_MAX_AGE."""
    token = signing.dumps([media_file.account_id, media_file.id], salt=SALT)
    path = reverse("inbox_media", kwargs={"account_slug": media_file.account.slug, "media_id": media_file.id})
    return f"{path}?{urlencode({'t': token})}"


def check_token(token: str, media_file: MediaFile) -> None:
    """PermissionDenied when the token is expired, tampered with or made for another file."""
    try:
        signed = signing.loads(token, salt=SALT, max_age=settings.MEDIA_URL_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        raise PermissionDenied from None
    if signed != [media_file.account_id, media_file.id]:
        raise PermissionDenied


def download_name(media_file: MediaFile) -> str:
    """A file name safe in a Content-Disposition header, whatever the customer called the file."""
    name = _UNSAFE_NAME.sub("_", PurePosixPath(media_file.filename.replace("\\", "/")).name).strip(" .")
    return name[:150] or f"file-{media_file.id}{PurePosixPath(media_file.file.name).suffix}"


def file_response(media_file: MediaFile) -> FileResponse:
    """A stored file as an answer no browser runs as a page: only known media types inline."""
    response = FileResponse(
        media_file.file.open("rb"),
        content_type=media_file.mime_type or "application/octet-stream",
        as_attachment=media_file.mime_type not in INLINE_TYPES,
        filename=download_name(media_file),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response
