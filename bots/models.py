"""Bots and automatic messages (BOT-1 to BOT-5): their configuration, their sessions and the
record of what automations sent, which the once-a-day and repeat-interval rules read."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bots.engine import DEFAULT_INVALID_CLOSE
from spoter.accounts.models import Account
from spoter.accounts.scoping import ScopedManager
from spoter.crypto import EncryptedTextField


def empty_tree() -> dict[str, object]:
    from bots.definition import new_id  # definition imports nothing of ours

    return {"id": new_id(), "question": "", "options": []}


class Bot(models.Model):
    """A questionnaire (BOT-1); ``tree`` is bots.definition's JSON."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bots")
    name = models.CharField(_("identifier"), max_length=80)
    error_message = models.TextField(_("error message"), blank=True)
    back_command = models.CharField(_("back command"), max_length=30, blank=True, default="volver")
    back_message = models.TextField(_("back message"), blank=True)
    invalid_close_message = models.TextField(
        _("closing message after invalid answers"), default=DEFAULT_INVALID_CLOSE
    )
    tree = models.JSONField(default=empty_tree)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Bot"]()

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [models.UniqueConstraint(Lower("name"), "account", name="bot_unique_name")]

    def __str__(self) -> str:
        return self.name


class Weekdays(models.Model):
    """Weekdays (0 Monday ... 6 Sunday) and an hour range in the account's time zone; ``end``
    is exclusive, and a range that ends at or before its start crosses midnight."""

    weekdays = models.JSONField(_("days"), default=list)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        abstract = True


class BotSchedule(Weekdays):
    """Which bot answers when (BOT-2): one bot per time slot, slots never overlap."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bot_schedules")
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="schedules")
    # "Con rastro": only customers with no operator assigned and no tags.
    untouched_only = models.BooleanField(_("only customers with no operator and no tags"), default=False)

    objects = ScopedManager["BotSchedule"]()

    def __str__(self) -> str:
        return f"{self.bot} {self.weekdays} {self.start}-{self.end}"


class SessionOutcome(models.TextChoices):
    RUNNING = "", _("running")
    COMPLETED = "completed", _("completed")
    ESCALATED = "escalated", _("handed to a person")
    ABANDONED = "abandoned", _("abandoned")
    STOPPED = "stopped", _("stopped by an operator")


class BotSession(models.Model):
    """A bot talking with a customer in a conversation; ``state`` is engine.State's JSON."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bot_sessions")
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="bot_sessions"
    )
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="sessions")
    state = models.JSONField(default=dict)
    outcome = models.CharField(max_length=10, choices=SessionOutcome.choices, blank=True, default="")
    option = models.CharField(max_length=16, blank=True)  # the option it ended at (analytics)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["BotSession"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["conversation"], condition=Q(ended_at=None), name="bot_session_one_running"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["account", "bot", "started_at"])]

    def __str__(self) -> str:
        return f"{self.bot} in {self.conversation_id}"


class AutoReply(Weekdays):
    """An automatic reply (BOT-3), e.g. out of hours: a quick reply's text, sent at most once
    per ``repeat_minutes`` to the same customer."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="auto_replies")
    quick_reply = models.ForeignKey("inbox.QuickReply", on_delete=models.CASCADE, related_name="+")
    repeat_minutes = models.PositiveIntegerField(
        _("do not repeat to the same customer within (minutes)"), default=240
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager["AutoReply"]()

    def __str__(self) -> str:
        return f"{self.quick_reply} {self.weekdays} {self.start}-{self.end}"


class WelcomeMessage(models.Model):
    """The welcome message (BOT-3): once a day, on a customer's first contact of the day."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="welcome_message")
    quick_reply = models.ForeignKey("inbox.QuickReply", on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager["WelcomeMessage"]()

    def __str__(self) -> str:
        return str(self.quick_reply)


class Rule(models.Model):
    """When a message matches (BOT-4) -> reply, tag, assign, notify. Empty conditions match
    everything; an empty ``weekdays`` means every day and hour."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bot_rules")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    keywords = models.TextField(_("keywords"), blank=True)  # one per line, accents and case ignored
    pattern = models.CharField(_("regular expression"), max_length=300, blank=True)
    contact_ids = models.JSONField(default=list, blank=True)
    tag_ids = models.JSONField(default=list, blank=True)  # the contact has any of them
    reply = models.ForeignKey(
        "inbox.QuickReply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    add_tag_ids = models.JSONField(default=list, blank=True)
    assign_ids = models.JSONField(default=list, blank=True)  # membership ids, in turn
    notify_ids = models.JSONField(default=list, blank=True)  # membership ids
    weekdays = models.JSONField(_("days"), default=list, blank=True)  # as Weekdays; empty: any day
    start = models.TimeField(_("from"), null=True, blank=True)  # empty: any hour
    end = models.TimeField(_("until"), null=True, blank=True)

    objects = ScopedManager["Rule"]()

    class Meta:
        ordering: ClassVar = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class FollowUp(models.Model):
    """When the customer has not answered ``hours`` after our last message (BOT-4): send a quick
    reply, or notify the assignee."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="follow_ups")
    hours = models.PositiveIntegerField(_("hours without an answer"))
    quick_reply = models.ForeignKey(
        "inbox.QuickReply", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    notify_assignee = models.BooleanField(_("notify the assigned operator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager["FollowUp"]()

    def __str__(self) -> str:
        return f"{self.hours} h"


class BotSecret(models.Model):
    """A value HTTP steps use as {{secret.<name>}} (BOT-5), stored encrypted, never shown again."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bot_secrets")
    name = models.SlugField(_("name"), max_length=40)
    value = EncryptedTextField(_("value"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["BotSecret"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="bot_secret_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class AutomationKind(models.TextChoices):
    BOT = "bot", _("bot")
    AUTO_REPLY = "auto_reply", _("automatic reply")
    WELCOME = "welcome", _("welcome message")
    RULE = "rule", _("rule")
    FOLLOW_UP = "follow_up", _("follow-up")


class AutomationRun(models.Model):
    """One automation that acted on a customer's message (or, for follow-ups, on our last one):
    the record the once-a-day, repeat-interval and loop-protection checks read."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="automation_runs")
    contact = models.ForeignKey("audience.Contact", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=AutomationKind.choices)
    ref = models.PositiveIntegerField(default=0)  # the bot, auto reply, rule or follow-up
    message = models.ForeignKey(
        "inbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["AutomationRun"]()

    class Meta:
        indexes: ClassVar = [models.Index(fields=["account", "contact", "kind", "created_at"])]
        constraints: ClassVar = [
            # A message sets each automation off once, however often its task runs.
            models.UniqueConstraint(
                fields=["message", "kind", "ref"], condition=~Q(message=None), name="automation_run_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"
