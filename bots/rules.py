"""Rules (BOT-4): when a customer's message matches, reply, tag, assign and notify.

A rule matches when every condition it has holds (an empty condition holds always):
- keywords, one per line: any of them appears in the message as whole words, accents, case and
  repeated spaces ignored ("precio" matches "¿Precio?" but not "preciosa");
- a regular expression, searched case-insensitively in the first ``MAX_TEXT`` characters of the
  message; patterns are checked on save (``validate_pattern``) so none backtracks without end;
- weekdays and hours in the account's time zone (as bots.schedule's slots: ``end`` exclusive, a
  range ending at or before its start crosses midnight); no weekdays means every day, no hours
  every hour;
- the contact is one of ``contact_ids``; the contact or the chat has any of ``tag_ids``.

Every active rule that matches runs, in position order; a rule's actions run in this order:
reply (its quick reply, variables filled, sent as automated), add tags to the chat, assign
(only a chat nobody has: one member, or several in turn), notify members (a system line in the
chat and a live ``rule.notified`` event to those of them who may see the chat).

Loop protection: only a customer's inbound message sets a rule off, never an outbound or
automated one; each rule acts once per message (AutomationRun's unique key, so a retried task
does nothing twice); and rules act at most ``MAX_RUNS_PER_HOUR`` times per contact per hour.
"""

from __future__ import annotations

import logging
import re

# The parser's tree, to check patterns before they run; typeshed only stubs the deprecated
# sre_parse aliases, which warn on import.
import re._constants as sre_constants  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.models import Contact, Tag
from bots.engine import normalize
from bots.models import AutomationKind, AutomationRun, Rule
from bots.schedule import covers, local_now
from inbox import events
from inbox.assignment import assign_automatically
from inbox.content import Text
from inbox.models import Conversation, ConversationEvent, Direction, EventKind, Message
from inbox.quick_replies import fill_variables, variables_for
from inbox.sending import SendError, send
from inbox.teamwork import tag_conversation
from inbox.visibility import can_see
from spoter.accounts.models import Membership

log = logging.getLogger(__name__)

MAX_RUNS_PER_HOUR = 5
MAX_TEXT = 1000  # what a pattern or keyword sees of a message: bounds the work of a search
MAX_PATTERN = 300
__all__ = [
    "MAX_RUNS_PER_HOUR",
    "MAX_TEXT",
    "RuleNotified",
    "apply_rules",
    "contact_variables",
    "matches",
    "validate_pattern",
]


@events.register
@dataclass(frozen=True)
class RuleNotified(events.Event):
    """A rule asks these members to look at a chat."""

    type: ClassVar[str] = "rule.notified"
    conversation: int
    rule: str
    contact: str
    text: str


def apply_rules(message: Message) -> bool:
    """Run the account's matching rules on a stored message; True when one replied (then no
    automatic reply or welcome message goes out)."""
    if message.direction != Direction.INBOUND or message.automated or message.sender_id is not None:
        return False
    account = message.account
    conversation = message.conversation
    contact = conversation.contact
    rules = list(Rule.objects.for_account(account).filter(is_active=True).select_related("reply"))
    if not rules:
        return False
    at = local_now(account, message.created_at)
    tag_ids = set(contact.tags.for_account(account).values_list("id", flat=True)) | set(
        conversation.tags.for_account(account).values_list("id", flat=True)
    )
    replied = False
    for rule in rules:
        if not matches(rule, message.text, contact, tag_ids, at):
            continue
        if _recent_runs(message) >= MAX_RUNS_PER_HOUR:
            log.info("rules paused for contact %s: %s runs in the last hour", contact.id, MAX_RUNS_PER_HOUR)
            break
        replied = _run(rule, message, conversation) or replied
    return replied


def matches(rule: Rule, text: str, contact: Contact, tag_ids: set[int], at: datetime) -> bool:
    """Whether ``rule``'s conditions hold for a message ``text`` of ``contact`` (with these tags,
    the contact's and the chat's) at the local time ``at``."""
    if rule.contact_ids and contact.id not in rule.contact_ids:
        return False
    if rule.tag_ids and not tag_ids.intersection(rule.tag_ids):
        return False
    if not _in_hours(rule, at):
        return False
    if rule.keywords.strip() and not keyword_hit(rule.keywords, text):
        return False
    return not (rule.pattern and compiled(rule.pattern).search(text[:MAX_TEXT]) is None)


def keyword_hit(keywords: str, text: str) -> bool:
    words = normalize(text[:MAX_TEXT])
    for line in keywords.splitlines():
        keyword = normalize(line)
        if keyword and re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", words):
            return True
    return False


def validate_pattern(pattern: str) -> None:
    """Refuse, with a message for people, a pattern too long, invalid, or able to backtrack
    without end: a repeat inside a repeat, such as (a+)+ or (a|aa)*, or a back reference."""
    if len(pattern) > MAX_PATTERN:
        raise ValidationError(_("Write at most %(max)d characters.") % {"max": MAX_PATTERN})
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as error:
        raise ValidationError(
            _("This is not a valid regular expression: %(error)s") % {"error": error}
        ) from error
    if _risky(parsed, inside_repeat=False):
        raise ValidationError(
            _(
                "Avoid a repetition inside another one, such as (a+)+, a repeated choice, such as "
                "(a|b)+, and back references: they can make matching very slow."
            )
        )


