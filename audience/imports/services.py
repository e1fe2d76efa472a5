"""Imports of contacts (AUD-2): upload, mapping, resume. The worker's loop is in runner.py."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.imports import mapping as columns
from audience.imports.reading import Layout, SpreadsheetError, cell_text, detect, open_rows, scan
from audience.imports.runner import STALE_AFTER, is_stale
from audience.models import ContactImport, CustomField, Dedupe, JobState
from audience.tags import get_or_create_tag
from audience.tasks import run_contact_import
from spoter.accounts.models import Account, User

PREVIEW_ROWS = 10
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def create_import(account: Account, user: User, upload: UploadedFile) -> ContactImport:
    """Checks the whole file (streaming) and stores it as a PENDING import; SpreadsheetError
    with the reason, storing nothing, when it cannot be imported."""
    limit = settings.CONTACT_IMPORT_MAX_MB
    if (upload.size or 0) > limit * 1024 * 1024:
        raise SpreadsheetError(
            _("The file is larger than %(limit)d MB: split it in parts.") % {"limit": limit}
        )
    layout = detect(upload)
    total = scan(upload, layout)
    if not columns.could_be_phone(layout.headers, _sample(upload, layout), account.country):
        raise SpreadsheetError(_("No column of the file looks like a phone number."))
    upload.seek(0)
    return ContactImport.objects.create(
        account=account,
        created_by=user,
        file=upload,
        filename=(upload.name or "")[:200],
        file_format=layout.file_format,
        encoding=layout.encoding,
        delimiter=layout.delimiter,
        headers=layout.headers,
        total_rows=total,
    )


def _sample(file: IO[bytes], layout: Layout) -> list[list[object]]:
    with open_rows(file, layout) as rows:
        return [cells for _number, cells in itertools.islice(rows, 1, PREVIEW_ROWS * 2 + 1)]


def preview(contact_import: ContactImport) -> list[list[str]]:
    """The first data rows as text, padded to the headers' width."""
    layout = Layout(contact_import.file_format, contact_import.encoding, contact_import.delimiter)
    width = len(contact_import.headers)
    try:
        with contact_import.file.open("rb") as file, open_rows(file, layout) as rows:
            sample = [cells for _number, cells in itertools.islice(rows, 1, PREVIEW_ROWS + 1)]
    except (OSError, SpreadsheetError) as error:
        raise SpreadsheetError(_("The uploaded file can no longer be read; upload it again.")) from error
    return [[cell_text(cell) for cell in (cells + [None] * width)[:width]] for cells in sample]


def fields_of(account: Account) -> list[CustomField]:
    return list(CustomField.objects.for_account(account))


@transaction.atomic
def start_import(
    contact_import: ContactImport, mapping: dict[str, str], tags: list[str], dedupe: str
) -> ContactImport:
    """PENDING -> QUEUED with its mapping; the task is enqueued when this commits."""

    account = contact_import.account
    columns.validate(mapping, fields_of(account))
    if dedupe not in Dedupe.values:
        raise ValidationError(_("Choose what to do with contacts that already exist."))
    try:
        names = [get_or_create_tag(account, name).name for name in tags]
    except ValidationError as error:  # keyed by the tag form's field: say it plainly here
        raise ValidationError(" ".join(error.messages)) from error
    updated = (
        ContactImport.objects.for_account(account)
        .filter(id=contact_import.id, state=JobState.PENDING)
        .update(
            mapping=mapping,
            tags=names,
            dedupe=dedupe,
            state=JobState.QUEUED,
            heartbeat_at=timezone.now(),
        )
    )
    if updated:
        transaction.on_commit(lambda: run_contact_import.delay(account.id, contact_import.id))
    contact_import.refresh_from_db()
    return contact_import


@transaction.atomic
def resume_import(contact_import: ContactImport) -> bool:
    """A lost or failed import queued again from its last committed batch; False when it is
    not stale (a worker is on it, or it finished)."""

    if not is_stale(contact_import):
        return False
    account = contact_import.account
    updated = (
        ContactImport.objects.for_account(account)
        .filter(id=contact_import.id, state=contact_import.state, heartbeat_at=contact_import.heartbeat_at)
        .update(state=JobState.QUEUED, heartbeat_at=timezone.now(), failure="", finished_at=None)
    )
    if updated:
        transaction.on_commit(lambda: run_contact_import.delay(account.id, contact_import.id))
    return bool(updated)


def resume_stale_imports() -> int:
    """Every minute (beat): queued or running imports no worker has touched for STALE_AFTER (a
    lost task, a killed worker) go on from their last committed batch. Failed ones wait for a
    person: their failure says why."""
    # Unscoped: a platform sweep over every account's imports; each task carries its account.
    stale = (
        ContactImport.objects.unscoped()
        .filter(state__in=[JobState.QUEUED, JobState.RUNNING])
        .alias(last=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(last__lt=timezone.now() - STALE_AFTER)
        .select_related("account")
    )
    return sum(resume_import(contact_import) for contact_import in stale)


def errors_csv(contact_import: ContactImport) -> Iterator[str]:
    """The rows that were not imported and why, as CSV lines for Excel (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([_("Row"), _("Error")])
    for number, reason in contact_import.errors:
        writer.writerow([number, _safe(str(reason))])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _safe(text: str) -> str:
    """A spreadsheet would run a cell starting with =, +, - or @ as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
