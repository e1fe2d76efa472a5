"""What answers a customer's message (BOT-1 to BOT-3); the precedence is in docs/bots.md.

``react(account, message)`` runs once per inbound message (bots.tasks.react, enqueued by
inbox.receiving after commit). Each automation that acts writes an AutomationRun for the
message first: its unique (message, kind, ref) makes a second run of the task a no-op, even a
concurrent one (it waits on the first's insert and then finds it taken).

``apply(session, state, actions)`` (bots.sessions) carries out engine actions; HTTP steps use it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, Q
from django.utils import translation

from bots import engine
from bots.models import (
    AutomationKind,
    AutomationRun,
    AutoReply,
    BotSchedule,
    BotSession,
    Rule,
    WelcomeMessage,
)
from bots.rules import apply_rules
from bots.schedule import covers, local_now
from bots.sessions import apply, begin, settings_of, tree_of
from inbox.assignment import auto_assign
from inbox.content import Text
from inbox.models import Conversation, Direction, Message, MessageType, QuickReply
from inbox.quick_replies import fill_variables, variables_for
from inbox.sending import SendError, send
from spoter.accounts.models import Account, Membership, User

__all__ = ["apply", "has_automations", "react", "schedule_now"]

log = logging.getLogger(__name__)

# Messages that are not an inquiry: a reaction to one of ours, a status-like event.
IGNORED_TYPES = {MessageType.REACTION}


def react(account: Account, message: Message) -> str:
    """Answer one inbound message; what answered ("bot", "bot_start", "rule", "auto_reply",
    "welcome") or ""."""
    if message.account_id != account.id or message.direction != Direction.INBOUND or message.automated:
        return ""
    if message.type in IGNORED_TYPES:
        return ""
    conversation = (
        Conversation.objects.for_account(account)
        .select_related("account", "line", "contact")
        .get(id=message.conversation_id)
    )
    at = message.created_at
    try:
        with transaction.atomic():
            acted = _react(conversation, message, at)
    except IntegrityError:
        # This message was claimed by an earlier (or concurrent) run of the task.
        log.info("message %s: automations ran already", message.id)
        return ""
    # receiving left the round robin to us while a bot slot was open, and no bot started.
    if not acted and conversation.assignee_id is None and _first_of_conversation(conversation, message):
        auto_assign(conversation)
    return acted


def _react(conversation: Conversation, message: Message, at: datetime) -> str:
    account = conversation.account
    session = (
        BotSession.objects.for_account(account)
        .select_for_update()
        .select_related("bot")
        .filter(conversation=conversation, ended_at=None)
        .first()
    )
    if session is not None:  # (a) a bot is talking with the customer
        session.conversation = conversation
        _record(message, AutomationKind.BOT, session.bot_id)
        tree = tree_of(session.bot)
        state = engine.State.from_json(session.state)
        if tree is None:
            apply(session, state, [engine.HandOver("bot_changed")])
            return "bot"
        apply(session, *engine.step(settings_of(session.bot), tree, state, _answer(message)))
        return "bot"
    local = local_now(account, at)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    slot = schedule_now(account, at)
    # (b) the scheduled bot; a broken tree lets the next rules answer
    if slot is not None and tree_of(slot.bot) is not None and _may_start(conversation, slot, midnight):
        _record(message, AutomationKind.BOT, slot.bot_id)
        begin(conversation, slot.bot)
        return "bot_start"
    if _rules_replied(message):  # rules (bots/rules.py): a rule's reply holds (c) and (d) back
        return "rule"
    auto_reply = next(
        (
            reply
            for reply in AutoReply.objects.for_account(account).filter(is_active=True).order_by("id")
            if covers(reply.weekdays, reply.start, reply.end, local)
        ),
        None,
    )
    if auto_reply is not None:  # (c) an automatic reply; it also holds the welcome message back
        since = at - timedelta(minutes=auto_reply.repeat_minutes)
        if _ran(conversation, AutomationKind.AUTO_REPLY, auto_reply.id, since):
            return ""
        _record(message, AutomationKind.AUTO_REPLY, auto_reply.id)
        return "auto_reply" if _send_quick_reply(conversation, auto_reply.quick_reply) else ""
    welcome = WelcomeMessage.objects.for_account(account).filter(is_active=True).first()
    if welcome is not None and _first_today(message, midnight):  # (d) the welcome message
        if _ran(conversation, AutomationKind.WELCOME, 0, midnight):
            return ""
        _record(message, AutomationKind.WELCOME, 0)
        return "welcome" if _send_quick_reply(conversation, welcome.quick_reply) else ""
    return ""


def _rules_replied(message: Message) -> bool:
    """Run the matching rules; whether one replied to this message, now or in an earlier run of
    the task (a rule acts once per message, so a retry would otherwise let the welcome out)."""
    if apply_rules(message):
        return True
    with_reply = Rule.objects.for_account(message.account).exclude(reply=None).values("id")
    return (
        AutomationRun.objects.for_account(message.account)
        .filter(message=message, kind=AutomationKind.RULE, ref__in=with_reply)
        .exists()
    )


def has_automations(account: Account) -> bool:
    """Whether anything may answer the account's customers (a bot slot or a running session, an
    active automatic reply, welcome message or rule): the inbound path queues the bot task only
    then, one query instead of a task per message for accounts that use none."""
    candidates = (
        BotSchedule.objects.for_account(account),
        BotSession.objects.for_account(account).filter(ended_at=None),
        AutoReply.objects.for_account(account).filter(is_active=True),
        WelcomeMessage.objects.for_account(account).filter(is_active=True),
        Rule.objects.for_account(account).filter(is_active=True),
    )
    any_of = Q()
    for rows in candidates:
        any_of |= Q(Exists(rows))
    return Account.objects.filter(id=account.id).filter(any_of).exists()


def schedule_now(account: Account, at: datetime | None = None) -> BotSchedule | None:
    """The bot slot open at ``at`` (now), in the account's time zone."""
    local = local_now(account, at)
    slots = BotSchedule.objects.for_account(account).select_related("bot").order_by("id")
    return next((slot for slot in slots if covers(slot.weekdays, slot.start, slot.end, local)), None)


