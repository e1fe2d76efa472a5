"""Processing stored webhook events: claim, route each change to its line's account, apply.

The webhook view stores the raw body and answers; a worker ``drain``s the stored events in
batches. An event is claimed with a lease (SKIP LOCKED, or compare-and-set in ``process_event``),
so two runs never process it together, and one whose worker died is taken up again when its
lease ends. Publishing one Celery task per webhook cost more than the rest of the view (3 ms of
6): the view only asks for a drain, at most one queued at a time (inbox/tasks.request_drain).
Everything below is idempotent anyway (unique wamids, forward-only statuses), so a second
processing changes nothing.

Routing never guesses: a change goes to the line whose phone_number_id it names (on a per-line
URL, only that line's), WABA-level fields to the account whose lines use that WABA; anything
else is logged and dropped, so no account ever sees another's data. Each message, status and
change is applied in its own transaction: one failing does not lose the others, and its error is
kept on the event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from inbox import receiving, signals, statuses, waba_updates
from inbox.models import Line, WebhookEvent
from inbox.providers.whatsapp_cloud import inbound
from inbox.providers.whatsapp_cloud.inbound import JSON, Change, MalformedWebhookError

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a worker that dies holding events frees them after this
MAX_ATTEMPTS = 5
DRAIN_BATCH = 20
DRAIN_SECONDS = 20.0  # then the drain hands over to a fresh task, so no task runs for long
WABA_FIELDS: dict[str, Callable[[list[Line], JSON], None]] = {
    "message_template_status_update": waba_updates.template_status,
    "phone_number_quality_update": waba_updates.quality,
}


def process_event(event_id: int) -> bool:
    """Process one stored event unless another run has it or it is done; True when processed."""
    now = timezone.now()
    claimed = _pending(now).filter(id=event_id).update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    if claimed:
        event = WebhookEvent.objects.select_related("line__account").get(id=event_id)
        _record({event_id: _apply(event.line, bytes(event.body))})
    return bool(claimed)


def drain(max_seconds: float = DRAIN_SECONDS) -> tuple[int, bool]:
    """Process pending events in batches until there are none (True: time ran out first, more
    may wait). Concurrent drains share the work: each claims its batch with SKIP LOCKED."""
    started = time.monotonic()
    processed = 0
    while time.monotonic() - started < max_seconds:
        now = timezone.now()
        with transaction.atomic():
            batch = list(
                _pending(now)
                .select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", "line_id", "body")[:DRAIN_BATCH]
            )
            WebhookEvent.objects.filter(id__in=[event_id for event_id, _, _ in batch]).update(
                locked_until=now + LEASE, attempts=F("attempts") + 1
            )
        if not batch:
            return processed, False
        # Unscoped: the lines the claimed events arrived on, one query a batch.
        lines = (
            Line.objects.unscoped().select_related("account").in_bulk({line for _, line, _ in batch} - {None})
        )
        _record({event_id: _apply(lines.get(line), bytes(body)) for event_id, line, body in batch})
        processed += len(batch)
    return processed, True


def _pending(now: datetime) -> QuerySet[WebhookEvent]:
    """Not processed, not held by a live lease, not given up on."""
    return WebhookEvent.objects.filter(processed_at=None, attempts__lt=MAX_ATTEMPTS).filter(
        Q(locked_until=None) | Q(locked_until__lt=now)
    )


def _apply(line: Line | None, body: bytes) -> list[str]:
    """Route and apply a claimed event's body (``line``: the per-line URL's); its errors."""
    try:
        return Router(line).process(inbound.load_envelope(body))
    except MalformedWebhookError as error:  # the view checked it; a body edited since would land here
        return [str(error)]


def _record(errors: dict[int, list[str]]) -> None:
    """Mark claimed events processed: the clean ones in one statement, each failed one with its
    errors. A worker that dies first leaves them to be processed again when their lease ends,
    which changes nothing (see the module's docstring)."""
    now = timezone.now()
    done = {"processed_at": now, "locked_until": None}
    WebhookEvent.objects.filter(
        id__in=[event_id for event_id, failed in errors.items() if not failed]
    ).update(**done, error="")
    for event_id, failed in errors.items():
        if failed:
            WebhookEvent.objects.filter(id=event_id).update(**done, error="\n".join(failed)[:10_000])


class Router:
    """Routes the changes of one event; ``line`` is the line of a per-line URL, None for the
    platform app's URL."""

    def __init__(self, line: Line | None) -> None:
        self.line = line
        self.errors: list[str] = []
        self._lines: dict[str, Line | None] = {}

    def process(self, envelope: JSON) -> list[str]:
        for change in inbound.changes(envelope):
            if change.field == "messages":
                self._messages(change)
            elif change.field in WABA_FIELDS:
                self._guarded(change.field, partial(self._waba_change, change))
            elif change.field == "user_preferences":
                self._user_preferences(change)
            else:
                log.info("webhook field %r ignored (WABA %s)", change.field, change.waba_id)
        return self.errors

    def _messages(self, change: Change) -> None:
        line = self._line_for(change.phone_number_id)
        if line is None:
            return
        contacts = inbound.objects(change.value, "contacts")
        received = inbound.objects(change.value, "messages")
        for raw in received:
            # receive_message writes in a transaction of its own: no savepoint inside another.
            self._guarded(
                f"message {raw.get('id')}", partial(self._message, line, raw, contacts), atomic=False
            )
        for raw in inbound.objects(change.value, "statuses"):
            self._guarded(f"status {raw.get('id')}", partial(self._status, line, raw))

    @staticmethod
    def _message(line: Line, raw: JSON, contacts: list[JSON]) -> None:
        receiving.receive_message(line, inbound.parse_message(raw, contacts))

    @staticmethod
    def _status(line: Line, raw: JSON) -> None:
        update = inbound.parse_status(raw)
        statuses.apply_status(
            line,
            update.wamid,
            update.status,
            errors=update.errors,
            callback_data=update.callback_data,
            timestamp=update.at,
        )

    def _waba_change(self, change: Change) -> None:
        lines = self._waba_lines(change.waba_id)
        if lines:
            WABA_FIELDS[change.field](lines, change.value)

    def _user_preferences(self, change: Change) -> None:
        """A customer's marketing stop or resume on WhatsApp: campaigns opt them out."""
        line = self._line_for(change.phone_number_id)
        if line is None:
            return
        for preference in inbound.objects(change.value, "user_preferences"):
            if str(preference.get("category", "")) != "marketing_messages":
                continue
            self._guarded(
                "user preference",
                partial(
                    signals.marketing_preference.send,
                    sender=Line,
                    line=line,
                    wa_id=str(preference.get("wa_id", "")),
                    user_id=str(preference.get("user_id", "")),
                    value=str(preference.get("value", "")).lower(),
                ),
            )

    def _line_for(self, phone_number_id: str) -> Line | None:
        if phone_number_id not in self._lines:
            self._lines[phone_number_id] = self._find_line(phone_number_id)
        return self._lines[phone_number_id]

    def _find_line(self, phone_number_id: str) -> Line | None:
        if self.line is not None:
            if phone_number_id and phone_number_id == self.line.phone_number_id:
                return self.line
            log.warning("phone_number_id %r dropped: not line %s's", phone_number_id, self.line.id)
            return None
        # Unscoped: Meta's phone_number_id is unique on the platform and names the line's account.
        line = (
            Line.objects.unscoped().select_related("account").filter(phone_number_id=phone_number_id).first()
        )
        if line is None or not phone_number_id:
            log.warning("phone_number_id %r matches no line: dropped", phone_number_id)
            return None
        return line

    def _waba_lines(self, waba_id: str) -> list[Line]:
        """The lines a WABA-level change may update: the URL's line when it names that WABA; on
        the platform URL, the WABA's lines when they all belong to one account."""
        if self.line is not None:
            lines = [self.line] if waba_id and waba_id == self.line.waba_id else []
        else:
            # Unscoped: routing a platform webhook by Meta's WABA id, checked to one account below.
            lines = (
                list(Line.objects.unscoped().select_related("account").filter(waba_id=waba_id))
                if waba_id
                else []
            )
            if len({line.account_id for line in lines}) > 1:
                log.error("WABA %s is used by lines of several accounts: change dropped", waba_id)
                return []
        if not lines:
            log.warning("WABA %r matches no line: change dropped", waba_id)
        return lines

    def _guarded(self, what: str, apply: Callable[[], object], *, atomic: bool = True) -> None:
        """Apply one part in its own transaction (``atomic=False``: ``apply`` keeps its writes in
        one); an error is logged and kept, the rest goes on."""
        try:
            with transaction.atomic() if atomic else nullcontext():
                apply()
        except Exception as error:  # one bad part must not lose the batch's others
            log.exception("webhook %s failed", what)
            self.errors.append(f"{what}: {type(error).__name__}: {error}")
