"""Contact exports (AUD-4): a supervisor asks for the contacts of a filter as CSV or XLSX; the
request and its audit row are written together, a worker writes the file.

The worker streams the filter's queryset in chunks (one query for the chunk's tag names), writes
a temporary file and hands it to storage only when complete, so no half file is ever
downloadable. Cells that a spreadsheet would read as a formula are neutralised (CSV injection).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.core.files import File
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from audience.filters import ContactFilter, TagLink
from audience.models import (
    AudienceAudit,
    AuditAction,
    ContactExport,
    CustomField,
    ExportFormat,
    JobState,
    Source,
    Tag,
)
from spoter.accounts.models import Account, Membership

logger = logging.getLogger(__name__)

CHUNK = 2000
STALE_AFTER = timedelta(minutes=3)  # a queued or running export untouched this long was lost
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number ("+5491122334455", "-12.5") is read as a number, never as a formula: phones
# in E.164 keep their "+" instead of showing a stray quote.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
OPERATORS = {"eq": "=", "contains": "~", "gt": ">", "lt": "<"}
Cell = str | int | float


class ExportFormatError(ValueError):
    """The asked file format is not one we write."""


def neutralise(value: str) -> str:
    """The text, with a leading quote when a spreadsheet would run it as a formula."""
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def request_export(
    account: Account, *, contact_filter: ContactFilter, file_format: str, by: Membership
) -> ContactExport:
    """Record the export and its audit entry in one transaction; the worker starts on commit."""
    if file_format not in ExportFormat.values:
        raise ExportFormatError(file_format)
    summary = filter_summary(account, contact_filter.to_json())
    with transaction.atomic():
        export = ContactExport.objects.for_account(account).create(
            account=account,
            created_by=by.user,
            filters=contact_filter.to_json(),
            file_format=file_format,
        )
        with translation.override(account.language):
            text = _("Export #%(id)s, %(format)s: %(filter)s") % {
                "id": export.id,
                "format": export.get_file_format_display(),
                "filter": summary,
            }
        AudienceAudit.objects.for_account(account).create(
            account=account, actor=by.user, action=AuditAction.EXPORTED, summary=text[:500]
        )
        from audience.tasks import export_contacts  # here: tasks imports this module

        transaction.on_commit(lambda: export_contacts.delay(account.id, export.id))
    return export


def filter_summary(account: Account, filters: dict[str, Any]) -> str:
    """The stored filter in words ("any of the tags: VIP; opted out: no")."""
    return filter_summaries(account, [filters])[0]


def filter_summaries(account: Account, stored: list[dict[str, Any]]) -> list[str]:
    """Several stored filters in words, with two queries in all (tag names, field labels)."""
    filters = [ContactFilter.from_json(data) for data in stored]
    tag_ids = {tag_id for f in filters for tag_id in (*f.tags_any, *f.tags_all, *f.tags_none)}
    names = dict(Tag.objects.for_account(account).filter(id__in=tag_ids).values_list("id", "name"))
    labels = dict(CustomField.objects.for_account(account).values_list("key", "label"))
    with translation.override(account.language):
        return [_describe(contact_filter, names, labels) for contact_filter in filters]


def _describe(contact_filter: ContactFilter, names: dict[int, str], labels: dict[str, str]) -> str:
    parts = []
    if contact_filter.q:
        parts.append(_("text: %(q)s") % {"q": contact_filter.q})
    for title, ids in (
        (_("any of the tags"), contact_filter.tags_any),
        (_("all the tags"), contact_filter.tags_all),
        (_("none of the tags"), contact_filter.tags_none),
    ):
        if ids:
            parts.append(f"{title}: {', '.join(names.get(tag_id, '?') for tag_id in ids)}")
    for condition in contact_filter.conditions:
        field = condition.field
        field = labels.get(field.removeprefix("field:"), field) if field.startswith("field:") else field
        if condition.op == "empty":
            parts.append(_("%(field)s is empty") % {"field": field})
        elif condition.op == "set":
            parts.append(_("%(field)s is filled in") % {"field": field})
        else:
            parts.append(f"{field} {OPERATORS[condition.op]} {condition.value}")
    yes_no = {"yes": _("yes"), "no": _("no")}
    if contact_filter.opted_out:
        parts.append(_("opted out: %(answer)s") % {"answer": yes_no[contact_filter.opted_out]})
    if contact_filter.blocked:
        parts.append(_("blocked: %(answer)s") % {"answer": yes_no[contact_filter.blocked]})
    if contact_filter.seen_after:
        parts.append(_("seen since %(day)s") % {"day": contact_filter.seen_after.isoformat()})
    if contact_filter.seen_before:
        parts.append(_("seen before %(day)s") % {"day": contact_filter.seen_before.isoformat()})
    if contact_filter.never_seen:
        parts.append(_("never seen"))
    return "; ".join(parts) or _("all contacts")


def requeue_lost_exports() -> int:
    """Every minute (beat): exports queued or running that no worker has touched for
    STALE_AFTER (a lost task, a killed worker) are queued again and written from the start."""
    cutoff = timezone.now() - STALE_AFTER
    # Unscoped: a platform sweep over every account's exports; each task carries its account.
    lost = list(
        ContactExport.objects.unscoped()
        .filter(state__in=[JobState.QUEUED, JobState.RUNNING])
        .alias(last=Coalesce("heartbeat_at", "created_at"))
        .filter(last__lt=cutoff)
        .values_list("id", "account_id", "heartbeat_at")
    )
    requeued = 0
    for export_id, account_id, heartbeat in lost:
        # Compare-and-set on the heartbeat: a worker that wakes up meanwhile keeps its export.
        if (
            ContactExport.objects.unscoped()
            .filter(id=export_id, heartbeat_at=heartbeat, state__in=[JobState.QUEUED, JobState.RUNNING])
            .update(state=JobState.QUEUED, heartbeat_at=timezone.now())
        ):
            from audience.tasks import export_contacts  # here: tasks imports this module

            transaction.on_commit(partial(export_contacts.delay, account_id, export_id))
            requeued += 1
    return requeued


def download_name(export: ContactExport, account: Account) -> str:
    day = export.created_at.astimezone(ZoneInfo(account.time_zone)).date()
    return f"contactos-{day.isoformat()}.{export.file_format}"


# --- The worker -------------------------------------------------------------------------------


def run_export(account: Account, export_id: int) -> str:
    """Write the export's file; returns its final state. A finished export is left as it is; an
    interrupted one (worker lost while RUNNING) is written again from the start."""
    exports = ContactExport.objects.for_account(account).filter(id=export_id)
    claimed = exports.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).update(
        state=JobState.RUNNING, heartbeat_at=timezone.now()
    )
    export = exports.first()
    if export is None or not claimed:
        return export.state if export else "missing"
    try:
        with translation.override(account.language), tempfile.TemporaryFile() as handle:
            rows = _write(account, export, handle)
            handle.seek(0)
            name = f"contacts-{export.id}-{secrets.token_hex(8)}.{export.file_format}"
            export.file.save(name, File(handle), save=False)
    except Exception as error:
        logger.exception("export %s of account %s failed", export_id, account.id)
        exports.filter(state=JobState.RUNNING).update(
            state=JobState.FAILED,
            failure=str(error)[:1000] or type(error).__name__,
            finished_at=timezone.now(),
        )
        return JobState.FAILED
    done = exports.filter(state=JobState.RUNNING).update(
        state=JobState.DONE,
        file=export.file.name,
        total_rows=rows,
        processed_rows=rows,
        failure="",
        finished_at=timezone.now(),
    )
    if not done:  # another run of the same task finished first: keep its file, drop ours
        export.file.storage.delete(export.file.name)
    return JobState.DONE if done else str(exports.values_list("state", flat=True).first())


def _write(account: Account, export: ContactExport, handle: IO[bytes]) -> int:
    headers, rows = _table(account, export)
    if export.file_format == ExportFormat.XLSX:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Contacts"))
        sheet.append(headers)
        count = 0
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
            count += 1
        workbook.save(handle)
        return count
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")  # the BOM tells Excel it is UTF-8
    writer = csv.writer(text)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
        count += 1
    text.flush()
    text.detach()  # the temporary file stays open for storage
    return count


def _xlsx_cell(cell: Cell) -> Cell | None:
    if cell == "":
        return None  # no cell at all: a third of a typical row, and the slowest part is per cell
    if isinstance(cell, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", cell))
    return cell


COLUMNS = (
    "id",
    "phone",
    "name",
    "nickname",
    "email",
    "dni",
    "custom_fields",
    "opted_out_at",
    "blocked_at",
    "source",
    "created_at",
    "last_seen_at",
    "consent_at",
    "consent_source",
)


def _table(account: Account, export: ContactExport) -> tuple[list[str], Iterator[list[Cell]]]:
    """The header row, and the rows as a generator that records progress after every chunk."""
    fields = list(CustomField.objects.for_account(account).values_list("key", "label"))
    headers = [
        _("Phone"),
        _("Name"),
        _("Nickname"),
        _("Email"),
        _("DNI"),
        _("Tags"),
        *(label for _key, label in fields),
        _("Opted out"),
        _("Blocked"),
        _("Source"),
        _("Added"),
        _("Last seen"),
        _("Consent given at"),
        _("Consent given through"),
    ]
    contacts = ContactFilter.from_json(export.filters).apply(account)
    total = contacts.count()
    ContactExport.objects.for_account(account).filter(id=export.id).update(total_rows=total, processed_rows=0)
    when = _formatter(ZoneInfo(account.time_zone))
    sources = {value: str(label) for value, label in Source.choices}
    tag_names = dict(Tag.objects.for_account(account).values_list("id", "name"))

    def rows() -> Iterator[list[Cell]]:
        done = 0
        for chunk in _chunks(contacts.values_list(*COLUMNS).iterator(chunk_size=CHUNK)):
            tags = _tag_names(tag_names, [values[0] for values in chunk])
            for contact_id, *texts, custom, opted, blocked, source, created, seen, consent, via in chunk:
                values = custom if isinstance(custom, dict) else {}
                yield [
                    *texts,  # phone, name, nickname, email, DNI
                    ", ".join(tags.get(contact_id, ())),
                    *(_custom(values.get(key)) for key, _label in fields),
                    when(opted),
                    when(blocked),
                    sources.get(source, source),
                    when(created),
                    when(seen),
                    when(consent),
                    via,
                ]
            done += len(chunk)
            ContactExport.objects.for_account(account).filter(id=export.id).update(
                processed_rows=done, total_rows=max(total, done), heartbeat_at=timezone.now()
            )

    return headers, rows()


def _chunks(items: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _tag_names(names: dict[int, str], contact_ids: list[int]) -> dict[int, list[str]]:
    """The chunk's tags in one query on the link table's contact index, by contact, in name
    order; ``names`` holds only the account's own tags, so another account's never show."""
    links = TagLink.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "tag_id")
    tags: dict[int, list[str]] = defaultdict(list)
    for contact_id, tag_id in links:
        if tag_id in names:
            tags[contact_id].append(names[tag_id])
    for found in tags.values():
        found.sort(key=str.casefold)
    return tags


def _custom(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def _formatter(zone: ZoneInfo) -> Callable[[datetime | None], str]:
    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    return when
