"""The worker's side of an import (AUD-2): the file streamed in batches from the first row not yet
done. Each batch writes its contacts and advances ``processed_rows`` and the counts in ONE
transaction, under a lock on the import row that also checks nobody else advanced it: a worker
killed at any point leaves counts that say exactly what was written, and a rerun continues from
there without counting anything twice.

Counts are per data row: each is exactly one of created, updated, skipped or error. A phone seen
earlier in the same file is treated like an existing contact: merged into it (dedupe "update",
later non-empty cells win) or skipped (dedupe "skip")."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audience.imports.reading import Layout, SpreadsheetError, open_rows
from audience.imports.values import Row, read_row
from audience.models import (
    AudienceAudit,
    AuditAction,
    Contact,
    ContactImport,
    CustomField,
    Dedupe,
    JobState,
    Source,
    Tag,
)
from audience.tags import get_or_create_tag
from spoter.accounts.models import Account

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000
STALE_AFTER = timedelta(minutes=3)  # a running import without a batch for this long was lost
UPDATED_FIELDS = [
    "name",
    "nickname",
    "email",
    "dni",
    "custom_fields",
    "consent_at",
    "consent_source",
    "registered",
]


class Stolen(Exception):  # noqa: N818 -- not an error: another worker took the import over
    pass


@dataclass
class Batch:
    """One batch's outcome, added to the import's counts in the batch's transaction."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[list[object]] = field(default_factory=list)


def claim(account: Account, import_id: int) -> bool:
    """QUEUED -> RUNNING, compare-and-set: of two tasks for one import only one goes on."""
    now = timezone.now()
    return bool(
        ContactImport.objects.for_account(account)
        .filter(id=import_id, state=JobState.QUEUED)
        .update(state=JobState.RUNNING, heartbeat_at=now, started_at=now)
    )


def run(
    account: Account, import_id: int, *, batch_size: int = BATCH_SIZE, max_batches: int | None = None
) -> str:
    """Runs a claimed import to its end (or for ``max_batches``, as a test's interruption);
    returns its state."""
    contact_import = ContactImport.objects.for_account(account).get(id=import_id)
    if contact_import.state != JobState.RUNNING:
        return contact_import.state
    try:
        with translation.override(account.language):  # row errors in the account's language
            _run(account, contact_import, batch_size, max_batches)
    except Stolen:
        logger.info("import %s: taken over by another worker", import_id)
    except Exception as error:
        logger.exception("import %s failed", import_id)
        message = (
            str(error)
            if isinstance(error, SpreadsheetError)
            else _("Unexpected error: %(error)s") % {"error": type(error).__name__}
        )
        ContactImport.objects.for_account(account).filter(id=import_id, state=JobState.RUNNING).update(
            state=JobState.FAILED, failure=message, finished_at=timezone.now()
        )
    return ContactImport.objects.for_account(account).values_list("state", flat=True).get(id=import_id)


def _run(account: Account, contact_import: ContactImport, batch_size: int, max_batches: int | None) -> None:
    layout = Layout(contact_import.file_format, contact_import.encoding, contact_import.delimiter)
    fields = {field.key: field for field in CustomField.objects.for_account(account)}
    mapping = {int(index): target for index, target in contact_import.mapping.items() if target}
    tags = _TagCache(account)
    done = contact_import.processed_rows
    with contact_import.file.open("rb") as file, open_rows(file, layout) as rows:
        data = itertools.islice(rows, 1 + done, None)  # the header, then the rows already done
        for batches, chunk in enumerate(iter(lambda: list(itertools.islice(data, batch_size)), [])):
            if max_batches is not None and batches >= max_batches:
                return
            parsed: list[Row] = []
            outcome = Batch()
            for number, cells in chunk:
                try:
                    parsed.append(read_row(number, cells, mapping, fields, account.country))
                except ValidationError as error:
                    outcome.errors.append([number, " ".join(error.messages)])
            _commit_batch(account, contact_import, done, len(chunk), parsed, outcome, tags)
            done += len(chunk)
    _finish(account, contact_import, done)


