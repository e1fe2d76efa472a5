"""Statuses of outbound messages, from webhooks: they only move forward, whatever the order.

Meta sends sent < delivered < read (delivered may be skipped) or failed, in any order and more than
once, sometimes before our send's HTTP answer gave us the wamid (FACTS.md). Every change is a
compare-and-set on the message's rank, so the end state depends on which statuses arrived, never
on their order or repetition. A status for a wamid we do not know yet is matched by
biz_opaque_callback_data (our message id, set on every send) or kept in UnmatchedStatus until the
sender stores the wamid and calls ``apply_unmatched_statuses``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from inbox import events
from inbox.models import Direction, Line, Message, MessageStatus, UnmatchedStatus

log = logging.getLogger(__name__)

# Statuses nobody claimed (messages another system sent from the same number) are dropped after this.
UNMATCHED_KEEP = timedelta(days=7)
# error_title of a send whose outcome never became known (inbox/outbox.py): the one failure a
# later status may replace, since it was our guess and not Meta's answer.
UNCONFIRMED = "unconfirmed"


def apply_status(
    line: Line,
    wamid: str,
    status: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    callback_data: str = "",
    timestamp: datetime | None = None,
) -> bool:
    """Apply one status to the line's message with ``wamid``; True when the message moved."""
    messages = Message.objects.for_account(line.account).filter(line=line, direction=Direction.OUTBOUND)
    if _advance(messages.filter(wamid=wamid), status, errors, timestamp):
        return True
    if messages.filter(wamid=wamid).exists():
        return False  # already there, or further on
    message = _claim_by_callback(messages, wamid, callback_data)
    if message is not None:
        moved = _advance(messages.filter(id=message.id), status, errors, timestamp)
        apply_unmatched_statuses(message)
        return moved
    UnmatchedStatus.objects.bulk_create(
        [
            UnmatchedStatus(
                account=line.account,
                line=line,
                wamid=wamid,
                status=status,
                payload={"errors": errors or [], "at": timestamp.isoformat() if timestamp else None},
            )
        ],
        ignore_conflicts=True,
    )
    # The sender may store this wamid while we write: whichever of us commits last sees the other.
    transaction.on_commit(partial(_apply_if_known, line, wamid))
    return False


def apply_unmatched_statuses(message: Message) -> int:
    """Apply the statuses that arrived before ``message``'s wamid was stored (call it after the
    wamid is committed); returns how many there were."""
    if not message.wamid:
        return 0
    kept = UnmatchedStatus.objects.for_account(message.account).filter(
        line_id=message.line_id, wamid=message.wamid
    )
    rows = list(kept)
    target = Message.objects.for_account(message.account).filter(id=message.id, direction=Direction.OUTBOUND)
    for row in rows:
        at = row.payload.get("at")
        _advance(target, row.status, row.payload.get("errors"), datetime.fromisoformat(at) if at else None)
    kept.filter(id__in=[row.id for row in rows]).delete()
    return len(rows)


def purge_unmatched_statuses() -> int:
    """Forget statuses no message claimed within UNMATCHED_KEEP."""
    # Unscoped: a platform-wide sweep of stale rows, each account's alike.
    stale = UnmatchedStatus.objects.unscoped().filter(received_at__lt=timezone.now() - UNMATCHED_KEEP)
    return stale.delete()[0]


def _advance(
    messages: QuerySet[Message], status: str, errors: list[dict[str, Any]] | None, at: datetime | None
) -> bool:
    """Compare-and-set: move the message only from a lower rank; failed keeps Meta's error."""
    fields: dict[str, Any] = {"status": status, "status_changed_at": at or timezone.now()}
    movable = Q(status__in=MessageStatus(status).below())
    if status == MessageStatus.FAILED:
        fields.update(_error_fields((errors or [{}])[0]))
    else:
        # Our own "unconfirmed" failure (inbox/outbox.py) was a guess; Meta's word replaces it.
        movable |= Q(status=MessageStatus.FAILED, error_title=UNCONFIRMED)
        fields.update(error_code=None, error_title="", error_details="")
    if not messages.filter(movable).update(**fields):
        return False
    moved = messages.select_related("conversation__account").first()
    if moved is not None:
        events.message_status(moved)
    return True


def _error_fields(error: dict[str, Any]) -> dict[str, Any]:
    try:
        code: int | None = int(error["code"])
    except (KeyError, TypeError, ValueError):
        code = None
    title = str(error.get("title") or "")
    data = error.get("error_data")
    details = str(data.get("details") or "") if isinstance(data, dict) else ""
    message = str(error.get("message") or "")
    parts = [part for part in (message if message != title else "", details) if part]
    return {"error_code": code, "error_title": title[:255], "error_details": "\n".join(parts)}


def _claim_by_callback(messages: QuerySet[Message], wamid: str, callback_data: str) -> Message | None:
    """The message whose send answer was lost: our id in the callback data, on this line, no wamid."""
    if not callback_data.isdigit():
        return None
    try:
        with transaction.atomic():
            claimed = messages.filter(id=int(callback_data), wamid="").update(wamid=wamid)
    except IntegrityError:  # the sender stored this wamid on the message a moment ago
        return None
    return messages.filter(id=int(callback_data)).first() if claimed else None


def _apply_if_known(line: Line, wamid: str) -> None:
    message = Message.objects.for_account(line.account).filter(line=line, wamid=wamid).first()
    if message is not None:
        apply_unmatched_statuses(message)
