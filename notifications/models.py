"""Recurring notifications (CAM-5) over SMS, email and voice, and the providers that carry them
(LIN-7): what to send to whom and when, each run of it, and one delivery row per contact.

The rows are the schedule (CONVENTIONS 13): ``Notification.next_run_at`` is picked by the beat
sweep (notifications/runs.py); a run is unique per (notification, due time) and a delivery per
(run, contact), so a sweep that fires twice never sends twice."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import Contact, Tag
from spoter.accounts.models import Account, Membership
from spoter.accounts.scoping import ScopedManager
from spoter.crypto import EncryptedTextField

SMS_MAX = 160
TWILIO_URL = "https://api.twilio.com"


class SmsVoiceProvider(models.TextChoices):
    CONSOLE = "console", _("Console (writes to the server log, sends nothing)")
    TWILIO = "twilio", _("Twilio or a Twilio-compatible service")


class VoiceLanguage(models.TextChoices):
    # Twilio's <Say> has no Argentine voice: Mexican Spanish is the closest Latin American one.
    ES_MX = "es-MX", _("Spanish (Latin America)")
    ES_US = "es-US", _("Spanish (United States)")
    ES_ES = "es-ES", _("Spanish (Spain)")
    PT_BR = "pt-BR", _("Portuguese (Brazil)")
    EN_US = "en-US", _("English (United States)")


class ChannelSettings(models.Model):
    """How an account's SMS and calls go out, and whose address its emails carry. Missing: the
    console provider and settings.DEFAULT_FROM_EMAIL."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="notification_channels")
    sms_voice_provider = models.CharField(
        _("SMS and voice provider"),
        max_length=10,
        choices=SmsVoiceProvider.choices,
        default=SmsVoiceProvider.CONSOLE,
    )
    twilio_base_url = models.URLField(_("API address"), max_length=200, default=TWILIO_URL)
    twilio_account_sid = models.CharField(_("account SID"), max_length=64, blank=True)
    twilio_auth_token = EncryptedTextField(_("auth token"), blank=True)
    from_number = models.CharField(_("sender number"), max_length=20, blank=True)  # E.164 with "+"
    voice_language = models.CharField(
        _("voice language"), max_length=10, choices=VoiceLanguage.choices, default=VoiceLanguage.ES_MX
    )
    email_from = models.CharField(_("email sender"), max_length=254, blank=True)

    objects = ScopedManager["ChannelSettings"]()

    def __str__(self) -> str:
        return self.sms_voice_provider


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    VOICE = "voice", _("Voice call")


class TagMode(models.TextChoices):
    ANY = "any", _("any of the tags")
    ALL = "all", _("all of the tags")


class ScheduleKind(models.TextChoices):
    ONCE = "once", _("Once")
    DAILY = "daily", _("Every day")
    MONTHLY = "monthly", _("Every month")
    YEARLY = "yearly", _("Every year")


class Notification(models.Model):
    """A message to the contacts with some tags, sent once or on a calendar. Its times are the
    account's local times; ``next_run_at`` (UTC) is the next one, empty when there is none."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices, default=Channel.SMS)
    tags = models.ManyToManyField(Tag, related_name="notifications")
    tag_mode = models.CharField(
        _("contacts with"), max_length=3, choices=TagMode.choices, default=TagMode.ANY
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)  # email
    body = models.TextField(_("text"))  # may hold {{variables}}
    html = models.TextField(_("HTML"), blank=True)  # email, optional
    schedule = models.CharField(
        _("repeat"), max_length=7, choices=ScheduleKind.choices, default=ScheduleKind.ONCE
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)  # once
    time_of_day = models.TimeField(_("at"), null=True, blank=True)  # daily, monthly, yearly
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)  # yearly
    active = models.BooleanField(_("active"), default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Notification"]()

    class Meta:
        ordering: ClassVar = ["name", "id"]
        indexes: ClassVar = [
            models.Index(fields=["next_run_at"], condition=Q(active=True), name="notification_due"),
        ]

    def __str__(self) -> str:
        return self.name


class NotificationRun(models.Model):
    """One due time of a notification: its deliveries are written with it, in one transaction."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="runs")
    scheduled_for = models.DateTimeField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    objects = ScopedManager["NotificationRun"]()

    class Meta:
        ordering: ClassVar = ["-scheduled_for", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["notification", "scheduled_for"], name="notification_run_once"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["started_at"], condition=Q(finished_at=None), name="notification_run_open"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} @ {self.scheduled_for:%Y-%m-%d %H:%M}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Reason(models.TextChoices):
    """Why a delivery was skipped or failed."""

    OPTED_OUT = "opted_out", _("opted out")
    BLOCKED = "blocked", _("blocked")
    NO_PHONE = "no_phone", _("no phone number")
    NO_EMAIL = "no_email", _("no email address")
    TOO_LONG = "too_long", _("longer than 160 characters with the variables filled in")
    REFUSED = "refused", _("refused by the provider")
    UNREACHABLE = "unreachable", _("the provider could not be reached")


class NotificationDelivery(models.Model):
    """One contact of a run. Claimed by compare-and-set on ``lease_until`` before the provider is
    called, so two workers never send it; a worker that dies leaves it pending, and once the lease
    has run out the next sweep sends it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(NotificationRun, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    address = models.CharField(max_length=254, blank=True)
    state = models.CharField(max_length=7, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["NotificationDelivery"]()

    class Meta:
        ordering: ClassVar = ["id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["run", "contact"], name="notification_delivery_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["run", "state"])]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.contact_id} {self.state}"
