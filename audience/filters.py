"""Contact filters (AUD-1, AUD-3, AUD-4): one definition shared by the contacts page, segments
and exports, so a segment counts and exports exactly the contacts the page showed.

A filter has three forms: the page's query string (``from_query`` / ``to_query``), the JSON a
segment or an export stores (``to_json`` / ``from_json``), and the queryset (``apply``). Only
known fields and operators are read; anything else in the input is dropped, never turned into a
lookup, so a query string cannot reach another column, let alone another account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from audience.models import Contact, CustomField
from spoter.accounts.models import Account

BUILT_IN_FIELDS = ("name", "nickname", "email", "dni", "phone", "source")
OPERATORS = ("eq", "contains", "gt", "lt", "empty", "set")
SORTS = ("-created_at", "created_at", "name", "-name", "-last_seen_at", "last_seen_at")
YES_NO = ("", "yes", "no")
MAX_TAGS = 50
MAX_CONDITIONS = 20
TagLink = Contact.tags.through


@dataclass(frozen=True)
class Condition:
    """``field`` (a built-in field or ``field:<custom key>``) ``op`` ``value``."""

    field: str
    op: str
    value: str = ""


@dataclass(frozen=True)
class ContactFilter:
    q: str = ""
    tags_any: tuple[int, ...] = ()
    tags_all: tuple[int, ...] = ()
    tags_none: tuple[int, ...] = ()
    conditions: tuple[Condition, ...] = ()
    opted_out: str = ""  # "", "yes", "no"
    blocked: str = ""
    seen_after: date | None = None  # last seen on or after this day (the account's zone)
    seen_before: date | None = None  # last seen before this day
    never_seen: bool = False
    communities: tuple[int, ...] = ()  # EMPATY communities (EMP-4), by id
    sort: str = SORTS[0]

    # --- Forms -------------------------------------------------------------------------------

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> ContactFilter:
        """From a query string (a QueryDict or a dict of lists). Repeated keys: ``tag_any``,
        ``tag_all``, ``tag_none`` (tag ids) and ``cond`` (``field|op|value``)."""

        def many(key: str) -> list[str]:
            getlist = getattr(data, "getlist", None)
            values = getlist(key) if getlist else data.get(key, [])
            return [values] if isinstance(values, str) else list(values)

        def one(key: str) -> str:
            values = many(key)
            return str(values[-1]).strip() if values else ""

        conditions = []
        for raw in many("cond")[:MAX_CONDITIONS]:
            parts = str(raw).split("|", 2)
            if len(parts) >= 2:  # field and operator at least
                conditions.append(Condition(parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
        return cls.from_json(
            {
                "q": one("q"),
                "tags_any": many("tag_any"),
                "tags_all": many("tag_all"),
                "tags_none": many("tag_none"),
                "conditions": [asdict(condition) for condition in conditions],
                "opted_out": one("opted_out"),
                "blocked": one("blocked"),
                "seen_after": one("seen_after"),
                "seen_before": one("seen_before"),
                "never_seen": one("never_seen") in {"1", "on", "true", "yes"},
                "communities": many("community"),
                "sort": one("sort"),
            }
        )

    def to_query(self) -> str:
        """The query string that gives this filter back (links, pagination, "save as segment")."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        tags = (("tag_any", self.tags_any), ("tag_all", self.tags_all), ("tag_none", self.tags_none))
        for key, ids in tags:
            pairs += [(key, str(tag_id)) for tag_id in ids]
        pairs += [("cond", f"{c.field}|{c.op}|{c.value}") for c in self.conditions]
        for key in ("opted_out", "blocked"):
            if getattr(self, key):
                pairs.append((key, getattr(self, key)))
        for key in ("seen_after", "seen_before"):
            if getattr(self, key):
                pairs.append((key, getattr(self, key).isoformat()))
        if self.never_seen:
            pairs.append(("never_seen", "1"))
        pairs += [("community", str(community_id)) for community_id in self.communities]
        if self.sort != SORTS[0]:
            pairs.append(("sort", self.sort))
        return urlencode(pairs)

    # --- Storage -----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("seen_after", "seen_before"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContactFilter:
        """Tolerant: what is unknown or malformed is dropped (a stored segment outlives fields)."""
        conditions = []
        for raw in list(data.get("conditions") or [])[:MAX_CONDITIONS]:
            if isinstance(raw, Mapping):
                condition = Condition(*(str(raw.get(key, "")) for key in ("field", "op", "value")))
                if _known(condition):
                    conditions.append(condition)
        sort = str(data.get("sort") or "")
        return cls(
            q=" ".join(str(data.get("q") or "").split())[:200],
            tags_any=_ids(data.get("tags_any")),
            tags_all=_ids(data.get("tags_all")),
            tags_none=_ids(data.get("tags_none")),
            conditions=tuple(conditions),
            opted_out=_yes_no(data.get("opted_out")),
            blocked=_yes_no(data.get("blocked")),
            seen_after=_date(data.get("seen_after")),
            seen_before=_date(data.get("seen_before")),
            never_seen=bool(data.get("never_seen")),
            communities=_ids(data.get("communities")),
            sort=sort if sort in SORTS else SORTS[0],
        )

    @property
    def is_empty(self) -> bool:
        return self == ContactFilter(sort=self.sort)

    # --- Query -------------------------------------------------------------------------------

    def apply(self, account: Account) -> QuerySet[Contact]:
        """The account's contacts this filter keeps, in its order. Tags and custom fields of
        another account match nothing: tags are looked up through the account, custom fields by
        the account's own keys."""
        contacts = Contact.objects.for_account(account)
        if self.q:
            contacts = contacts.filter(text_matches(self.q))
        links = TagLink.objects.filter(contact_id=OuterRef("pk"), tag__account=account)
        if self.tags_any:
            contacts = contacts.filter(Exists(links.filter(tag_id__in=self.tags_any)))
        for tag_id in self.tags_all:
            contacts = contacts.filter(Exists(links.filter(tag_id=tag_id)))
        if self.tags_none:
            contacts = contacts.exclude(Exists(links.filter(tag_id__in=self.tags_none)))
        keys = (
            set(CustomField.objects.for_account(account).values_list("key", flat=True))
            if any(c.field.startswith("field:") for c in self.conditions)
            else set()
        )
        for condition in self.conditions:
            contacts = contacts.filter(_condition(condition, keys))
        if self.opted_out:
            contacts = contacts.filter(opted_out_at__isnull=self.opted_out == "no")
        if self.blocked:
            contacts = contacts.filter(blocked_at__isnull=self.blocked == "no")
        zone = ZoneInfo(account.time_zone)
        if self.seen_after:
            contacts = contacts.filter(last_seen_at__gte=datetime.combine(self.seen_after, time(), zone))
        if self.seen_before:
            contacts = contacts.filter(last_seen_at__lt=datetime.combine(self.seen_before, time(), zone))
        if self.never_seen:
            contacts = contacts.filter(last_seen_at=None)
        if self.communities:  # by lookup names, not imports: the audience does not depend on empaty
            members = Contact.objects.for_account(account).filter(
                community_links__community_id__in=self.communities, community_links__account=account
            )
            contacts = contacts.filter(pk__in=members.values("pk"))
        descending = self.sort.startswith("-")
        column = self.sort.lstrip("-")
        order = _nulls_last(column, descending=descending)
        return contacts.order_by(order, "-id" if descending else "id")


