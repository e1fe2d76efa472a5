"""Contacts: the customers of an account."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spoter.accounts.models import Account
from spoter.accounts.scoping import ScopedManager


class Tag(models.Model):
    """A coloured label on contacts and conversations (INB-7), for filters, segments, campaigns."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(_("colour"), max_length=7, default="#2563eb")  # #rrggbb
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Tag"]()

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("name"), "account", name="tag_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    """How a contact came to the account (AUD-1)."""

    WHATSAPP = "whatsapp", _("wrote on WhatsApp")
    MANUAL = "manual", _("added by hand")
    IMPORT = "import", _("imported")
    API = "api", _("added through the API")


class Contact(models.Model):
    """A customer. On WhatsApp keyed by the business-scoped user id when Meta gives one, else by
    the phone's wa_id; either may be missing (a user with a username may have no phone)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    wa_user_id = models.CharField(_("WhatsApp user id"), max_length=64, blank=True)
    wa_id = models.CharField(_("WhatsApp id"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164 with "+"
    profile_name = models.CharField(_("WhatsApp profile name"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    dni = models.CharField(_("DNI"), max_length=8, blank=True)  # 7 or 8 digits, no dots
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WHATSAPP)
    # Out of mass sends (campaigns) from then on; conversations go on (AUD-1, CAM-2).
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    opted_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Consent to marketing messages: when, and how / from which entry point ("import: ferias.csv").
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_source = models.CharField(_("consent given through"), max_length=200, blank=True)
    # Created by an inbound message rather than by the account: flagged as unknown (INB-13).
    registered = models.BooleanField(_("registered"), default=False)
    blocked_at = models.DateTimeField(_("blocked at"), null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The line's answer to blocked contacts goes once per block (INB-13); unblocking resets it.
    blocked_reply_sent_at = models.DateTimeField(null=True, blank=True)
    # The account's own fields ({"empresa": "Acme"}), usable as {{variables}} in messages.
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["Contact"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["account", "wa_user_id"],
                condition=~Q(wa_user_id=""),
                name="contact_unique_wa_user_id",
            ),
            models.UniqueConstraint(
                fields=["account", "phone"], condition=~Q(phone=""), name="contact_unique_phone"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["account", "wa_id"]),
            # The contacts page's default and last-seen orders (audience.filters).
            models.Index(fields=["account", "-created_at", "-id"], name="contact_account_created"),
            models.Index(fields=["account", "last_seen_at"], name="contact_account_last_seen"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.profile_name or self.phone or self.wa_user_id

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None


class FieldKind(models.TextChoices):
    TEXT = "text", _("text")
    NUMBER = "number", _("number")
    DATE = "date", _("date")
    CHOICE = "choice", _("choice")


class CustomField(models.Model):
    """An account's own contact field (AUD-1): its value lives in Contact.custom_fields[key] and
    is written as {{key}} in quick replies, templates and campaigns."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="custom_fields")
    key = models.SlugField(_("variable"), max_length=40)  # lowercase letters, digits, "_"
    label = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("type"), max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)  # for FieldKind.CHOICE
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["CustomField"]()

    class Meta:
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "key"], name="custom_field_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label


class Segment(models.Model):
    """Saved contact filters (AUD-3), counted live and reused by campaigns; ``filters`` is
    audience.filters.ContactFilter's stored form."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Segment"]()

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("name"), "account", name="segment_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class JobState(models.TextChoices):
    """Of an import or an export run by a worker."""

    PENDING = "pending", _("waiting to be mapped")  # imports only: uploaded, columns not mapped yet
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Dedupe(models.TextChoices):
    """What an import does with a row whose phone an existing contact has."""

    UPDATE = "update", _("update the existing contact")
    SKIP = "skip", _("skip the row")


class ContactImport(models.Model):
    """An upload of contacts (AUD-2): uploaded, previewed, mapped, then run by a worker that
    records its progress row by row (``processed_rows``), so an interrupted run resumes where it
    stopped and the counts always say exactly what was done."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=200)
    filename = models.CharField(_("file"), max_length=200)  # as uploaded
    file_format = models.CharField(max_length=4)  # "csv" or "xlsx"
    encoding = models.CharField(max_length=20, blank=True)  # CSV: the one detected
    delimiter = models.CharField(max_length=1, blank=True)  # CSV: "," or ";"
    headers = models.JSONField(default=list)  # the file's column titles
    # {column index (str): target}: "phone", "name", ..., "field:<key>", "tags", "" (ignored).
    mapping = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)  # tag names put on every imported contact
    dedupe = models.CharField(max_length=6, choices=Dedupe.choices, default=Dedupe.UPDATE)
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)  # data rows done, in file order
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [[row number, reason], ...]
    failure = models.TextField(blank=True)  # why the whole import stopped, if it did
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # a running import's last batch

    objects = ScopedManager["ContactImport"]()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ContactExport(models.Model):
    """An export of filtered contacts (AUD-4), written by a worker. The row is also the audit
    record of who exported what and when; it stays when its file is deleted."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_exports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filters = models.JSONField(default=dict)  # audience.filters.ContactFilter's stored form
    file_format = models.CharField(max_length=4, choices=ExportFormat.choices, default=ExportFormat.CSV)
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", max_length=200, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # a running export's last chunk

    objects = ScopedManager["ContactExport"]()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_format} {self.created_at:%Y-%m-%d %H:%M}"


class AuditAction(models.TextChoices):
    EXPORTED = "exported", _("exported contacts")
    ERASED = "erased", _("erased a contact")
    ACCESSED = "accessed", _("downloaded a contact's data")
    IMPORTED = "imported", _("imported contacts")


class AudienceAudit(models.Model):
    """Who did what with the audience's personal data, and when (AUD-4). ``summary`` names the
    contact by number or the filters, never the erased person's data."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="audience_audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    summary = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["AudienceAudit"]()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.summary}"
