"""Bank debit mandates (BIL-3): the CBU an account's admin authorises Spoter to debit each period.
Staff process the debits by hand in the Django admin; an account has at most one active mandate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from billing.models import BankMandate
from billing.validators import normalise, validate_cbu, validate_cuit
from spoter.accounts.models import Account, User


def current_mandate(account: Account) -> BankMandate | None:
    return BankMandate.objects.for_account(account).filter(revoked_at=None).first()


def record_mandate(
    account: Account, *, cbu: str, business_name: str, cuit: str, holder: str, created_by: User
) -> BankMandate:
    """The account's new mandate; the one it replaces is revoked. Raises ValidationError for a bad
    CBU or CUIT, writing nothing."""
    validate_cbu(cbu)
    validate_cuit(cuit)
    now = timezone.now()
    with transaction.atomic():
        # The account's row is the lock: two admins saving at once still leave one active mandate.
        Account.objects.select_for_update(no_key=True).get(id=account.id)
        BankMandate.objects.for_account(account).filter(revoked_at=None).update(revoked_at=now)
        return BankMandate.objects.create(
            account=account,
            cbu=normalise(cbu),
            business_name=business_name.strip(),
            cuit=normalise(cuit),
            holder=holder.strip(),
            created_by=created_by,
            created_at=now,
        )


def mask_cbu(cbu: str) -> str:
    """The bank (first 3 digits) and the account's last 4: enough to recognise it, not to use it."""
    return f"{cbu[:3]}{'•' * (len(cbu) - 7)}{cbu[-4:]}"


def format_cuit(cuit: str) -> str:
    """20123456786 -> 20-12345678-6, as Argentines write it."""
    return f"{cuit[:2]}-{cuit[2:10]}-{cuit[10:]}"
