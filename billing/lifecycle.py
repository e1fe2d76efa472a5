"""Self-service changes (BIL-4): upgrades and more add-ons take effect at once and are prorated
in the next charge; downgrades, fewer add-ons and cancellation wait for the end of the paid
period; cancellation needs 30 days notice. Starting a paid plan goes through a payment method."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing import cycle, downgrade, rates
from billing.cycle import BillingError, add_month, monthly_usd
from billing.mercadopago import MercadoPagoError
from billing.mercadopago import subscriptions as mp
from billing.models import BankMandate, PaymentMethod, Plan, Proration, Subscription

NOTICE_DAYS = 30
MAX_EXTRAS = 200


@dataclass
class Change:
    """What a requested plan and add-ons would do, shown before the admin confirms."""

    plan: Plan
    extra_lines: int
    extra_operators: int
    monthly_now: Decimal
    monthly_new: Decimal
    # Paid plans only: the part that starts today, its proration, and what waits for the period end.
    now: tuple[Plan, int, int] | None = None
    proration_usd: Decimal = Decimal(0)
    later_on: date | None = None
    needs_payment: bool = False  # from FREE (or a read-only account): a payment method starts it
    excess: downgrade.Excess | None = None

    @property
    def is_noop(self) -> bool:
        return self.now is None and self.later_on is None and not self.needs_payment


def preview(
    subscription: Subscription, plan: Plan, extra_lines: int, extra_operators: int, today: date
) -> Change:
    current = subscription.plan
    _check_request(subscription, plan, extra_lines, extra_operators)
    change = Change(
        plan=plan,
        extra_lines=extra_lines,
        extra_operators=extra_operators,
        monthly_now=monthly_usd(current, subscription.extra_lines, subscription.extra_operators),
        monthly_new=monthly_usd(plan, extra_lines, extra_operators),
        excess=downgrade.excess(subscription.account, plan, extra_lines, extra_operators),
    )
    if not _in_paid_period(subscription):
        change.needs_payment = not plan.is_free
        return change
    assert subscription.period_start is not None  # noqa: S101  # a paid period has both ends
    assert subscription.period_end is not None  # noqa: S101
    upgrade = plan.price_usd > current.price_usd
    now = (
        plan if upgrade else current,
        max(extra_lines, subscription.extra_lines),
        max(extra_operators, subscription.extra_operators),
    )
    if now != (current, subscription.extra_lines, subscription.extra_operators):
        change.now = now
        days = (subscription.period_end - subscription.period_start).days
        left = (subscription.period_end - today).days
        extra = monthly_usd(*now) - change.monthly_now
        change.proration_usd = max(extra * left / days, Decimal(0)).quantize(cycle.CENT)
    starting = change.now or (current, subscription.extra_lines, subscription.extra_operators)
    if (plan, extra_lines, extra_operators) != starting:
        change.later_on = subscription.period_end
    return change


def apply(
    subscription: Subscription,
    plan: Plan,
    extra_lines: int,
    extra_operators: int,
    *,
    switch_off: dict[str, list[int]],
    today: date,
) -> Change:
    """Carry out a previewed change on a paid plan; raises BillingError when refused. The
    subscription's row is locked and read again, so a double submit prorates once."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.for_account(subscription.account)
            .select_for_update(of=("self",))
            .select_related("account", "plan", "next_plan")
            .get(id=subscription.id)
        )
        change = preview(subscription, plan, extra_lines, extra_operators, today)
        if plan.is_free and pending_card_start(subscription):
            _abandon_card_start(subscription)
            return change
        if change.needs_payment:
            raise BillingError(_("Choose a payment method to start a paid plan."))
        _check_choices(subscription, switch_off, plan, extra_lines, extra_operators)
        if change.now is not None:
            subscription.plan, subscription.extra_lines, subscription.extra_operators = change.now
            if change.proration_usd > 0:
                _prorate(subscription, change.proration_usd)
        _schedule(subscription, change, switch_off)
        subscription.updated_at = timezone.now()
        subscription.save()
    if change.now is not None and subscription.payment_method == PaymentMethod.CARD:
        _sync_card_estimate(subscription, today)
    return change


def _sync_card_estimate(subscription: Subscription, today: date) -> None:
    """More now means more at the next charge: Mercado Pago is told at once (at today's rate; the
    invoice of the billing day puts its own total)."""
    try:
        rate = rates.rate_for(today)
    except rates.RateUnavailable:
        return  # the invoice of the billing day updates it
    cycle.sync_card_amount(subscription, cycle.to_ars(cycle.next_period_usd(subscription), rate))


def pending_card_start(subscription: Subscription) -> bool:
    """A paid plan chosen by card, waiting for the payer's authorisation on Mercado Pago."""
    return (
        subscription.payment_method == PaymentMethod.CARD
        and subscription.next_plan is not None
        and not _in_paid_period(subscription)
        and subscription.mp_status == "pending"
    )


def _abandon_card_start(subscription: Subscription) -> None:
    """Back to FREE before authorising: the waiting preapproval is cancelled, its link dies."""
    cycle.stop_card(subscription)
    subscription.next_plan = subscription.next_extra_lines = subscription.next_extra_operators = None
    subscription.payment_method = PaymentMethod.NONE
    subscription.updated_at = timezone.now()
    subscription.save()


def _prorate(subscription: Subscription, amount: Decimal) -> None:
    """The line the next invoice carries, in the account's language like the invoice itself."""
    assert subscription.period_end is not None  # noqa: S101  # only paid periods are prorated
    with translation.override(subscription.account.language):
        description = _("Proration until %(day)s: %(plan)s, %(lines)d extra lines, %(users)d extra users") % {
            "day": date_format(subscription.period_end, "SHORT_DATE_FORMAT"),
            "plan": subscription.plan.name,
            "lines": subscription.extra_lines,
            "users": subscription.extra_operators,
        }
    Proration.objects.create(account=subscription.account, amount_usd=amount, description=description)


