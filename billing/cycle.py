"""The monthly cycle (BIL-2, BIL-4): invoices issued in advance at the billing day's dollar rate,
payments settled, periods renewed, scheduled changes applied, unpaid or ended accounts turned
read-only (never deleted), and the reminder emails on the way."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing import downgrade, emails, rates
from billing.mercadopago import MercadoPagoError
from billing.mercadopago import subscriptions as mp
from billing.models import (
    ExchangeRate,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    PaymentMethod,
    Plan,
    Proration,
    ReadOnlyReason,
    State,
    Subscription,
)
from billing.subscriptions import subscription_for
from spoter.accounts.models import Account

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
# Days an unpaid charge is tolerated before the account turns read-only; Mercado Pago retries a
# declined card for 10 days (FACTS.md). The warning goes out this many days before.
GRACE_DAYS = 10
WARN_DAYS_BEFORE = 3
UPCOMING_CHARGE_DAYS = 3


class BillingError(Exception):
    """A refused billing operation; str() is the message for the person."""


def billing_today() -> date:
    """Billing days are Argentine days: the rate is Banco Nación's of that day."""
    return rates.parse.today()


def add_month(day: date, anchor: int | None = None) -> date:
    """The anchor day (``day``'s own by default) of the next month, or the month's last day when
    it has fewer days: periods from 31/1 run to 28/2, then to 31/3."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(anchor or day.day, calendar.monthrange(year, month)[1]))


def monthly_usd(plan: Plan, extra_lines: int, extra_operators: int) -> Decimal:
    return plan.price_usd + extra_lines * plan.extra_line_usd + extra_operators * plan.extra_operator_usd


def to_ars(usd: Decimal, rate: ExchangeRate) -> Decimal:
    return (usd * rate.seller).quantize(CENT, rounding=ROUND_HALF_UP)


def issue_invoice(subscription: Subscription, period_start: date) -> Invoice:
    """The charge for the period starting that day, once: an issued invoice is never recomputed.
    Raises rates.RateUnavailable when no trustworthy rate exists (nothing is written)."""
    account = subscription.account
    existing = Invoice.objects.for_account(account).filter(period_start=period_start).first()
    if existing is not None:
        return existing
    rate = rates.rate_for(period_start)
    # An invoice is a document in the account's language, written once.
    with transaction.atomic(), translation.override(account.language):
        locked = Subscription.objects.for_account(account).select_for_update().get(id=subscription.id)
        existing = Invoice.objects.for_account(account).filter(period_start=period_start).first()
        if existing is not None:
            return existing
        plan = locked.plan
        items = [
            (LineKind.PLAN, 1, plan.price_usd, _("Plan %(plan)s") % {"plan": plan.name}),
            (LineKind.EXTRA_LINE, locked.extra_lines, plan.extra_line_usd, _("Extra WhatsApp lines")),
            (LineKind.EXTRA_OPERATOR, locked.extra_operators, plan.extra_operator_usd, _("Extra users")),
        ]
        prorations = list(Proration.objects.for_account(account).filter(invoice=None))
        items += [(LineKind.PRORATION, 1, item.amount_usd, item.description) for item in prorations]
        lines = [
            InvoiceLine(kind=kind, description=label, quantity=count, unit_usd=unit, amount_usd=unit * count)
            for kind, count, unit, label in items
            if count
        ]
        usd_total = sum((line.amount_usd for line in lines), Decimal(0))
        invoice = Invoice.objects.create(
            account=account,
            period_start=period_start,
            period_end=add_month(period_start, locked.anchor_day),
            plan_name=plan.name,
            rate=rate,
            usd_total=usd_total,
            ars_total=to_ars(usd_total, rate),
            payment_method=locked.payment_method,
        )
        for line in lines:
            line.account, line.invoice = account, invoice
        InvoiceLine.objects.for_account(account).bulk_create(lines)
        Proration.objects.for_account(account).filter(id__in=[item.id for item in prorations]).update(
            invoice=invoice
        )
    if locked.payment_method == PaymentMethod.CARD:
        sync_card_amount(subscription, invoice.ars_total)
    return invoice


def sync_card_amount(subscription: Subscription, amount: Decimal) -> None:
    """Mercado Pago charges what the preapproval says: keep it at the invoice's ARS total."""
    if not subscription.mp_preapproval_id or subscription.mp_amount == amount:
        return
    _card_call(lambda item: mp.update_amount(item, amount), subscription)


