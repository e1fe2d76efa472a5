"""Database side of the realtime benchmark: accounts full of logged-in members."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from billing.catalogue import PERSONALIZADO
from billing.subscriptions import put_on_plan
from inbox.assignment import configure_round_robin
from inbox.models import Line
from inbox.visibility import sees_all
from spoter.accounts.models import Account, InboxMode, Membership, Role, User


@dataclass(frozen=True)
class Team:
    """How an account's members split: supervisors and private-inbox operators; the rest are
    shared-inbox operators."""

    members: int
    supervisors: int = 0
    private: int = 0

    def role(self, index: int) -> tuple[Role, InboxMode]:
        if index < self.supervisors:
            return Role.SUPERVISOR, InboxMode.SHARED
        if index < self.supervisors + self.private:
            return Role.OPERATOR, InboxMode.PRIVATE
        return Role.OPERATOR, InboxMode.SHARED


def create_account(slug: str, team: Team, *, line: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """An account with ``team`` (and a line, its round robin over the operators when there is a
    supervisor to switch it on); returns each member's email and session cookie value."""
    account = Account.objects.create(name=slug.title(), slug=slug)
    put_on_plan(account, PERSONALIZADO, extra_lines=50, extra_operators=500)  # no plan limit in the way
    users = User.objects.bulk_create(
        User(email=f"op{i}@{slug}.bench", password="!unusable") for i in range(team.members)
    )
    members = Membership.objects.bulk_create(
        Membership(account=account, user=user, role=team.role(i)[0], inbox_mode=team.role(i)[1])
        for i, user in enumerate(users)
    )
    if line is not None:
        created = Line.objects.create(account=account, name="Bench", display_number="+5491100000000", **line)
        if team.supervisors:
            operators = [member for member in members if member.role == Role.OPERATOR]
            configure_round_robin(created, operators, enabled=True, by=members[0])
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


@dataclass(frozen=True)
class Stored:
    at: float  # when the row was written (its transaction commits just after)
    slug: str
    assignee: str | None  # the assigned member's email


def stored() -> dict[str, Stored]:
    """Each inbound message by its text."""
    from inbox.models import Direction, Message

    # The benchmark's own database, every account.
    messages = Message.objects.unscoped().filter(direction=Direction.INBOUND)
    rows = messages.values_list("text", "created_at", "account__slug", "conversation__assignee__user__email")
    return {text: Stored(at.timestamp(), slug, email) for text, at, slug, email in rows}


def audience() -> dict[str, tuple[str, bool]]:
    """Each member's account and whether they see every conversation of it (INB-2)."""
    members = Membership.objects.unscoped().select_related("user", "account")  # the benchmark's database
    return {member.user.email: (member.account.slug, sees_all(member)) for member in members}


def final_seqs() -> dict[str, int]:
    """Each member's sequence number now: what a reconnecting browser is told in its hello."""
    from inbox.event_delivery import current_seq

    members = Membership.objects.unscoped().select_related("user")  # the benchmark's own database
    return {member.user.email: current_seq(member.account_id, member.id) for member in members}
