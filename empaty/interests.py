"""Contacts' interests (EMP-3): the account's taxonomy matched against what customers write.

``observe(account, messages)`` is the hook the analysis worker calls after each micro-batch of
inbound messages; ``rematch(account)`` rebuilds every interest from the stored messages after the
taxonomy changed.

Matching: text and keywords are lowercased, accents stripped and cut into words; a keyword
matches whole words only, each of its words tolerating a plural "s"/"es" either way ("remera"
matches "remeras", "celulares" matches "celular"). A message counts once per category it
mentions; a secondary category's mention credits its primary too.

Strength: every mention adds 1 to a "load" that halves every ``HALF_LIFE_DAYS`` without
mentions; ``strength = 1 - exp(-load / SATURATION)`` (1 mention 0.28, 3 mentions 0.63, 6
mentions 0.86). The stored strength is the value at ``last_seen_at``; ``current_strength`` decays
it to now for display and for communities.

Not counting twice: a (contact, category) pair counts only messages newer than its
``last_seen_at``, so a batch observed again adds nothing. A message observed after a newer one of
the same contact and category is not counted; ``rematch`` recounts everything.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from empaty.models import Category, ContactInterest
from inbox.models import Conversation, Message
from spoter.accounts.models import Account

SATURATION = 3.0
HALF_LIFE_DAYS = 60.0
MAX_LOAD_STRENGTH = 0.999999  # strength 1 would be an infinite load
CACHE_SECONDS = 30.0
LOCK_NAMESPACE = 0x454D33  # "EM3": pg_advisory_xact_lock(namespace, account id)

_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lowercase, no accents, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_WORD.split(plain)).strip()


def split_keywords(raw: str) -> list[str]:
    """Comma-separated keywords, trimmed, lowercased, without repeats or empty ones."""
    seen: dict[str, None] = {}
    for keyword in raw.replace("\n", ",").replace(";", ",").split(","):
        cleaned = " ".join(keyword.lower().split())
        if cleaned and normalize(cleaned):
            seen.setdefault(cleaned, None)
    return list(seen)


def _word_pattern(word: str) -> str:
    base = word
    if len(word) > 4 and word.endswith("es") and word[-3] not in "aeiou":
        base = word[:-2]  # celulares -> celular
    elif len(word) > 3 and word.endswith("s"):
        base = word[:-1]  # remeras -> remera
    return re.escape(base) + "(?:es|s)?"


def keyword_pattern(keyword: str) -> str:
    return " ".join(_word_pattern(word) for word in normalize(keyword).split())


@dataclass
class Matcher:
    """Keywords compiled into one regular expression; each alternative names the keys it credits."""

    pattern: re.Pattern[str] | None
    credits: dict[str, frozenset[int]] = field(default_factory=dict)

    def keys(self, text: str) -> set[int]:
        if self.pattern is None or not text:
            return set()
        found: set[int] = set()
        for match in self.pattern.finditer(normalize(text)):
            if match.lastgroup:
                found |= self.credits[match.lastgroup]
        return found


def compile_matcher(entries: Iterable[tuple[int, Iterable[str]]]) -> Matcher:
    """``entries``: (key, keywords) pairs; a keyword of several keys credits them all."""
    credits: dict[str, set[int]] = defaultdict(set)
    for key, keywords in entries:
        for keyword in keywords:
            pattern = keyword_pattern(keyword)
            if pattern:
                credits[pattern].add(key)
    if not credits:
        return Matcher(None)
    ordered = sorted(credits, key=lambda pattern: (-len(pattern), pattern))  # longer phrases first
    names = {pattern: f"k{index}" for index, pattern in enumerate(ordered)}
    alternatives = "|".join(f"(?P<{names[pattern]}>{pattern})" for pattern in ordered)
    return Matcher(
        re.compile(rf"\b(?:{alternatives})\b"),
        {names[pattern]: frozenset(keys) for pattern, keys in credits.items()},
    )


def build_matcher(account: Account) -> Matcher:
    """The account's taxonomy: a secondary's keywords credit it and its primary."""
    rows = list(Category.objects.for_account(account).values_list("id", "parent_id", "keywords", "name"))
    entries = []
    for category_id, parent_id, keywords, name in rows:
        words = [*split_keywords(keywords), name]  # a category's own name is a keyword too
        credited = (category_id, parent_id) if parent_id else (category_id,)
        entries += [(key, words) for key in credited]
    return compile_matcher(entries)


_cache: dict[int, tuple[float, Matcher]] = {}


def matcher_for(account: Account) -> Matcher:
    """The account's matcher, kept in this process for CACHE_SECONDS (the taxonomy's editors call
    ``forget``; other processes catch up within the TTL, and ``observe`` ignores categories that
    no longer exist)."""
    cached = _cache.get(account.id)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    matcher = build_matcher(account)
    _cache[account.id] = (now + CACHE_SECONDS, matcher)
    return matcher


def forget(account: Account) -> None:
    _cache.pop(account.id, None)


def _load(strength: float) -> float:
    return -SATURATION * math.log(1.0 - min(max(strength, 0.0), MAX_LOAD_STRENGTH))


def _decay(load: float, since: datetime, until: datetime) -> float:
    days = max((until - since).total_seconds(), 0.0) / 86400
    return float(load * 0.5 ** (days / HALF_LIFE_DAYS))


def _strength(load: float) -> float:
    return 1.0 - math.exp(-load / SATURATION)


def advance(strength: float, last_seen: datetime | None, times: Sequence[datetime]) -> float:
    """The strength after mentions at ``times`` (ascending), starting from ``strength`` at
    ``last_seen``."""
    load = _load(strength)
    previous = last_seen
    for at in times:
        load = (_decay(load, previous, at) if previous else load) + 1.0
        previous = at
    return _strength(load)


def current_strength(interest: ContactInterest, now: datetime | None = None) -> float:
    return _strength(_decay(_load(interest.strength), interest.last_seen_at, now or timezone.now()))


def _lock(account: Account) -> None:
    """Serialise observe and rematch per account, inside the caller's transaction (SQLite, the
    embedded default, serialises every write anyway)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, account.id])


