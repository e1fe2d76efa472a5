"""A campaign's results as CSV (CAM-4): one row per recipient, streamed as it is read.

A campaign may have 100k recipients: the rows are read with a server-side cursor in chunks and
written to the response line by line, so the server never holds the whole file. Cells a
spreadsheet would run as formulas are neutralised (names and Meta's error titles come from
outside).
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from zoneinfo import ZoneInfo

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audience.exports import neutralise
from campaigns.audience import REASONS
from campaigns.models import Campaign, CampaignState, Recipient, RecipientState
from campaigns.progress import KINDS, SEND_FAILURES
from inbox.models import MessageStatus

CHUNK = 2000  # rows per database round trip
BATCH = 500  # lines per piece sent under ASGI
COLUMNS = (
    "contact__phone",
    "contact__name",
    "contact__profile_name",
    "state",
    "reason",
    "message__status",
    "message__error_code",
    "message__error_title",
    "sent_at",
    "replied_at",
)


class _Line:
    """csv.writer's file: hands back each written line instead of storing it."""

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Labels:
    """The words of the file, translated while the request's language is active: the rows are
    written after the view has returned."""

    header: list[str]
    states: dict[str, str]
    reasons: dict[str, str]
    statuses: dict[str, str]


def response(campaign: Campaign, *, asynchronous: bool) -> StreamingHttpResponse:
    """The CSV download; ``asynchronous`` when served under ASGI."""
    lines = _rows(campaign, _labels(campaign))
    content = _pulled(lines) if asynchronous else lines
    streamed = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    name = slugify(campaign.name) or "campaign"
    streamed["Content-Disposition"] = f'attachment; filename="{name}-{campaign.id}.csv"'
    return streamed


def _labels(campaign: Campaign) -> Labels:
    states = {value: str(label) for value, label in RecipientState.choices}
    if campaign.state == CampaignState.CANCELLED:
        # Still queued when the campaign was cancelled: never sent, the page's word for them.
        states[RecipientState.PENDING] = states[RecipientState.SENDING] = str(KINDS["cancelled"])
    return Labels(
        header=[
            _("Phone"),
            _("Name"),
            _("State"),
            _("Reason"),
            _("Message status"),
            _("Error code"),
            _("Error title"),
            _("Sent at"),
            _("Replied at"),
        ],
        states=states,
        reasons={key: str(label) for key, label in (*SEND_FAILURES.items(), *REASONS.items())},
        statuses={value: str(label) for value, label in MessageStatus.choices},
    )


def _rows(campaign: Campaign, labels: Labels) -> Iterator[str]:
    writer = csv.writer(_Line())
    zone = ZoneInfo(campaign.account.time_zone)

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    yield "\ufeff"  # the BOM tells Excel the file is UTF-8
    yield writer.writerow(labels.header)
    rows = (
        Recipient.objects.for_account(campaign.account)
        .filter(campaign=campaign)
        .order_by("id")
        .values_list(*COLUMNS)
        .iterator(chunk_size=CHUNK)
    )
    for phone, name, profile_name, state, reason, status, code, title, sent_at, replied_at in rows:
        texts = [
            phone,
            name or profile_name,
            labels.states.get(state, state),
            labels.reasons.get(reason, reason),
            labels.statuses.get(status, status or ""),
        ]
        yield writer.writerow(
            [
                *(neutralise(text) for text in texts),
                "" if code is None else code,
                neutralise(title or ""),  # no message: no title
                when(sent_at),
                when(replied_at),
            ]
        )


async def _pulled(lines: Iterator[str]) -> AsyncIterator[str]:
    """Under ASGI Django reads a synchronous iterator whole before sending a byte
    (``sync_to_async(list)``): pull the lines a batch at a time instead, each batch in the
    request's own thread (thread-sensitive), which holds the database cursor."""
    pull = sync_to_async(_batch, thread_sensitive=True)
    while batch := await pull(lines):
        yield batch


def _batch(lines: Iterator[str]) -> str:
    return "".join(islice(lines, BATCH))
