"""Fetch inbox objects through the account: missing and foreign raise the same 404."""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.http import Http404

from inbox.models import ApiKey, Conversation, Line, Template
from spoter.accounts.models import Account

M = TypeVar("M", bound=models.Model)


def _get(model: type[M], account: Account, **lookup: object) -> M:
    found = model.objects.for_account(account).filter(**lookup).first()  # type: ignore[attr-defined]  # ScopedManager
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]  # the model's own row


def get_line(account: Account, line_id: int) -> Line:
    return _get(Line, account, id=line_id)


def get_conversation(account: Account, number: int) -> Conversation:
    """By the account's own conversation number, as people see it."""
    return _get(Conversation, account, number=number)


def get_template(account: Account, template_id: int) -> Template:
    return _get(Template, account, id=template_id)


def get_api_key(account: Account, key_id: int) -> ApiKey:
    return _get(ApiKey, account, id=key_id)