def _commit_batch(
    account: Account,
    contact_import: ContactImport,
    start: int,
    size: int,
    rows: list[Row],
    outcome: Batch,
    tags: _TagCache,
) -> None:
    for attempt in range(2):
        try:
            with transaction.atomic():
                locked = _lock(account, contact_import.id, start)
                counts = Batch(errors=outcome.errors)
                _write(account, locked, rows, counts, tags)
                locked.processed_rows = start + size
                locked.created_count += counts.created
                locked.updated_count += counts.updated
                locked.skipped_count += counts.skipped
                locked.error_count += len(counts.errors)
                locked.errors = [*locked.errors, *counts.errors]
                locked.heartbeat_at = timezone.now()
                locked.save(
                    update_fields=[
                        "processed_rows",
                        "created_count",
                        "updated_count",
                        "skipped_count",
                        "error_count",
                        "errors",
                        "heartbeat_at",
                    ]
                )
                return
        except IntegrityError:
            # A contact with one of these phones was created meanwhile (an inbound message):
            # the batch rolled back whole; the second attempt finds and updates it.
            if attempt:
                raise
            tags.forget()


def _lock(account: Account, import_id: int, start: int) -> ContactImport:
    locked = ContactImport.objects.for_account(account).select_for_update(no_key=True).get(id=import_id)
    if locked.state != JobState.RUNNING or locked.processed_rows != start:
        raise Stolen
    return locked


def _write(
    account: Account, contact_import: ContactImport, rows: list[Row], counts: Batch, tags: _TagCache
) -> None:
    contacts = Contact.objects.for_account(account)
    existing = {contact.phone: contact for contact in contacts.filter(phone__in={row.phone for row in rows})}
    consent_source = f"import: {contact_import.filename}"[:200]
    new: dict[str, Contact] = {}
    changed: dict[int, Contact] = {}
    links: list[tuple[Contact, list[str]]] = []
    for row in rows:
        contact = existing.get(row.phone) or new.get(row.phone)
        if contact is None:
            contact = Contact(account=account, phone=row.phone, source=Source.IMPORT, registered=True)
            new[row.phone] = contact
            counts.created += 1
        elif contact_import.dedupe == Dedupe.SKIP:
            counts.skipped += 1
            continue
        else:
            counts.updated += 1
            if contact.pk is not None:
                changed[contact.pk] = contact
        for name, value in row.attributes.items():
            setattr(contact, name, value)
        if row.custom:
            contact.custom_fields = {**contact.custom_fields, **row.custom}
        if row.consent and contact.consent_at is None:
            contact.consent_at = timezone.now()
            contact.consent_source = consent_source
        contact.registered = True
        links.append((contact, [*row.tags, *contact_import.tags]))
    contacts.bulk_create(list(new.values()))
    contacts.bulk_update(list(changed.values()), UPDATED_FIELDS)
    _link_tags([(contact.pk, tags.get(name).pk) for contact, names in links for name in names])


def _link_tags(pairs: list[tuple[int, int]]) -> None:
    """(contact id, tag id) links, existing ones left alone. On PostgreSQL one INSERT of two
    arrays: building a model instance per link took half the time of a 100,000-row import."""
    through = Contact.tags.through
    if connection.vendor != "postgresql":
        objects = [through(contact_id=contact, tag_id=tag) for contact, tag in pairs]
        through.objects.bulk_create(objects, ignore_conflicts=True)
        return
    table = through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (contact_id, tag_id) "  # noqa: S608 -- the table name is ours
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
            [[contact for contact, _tag in pairs], [tag for _contact, tag in pairs]],
        )


class _TagCache:
    """The account's tags by name in any case, created when new."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.known: dict[str, Tag] = {}

    def get(self, name: str) -> Tag:
        key = name.casefold()
        if key not in self.known:
            self.known[key] = get_or_create_tag(self.account, name)
        return self.known[key]

    def forget(self) -> None:
        self.known.clear()  # tags created in a rolled-back batch are gone


def _finish(account: Account, contact_import: ContactImport, done: int) -> None:
    with transaction.atomic():
        locked = _lock(account, contact_import.id, done)
        locked.state = JobState.DONE
        locked.finished_at = locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["state", "finished_at", "heartbeat_at"])
        AudienceAudit.objects.create(
            account=account,
            actor=locked.created_by,
            action=AuditAction.IMPORTED,
            summary=(
                f"{locked.filename}: {locked.created_count} created, {locked.updated_count} updated, "
                f"{locked.skipped_count} skipped, {locked.error_count} errors"
            )[:500],
        )


def is_stale(contact_import: ContactImport) -> bool:
    """A queued or running import no worker has touched for a while (its task or worker was
    lost), or a failed one: the page offers to resume it."""
    if contact_import.state == JobState.FAILED:
        return True
    if contact_import.state not in (JobState.QUEUED, JobState.RUNNING):
        return False
    last = contact_import.heartbeat_at or contact_import.started_at or contact_import.created_at
    return last < timezone.now() - STALE_AFTER