def settle(invoice: Invoice, *, paid: bool, note: str = "", mp_payment_id: str = "") -> bool:
    """A payment's result. PAID is final; a rejected charge may still be paid later."""
    account = invoice.account
    with transaction.atomic():
        locked = Invoice.objects.for_account(account).select_for_update().get(id=invoice.id)
        if locked.status in (InvoiceStatus.PAID, InvoiceStatus.VOID):
            return False
        if not paid and locked.status == InvoiceStatus.REJECTED:
            return False
        locked.status = InvoiceStatus.PAID if paid else InvoiceStatus.REJECTED
        locked.paid_at = timezone.now() if paid else None
        locked.status_note = note[:200]
        locked.mp_payment_id = mp_payment_id or locked.mp_payment_id
        locked.save(update_fields=["status", "paid_at", "status_note", "mp_payment_id"])
        subscription = subscription_for(account)
        if paid and subscription.read_only and subscription.read_only_reason == ReadOnlyReason.UNPAID:
            _reopen(subscription)
        if not paid:
            transaction.on_commit(lambda: emails.failed_charge(locked))
    invoice.status, invoice.paid_at, invoice.status_note = locked.status, locked.paid_at, locked.status_note
    return True


def start_period(subscription: Subscription, today: date) -> Invoice:
    """A paid plan starts today (card authorised, or a bank-debit mandate): the waiting choice of
    plan and add-ons takes effect and the first period's invoice is issued."""
    with transaction.atomic():
        subscription.plan = subscription.next_plan or subscription.plan
        if subscription.next_extra_lines is not None:
            subscription.extra_lines = subscription.next_extra_lines
        if subscription.next_extra_operators is not None:
            subscription.extra_operators = subscription.next_extra_operators
        subscription.next_plan = subscription.next_extra_lines = subscription.next_extra_operators = None
        subscription.next_switch_off = {}
        subscription.period_start, subscription.period_end = today, add_month(today)
        subscription.anchor_day = today.day
        subscription.cancel_requested_at = subscription.ends_on = None
        _set_state(subscription, State.ACTIVE, ReadOnlyReason.NONE)
        # Starting again after an unpaid or ended service: what was left unpaid then no longer
        # decides the new period (kept, marked void, for staff to see).
        Invoice.objects.for_account(subscription.account).filter(
            status__in=[InvoiceStatus.PENDING, InvoiceStatus.REJECTED], period_start__lt=today
        ).update(
            status=InvoiceStatus.VOID,
            status_note=_("Left unpaid before the restart of %(day)s") % {"day": today},
        )
    return issue_invoice(subscription, today)


def card_authorized(subscription: Subscription) -> None:
    """Mercado Pago authorised the preapproval: a waiting card sign-up starts now."""
    waiting = subscription.payment_method == PaymentMethod.CARD and subscription.next_plan is not None
    if waiting and (subscription.period_end is None or subscription.read_only):
        start_period(subscription, billing_today())


def card_cancelled(subscription: Subscription) -> None:
    """Mercado Pago cancelled the card subscription (after rejected charges): the account keeps
    what was paid and turns read-only after it; at once when the current period is unpaid."""
    today = billing_today()
    if subscription.period_end is None or subscription.read_only:
        return
    if _unpaid_invoice(subscription.account) is not None:
        _turn_read_only(subscription, ReadOnlyReason.CARD_CANCELLED)
    elif subscription.ends_on is None or subscription.ends_on > subscription.period_end:
        subscription.ends_on = max(subscription.period_end, today)
        subscription.save(update_fields=["ends_on", "updated_at"])


