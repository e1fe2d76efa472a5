"""What Mercado Pago says, applied to our subscriptions and invoices: a stored webhook processed by
the worker, and the hourly reconciliation that catches lost notifications. Everything here is
safe to run twice: statuses are compared before acting and billing.cycle's calls are idempotent."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import cycle, emails
from billing.mercadopago import subscriptions
from billing.mercadopago.client import call
from billing.models import Invoice, InvoiceStatus, Notification, PaymentMethod, Subscription
from billing.rates.parse import BUENOS_AIRES
from spoter.accounts.models import Account

log = logging.getLogger(__name__)

PREAPPROVAL = "subscription_preapproval"
CHARGE_TOPICS = ("subscription_authorized_payment", "payment")
# A notification still unprocessed this long after it arrived lost its task, or failed: retried.
STALE_AFTER = timedelta(minutes=5)
SEARCH_PAGE = 50
# A charge's payment in these states did not pay: the invoice is rejected (a retry may still pay it).
REFUSED = ("rejected", "cancelled")


class UnmatchedChargeError(Exception):
    """A settled charge with no card invoice to apply it to (yet): retried later."""


def process(notification_id: int) -> None:
    """A stored webhook: fetch the resource it names and apply it. A failure is recorded on the
    notification, which stays unprocessed for the reconciliation sweep to retry."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(id=notification_id, processed_at=None)
            .first()
        )
        if notification is None:  # done already, or a twin run holds it
            return
        try:
            with transaction.atomic():
                notification.account = _apply(notification.topic, notification.data_id)
        except Exception as error:  # recorded on the notification and retried by the sweep
            log.warning("Mercado Pago notification %s failed: %s", notification_id, error, exc_info=True)
            notification.error = str(error)[:300] or error.__class__.__name__
            notification.save(update_fields=["error"])
            return
        notification.processed_at, notification.error = timezone.now(), ""
        notification.save(update_fields=["account", "processed_at", "error"])


def _apply(topic: str, data_id: str) -> Account | None:
    if topic == PREAPPROVAL:
        return apply_preapproval(subscriptions.fetch(data_id))
    if topic in CHARGE_TOPICS:
        charge_id = data_id if topic != "payment" else _charge_of_payment(data_id)
        if charge_id is None:  # a payment that is not a subscription's charge: not ours to apply
            return None
        return apply_charge(call(lambda api: api.invoice().get(charge_id)))
    return None  # other topics are kept as a log only


def _charge_of_payment(payment_id: str) -> str | None:
    payment = call(lambda api: api.payment().get(payment_id))
    transaction_data = (payment.get("point_of_interaction") or {}).get("transaction_data") or {}
    charge_id = transaction_data.get("invoice_id")
    return str(charge_id) if charge_id else None


def _subscription(preapproval_id: Any) -> Subscription | None:
    if not preapproval_id:
        return None
    # Mercado Pago's id names the account: webhooks and the sweep come from no account.
    return (
        Subscription.objects.unscoped()
        .select_related("account", "plan", "next_plan")
        .filter(mp_preapproval_id=str(preapproval_id))
        .first()
    )


def apply_preapproval(preapproval: dict[str, Any]) -> Account | None:
    """The preapproval's status: authorised starts a waiting card sign-up; cancelled without our
    asking (after rejected charges) ends the paid service."""
    subscription = _subscription(preapproval.get("id"))
    if subscription is None:
        return None
    previous, status = subscription.mp_status, str(preapproval.get("status") or "")
    if status and status != previous:
        subscription.mp_status, subscription.updated_at = status, timezone.now()
        subscription.save(update_fields=["mp_status", "updated_at"])
    if status == "authorized" and previous == "pending":  # the payer just authorised it (not a resume)
        cycle.card_authorized(subscription)
    elif status == subscriptions.CANCELLED and previous != subscriptions.CANCELLED:
        cycle.card_cancelled(subscription)
    return subscription.account


