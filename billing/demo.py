"""The demo account's billing: PRO by bank debit for three months, at the demo's own dollar rates
(entered as staff would, so the demo never needs Banco Nación's page)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from billing import cycle
from billing.catalogue import PRO
from billing.models import BankMandate, ExchangeRate, PaymentMethod, RateSource
from billing.subscriptions import plan_by_code, subscription_for
from spoter.accounts.models import Account

RATES = ["1030.00", "1065.50", "1092.25"]
# Check digits that pass (billing/validators.py): Banco Galicia's format, a company CUIT.
DEMO_CBU = "0070999030004012345673"
DEMO_CUIT = "30712345671"


def add_billing(account: Account) -> None:
    """Once: a second run finds the paid period and leaves everything as it is."""
    subscription = subscription_for(account)
    if subscription.period_end is not None:
        return
    today = cycle.billing_today()
    days = [_months_before(today, 2), _months_before(today, 1)]
    days.append(cycle.add_month(days[1]))
    for day, seller in zip(days, RATES, strict=True):
        ExchangeRate.objects.create(
            source=RateSource.MANUAL, quote_date=day, seller=Decimal(seller), note="Demo"
        )
    BankMandate.objects.create(
        account=account, cbu=DEMO_CBU, business_name="Demo Spoter SA", cuit=DEMO_CUIT, holder="Demo Spoter SA"
    )
    subscription.plan, subscription.payment_method = plan_by_code(PRO), PaymentMethod.CBU
    subscription.anchor_day = days[0].day
    for day in days:
        subscription.period_start, subscription.period_end = day, cycle.add_month(day)
        subscription.save()
        invoice = cycle.issue_invoice(subscription, day)
        if day != days[-1]:  # the current period's debit waits for staff, as a real one would
            cycle.settle(invoice, paid=True, note="Demo")


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, min(day.day, 28))