def run_due(today: date | None = None) -> int:
    """The periodic sweep over paid subscriptions; safe to run at any rate. Returns how many
    subscriptions it changed or reminded."""
    today = today or billing_today()
    done = 0
    # Every account's subscription: billing runs the platform, across accounts by design.
    paid = Subscription.objects.unscoped().exclude(period_end=None).filter(state=State.ACTIVE)
    for subscription_id in list(paid.values_list("id", flat=True)):
        try:
            done += _run_one(subscription_id, today)
        except rates.RateUnavailable:
            log.warning("no dollar rate to renew subscription %s; retrying later", subscription_id)
        except Exception:  # one account's failure (mail server, Mercado Pago) must not stop the others
            log.exception("renewing subscription %s failed; retrying later", subscription_id)
    return done


def _run_one(subscription_id: int, today: date) -> int:
    # Read now, not when the sweep started: an admin may have changed it meanwhile.
    subscription = (
        Subscription.objects.unscoped().select_related("account", "plan", "next_plan").get(id=subscription_id)
    )
    if subscription.period_end is None or subscription.read_only:
        return 0
    changed = 0
    while subscription.period_end is not None and subscription.period_end <= today:
        changed = 1
        if subscription.ends_on is not None and subscription.ends_on <= today:
            reason = (
                ReadOnlyReason.ENDED if subscription.cancel_requested_at else ReadOnlyReason.CARD_CANCELLED
            )
            _end(subscription, reason)
            return changed
        if not _apply_scheduled(subscription):
            return changed
        start = subscription.period_end
        issue_invoice(subscription, start)
        subscription.period_start, subscription.period_end = start, add_month(start, subscription.anchor_day)
        subscription.save(update_fields=["period_start", "period_end", "updated_at"])
    return changed + _remind_and_enforce(subscription, today)


def _apply_scheduled(subscription: Subscription) -> bool:
    """Downgrades and fewer add-ons start with the new period; False when the account went to FREE.
    When the users and lines chosen to switch off no longer make it fit (people were added since),
    the change waits a period and the admins are asked to choose again: nothing is switched off
    that nobody chose."""
    scheduled = (subscription.next_plan, subscription.next_extra_lines, subscription.next_extra_operators)
    if scheduled == (None, None, None):
        return True
    before = (subscription.plan, subscription.extra_lines, subscription.extra_operators)
    try:
        with transaction.atomic():
            subscription.plan = subscription.next_plan or subscription.plan
            subscription.extra_lines = _pick(subscription.next_extra_lines, subscription.extra_lines)
            operators = _pick(subscription.next_extra_operators, subscription.extra_operators)
            subscription.extra_operators = operators
            going_free = subscription.plan.is_free
            if going_free:
                subscription.extra_lines = subscription.extra_operators = 0
            subscription.save()
            downgrade.switch_off(subscription.account, subscription.next_switch_off)
    except ValidationError as error:
        subscription.plan, subscription.extra_lines, subscription.extra_operators = before
        emails.choose_again(subscription.account, subscription.period_end, " ".join(error.messages))
        return True
    subscription.next_plan = subscription.next_extra_lines = subscription.next_extra_operators = None
    subscription.next_switch_off = {}
    if going_free:
        subscription.period_start = subscription.period_end = None
    subscription.updated_at = timezone.now()
    subscription.save()
    if going_free:
        stop_card(subscription)
    return not going_free


def _pick(value: int | None, current: int) -> int:
    return current if value is None else value


def _end(subscription: Subscription, reason: ReadOnlyReason) -> None:
    _turn_read_only(subscription, reason)
    stop_card(subscription)


def stop_card(subscription: Subscription) -> None:
    """No more card charges: the service ended, went to FREE, or moved to bank debit."""
    if subscription.mp_preapproval_id and subscription.mp_status != "cancelled":
        _card_call(mp.cancel, subscription)


