"""A bot session at run time (BOT-1): apply the engine's actions to the conversation, persist
the state, and end sessions (finished, handed over, stopped by a person, abandoned).

``apply(session, state, actions)`` is the one way actions reach the world; HTTP steps
(bots/http_steps.py) call it with what ``engine.http_done`` returns. Sending errors (a closed
window, a switched-off line) end the session as escalated; they never escape.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from audience.models import Tag
from audience.tags import get_or_create_tag
from bots import engine, menus
from bots.definition import DefinitionError, Level, Option, parse
from bots.models import Bot, BotSession, SessionOutcome
from inbox.assignment import assign_automatically, auto_assign
from inbox.content import Text
from inbox.models import Conversation, ConversationEvent, EventKind
from inbox.sending import SendError, send
from inbox.teamwork import tag_contact, tag_conversation
from spoter.accounts.models import Membership

log = logging.getLogger(__name__)

ABANDON_AFTER = timedelta(hours=24)


def settings_of(bot: Bot) -> engine.Settings:
    return engine.Settings(
        error_message=bot.error_message,
        back_command=bot.back_command,
        back_message=bot.back_message,
        invalid_close_message=bot.invalid_close_message,
    )


def tree_of(bot: Bot) -> Level | None:
    try:
        return parse(bot.tree)
    except DefinitionError:
        log.warning("bot %s has a malformed tree", bot.id)
        return None


def begin(conversation: Conversation, bot: Bot) -> BotSession | None:
    """Start ``bot`` in the conversation and send its first menu; None when its tree is broken.
    Call inside a transaction (the unique constraint allows one running session per chat)."""
    tree = tree_of(bot)
    if tree is None:
        return None
    session = BotSession.objects.for_account(conversation.account).create(
        account=conversation.account, conversation=conversation, bot=bot
    )
    _line(session, f"{bot.name}: started")
    state, actions = engine.start(tree)
    apply(session, state, actions)
    return session


def apply(session: BotSession, state: engine.State, actions: Sequence[engine.Action]) -> None:
    """Carry out the actions in order and persist the state (ended when the state is done)."""
    conversation = session.conversation
    http_calls: list[Option] = []
    outcome = state.outcome
    with transaction.atomic(), translation.override(conversation.account.language):
        for action in actions:
            try:
                outcome = _act(session, action, outcome, http_calls)
            except SendError as error:
                log.info("bot session %s: send refused (%s); handing over", session.id, error.code)
                _line(session, f"{session.bot.name}: {error.code}")
                outcome = SessionOutcome.ESCALATED
                http_calls.clear()
                break
        _persist(session, state, outcome)
    for option in http_calls:
        transaction.on_commit(partial(_call_http, session, option))


def _act(session: BotSession, action: engine.Action, outcome: str, http_calls: list[Option]) -> str:
    conversation = session.conversation
    if isinstance(action, engine.SendMenu):
        send(conversation, menus.render(action.level), automated=True)
    elif isinstance(action, engine.SendText):
        if action.text.strip():
            send(conversation, Text(action.text), automated=True)
    elif isinstance(action, engine.AddTags):
        _tag(conversation, action)
    elif isinstance(action, engine.Assign):
        _assign(session, action.member_ids)
    elif isinstance(action, engine.CallHttp):
        http_calls.append(action.option)
    elif isinstance(action, engine.HandOver):
        outcome = outcome or SessionOutcome.ESCALATED
        _line(session, f"{session.bot.name}: {action.reason}")
        if conversation.assignee_id is None:
            auto_assign(conversation)  # the line's round robin, when it is on
    return outcome


def _persist(session: BotSession, state: engine.State, outcome: str) -> None:
    now = timezone.now()
    session.state = {**session.state, **state.to_json()}  # keeps "assigned", the pool's turn
    session.updated_at = now
    session.option = state.option
    fields = ["state", "updated_at", "option"]
    if outcome:
        session.outcome, session.ended_at = outcome, now
        fields += ["outcome", "ended_at"]
    session.save(update_fields=fields)


def _tag(conversation: Conversation, action: engine.AddTags) -> None:
    account = conversation.account
    tags = list(Tag.objects.for_account(account).filter(id__in=action.tag_ids).order_by("id"))
    tags += [get_or_create_tag(account, name) for name in action.names]
    for tag in tags:
        tag_conversation(conversation, tag, by=None)
        tag_contact(conversation.contact, tag, by=None)


def _assign(session: BotSession, member_ids: Sequence[int]) -> None:
    """One member, or a pool served in turn: the next active and available member, in the pool's
    order, after the one this bot gave a chat to last (a single member is taken whenever they are
    active). The bot's row lock makes concurrent sessions take consecutive turns."""
    account = session.account
    Bot.objects.for_account(account).select_for_update().filter(id=session.bot_id).first()  # the turn
    found = Membership.objects.for_account(account).filter(id__in=member_ids, is_active=True)
    if len(member_ids) > 1:
        found = found.filter(available=True)
    by_id = {member.id: member for member in found}
    order = list(dict.fromkeys(member_ids))  # the pool's order, as configured
    members = [by_id[member_id] for member_id in order if member_id in by_id]
    if not members:
        return
    last = (
        BotSession.objects.for_account(account)
        .filter(bot_id=session.bot_id, state__assigned__isnull=False)
        .exclude(id=session.id)
        .order_by("-started_at", "-id")
        .values_list("state__assigned", flat=True)
        .first()
    )
    after = order.index(last) + 1 if last in order else 0
    chosen = next(
        (by_id[member_id] for member_id in order[after:] + order[:after] if member_id in by_id), members[0]
    )
    assign_automatically(session.conversation, chosen)
    session.state = {**session.state, "assigned": chosen.id}
    session.save(update_fields=["state"])


def _call_http(session: BotSession, option: Option) -> None:
    try:
        http_steps: Any = importlib.import_module("bots.http_steps")
    except ImportError:
        log.warning("bot session %s: HTTP steps are not available; handing over", session.id)
        state = engine.State.from_json(session.state)
        tree = tree_of(session.bot)
        if tree is not None:
            apply(session, *engine.http_done(tree, state, ok=False, reply="", error_message=""))
        return
    http_steps.run(session, option)


def _line(session: BotSession, text: str) -> None:
    ConversationEvent.objects.for_account(session.account).create(
        account=session.account, conversation=session.conversation, kind=EventKind.BOT, text=text[:300]
    )


def stop(conversation: Conversation) -> bool:
    """A person wrote in or took the chat: its running session ends as "stopped"."""
    now = timezone.now()
    stopped = (
        BotSession.objects.for_account(conversation.account)
        .filter(conversation_id=conversation.id, ended_at=None)
        .update(outcome=SessionOutcome.STOPPED, ended_at=now, updated_at=now)
    )
    return bool(stopped)


def abandon_idle(now: Any = None) -> int:
    """Sessions with no answer from the customer for 24 hours end as "abandoned". Every account's
    sessions: the scheduler serves them all."""
    now = now or timezone.now()
    return (
        BotSession.objects.unscoped()  # cross-account by design: one periodic task for everyone
        .filter(ended_at=None, updated_at__lt=now - ABANDON_AFTER)
        .update(outcome=SessionOutcome.ABANDONED, ended_at=now)
    )
