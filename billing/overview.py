"""What the Billing page shows an account's admin (BIL-1 to BIL-4): the plan and what it includes,
usage against its limits, the paid period and an estimate of the next charge, the payment method,
what is scheduled and the plans to compare. Read-only: nothing here changes or fetches anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from billing import limits
from billing.cycle import monthly_usd, next_period_usd, to_ars
from billing.invoices import invoices_for
from billing.lifecycle import pending_card_start
from billing.mandates import current_mandate, mask_cbu
from billing.models import ExchangeRate, Feature, PaymentMethod, Plan, RateSource, Subscription
from billing.subscriptions import subscription_for
from spoter.accounts.models import Account

# Mercado Pago's preapproval statuses (FACTS.md): "pending" until the payer authorises it.
MP_PENDING = "pending"


@dataclass(frozen=True)
class Estimate:
    """A charge to come: on ``day`` (None: when the card is authorised), in USD and, at the latest
    dollar rate snapshot, in ARS (None when there is no snapshot)."""

    day: date | None
    usd: Decimal
    rate: ExchangeRate | None
    ars: Decimal | None


@dataclass(frozen=True)
class Usage:
    used: int
    limit: int

    @property
    def over(self) -> bool:
        return self.used > self.limit


def latest_rate(today: date) -> ExchangeRate | None:
    """The rate an estimate uses: staff's manual rate for today, else the newest snapshot up to
    today. Unlike billing.rates.rate_for it never fetches nor alerts: a page view is no charge."""
    manual = ExchangeRate.objects.filter(source=RateSource.MANUAL, quote_date=today).first()
    newest = ExchangeRate.objects.filter(quote_date__lte=today).order_by("-quote_date", "-fetched_at", "-id")
    return manual or newest.first()


def estimate(usd: Decimal, day: date | None, today: date) -> Estimate:
    rate = latest_rate(today)
    return Estimate(day=day, usd=usd, rate=rate, ars=to_ars(usd, rate) if rate else None)


# Mercado Pago's preapproval statuses, in words (FACTS.md).
MP_STATUSES = {
    "pending": _("waiting for the authorisation"),
    "authorized": _("authorised, charging every month"),
    "paused": _("paused"),
    "cancelled": _("cancelled"),
}


def next_charge(subscription: Subscription, today: date) -> Estimate | None:
    """The next monthly charge: the plan and add-ons of the next period, plus the prorations not
    charged yet. None when nothing will be charged (FREE, read-only, ending, going FREE)."""
    if pending_card_start(subscription):
        assert subscription.next_plan is not None  # noqa: S101  # pending_card_start says so
        usd = monthly_usd(
            subscription.next_plan, subscription.next_extra_lines or 0, subscription.next_extra_operators or 0
        )
        return estimate(usd, None, today)
    day = subscription.period_end
    if (
        day is None
        or subscription.read_only
        or (subscription.ends_on is not None and subscription.ends_on <= day)
    ):
        return None
    if (subscription.next_plan or subscription.plan).is_free:
        return None
    usd = next_period_usd(subscription)
    return estimate(usd, day, today)


def scheduled_change(subscription: Subscription) -> dict[str, Any] | None:
    """A downgrade or fewer add-ons waiting for the end of the paid period."""
    if pending_card_start(subscription):
        return None
    scheduled = (subscription.next_plan, subscription.next_extra_lines, subscription.next_extra_operators)
    if scheduled == (None, None, None) or subscription.period_end is None:
        return None
    choices = subscription.next_switch_off or {}
    return {
        "day": subscription.period_end,
        "plan": subscription.next_plan or subscription.plan,
        "extra_lines": subscription.extra_lines if scheduled[1] is None else scheduled[1],
        "extra_operators": subscription.extra_operators if scheduled[2] is None else scheduled[2],
        "members_off": len(choices.get("members", [])),
        "lines_off": len(choices.get("lines", [])),
    }


def choosable_plans(subscription: Subscription) -> QuerySet[Plan]:
    """The plans the admin may pick: the self-service ones and the current one (agreed with sales)."""
    return Plan.objects.filter(Q(self_service=True) | Q(id=subscription.plan_id))


def features(plan: Plan) -> list[str]:
    return [str(feature.label) for feature in Feature if plan.has(feature)]


def page(account: Account, today: date) -> dict[str, Any]:
    """The Billing page's context."""
    subscription = subscription_for(account)
    mandate = current_mandate(account) if subscription.payment_method == PaymentMethod.CBU else None
    plan = subscription.plan
    return {
        "subscription": subscription,
        "plan": plan,
        "features": features(plan),
        "monthly_usd": monthly_usd(plan, subscription.extra_lines, subscription.extra_operators),
        "users": Usage(limits.seats_used(account), subscription.operator_limit),
        "lines": Usage(limits.active_lines(account), subscription.line_limit),
        "pending_signup": pending_card_start(subscription),
        "next_charge": next_charge(subscription, today),
        "scheduled": scheduled_change(subscription),
        "card_pending": subscription.payment_method == PaymentMethod.CARD
        and subscription.mp_status == MP_PENDING,
        "mp_status": MP_STATUSES.get(subscription.mp_status, subscription.mp_status),
        "mandate": mandate,
        "masked_cbu": mask_cbu(mandate.cbu) if mandate else "",
        "can_cancel": subscription.period_end is not None
        and not subscription.read_only
        and subscription.ends_on is None,
        "latest_invoice": invoices_for(account).first(),
        "plans": Plan.objects.all(),  # side by side; the ones agreed with sales say so
    }
