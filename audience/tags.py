"""Tags (INB-7): coloured labels created inline, on contacts (and, through inbox.teamwork, on
conversations). A name is one tag per account whatever its case: "VIP" and "vip" are the same."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audience.models import Contact, Tag
from spoter.accounts.models import Account

# Distinct, readable on white; a new tag takes the next one unless a colour is chosen.
PALETTE = (
    "#2563eb",  # blue
    "#16a34a",  # green
    "#dc2626",  # red
    "#d97706",  # amber
    "#7c3aed",  # violet
    "#0891b2",  # cyan
    "#db2777",  # pink
    "#4b5563",  # grey
)
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_NAME = 60


def get_or_create_tag(account: Account, name: str, color: str = "") -> Tag:
    """The account's tag with this name (any case), created with ``color`` (or the palette's
    next colour) when new. Safe under concurrent calls."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Write the tag's name.")})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": _("At most %(max)d characters.") % {"max": MAX_NAME}})
    if color and not COLOR.match(color):
        raise ValidationError({"color": _("Choose a colour such as #2563eb.")})
    tags = Tag.objects.for_account(account)
    existing = tags.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return tags.create(account=account, name=name, color=color.lower() or next_color(account))
    except IntegrityError:  # created by someone else a moment ago
        return tags.get(name__iexact=name)


def next_color(account: Account) -> str:
    return PALETTE[Tag.objects.for_account(account).count() % len(PALETTE)]


def add_contact_tag(contact: Contact, tag: Tag) -> None:
    if tag.account_id != contact.account_id:
        raise ValueError("a tag of another account")
    contact.tags.add(tag)


def remove_contact_tag(contact: Contact, tag: Tag) -> None:
    if tag.account_id != contact.account_id:
        raise ValueError("a tag of another account")
    contact.tags.remove(tag)