def apply_charge(charge: dict[str, Any]) -> Account | None:
    """An authorized payment (one month's charge). It counts once it is processed, and only when
    its payment is approved; processed with another payment status, or recycling (retried) with a
    rejected payment, marks the invoice rejected, which a later approval may still pay."""
    subscription = _subscription(charge.get("preapproval_id"))
    if subscription is None:
        return None
    payment = charge.get("payment") or {}
    paid = payment.get("status") == "approved"
    refused = payment.get("status") in REFUSED
    if charge.get("status") not in ("processed", "recycling") or not (paid or refused):
        return subscription.account  # scheduled, cancelled, or a payment still in process
    invoice = _invoice_for(subscription.account, charge)
    if invoice is None:
        # The first charge can arrive before the authorisation that issues its invoice.
        apply_preapproval(subscriptions.fetch(subscription.mp_preapproval_id))
        invoice = _invoice_for(subscription.account, charge)
    if invoice is None:
        if paid:  # money taken with nothing to show for it: staff must look, once
            _tell_staff_once(charge, _("No invoice matches this approved charge."))
        raise UnmatchedChargeError(
            _("No card invoice matches Mercado Pago charge %(id)s.") % {"id": charge.get("id")}
        )
    amount = Decimal(str(charge.get("transaction_amount") or 0))
    if paid and amount != invoice.ars_total:
        _tell_staff_once(
            charge,
            _("It charged ARS %(amount)s for invoice %(invoice)s of ARS %(total)s.")
            % {"amount": amount, "invoice": invoice.number, "total": invoice.ars_total},
        )
    if not invoice.mp_authorized_payment_id:
        invoice.mp_authorized_payment_id = str(charge["id"])
        invoice.save(update_fields=["mp_authorized_payment_id"])
    note = "" if paid else str(payment.get("status_detail") or payment.get("status"))
    cycle.settle(invoice, paid=paid, note=note, mp_payment_id=str(payment.get("id") or ""))
    return subscription.account


def _tell_staff_once(charge: dict[str, Any], problem: str) -> None:
    if cache.add(f"billing:mp:charge-alert:{charge.get('id')}", True, 30 * 86400):
        emails.alert_staff(
            _("Mercado Pago charge %(id)s needs a look") % {"id": charge.get("id")},
            f"{problem} (preapproval {charge.get('preapproval_id')}, debit date {charge.get('debit_date')})",
        )


def _invoice_for(account: Account, charge: dict[str, Any]) -> Invoice | None:
    """The invoice this charge already paid or rejected; else the unpaid card invoice whose period
    holds the charge's debit date; else the oldest unpaid card invoice with no charge yet."""
    invoices = Invoice.objects.for_account(account).select_related("account")
    linked = invoices.filter(mp_authorized_payment_id=str(charge.get("id"))).first()
    if linked is not None:
        return linked
    unpaid = invoices.filter(
        payment_method=PaymentMethod.CARD,
        mp_authorized_payment_id="",
        status__in=[InvoiceStatus.PENDING, InvoiceStatus.REJECTED],
    ).order_by("period_start")
    day = _debit_day(charge.get("debit_date"))
    in_period = unpaid.filter(period_start__lte=day, period_end__gt=day).first() if day else None
    return in_period or unpaid.first()


def _search_charges(preapproval_id: str, offset: int) -> dict[str, Any]:
    filters = {"preapproval_id": preapproval_id, "offset": offset, "limit": SEARCH_PAGE}
    return call(lambda api: api.invoice().search(filters))


def _debit_day(value: Any) -> date | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        return moment.date()
    return timezone.localtime(moment, BUENOS_AIRES).date()


def reconcile() -> int:
    """Every card subscription's preapproval and charges, as Mercado Pago has them now, then the
    notifications left unprocessed. Returns how many subscriptions were checked."""
    # Every account's card subscription: a platform sweep, across accounts by design.
    # A cancelled preapproval charges no more: it is read again only while a card invoice of its
    # account waits for a charge (a retry that ended), so the sweep does not grow with history.
    waiting = Invoice.objects.unscoped().filter(
        account=OuterRef("account"),
        payment_method=PaymentMethod.CARD,
        status__in=[InvoiceStatus.PENDING, InvoiceStatus.REJECTED],
    )
    preapproval_ids = list(
        Subscription.objects.unscoped()
        .filter(payment_method=PaymentMethod.CARD)
        .exclude(mp_preapproval_id="")
        .exclude(Q(mp_status=subscriptions.CANCELLED) & ~Exists(waiting))
        .values_list("mp_preapproval_id", flat=True)
    )
    for preapproval_id in preapproval_ids:
        try:
            _reconcile_one(preapproval_id)
        except Exception:  # one account's failure must not stop the others
            log.warning("reconciling Mercado Pago preapproval %s failed", preapproval_id, exc_info=True)
    # Notifications are platform data (the account is known only once processed).
    stale = Notification.objects.filter(processed_at=None, received_at__lt=timezone.now() - STALE_AFTER)
    for notification_id in list(stale.order_by("received_at").values_list("id", flat=True)[:500]):
        process(notification_id)
    return len(preapproval_ids)


def _reconcile_one(preapproval_id: str) -> None:
    with transaction.atomic():
        apply_preapproval(subscriptions.fetch(preapproval_id))
    offset = 0
    while True:
        page = _search_charges(preapproval_id, offset)
        charges = page.get("results") or []
        for charge in charges:
            try:
                with transaction.atomic():
                    apply_charge(charge)
            except UnmatchedChargeError as error:
                log.info("%s", error)
        offset += len(charges)
        if not charges or offset >= int((page.get("paging") or {}).get("total") or 0):
            return
