"""Database side of the realtime benchmark: two accounts full of logged-in operators."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from inbox.models import Line
from spoter.accounts.models import Account, InboxMode, Membership, Role, User


def create_account(slug: str, operators: int, *, line: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """An account with ``operators`` shared-inbox operators (and a line when given); returns each
    operator's email and session cookie value."""
    account = Account.objects.create(name=slug.title(), slug=slug)
    if line is not None:
        Line.objects.create(account=account, name="Bench", display_number="+5491100000000", **line)
    users = User.objects.bulk_create(
        User(email=f"op{i}@{slug}.bench", password="!unusable") for i in range(operators)
    )
    Membership.objects.bulk_create(
        Membership(account=account, user=user, role=Role.OPERATOR, inbox_mode=InboxMode.SHARED)
        for user in users
    )
    return [(user.email, _session(user)) for user in users]


def _session(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    assert session.session_key is not None  # create() sets it
    return session.session_key


def line_uuid(slug: str) -> str:
    return str(Line.objects.unscoped().get(account__slug=slug).uuid)  # the benchmark's own database


def stored_at(slug: str) -> dict[str, float]:
    """Each inbound message's text and the time it was written (its transaction commits just after)."""
    from inbox.models import Direction, Message

    # The benchmark's own database; one account's inbound messages.
    messages = Message.objects.unscoped().filter(account__slug=slug, direction=Direction.INBOUND)
    return {text: at.timestamp() for text, at in messages.values_list("text", "created_at")}


def final_seqs(slug: str) -> dict[str, int]:
    """Each operator's sequence number now: what a reconnecting browser is told in its hello."""
    from inbox.event_delivery import current_seq

    members = Membership.objects.unscoped().filter(account__slug=slug).select_related("user")
    return {member.user.email: current_seq(member.account_id, member.id) for member in members}
