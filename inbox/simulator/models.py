"""The fake Meta's own state: simulated business numbers, their customers, the messages both
ways, uploaded media, templates per WABA and the webhooks it owes.

Platform data of a development tool, not an account's: the simulator knows numbers and tokens
the way Meta does, not Spoter's accounts (a line talks to it only over HTTP, like to Meta).
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models
from django.utils import timezone


def new_wamid() -> str:
    return "wamid." + secrets.token_urlsafe(36)


def new_numeric_id() -> str:
    """Meta's object ids are long decimal numbers."""
    return str(10**15 + secrets.randbelow(9 * 10**15))


class SimNumber(models.Model):
    """A business phone number registered at the fake Meta."""

    phone_number_id = models.CharField(max_length=40, unique=True)
    waba_id = models.CharField(max_length=40, db_index=True)
    display_number = models.CharField(max_length=20)
    verified_name = models.CharField(max_length=120)
    access_token = models.CharField(max_length=255)
    app_secret = models.CharField(max_length=255)
    webhook_url = models.URLField(max_length=500)
    # The next calls to the number's Graph endpoints answer 500, so tests can exercise retries.
    fail_next = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["verified_name", "id"]

    def __str__(self) -> str:
        return f"{self.verified_name} ({self.display_number})"

    @property
    def display_digits(self) -> str:
        return "".join(ch for ch in self.display_number if ch.isdigit())


class SimCustomer(models.Model):
    """A WhatsApp user chatting with one simulated number."""

    number = models.ForeignKey(SimNumber, on_delete=models.CASCADE, related_name="customers")
    wa_id = models.CharField(max_length=20)  # the phone's digits
    user_id = models.CharField(max_length=40)  # business-scoped user id (FACTS.md, 2026)
    name = models.CharField(max_length=120, blank=True)
    # The 24-hour window opens with the customer's last message (FACTS.md).
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["number", "wa_id"], name="simulator_customer_unique_wa_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.wa_id} ({self.wa_id})"


class SimMedia(models.Model):
    """A file uploaded by the business (POST /media) or sent by a customer from the phone page."""

    number = models.ForeignKey(SimNumber, on_delete=models.CASCADE, related_name="media")
    media_id = models.CharField(max_length=40, unique=True, default=new_numeric_id)
    data = models.BinaryField()
    mime_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.media_id} ({self.mime_type})"


class SimMessage(models.Model):
    class Direction(models.TextChoices):
        FROM_CUSTOMER = "in", "from the customer"
        FROM_BUSINESS = "out", "from the business"

    class Status(models.TextChoices):
        SENT = "sent", "sent"
        DELIVERED = "delivered", "delivered"
        READ = "read", "read"
        FAILED = "failed", "failed"

    number = models.ForeignKey(SimNumber, on_delete=models.CASCADE, related_name="messages")
    customer = models.ForeignKey(SimCustomer, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    wamid = models.CharField(max_length=200, unique=True, default=new_wamid)
    type = models.CharField(max_length=20)
    # The message object as the business posted it, or as the webhook carries it to the business.
    body = models.JSONField(default=dict)
    # What the phone shows: the text, caption or rendered template, and around it the header,
    # footer, buttons, list, quick replies and links (rules.Outgoing.display).
    text = models.TextField(blank=True)
    display = models.JSONField(default=dict)
    media = models.ForeignKey(SimMedia, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    context_wamid = models.CharField(max_length=200, blank=True)
    callback_data = models.CharField(max_length=512, blank=True)  # biz_opaque_callback_data
    # From the business: delivered to the phone, read by the customer. From the customer:
    # delivered to the business's webhook, read by the business (its mark-read call).
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    error_code = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        indexes: ClassVar = [models.Index(fields=["customer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.direction} {self.type} {self.wamid}"


class SimTemplate(models.Model):
    waba_id = models.CharField(max_length=40)
    template_id = models.CharField(max_length=40, unique=True, default=new_numeric_id)
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=15)
    category = models.CharField(max_length=20)
    status = models.CharField(max_length=20, default="PENDING")
    rejection_reason = models.CharField(max_length=255, blank=True)
    components = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["waba_id", "name", "language"], name="simulator_template_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language}, {self.status})"


class SimWebhook(models.Model):
    """A webhook the fake Meta owes the business: stored, then posted (and retried) by a task."""

    number = models.ForeignKey(SimNumber, on_delete=models.CASCADE, related_name="webhooks")
    body = models.JSONField()
    # The customer message this webhook carries: marked delivered once the business took it.
    message = models.ForeignKey(SimMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return f"webhook {self.id} to {self.number_id}"