def _remind_and_enforce(subscription: Subscription, today: date) -> int:
    account = subscription.account
    assert subscription.period_end is not None  # noqa: S101  # still on a paid period
    unpaid = _unpaid_invoice(account)
    if unpaid is not None and _unpaid_overdue(account, today):
        _turn_read_only(subscription, ReadOnlyReason.UNPAID)
        return 1
    sent = 0
    if unpaid is not None and (today - unpaid.period_start).days >= GRACE_DAYS - WARN_DAYS_BEFORE:
        sent += emails.read_only_soon(
            account, unpaid.period_start + timedelta(days=GRACE_DAYS), f"unpaid-{unpaid.id}"
        )
    if subscription.ends_on is not None and 0 < (subscription.ends_on - today).days <= WARN_DAYS_BEFORE:
        sent += emails.read_only_soon(account, subscription.ends_on, f"ends-{subscription.ends_on}")
    upcoming = subscription.period_end
    charged = subscription.ends_on != upcoming and not (subscription.next_plan or subscription.plan).is_free
    if charged and (upcoming - today).days <= UPCOMING_CHARGE_DAYS:
        sent += emails.upcoming_charge(account, upcoming, next_period_usd(subscription))
    return min(sent, 1)


def next_period_usd(subscription: Subscription) -> Decimal:
    """What the next invoice will charge in USD: the next period's plan and add-ons (a scheduled
    change included) and the prorations not charged yet."""
    plan = subscription.next_plan or subscription.plan
    pending = Proration.objects.for_account(subscription.account).filter(invoice=None)
    return monthly_usd(
        plan,
        _pick(subscription.next_extra_lines, subscription.extra_lines),
        _pick(subscription.next_extra_operators, subscription.extra_operators),
    ) + sum((item.amount_usd for item in pending), Decimal(0))


def _unpaid_invoice(account: Account) -> Invoice | None:
    return (
        Invoice.objects.for_account(account)
        .filter(status__in=[InvoiceStatus.PENDING, InvoiceStatus.REJECTED])
        .order_by("period_start")
        .first()
    )


def _unpaid_overdue(account: Account, today: date) -> bool:
    unpaid = _unpaid_invoice(account)
    return unpaid is not None and (today - unpaid.period_start).days >= GRACE_DAYS


def _turn_read_only(subscription: Subscription, reason: ReadOnlyReason) -> None:
    """Nothing is sent, and Mercado Pago stops charging a card for a service that is not given."""
    _set_state(subscription, State.READ_ONLY, reason)
    transaction.on_commit(lambda: downgrade.on_read_only(subscription.account))
    if subscription.mp_preapproval_id and subscription.mp_status == "authorized":
        _card_call(mp.pause, subscription)


def _card_call(operation: Callable[[Subscription], object], subscription: Subscription) -> None:
    """A Mercado Pago call billing can live without for now; staff hear when it fails."""
    try:
        operation(subscription)
    except MercadoPagoError as error:
        log.exception("Mercado Pago call for account %s failed", subscription.account_id)
        emails.alert_staff(
            _("Mercado Pago call failed"),
            _("Account %(account)s: %(error)s") % {"account": subscription.account, "error": error},
        )


def _reopen(subscription: Subscription) -> None:
    """Paid after all: the account works again; a period that ran out while it was read-only is
    not charged, the next one starts today (the sweep issues its invoice)."""
    today = billing_today()
    if _unpaid_overdue(subscription.account, today):
        return
    if subscription.period_end is not None and subscription.period_end < today:
        subscription.period_end = today
    _set_state(subscription, State.ACTIVE, ReadOnlyReason.NONE)
    if subscription.mp_preapproval_id and subscription.mp_status == "paused":
        _card_call(mp.resume, subscription)


def _set_state(subscription: Subscription, state: State, reason: ReadOnlyReason) -> None:
    if subscription.state == state and subscription.read_only_reason == reason:
        subscription.save()
        return
    subscription.state, subscription.read_only_reason = state, reason
    subscription.read_only_since = timezone.now() if state == State.READ_ONLY else None
    subscription.updated_at = timezone.now()
    subscription.save()
