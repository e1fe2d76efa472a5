"""Lines, conversations and messages: the message core (LIN-1..5, INB-12, INB-13)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import Contact, Tag
from spoter.accounts.models import Account, Membership
from spoter.accounts.scoping import ScopedManager
from spoter.crypto import EncryptedTextField

SERVICE_WINDOW = timedelta(hours=24)


class AccountSequence(models.Model):
    """Per-account counters (conversation #1, #2, ...), bumped with a row lock."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sequences")
    name = models.CharField(max_length=30)
    value = models.PositiveBigIntegerField(default=0)

    objects = ScopedManager["AccountSequence"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="sequence_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class AgentIdentity(models.TextChoices):
    GENERIC = "generic", _("One generic agent")
    OPERATOR = "operator", _("The operator's name before each message")


def new_verify_token() -> str:
    return secrets.token_urlsafe(24)


class Line(models.Model):
    """A business phone number (or, later, another channel) of an account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lines")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=80)
    provider = models.CharField(_("provider"), max_length=30, default="whatsapp_cloud")
    display_number = models.CharField(_("display number"), max_length=20)
    phone_number_id = models.CharField(_("phone number ID"), max_length=40, blank=True)
    waba_id = models.CharField(_("WhatsApp Business Account ID"), max_length=40, blank=True)
    access_token = EncryptedTextField(_("access token"), blank=True)
    app_secret = EncryptedTextField(_("app secret"), blank=True)
    verify_token = models.CharField(_("verify token"), max_length=64, default=new_verify_token)
    # Empty: settings.WHATSAPP_GRAPH_URL. The demo line points at the simulator.
    graph_url = models.URLField(_("Graph API URL"), blank=True)
    agent_identity = models.CharField(
        _("agent identity"), max_length=10, choices=AgentIdentity.choices, default=AgentIdentity.GENERIC
    )
    blocked_reply = models.TextField(
        _("answer to blocked contacts"),
        blank=True,
        help_text=_("Sent once to a blocked contact who writes; empty sends nothing."),
    )
    quality_rating = models.CharField(_("quality rating"), max_length=20, blank=True)
    messaging_tier = models.CharField(_("messaging tier"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Line"]()

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            # One Meta number belongs to one line on the whole platform: webhooks route by it.
            models.UniqueConstraint(
                fields=["phone_number_id"],
                condition=~Q(phone_number_id=""),
                name="line_unique_phone_number_id",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["waba_id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_number})"

    @property
    def api_base_url(self) -> str:
        return (self.graph_url or settings.WHATSAPP_GRAPH_URL).rstrip("/")


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    CLOSED = "closed", _("Closed")


class Initiator(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    COMPANY = "company", _("Company")


class Conversation(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="conversations")
    number = models.PositiveBigIntegerField(_("number"))
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    status = models.CharField(
        _("status"), max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    initiated_by = models.CharField(max_length=10, choices=Initiator.choices, default=Initiator.CUSTOMER)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_conversations"
    )
    # The 24-hour customer-service window runs from the customer's last message (FACTS.md).
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Kept with each message so the list needs no lookup of the last one.
    preview = models.CharField(max_length=200, blank=True)
    # Customer messages since an operator last opened the chat.
    unread_count = models.PositiveIntegerField(default=0)
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")

    objects = ScopedManager["Conversation"]()

    class Meta:
        ordering: ClassVar = ["-last_message_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "number"], name="conversation_unique_number"),
            # One conversation not closed per contact and line.
            models.UniqueConstraint(
                fields=["line", "contact"], condition=~Q(status="closed"), name="conversation_one_open"
            ),
        ]
        indexes: ClassVar = [
            # The list's filters (INB-1), newest activity first.
            models.Index(fields=["account", "-last_message_at", "-id"], name="conversation_list_all"),
            models.Index(fields=["account", "status", "-last_message_at"]),
            models.Index(
                fields=["account", "assignee", "-last_message_at"], name="conversation_list_assignee"
            ),
            models.Index(fields=["account", "line", "-last_message_at"], name="conversation_list_line"),
            models.Index(
                fields=["account", "-last_message_at"],
                condition=Q(unread_count__gt=0),
                name="conversation_list_unread",
            ),
            models.Index(fields=["account", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"

    @property
    def window_expires_at(self) -> datetime | None:
        return self.last_inbound_at + SERVICE_WINDOW if self.last_inbound_at else None

    def window_open(self, at: datetime | None = None) -> bool:
        expires = self.window_expires_at
        return expires is not None and expires > (at or timezone.now())


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class MessageType(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    STICKER = "sticker", _("Sticker")
    LOCATION = "location", _("Location")
    CONTACTS = "contacts", _("Contacts")
    INTERACTIVE = "interactive", _("Interactive")
    BUTTON = "button", _("Button reply")
    REACTION = "reaction", _("Reaction")
    TEMPLATE = "template", _("Template")
    UNSUPPORTED = "unsupported", _("Unsupported")


MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})


class MessageStatus(models.TextChoices):
    """Outbound progress. Ranked: a status only moves to a higher rank; failed is terminal."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    RECEIVED = "received", _("Received")  # inbound messages

    @property
    def rank(self) -> int:
        return STATUS_RANK[self.value]

    def below(self) -> list[str]:
        """Statuses this one may replace."""
        return [status for status, rank in STATUS_RANK.items() if rank < self.rank]


STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4, "received": 0}


class MediaFile(models.Model):
    """A media object: downloaded from Meta for inbound, uploaded by us for outbound."""

    class State(models.TextChoices):
        PENDING = "pending", _("Downloading")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media_files")
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="+")
    provider_media_id = models.CharField(max_length=80, blank=True)
    mime_type = models.CharField(max_length=120, blank=True)
    sha256 = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    file = models.FileField(upload_to="media/", blank=True)  # under MEDIA_ROOT/<account id>/
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.CharField(max_length=255, blank=True)
    # When we uploaded it for sending: provider_media_id is then our upload's (Meta keeps it 30
    # days), not the id of a received file.
    uploaded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["MediaFile"]()

    class Meta:
        indexes: ClassVar = [models.Index(fields=["account", "state"])]

    def __str__(self) -> str:
        return self.filename or self.provider_media_id or str(self.pk)