def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}


def _risky(items: Any, *, inside_repeat: bool) -> bool:
    for op, arg in items:
        if op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS):
            return True
        if op in REPEATS:
            _low, high, sub = arg
            unbounded = high == sre_constants.MAXREPEAT or high > 50
            if inside_repeat and unbounded:
                return True
            if _risky(sub, inside_repeat=inside_repeat or unbounded):
                return True
            if unbounded and _has_branch(sub):
                return True  # (a|aa)*: alternatives that overlap make a repeat explode
        elif op == sre_constants.SUBPATTERN:
            if _risky(arg[-1], inside_repeat=inside_repeat):
                return True
        elif op == sre_constants.BRANCH:
            if any(_risky(branch, inside_repeat=inside_repeat) for branch in arg[1]):
                return True
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and _risky(
            arg[1], inside_repeat=inside_repeat
        ):
            return True
    return False


def _has_branch(items: Any) -> bool:
    for op, arg in items:
        if op == sre_constants.BRANCH or (op == sre_constants.SUBPATTERN and _has_branch(arg[-1])):
            return True
    return False


def _in_hours(rule: Rule, at: datetime) -> bool:
    weekdays = rule.weekdays or list(range(7))
    if rule.start is None or rule.end is None:
        return at.weekday() in weekdays
    return covers(weekdays, rule.start, rule.end, at)


def _recent_runs(message: Message) -> int:
    since = timezone.now() - timedelta(hours=1)
    return (
        AutomationRun.objects.for_account(message.account)
        .filter(contact_id=message.conversation.contact_id, kind=AutomationKind.RULE, created_at__gte=since)
        .count()
    )


def _run(rule: Rule, message: Message, conversation: Conversation) -> bool:
    """Act on one matching rule, once per message; True when it replied."""
    account = message.account
    try:
        with transaction.atomic():
            runs = AutomationRun.objects.for_account(account)
            turn = runs.filter(kind=AutomationKind.RULE, ref=rule.id).count()
            runs.create(
                account=account,
                contact_id=conversation.contact_id,
                conversation=conversation,
                kind=AutomationKind.RULE,
                ref=rule.id,
                message=message,
            )
    except IntegrityError:
        return False  # this rule acted on this message already (a retried task)
    replied = _reply(rule, conversation)
    with transaction.atomic():
        _add_tags(rule, conversation)
        _assign(rule, conversation, turn)
        _notify(rule, conversation, message)
    return replied


def contact_variables(conversation: Conversation) -> dict[str, str]:
    """The quick-reply variables of the chat's contact; {{operador}} is its assignee, if any."""
    return variables_for(conversation.contact, conversation.assignee)


def _reply(rule: Rule, conversation: Conversation) -> bool:
    if rule.reply is None:
        return False
    body = fill_variables(rule.reply.text, contact_variables(conversation)).strip()
    if not body:
        return False
    try:
        send(conversation, Text(body), automated=True)
    except SendError as error:
        _system_line(
            conversation,
            _("Rule %(rule)s could not reply: %(error)s")
            % {
                "rule": rule.name,
                "error": error.message,
            },
        )
        return False
    return True


def _add_tags(rule: Rule, conversation: Conversation) -> None:
    account = conversation.account
    for tag in Tag.objects.for_account(account).filter(id__in=rule.add_tag_ids).order_by("id"):
        tag_conversation(conversation, tag, by=None)


def _members(conversation: Conversation, ids: list[int]) -> list[Membership]:
    return list(
        Membership.objects.for_account(conversation.account)
        .filter(id__in=ids, is_active=True)
        .select_related("user")
        .order_by("id")
    )


def _assign(rule: Rule, conversation: Conversation, turn: int) -> None:
    pool = _members(conversation, rule.assign_ids)
    available = [member for member in pool if member.available] or pool
    if not available:
        return
    locked = (
        Conversation.objects.for_account(conversation.account)
        .select_for_update()
        .filter(id=conversation.id, assignee=None)
        .first()
    )
    if locked is None:
        return  # someone handles it already: a rule never takes a chat from a person
    assign_automatically(conversation, available[turn % len(available)])


def _notify(rule: Rule, conversation: Conversation, message: Message) -> None:
    members = _members(conversation, rule.notify_ids)
    if not members:
        return
    names = ", ".join(str(member.user) for member in members)
    _system_line(
        conversation, _("Rule %(rule)s notified %(members)s") % {"rule": rule.name, "members": names}
    )
    event = RuleNotified(
        account_id=conversation.account_id,
        conversation=conversation.number,
        rule=rule.name,
        contact=conversation.contact.display_name,
        text=message.text[:120],
    )
    # A private operator who may not see the chat gets the line in the chat, not its words.
    events.publish_on_commit(
        conversation.account, event, [member.id for member in members if can_see(member, conversation)]
    )


def _system_line(conversation: Conversation, text: str) -> None:
    ConversationEvent.objects.for_account(conversation.account).create(
        account=conversation.account, conversation=conversation, kind=EventKind.BOT, text=text[:300]
    )