def _schedule(subscription: Subscription, change: Change, switch_off: dict[str, list[int]]) -> None:
    if change.later_on is None:
        subscription.next_plan = subscription.next_extra_lines = subscription.next_extra_operators = None
        subscription.next_switch_off = {}
        return
    subscription.next_plan = change.plan
    subscription.next_extra_lines, subscription.next_extra_operators = (
        change.extra_lines,
        change.extra_operators,
    )
    subscription.next_switch_off = switch_off


def cancel_date(subscription: Subscription, today: date) -> date:
    """The first period end at least 30 days away: the service works until then."""
    if subscription.period_end is None:
        raise BillingError(_("Only a paid plan can be cancelled."))
    day = subscription.period_end
    while day < today + timedelta(days=NOTICE_DAYS):
        day = add_month(day, subscription.anchor_day)
    return day


def request_cancel(subscription: Subscription, today: date) -> date:
    day = cancel_date(subscription, today)
    subscription.cancel_requested_at, subscription.ends_on = timezone.now(), day
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["cancel_requested_at", "ends_on", "updated_at"])
    return day


def withdraw_cancel(subscription: Subscription, today: date) -> None:
    if subscription.cancel_requested_at is None:
        raise BillingError(_("There is no cancellation to withdraw."))
    if subscription.read_only or (subscription.ends_on is not None and subscription.ends_on <= today):
        raise BillingError(_("The subscription has ended: choose a plan to start again."))
    subscription.cancel_requested_at = subscription.ends_on = None
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=["cancel_requested_at", "ends_on", "updated_at"])


def start_card(
    subscription: Subscription,
    plan: Plan,
    extra_lines: int,
    extra_operators: int,
    *,
    payer_email: str,
    today: date,
) -> str:
    """A paid plan by card: a Mercado Pago subscription for the monthly amount in pesos; it starts
    when the payer authorises it on Mercado Pago's page. Returns that page's address."""
    _check_start(subscription, plan, extra_lines, extra_operators)
    try:
        rate = rates.rate_for(today)
    except rates.RateUnavailable as error:
        raise BillingError(str(error)) from error
    _wait_for(subscription, plan, extra_lines, extra_operators, PaymentMethod.CARD)
    amount = cycle.to_ars(monthly_usd(plan, extra_lines, extra_operators), rate)
    try:
        return mp.create(subscription, amount, payer_email)
    except MercadoPagoError as error:
        raise BillingError(str(error)) from error


def start_cbu(
    subscription: Subscription, plan: Plan, extra_lines: int, extra_operators: int, *, today: date
) -> None:
    """A paid plan by bank debit: it starts at once; staff debit the CBU of the recorded mandate."""
    _check_start(subscription, plan, extra_lines, extra_operators)
    if not BankMandate.objects.for_account(subscription.account).filter(revoked_at=None).exists():
        raise BillingError(_("Record the bank account to debit first."))
    cycle.stop_card(subscription)  # an abandoned card authorisation must not charge on top
    with transaction.atomic():
        _wait_for(subscription, plan, extra_lines, extra_operators, PaymentMethod.CBU)
        try:
            cycle.start_period(subscription, today)
        except rates.RateUnavailable as error:
            raise BillingError(str(error)) from error


def _wait_for(
    subscription: Subscription, plan: Plan, lines: int, operators: int, method: PaymentMethod
) -> None:
    subscription.next_plan, subscription.next_extra_lines, subscription.next_extra_operators = (
        plan,
        lines,
        operators,
    )
    subscription.payment_method = method
    subscription.save()


def _check_start(subscription: Subscription, plan: Plan, extra_lines: int, extra_operators: int) -> None:
    _check_request(subscription, plan, extra_lines, extra_operators)
    if plan.is_free:
        raise BillingError(_("FREE needs no payment."))
    if _in_paid_period(subscription):
        raise BillingError(_("This account already has a paid plan: change it instead."))
    try:
        downgrade.validate_choices(subscription.account, {}, plan, extra_lines, extra_operators)
    except ValidationError as error:  # nothing is switched off for a plan that has not started
        advice = _("Switch users off on the Team page and lines in Settings first, then start the plan.")
        raise BillingError(" ".join([*error.messages, advice])) from error


def _check_choices(
    subscription: Subscription,
    switch_off: dict[str, list[int]],
    plan: Plan,
    extra_lines: int,
    extra_operators: int,
) -> None:
    """A smaller plan must say which users and lines it switches off; nothing is picked for the admin."""
    try:
        downgrade.validate_choices(subscription.account, switch_off, plan, extra_lines, extra_operators)
    except ValidationError as error:
        raise BillingError(" ".join(error.messages)) from error


def _check_request(subscription: Subscription, plan: Plan, extra_lines: int, extra_operators: int) -> None:
    if not plan.self_service and plan.id != subscription.plan_id:
        raise BillingError(_("%(plan)s is agreed with our sales team: write to us.") % {"plan": plan.name})
    if not (0 <= extra_lines <= MAX_EXTRAS and 0 <= extra_operators <= MAX_EXTRAS):
        raise BillingError(_("Extras go from 0 to %(max)d.") % {"max": MAX_EXTRAS})
    if plan.is_free and (extra_lines or extra_operators):
        raise BillingError(_("FREE has no add-ons."))


def _in_paid_period(subscription: Subscription) -> bool:
    return subscription.period_end is not None and not subscription.read_only