def text_matches(query: str) -> Q:
    """Name, nickname, WhatsApp name, email or DNI containing the text; phone by its digits."""
    digits = "".join(char for char in query if char.isdigit())
    matches = (
        Q(name__icontains=query)
        | Q(profile_name__icontains=query)
        | Q(nickname__icontains=query)
        | Q(email__icontains=query)
    )
    if len(digits) >= 3:  # fewer digits would match nearly every phone
        matches |= Q(phone__contains=digits) | Q(dni=digits)
    return matches


def _condition(condition: Condition, custom_keys: set[str]) -> Q:
    if condition.field.startswith("field:"):
        key = condition.field.removeprefix("field:")
        if key not in custom_keys:
            return Q(pk__in=[])  # a field the account no longer has matches nobody
        lookup = f"custom_fields__{key}"
    else:
        lookup = condition.field
    value = condition.value
    if condition.op == "empty":
        return Q(**{f"{lookup}__isnull": True}) | Q(**{lookup: ""})
    if condition.op == "set":
        return ~(Q(**{f"{lookup}__isnull": True}) | Q(**{lookup: ""}))
    if condition.op == "contains":
        return Q(**{f"{lookup}__icontains": value})
    if condition.op in {"gt", "lt"}:
        return Q(**{f"{lookup}__{condition.op}": _number_or_text(value)})
    return Q(**{f"{lookup}__iexact": value})


def _known(condition: Condition) -> bool:
    built_in = condition.field in BUILT_IN_FIELDS
    custom = condition.field.startswith("field:") and condition.field.removeprefix("field:").isidentifier()
    return (built_in or custom) and condition.op in OPERATORS


def _nulls_last(column: str, *, descending: bool) -> Any:
    expression = F(column)
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


def _number_or_text(value: str) -> float | str:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return value  # dates (YYYY-MM-DD) compare as text


def _ids(values: Any) -> tuple[int, ...]:
    if not isinstance(values, list | tuple):
        values = [values] if values else []
    ids = []
    for value in values[:MAX_TAGS]:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return tuple(dict.fromkeys(ids))


def _yes_no(value: Any) -> str:
    return value if value in YES_NO else ""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