class Message(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="messages")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    type = models.CharField(max_length=12, choices=MessageType.choices, default=MessageType.TEXT)
    # Meta's id (wamid). Unique per line: retried webhooks store once.
    wamid = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)  # body, caption, or a readable summary
    # The type's own data: interactive reply id/title, location, contacts, template name and
    # parameters, buttons and list rows we sent, the reacted wamid and emoji, ...
    payload = models.JSONField(default=dict, blank=True)
    media = models.ForeignKey(
        MediaFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    reply_to_wamid = models.CharField(max_length=200, blank=True)  # context.id: quoted message
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    error_code = models.IntegerField(null=True, blank=True)
    error_title = models.CharField(max_length=255, blank=True)
    error_details = models.TextField(blank=True)
    sender = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    automated = models.BooleanField(default=False)  # sent by a bot, automatic reply or campaign
    sent_at = models.DateTimeField(null=True, blank=True)  # Meta's timestamp
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Message"]()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["line", "wamid"], condition=~Q(wamid=""), name="message_unique_wamid"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["account", "conversation", "created_at"]),
            models.Index(fields=["line", "reply_to_wamid"]),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.type} {self.wamid or self.pk}"


class UnmatchedStatus(models.Model):
    """A status for a wamid we have not stored yet (order is not guaranteed): applied when the
    message's wamid arrives, so the end state does not depend on arrival order."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="+")
    wamid = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["UnmatchedStatus"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["line", "wamid", "status"], name="unmatched_status_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.wamid} {self.status}"


class OutboxEntry(models.Model):
    """A message waiting to be posted to the provider, written in the message's transaction."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="outbox")
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now)  # next try, after backoff
    locked_until = models.DateTimeField(null=True, blank=True)  # a worker's lease
    # Set just before the POST, cleared when its outcome is known: still set means a worker died
    # or timed out mid-request, and Meta may have the message (inbox/outbox.py waits to see).
    posted_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["OutboxEntry"]()

    class Meta:
        indexes: ClassVar = [models.Index(fields=["available_at"])]

    def __str__(self) -> str:
        return f"outbox {self.message_id}"


class TemplateStatus(models.TextChoices):
    APPROVED = "APPROVED", _("Approved")
    PENDING = "PENDING", _("Pending")
    REJECTED = "REJECTED", _("Rejected")
    PAUSED = "PAUSED", _("Paused")
    DISABLED = "DISABLED", _("Disabled")
    FLAGGED = "FLAGGED", _("Flagged")
    IN_APPEAL = "IN_APPEAL", _("In appeal")
    DELETED = "DELETED", _("Deleted")


class TemplateCategory(models.TextChoices):
    MARKETING = "MARKETING", _("Marketing")
    UTILITY = "UTILITY", _("Utility")
    AUTHENTICATION = "AUTHENTICATION", _("Authentication")


class Template(models.Model):
    """A message template of a WABA, synced from Meta and kept current by webhooks."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="templates")
    waba_id = models.CharField(max_length=40)
    provider_id = models.CharField(max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=512)
    language = models.CharField(_("language"), max_length=15)
    category = models.CharField(_("category"), max_length=20, choices=TemplateCategory.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=TemplateStatus.choices, default=TemplateStatus.PENDING
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=255, blank=True)
    components = models.JSONField(default=list)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Template"]()

    class Meta:
        ordering: ClassVar = ["name", "language"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["account", "waba_id", "name", "language"], name="template_unique_name"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["provider_id"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class WebhookEvent(models.Model):
    """A webhook body as received, stored before we answer and processed by a worker.

    Platform data, not an account's: one platform-app POST may carry several accounts' lines.
    ``line`` is set when it came to a per-line URL. Deleting the line deletes its events: kept
    without it, one would look like a platform-app event and be routed by phone number ID."""

    line = models.ForeignKey(Line, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    body = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    # A worker's lease: claimed by compare-and-set, so concurrent runs process an event once and
    # an event whose worker died is taken up again when the lease runs out.
    locked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self) -> str:
        return f"webhook {self.pk}"


class ApiKey(models.Model):
    """A key for /api/v1/ of one account; only its SHA-256 is stored, it is shown once."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)  # shown in lists so people can tell keys apart
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["ApiKey"]()

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


def next_number(account: Account, name: str) -> int:
    """The account's next number in a sequence; call inside a transaction."""
    sequence, _created = (
        AccountSequence.objects.for_account(account)
        .select_for_update()
        .get_or_create(account=account, name=name)
    )
    AccountSequence.objects.for_account(account).filter(id=sequence.id).update(value=F("value") + 1)
    return sequence.value + 1
