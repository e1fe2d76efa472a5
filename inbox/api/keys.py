"""API keys: created and revoked here; the raw key is shown once and only its SHA-256 is kept."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.utils import timezone

from inbox.models import ApiKey
from spoter.accounts.models import Account, User

logger = logging.getLogger(__name__)

# Recognisable in logs and by secret scanners; 32 random bytes make guessing and a plain (unsalted)
# hash safe: there is nothing to brute-force.
PREFIX = "spk_"
SHOWN_PREFIX_LENGTH = len(PREFIX) + 8
# last_used_at is written at most this often per key, so busy integrations do not write per call.
TOUCH_EVERY = timedelta(minutes=1)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(account: Account, name: str, *, by: User | None = None) -> tuple[ApiKey, str]:
    """A new key of the account and its raw value, which the caller shows once."""
    raw = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.for_account(account).create(
        account=account, name=name, prefix=raw[:SHOWN_PREFIX_LENGTH], key_hash=hash_key(raw), created_by=by
    )
    logger.info("api key created", extra={"account_id": account.id, "api_key_id": key.id})
    return key, raw


def revoke_api_key(key: ApiKey, *, by: User | None = None) -> bool:
    """Revoke the key at once; False when it already was (revoking twice changes nothing)."""
    now = timezone.now()
    revoked = (
        ApiKey.objects.for_account(key.account).filter(id=key.id, revoked_at=None).update(revoked_at=now)
    )
    if revoked:
        key.revoked_at = now
        logger.info(
            "api key revoked",
            extra={"account_id": key.account_id, "api_key_id": key.id, "user_id": by.id if by else None},
        )
    return bool(revoked)


def authenticate(raw: str) -> ApiKey | None:
    """The live key with this raw value, with its account, or None."""
    if not raw.startswith(PREFIX):
        return None
    # Cross-account by nature: the key is what tells us the account.
    key = (
        ApiKey.objects.unscoped()
        .select_related("account", "account__subscription__plan")  # the plan: billing.limits
        .filter(key_hash=hash_key(raw), revoked_at=None)
        .first()
    )
    if key is not None:
        _touch(key)
    return key


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_EVERY:
        return
    ApiKey.objects.for_account(key.account).filter(id=key.id).update(last_used_at=now)
    key.last_used_at = now
