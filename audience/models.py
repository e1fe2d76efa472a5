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


class Contact(models.Model):
    """A customer. On WhatsApp keyed by the business-scoped user id when Meta gives one, else by
    the phone's wa_id; either may be missing (a user with a username may have no phone)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    wa_user_id = models.CharField(_("WhatsApp user id"), max_length=64, blank=True)
    wa_id = models.CharField(_("WhatsApp id"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164 with "+"
    profile_name = models.CharField(_("WhatsApp profile name"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
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
        indexes: ClassVar = [models.Index(fields=["account", "wa_id"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.profile_name or self.phone or self.wa_user_id

    @property
    def is_blocked(self) -> bool:
        return self.blocked_at is not None
