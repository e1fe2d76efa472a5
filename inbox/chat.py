"""A chat's history as the page shows it (INB-4): messages merged with system lines, day
separators in the account's zone, reactions folded into the message they react to, quoted
messages found by wamid. A fixed number of queries per page, whatever its size.

Pages go back by message id (keyset): the latest PAGE_SIZE first, then older ones on scroll up.
A search hit opens the chat around its message instead, and newer pages follow on scroll down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from inbox import events
from inbox.media import media_url
from inbox.models import Conversation, ConversationEvent, Message, MessageType

PAGE_SIZE = 50
AROUND = PAGE_SIZE // 2  # messages shown on each side of the one a chat opens at


@dataclass
class Bubble:
    """One message with what the page shows around it."""

    message: Message
    reactions: list[str] = field(default_factory=list)  # the latest emoji of each side
    quoted: Message | None = None
    media_url: str = ""

    @property
    def payload(self) -> dict[str, Any]:
        return self.message.payload if isinstance(self.message.payload, dict) else {}


@dataclass
class Entry:
    """A row of the history: a day separator, a message or a system line."""

    kind: str  # "day", "message" or "event"
    at: datetime
    day: date | None = None
    bubble: Bubble | None = None
    event: ConversationEvent | None = None


@dataclass
class History:
    entries: list[Entry]
    older_cursor: int | None = None  # the oldest message id shown, when older ones exist
    newer_cursor: int | None = None  # the newest message id shown, when newer ones exist
    focus: int | None = None  # the message the chat opened at (a search hit)


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.for_account(conversation.account)
        .filter(conversation=conversation)
        .exclude(type=MessageType.REACTION)
        # "analysis": EMPATY's badge (empaty.models.MessageAnalysis), by name: the inbox imports none of it.
        .select_related("media", "sender__user", "analysis")
    )


def history(conversation: Conversation, *, before: int | None = None) -> History:
    """The latest PAGE_SIZE messages, or those before message id ``before``."""
    messages = messages_of(conversation)
    if before is not None:
        messages = messages.filter(id__lt=before)
    rows = list(messages.order_by("-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    page = list(reversed(rows[:PAGE_SIZE]))
    if not page and before is not None:
        return History([])
    boundary = None
    if before is not None:
        boundary = messages_of(conversation).filter(id=before).values_list("created_at", flat=True).first()
    events = _events(conversation, since=page[0].created_at if page and more else None, until=boundary)
    return History(merge(conversation, page, events), page[0].id if more and page else None)


def history_around(conversation: Conversation, message_id: int) -> History | None:
    """The chat opened at one message: up to AROUND messages before it and AROUND after it, with
    their system lines; None when the conversation has no such message."""
    messages = messages_of(conversation)
    older = list(messages.filter(id__lt=message_id).order_by("-id")[: AROUND + 1])
    rest = list(messages.filter(id__gte=message_id).order_by("id")[: AROUND + 2])
    if not rest or rest[0].id != message_id:
        return None
    page = [*reversed(older[:AROUND]), *rest[: AROUND + 1]]
    more_older, next_hidden = len(older) > AROUND, rest[AROUND + 1] if len(rest) > AROUND + 1 else None
    # The system lines from the first message shown (all of them when none is older) up to the
    # first message not shown: the older and newer pages take the rest.
    events = _events(
        conversation,
        since=page[0].created_at if more_older else None,
        until=next_hidden.created_at if next_hidden is not None else None,
    )
    return History(
        merge(conversation, page, events),
        older_cursor=page[0].id if more_older else None,
        newer_cursor=page[-1].id if next_hidden is not None else None,
        focus=message_id,
    )


def history_after(conversation: Conversation, after: int) -> History:
    """The PAGE_SIZE messages after id ``after`` with their system lines: the next page down in a
    chat opened at an older message."""
    rows = list(messages_of(conversation).filter(id__gt=after).order_by("id")[: PAGE_SIZE + 1])
    page, next_hidden = rows[:PAGE_SIZE], rows[PAGE_SIZE] if len(rows) > PAGE_SIZE else None
    if not page:
        return History([])
    events = _events(
        conversation,
        since=page[0].created_at,
        until=next_hidden.created_at if next_hidden is not None else None,
    )
    return History(
        merge(conversation, page, events), newer_cursor=page[-1].id if next_hidden is not None else None
    )


def _events(
    conversation: Conversation, *, since: datetime | None, until: datetime | None
) -> list[ConversationEvent]:
    rows = ConversationEvent.objects.for_account(conversation.account).filter(conversation=conversation)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return list(rows.select_related("actor__user", "target__user"))


def messages_after(conversation: Conversation, after: int) -> list[Entry]:
    """Messages newer than id ``after`` (live updates and resync), without day separators."""
    rows = list(messages_of(conversation).filter(id__gt=after).order_by("id")[: PAGE_SIZE * 4])
    return [Entry("message", row.created_at, bubble=bubble) for row, bubble in _bubbles(conversation, rows)]


def entries_after(conversation: Conversation, after: int, events_after: int) -> list[Entry]:
    """Messages newer than id ``after`` and system lines newer than id ``events_after``, in time
    order: what an open chat lacks after someone else closed, reopened or reassigned it."""
    lines = ConversationEvent.objects.for_account(conversation.account).filter(
        conversation=conversation, id__gt=events_after
    )
    if not events_after and after:
        # The chat shows no system line yet: none is older than its last message, or older pages'
        # lines would come back at the bottom.
        shown = messages_of(conversation).filter(id=after).values_list("created_at", flat=True).first()
        if shown is not None:
            lines = lines.filter(created_at__gte=shown)
    rows = messages_after(conversation, after)
    rows += [
        Entry("event", line.created_at, event=line)
        for line in lines.select_related("actor__user", "target__user").order_by("id")[: PAGE_SIZE * 4]
    ]
    rows.sort(key=lambda entry: entry.at)
    return rows


def one_message(conversation: Conversation, message_id: int) -> Entry | None:
    rows = list(messages_of(conversation).filter(id=message_id))
    return next((Entry("message", m.created_at, bubble=b) for m, b in _bubbles(conversation, rows)), None)


def merge(
    conversation: Conversation, messages: list[Message], events: list[ConversationEvent]
) -> list[Entry]:
    zone = ZoneInfo(conversation.account.time_zone)
    rows: list[Entry] = [
        Entry("message", m.created_at, bubble=b) for m, b in _bubbles(conversation, messages)
    ]
    rows += [Entry("event", event.created_at, event=event) for event in events]
    rows.sort(key=lambda entry: entry.at)
    entries: list[Entry] = []
    last_day: date | None = None
    for entry in rows:
        day = entry.at.astimezone(zone).date()
        if day != last_day:
            entries.append(Entry("day", entry.at, day=day))
            last_day = day
        entries.append(entry)
    return entries


def _bubbles(conversation: Conversation, messages: list[Message]) -> list[tuple[Message, Bubble]]:
    """Reactions and quoted messages for a page, in two queries."""
    all_messages = Message.objects.for_account(conversation.account).filter(conversation=conversation)
    wamids = [message.wamid for message in messages if message.wamid]
    reactions: dict[str, dict[str, str]] = {}
    if wamids:
        for reaction in all_messages.filter(
            type=MessageType.REACTION, payload__message_id__in=wamids
        ).order_by("created_at", "id"):
            target = str(reaction.payload.get("message_id", ""))
            # The latest reaction of each side wins; an empty emoji removed it.
            reactions.setdefault(target, {})[reaction.direction] = str(reaction.payload.get("emoji", ""))
    quoted_ids = {message.reply_to_wamid for message in messages if message.reply_to_wamid}
    quoted = {row.wamid: row for row in all_messages.filter(wamid__in=quoted_ids)} if quoted_ids else {}
    result = []
    for message in messages:
        bubble = Bubble(
            message,
            reactions=[emoji for emoji in reactions.get(message.wamid, {}).values() if emoji],
            quoted=quoted.get(message.reply_to_wamid),
        )
        if message.media is not None and message.media.state == "ready" and message.media.file:
            message.media.account = conversation.account  # media_url needs the slug: no query
            bubble.media_url = media_url(message.media)
        result.append((message, bubble))
    return result


def mark_read(conversation: Conversation) -> bool:
    """Opening a chat reads it: unread back to 0, compare-and-set (no write when already 0)."""
    changed = (
        Conversation.objects.for_account(conversation.account)
        .filter(id=conversation.id, unread_count__gt=0)
        .update(unread_count=0)
    )
    conversation.unread_count = 0
    if changed:  # the other viewers' list shows the count too
        events.conversation_changed(conversation)
    return bool(changed)
