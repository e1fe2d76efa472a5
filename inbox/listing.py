"""The conversation list (INB-1): filters, keyset pages, and what each item shows.

Always through ``visibility.visible_conversations`` (INB-2), ordered by last activity with the id
as tie-break, and paged by keyset (``last_message_at`` + ``id`` of the last item shown), so a page
deep in a list of 100,000 conversations costs the same as the first one and an item that moves to
the top while the operator scrolls is neither skipped nor shown twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from audience.models import Tag
from inbox.models import Conversation, ConversationStatus
from inbox.visibility import visible_conversations
from spoter.accounts.models import Account, Membership, Role

PAGE_SIZE = 30
CLOSING_SOON = timedelta(hours=2)
VIEWS = ("all", "mine", "unassigned")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ListFilters:
    """What the operator asked for; values a role may not use are dropped, never obeyed."""

    view: str = "all"  # all / mine / unassigned
    operator: int | None = None  # supervisors only
    tag: int | None = None
    line: int | None = None
    status: str = ""  # "" = any
    unread: bool = False

    @classmethod
    def parse(cls, params: Mapping[str, str], membership: Membership) -> ListFilters:
        view = params.get("view", "all")
        status = params.get("status", "")
        supervisor = membership.role_enum.at_least(Role.SUPERVISOR)
        return cls(
            view=view if view in VIEWS else "all",
            operator=_int(params.get("operator")) if supervisor else None,
            tag=_int(params.get("tag")),
            line=_int(params.get("line")),
            status=status if status in ConversationStatus.values else "",
            unread=params.get("unread") in {"1", "on", "true"},
        )

    def query(self) -> str:
        """The filters as a query string, for the next page and the filter links."""
        pairs = {
            "view": self.view if self.view != "all" else "",
            "operator": self.operator or "",
            "tag": self.tag or "",
            "line": self.line or "",
            "status": self.status,
            "unread": "1" if self.unread else "",
        }
        return urlencode({key: value for key, value in pairs.items() if value})


@dataclass
class Page:
    items: list[Conversation]
    next_cursor: str = ""
    filters: ListFilters = field(default_factory=ListFilters)


def filtered(membership: Membership, filters: ListFilters) -> QuerySet[Conversation]:
    conversations = visible_conversations(membership)
    if filters.view == "mine":
        conversations = conversations.filter(assignee=membership)
    elif filters.view == "unassigned":
        conversations = conversations.filter(assignee__isnull=True)
    if filters.operator:
        conversations = conversations.filter(assignee_id=filters.operator)
    if filters.tag:
        # Another account's tag id lists nothing, at once: its statistics would mislead the plan.
        if not Tag.objects.for_account(membership.account).filter(id=filters.tag).exists():
            return conversations.none()
        conversations = conversations.filter(tags__id=filters.tag)
    if filters.line:
        conversations = conversations.filter(line_id=filters.line)
    if filters.status:
        conversations = conversations.filter(status=filters.status)
    if filters.unread:
        conversations = conversations.filter(unread_count__gt=0)
    return conversations


def with_item_data(conversations: QuerySet[Conversation], account: Account) -> QuerySet[Conversation]:
    """Everything an item shows, in a fixed number of queries whatever the page size."""
    return conversations.select_related("contact", "line", "assignee__user").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.for_account(account))
    )


def one_item(account: Account, conversation_id: int) -> Conversation:
    """One conversation with what its list item shows (the live client redraws items with it)."""
    return with_item_data(Conversation.objects.for_account(account), account).get(id=conversation_id)


def conversation_page(membership: Membership, filters: ListFilters, cursor: str = "") -> Page:
    conversations = filtered(membership, filters)
    after = parse_cursor(cursor)
    if after is not None:
        at, last_id = after
        # The plain range first: it lets the index scan start at the cursor instead of the top.
        conversations = conversations.filter(last_message_at__lte=at).filter(
            Q(last_message_at__lt=at) | Q(last_message_at=at, id__lt=last_id)
        )
    ordered = conversations.order_by("-last_message_at", "-id")
    rows = list(with_item_data(ordered, membership.account)[: PAGE_SIZE + 1])
    items = rows[:PAGE_SIZE]
    next_cursor = make_cursor(items[-1]) if len(rows) > PAGE_SIZE else ""
    return Page(items, next_cursor, filters)


def make_cursor(conversation: Conversation) -> str:
    micros = (conversation.last_message_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{conversation.id}"


def parse_cursor(cursor: str) -> tuple[datetime, int] | None:
    """None for no cursor or a malformed one (the first page, rather than an error)."""
    micros, _dot, last_id = cursor.partition(".")
    if not (micros.isdigit() and last_id.isdigit()):
        return None
    at = EPOCH + timedelta(microseconds=int(micros))
    return at, int(last_id)


def window_state(conversation: Conversation, now: datetime | None = None) -> str:
    """open, closing (less than CLOSING_SOON left) or closed: the 24-hour window (FACTS.md)."""
    expires = conversation.window_expires_at
    now = now or timezone.now()
    if expires is None or expires <= now:
        return "closed"
    return "closing" if expires - now < CLOSING_SOON else "open"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