def _may_start(conversation: Conversation, slot: BotSchedule, midnight: datetime) -> bool:
    """A bot answers a customer's first inquiry of the day: none has run for them since midnight
    (account's zone). "Con rastro": only chats with no operator and no tags, on a contact with
    no tags."""
    account = conversation.account
    if (
        BotSession.objects.for_account(account)
        .filter(conversation__contact_id=conversation.contact_id, started_at__gte=midnight)
        .exists()
    ):
        return False
    if slot.untouched_only:
        if conversation.assignee_id is not None:
            return False
        if conversation.tags.for_account(account).exists():
            return False
        if conversation.contact.tags.for_account(account).exists():
            return False
    return True


def _answer(message: Message) -> engine.Answer:
    """The customer's answer: a tapped button or list row carries the option's id."""
    payload = message.payload if isinstance(message.payload, dict) else {}
    reply_id = ""
    if message.type == MessageType.INTERACTIVE:
        reply_id = str(payload.get("id") or "")
    elif message.type == MessageType.BUTTON:
        reply_id = str(payload.get("payload") or "")
    return engine.Answer(text=message.text or "", reply_id=reply_id)


def _record(message: Message, kind: str, ref: int) -> None:
    """Claim the message for an automation; IntegrityError when a run claimed it already."""
    with transaction.atomic():
        AutomationRun.objects.for_account(message.account).create(
            account_id=message.account_id,
            contact_id=message.conversation.contact_id,
            conversation_id=message.conversation_id,
            kind=kind,
            ref=ref,
            message=message,
            created_at=message.created_at,
        )


def _ran(conversation: Conversation, kind: str, ref: int, since: datetime) -> bool:
    return (
        AutomationRun.objects.for_account(conversation.account)
        .filter(contact_id=conversation.contact_id, kind=kind, ref=ref, created_at__gte=since)
        .exists()
    )


def _first_today(message: Message, midnight: datetime) -> bool:
    """No earlier message of the contact since midnight (account's zone), on any line."""
    return (
        not Message.objects.for_account(message.account)
        .filter(
            conversation__contact_id=message.conversation.contact_id,
            direction=Direction.INBOUND,
            created_at__gte=midnight,
            created_at__lt=message.created_at,
        )
        .exclude(id=message.id)
        .exists()
    )


def _first_of_conversation(conversation: Conversation, message: Message) -> bool:
    return (
        not Message.objects.for_account(conversation.account)
        .filter(conversation=conversation, direction=Direction.INBOUND, id__lt=message.id)
        .exists()
    )


def _send_quick_reply(conversation: Conversation, quick_reply: QuickReply) -> bool:
    """The quick reply's text with its variables; {{operador}} is the assignee, else the
    account's name. False when WhatsApp would refuse it (a closed window): nothing is sent."""
    operator = conversation.assignee or Membership(user=User(first_name=conversation.account.name))
    text = fill_variables(quick_reply.text, variables_for(conversation.contact, operator))
    if not text.strip():
        return False
    try:
        with translation.override(conversation.account.language):
            send(conversation, Text(text), automated=True)
    except SendError:
        return False
    return True
