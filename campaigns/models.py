"""Broadcasts (CAM-1 to CAM-4, CAM-6): a campaign, its recipients and each line's sending limits."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import Contact, Segment, Tag
from inbox.models import Line, Message, Template
from spoter.accounts.models import Account, Membership
from spoter.accounts.scoping import ScopedManager

DEFAULT_OPT_OUT_KEYWORDS = "0, BAJA, STOP"


class LineThrottle(models.Model):
    """How fast a line may send campaigns (CAM-3): one bucket per line, shared by its campaigns.

    Absent: the line sends at DEFAULT_PER_SECOND with no daily cap and no warm-up."""

    DEFAULT_PER_SECOND = 20.0

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    line = models.OneToOneField(Line, on_delete=models.CASCADE, related_name="throttle")
    per_second = models.FloatField(_("messages per second"), default=DEFAULT_PER_SECOND)
    daily_cap = models.PositiveIntegerField(_("messages per day"), null=True, blank=True)
    # Warm-up for a new number: ``warmup_per_5_minutes`` on its first day, times
    # ``warmup_growth`` each following day, until it reaches ``per_second``.
    warmup_from = models.DateField(_("warm-up started on"), null=True, blank=True)
    warmup_per_5_minutes = models.PositiveIntegerField(_("messages per 5 minutes on day one"), default=10)
    warmup_growth = models.FloatField(_("daily growth"), default=2.0)

    objects = ScopedManager["LineThrottle"]()

    def __str__(self) -> str:
        return f"{self.line_id}: {self.per_second}/s"


class OptOutSettings(models.Model):
    """The words that opt a contact out of campaigns, and what they are told (CAM-1)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="opt_out_settings")
    keywords = models.CharField(_("opt-out keywords"), max_length=200, default=DEFAULT_OPT_OUT_KEYWORDS)
    confirmation = models.TextField(_("confirmation message"), blank=True)

    objects = ScopedManager["OptOutSettings"]()

    def __str__(self) -> str:
        return self.keywords


class TagMode(models.TextChoices):
    ANY = "any", _("any of the tags")
    ALL = "all", _("all of the tags")
    NONE = "none", _("none of the tags")


class ContentKind(models.TextChoices):
    TEMPLATE = "template", _("Approved template")
    TEXT = "text", _("Free text (only to contacts inside the 24-hour window)")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=120)
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="campaigns")
    # The audience: contacts of any of the segments (all contacts when none), narrowed by the tags.
    segments = models.ManyToManyField(Segment, blank=True, related_name="campaigns")
    tags = models.ManyToManyField(Tag, blank=True, related_name="campaigns")
    tag_mode = models.CharField(_("tags"), max_length=4, choices=TagMode.choices, default=TagMode.ANY)
    kind = models.CharField(_("message"), max_length=10, choices=ContentKind.choices, default="template")
    template = models.ForeignKey(Template, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The template form's fields (inbox.compose.template_content): body_<name>, header_<name>, ...;
    # values may hold {{variable|fallback}}.
    template_values = models.JSONField(default=dict, blank=True)
    text = models.TextField(_("text"), blank=True)
    opt_out_footer = models.BooleanField(_("add the opt-out footer"), default=False)
    start_at = models.DateTimeField(_("start at"), null=True, blank=True)  # empty: when started
    # No sends between these local times (the account's zone); may wrap past midnight.
    quiet_from = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet hours until"), null=True, blank=True)
    state = models.CharField(max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT)
    # Why it is paused: a code of campaigns.reactions (or "manual") and the words shown.
    pause_reason = models.CharField(max_length=30, blank=True)
    pause_detail = models.TextField(blank=True)
    # Contacts left out when the recipients were written, counted by reason (campaigns.audience).
    excluded = models.JSONField(default=dict, blank=True)
    # When a runner should look again (quiet hours, the daily cap); empty: now.
    wake_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["Campaign"]()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["state", "wake_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_live(self) -> bool:
        return self.state in {CampaignState.RUNNING, CampaignState.PAUSED}


class RecipientState(models.TextChoices):
    PENDING = "pending", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Handed to WhatsApp")
    FAILED = "failed", _("Not sent")
    SKIPPED = "skipped", _("Skipped")


class Recipient(models.Model):
    """One contact of a running campaign: written once when it starts, claimed by one worker at a
    time (``locked_until``), and linked to its message in the transaction that writes it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="campaign_recipients")
    state = models.CharField(max_length=10, choices=RecipientState.choices, default=RecipientState.PENDING)
    # failed / skipped: why (a SendError code, "opted_out", "blocked"); with the message's own
    # error afterwards when WhatsApp refused it.
    reason = models.CharField(max_length=40, blank=True)
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign_recipient"
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["Recipient"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="recipient_once_per_campaign"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["campaign", "sent_at"]),
            # Replies are attributed to the contact's latest campaign message (72 hours).
            models.Index(
                fields=["contact", "-sent_at"], condition=Q(replied_at=None), name="recipient_awaiting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.contact_id} {self.state}"
