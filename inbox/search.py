"""Search across contacts and message text (INB-11), within what the member may see (INB-2).

On PostgreSQL message text goes through full-text search with ``spanish_unaccent`` (Spanish
stemming, accents ignored; inbox/migrations/0003_search.py), whose expression the GIN index
matches exactly. Elsewhere (the embedded SQLite default) a plain case-insensitive substring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from audience.models import Contact
from inbox.models import Conversation, Message, MessageType
from inbox.visibility import sees_all, visible_conversations
from spoter.accounts.models import Membership

LIMIT = 20
CONTACTS_SCANNED = 500  # a query matching more contacts than this wants more letters
MIN_LENGTH = 2
# The index's expression, word for word: PostgreSQL uses an expression index only for the same
# expression.
MATCH = (
    "to_tsvector('spanish_unaccent'::regconfig, inbox_message.text)"
    " @@ websearch_to_tsquery('spanish_unaccent'::regconfig, %s)"
)
# The latest messages of the account, searched first (index inbox_message_account_id). Each row
# costs a to_tsvector (~10 µs), so this bounds the first step to a few tens of milliseconds.
RECENT = 2_000
RECENT_HITS = 200  # for a private inbox, before the visibility rule drops some
# Built from constants only; every value is a bound parameter.
RECENT_SQL = f"""
    SELECT inbox_message.id FROM (
        SELECT id, text FROM inbox_message WHERE account_id = %s ORDER BY id DESC LIMIT %s
    ) AS inbox_message
    WHERE {MATCH} ORDER BY inbox_message.id DESC LIMIT %s
"""  # noqa: S608
RECENT_BOUNDARY_SQL = "SELECT id FROM inbox_message WHERE account_id = %s ORDER BY id DESC OFFSET %s LIMIT 1"


@dataclass
class Results:
    query: str
    conversations: list[Conversation] = field(default_factory=list)  # matched by the contact
    messages: list[Message] = field(default_factory=list)


def search(membership: Membership, query: str, *, recent: int = RECENT) -> Results:
    query = " ".join(query.split())[:200]
    results = Results(query)
    if len(query) < MIN_LENGTH:
        return results
    # Contacts first (trigram indexes on PostgreSQL), then their visible conversations: walking
    # every conversation and testing its contact would read the whole account.
    contacts = Contact.objects.for_account(membership.account).filter(_contact_matches(query))
    results.conversations = list(
        visible_conversations(membership)
        .filter(contact__in=contacts.values("id")[:CONTACTS_SCANNED])
        .select_related("contact", "line")
        .order_by("-last_message_at", "-id")[:LIMIT]
    )
    results.messages = _messages(membership, query, recent)
    return results


def _contact_matches(query: str) -> Q:
    digits = "".join(char for char in query if char.isdigit())
    matches = Q(name__icontains=query) | Q(profile_name__icontains=query)
    if len(digits) >= 3:
        matches |= Q(phone__contains=digits)
    return matches


def _visible_messages(membership: Membership) -> QuerySet[Message]:
    messages = Message.objects.for_account(membership.account).exclude(type=MessageType.REACTION)
    if not sees_all(membership):
        messages = messages.filter(conversation__assignee=membership)
    return messages.select_related("conversation__contact")


def _messages(membership: Membership, query: str, recent: int) -> list[Message]:
    """The newest matching messages. On PostgreSQL in two steps, so neither a common word nor a
    rare one reads the whole account: the account's latest ``recent`` messages first (a common word
    is found there at once), then, only when that gave too few, the older ones through the GIN
    index, sorted by id without the primary key's order (a rare word has few rows to sort)."""
    messages = _visible_messages(membership)
    if connection.vendor != "postgresql":
        return list(messages.filter(text__icontains=query).order_by("-id")[:LIMIT])
    with connection.cursor() as cursor:
        wanted = LIMIT if sees_all(membership) else RECENT_HITS
        cursor.execute(RECENT_SQL, [membership.account.id, recent, query, wanted])
        hits = [row[0] for row in cursor.fetchall()]
        cursor.execute(RECENT_BOUNDARY_SQL, [membership.account.id, recent - 1])
        boundary = cursor.fetchone()
    found = list(messages.filter(id__in=hits).order_by("-id")[:LIMIT])
    if len(found) == LIMIT or boundary is None:
        return found
    # The query is a bound parameter; MATCH is our constant (the index's expression).
    older = messages.filter(id__lt=boundary[0]).filter(
        RawSQL(MATCH, [query], output_field=BooleanField())  # noqa: S611
    )
    # id + 0: sorted after the index finds the rows, never by walking the primary key backwards
    # and testing every message (the plan PostgreSQL may pick for a word it thinks common).
    return found + list(older.order_by((F("id") + 0).desc())[: LIMIT - len(found)])
