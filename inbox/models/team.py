"""The team's work on conversations: system lines, notes, reminders, scheduled messages, quick
replies and automatic assignment (INB-6 to INB-10)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import Contact
from inbox.models.core import Conversation, Line, Message
from spoter.accounts.models import Account, Membership
from spoter.accounts.scoping import ScopedManager


class EventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    UNASSIGNED = "unassigned", _("Unassigned")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    TAGGED = "tagged", _("Tag added")
    UNTAGGED = "untagged", _("Tag removed")
    BOT = "bot", _("Bot action")
    SCHEDULED_FAILED = "sched_failed", _("Scheduled message not sent")


class ConversationEvent(models.Model):
    """A system line in the chat history: who assigned, closed, tagged; what a bot did."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=300, blank=True)  # a tag's name, a bot's step
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["ConversationEvent"]()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        indexes: ClassVar = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.conversation} {self.kind}"


class Note(models.Model):
    """Internal to the account, on a contact; never sent (INB-8)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Note"]()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class Reminder(models.Model):
    """A contact to come back to at a time; its owner is notified live when due (INB-9)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="reminders")
    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField(_("due"))
    text = models.CharField(_("reminder"), max_length=500)
    notified_at = models.DateTimeField(null=True, blank=True)  # set by the scheduler when due
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Reminder"]()

    class Meta:
        ordering: ClassVar = ["due_at", "id"]
        indexes: ClassVar = [
            models.Index(fields=["due_at"], condition=Q(notified_at=None), name="reminder_due"),
            models.Index(fields=["account", "owner", "due_at"]),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class ScheduledStatus(models.TextChoices):
    PENDING = "pending", _("Scheduled")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ScheduledMessage(models.Model):
    """Text to send in a chat at a time, through the send service (INB-10)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="scheduled")
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    send_at = models.DateTimeField(_("send at"))
    text = models.TextField(_("message"), max_length=4096)
    status = models.CharField(max_length=10, choices=ScheduledStatus.choices, default=ScheduledStatus.PENDING)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["ScheduledMessage"]()

    class Meta:
        ordering: ClassVar = ["send_at", "id"]
        indexes: ClassVar = [
            models.Index(fields=["send_at"], condition=Q(status="pending"), name="scheduled_due"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class QuickReply(models.Model):
    """Canned text typed as /shortcut, with {{variables}} filled in before sending (INB-5)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="quick_replies")
    shortcut = models.SlugField(_("shortcut"), max_length=40)
    text = models.TextField(_("text"), max_length=4096)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["QuickReply"]()

    class Meta:
        ordering: ClassVar = ["shortcut"]
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("shortcut"), "account", name="quick_reply_unique_shortcut"),
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class RoundRobin(models.Model):
    """Automatic assignment of a line's new conversations in turn (INB-6). The row is locked
    while a conversation is assigned, so concurrent arrivals take consecutive turns."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    line = models.OneToOneField(Line, on_delete=models.CASCADE, related_name="round_robin")
    enabled = models.BooleanField(_("assign automatically"), default=False)
    members = models.ManyToManyField(Membership, blank=True, related_name="+", verbose_name=_("operators"))
    last_assigned = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager["RoundRobin"]()

    def __str__(self) -> str:
        return f"{self.line} round robin"
