"""Billing's emails to an account's admins (BIL-4) and alerts to platform staff. Each reminder goes
out once per account, kind and period (billing.Reminder)."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Reminder
from spoter.accounts.models import Account, Role

log = logging.getLogger(__name__)


def upcoming_charge(account: Account, day: date, usd: Decimal) -> int:
    subject = _("Your Spoter charge on %(day)s")
    return _remind(
        account, Reminder.Kind.UPCOMING_CHARGE, str(day), subject, "upcoming", {"day": day, "usd": usd}
    )


def failed_charge(invoice: Invoice) -> int:
    subject = _("Your Spoter payment of %(day)s was rejected")
    context = {"day": invoice.period_start, "invoice": invoice}
    return _remind(
        invoice.account, Reminder.Kind.FAILED_CHARGE, f"invoice-{invoice.id}", subject, "failed", context
    )


def read_only_soon(account: Account, day: date, key: str) -> int:
    subject = _("Your Spoter account turns read-only on %(day)s")
    return _remind(account, Reminder.Kind.READ_ONLY_SOON, key, subject, "read_only", {"day": day})


def choose_again(account: Account, day: date | None, reason: str) -> int:
    """A scheduled downgrade no longer fits what the account uses: it waits, the admins choose again."""
    subject = _("Your Spoter plan change waits: choose again what to switch off")
    context: dict[str, object] = {"day": day, "reason": reason}
    return _remind(account, Reminder.Kind.CHOOSE_AGAIN, str(day), subject, "choose_again", context)


def alert_staff(subject: str, message: str) -> None:
    """Platform staff (settings.BILLING_STAFF_EMAILS) must act, e.g. on an amount Mercado Pago did
    not take; always logged, emailed when the setting names someone."""
    log.error("billing alert: %s: %s", subject, message)
    if settings.BILLING_STAFF_EMAILS:
        send_mail(
            f"[Spoter billing] {subject}", message, None, settings.BILLING_STAFF_EMAILS, fail_silently=True
        )


def _remind(
    account: Account, kind: str, key: str, subject: Promise, template: str, context: dict[str, object]
) -> int:
    """Send once: the Reminder row is the proof it went out. It is written in the same
    transaction as the send, so a mail server that refuses leaves no row and the next sweep
    tries again."""
    emails = list(
        account.memberships.filter(role=Role.ADMIN, is_active=True).values_list("user__email", flat=True)
    )
    link = settings.SITE_URL + reverse("billing", kwargs={"account_slug": account.slug})
    with translation.override(account.language):
        body = render_to_string(
            f"billing/email/{template}.txt", {**context, "account": account, "link": link}
        )
        values = {
            name: date_format(value) if isinstance(value, date) else value for name, value in context.items()
        }
        try:
            with transaction.atomic():
                Reminder.objects.create(account=account, kind=kind, key=key)
                send_mail(subject=str(subject) % values, message=body, from_email=None, recipient_list=emails)
        except IntegrityError:
            return 0  # sent before
    return 1