def message_time(message: Message) -> datetime:
    return message.sent_at or message.created_at


def observe(account: Account, messages: Sequence[Message]) -> int:
    """Count the categories these inbound messages mention; returns how many mentions counted.
    Messages of another account, outbound or without text are ignored."""
    inbound = [m for m in messages if m.account_id == account.id and m.direction == "in" and m.text]
    if not inbound:
        return 0
    matcher = matcher_for(account)
    matched = [(m, keys) for m in inbound if (keys := matcher.keys(m.text))]
    if not matched:
        return 0
    conversation_ids = {m.conversation_id for m, _ in matched}
    contact_of = dict(
        Conversation.objects.for_account(account)
        .filter(id__in=conversation_ids)
        .values_list("id", "contact_id")
    )
    hits: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for message, keys in matched:
        contact_id = contact_of.get(message.conversation_id)
        if contact_id is not None:
            for key in keys:
                hits[(contact_id, key)].append(message_time(message))
    return _upsert(account, hits)


def _upsert(account: Account, hits: dict[tuple[int, int], list[datetime]]) -> int:
    contact_ids = {contact for contact, _ in hits}
    with transaction.atomic():
        _lock(account)
        live = set(
            Category.objects.for_account(account)
            .filter(id__in={key for _, key in hits})
            .values_list("id", flat=True)
        )
        existing = {
            (row.contact_id, row.category_id): row
            for row in ContactInterest.objects.for_account(account).filter(
                contact_id__in=contact_ids, category_id__in=live
            )
        }
        created, updated, counted = [], [], 0
        for (contact_id, category_id), times in sorted(hits.items()):
            if category_id not in live:
                continue  # deleted since this process compiled its matcher
            row = existing.get((contact_id, category_id))
            times = sorted(at for at in times if row is None or at > row.last_seen_at)
            if not times:
                continue  # already counted
            counted += len(times)
            if row is None:
                created.append(
                    ContactInterest(
                        account=account,
                        contact_id=contact_id,
                        category_id=category_id,
                        mentions=len(times),
                        strength=advance(0.0, None, times),
                        last_seen_at=times[-1],
                    )
                )
            else:
                row.strength = advance(row.strength, row.last_seen_at, times)
                row.mentions += len(times)
                row.last_seen_at = times[-1]
                updated.append(row)
        ContactInterest.objects.bulk_create(created)
        ContactInterest.objects.for_account(account).bulk_update(
            updated, ["mentions", "strength", "last_seen_at"]
        )
    return counted


def rematch(account: Account, contact_id: int | None = None) -> int:
    """Recount the interests of the account (or of one of its contacts) from every stored inbound
    message, with the taxonomy as it is now. Returns how many interests it wrote."""
    forget(account)
    matcher = matcher_for(account)
    inbound = Message.objects.for_account(account).filter(direction="in").exclude(text="")
    if contact_id is not None:
        inbound = inbound.filter(conversation__contact_id=contact_id)
    rows = inbound.annotate(at=Coalesce("sent_at", "created_at")).order_by("at", "id")
    state: dict[tuple[int, int], tuple[int, float, datetime]] = {}  # mentions, load, last seen
    with transaction.atomic():
        _lock(account)
        if matcher.pattern is not None:
            for contact, text, at in rows.values_list("conversation__contact_id", "text", "at").iterator(
                chunk_size=2000
            ):
                for key in matcher.keys(text):
                    mentions, load, last = state.get((contact, key), (0, 0.0, at))
                    state[(contact, key)] = (mentions + 1, _decay(load, last, at) + 1.0, at)
        stale = ContactInterest.objects.for_account(account)
        if contact_id is not None:
            stale = stale.filter(contact_id=contact_id)
        stale.delete()
        interests = [
            ContactInterest(
                account=account,
                contact_id=contact,
                category_id=category,
                mentions=mentions,
                strength=_strength(load),
                last_seen_at=last,
            )
            for (contact, category), (mentions, load, last) in sorted(state.items())
        ]
        ContactInterest.objects.bulk_create(interests, batch_size=1000)
    return len(interests)
