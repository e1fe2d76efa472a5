"""Every account's subscription: created on FREE the first time anything asks for it."""

from __future__ import annotations

from billing.catalogue import FREE, ensure_plans
from billing.models import Plan, Subscription
from spoter.accounts.models import Account


def subscription_for(account: Account) -> Subscription:
    """The account's subscription with its plan; a new account starts on FREE (TEN-2)."""
    subscription = Subscription.objects.for_account(account).select_related("plan", "next_plan").first()
    if subscription is None:
        subscription, _ = Subscription.objects.for_account(account).get_or_create(
            account=account, defaults={"plan": free_plan()}
        )
    subscription.account = account
    return subscription


def free_plan() -> Plan:
    plan = Plan.objects.filter(code=FREE).first()
    if plan is None:
        ensure_plans(Plan)
        plan = Plan.objects.get(code=FREE)
    return plan


def plan_by_code(code: str) -> Plan:
    ensure_plans(Plan)
    return Plan.objects.get(code=code)


def put_on_plan(
    account: Account, code: str, *, extra_lines: int = 0, extra_operators: int = 0
) -> Subscription:
    """Staff's way to set a plan outside the billing cycle (a PERSONALIZADO deal, a test or a
    benchmark account): no charge, no period."""
    subscription = subscription_for(account)
    subscription.plan = plan_by_code(code)
    subscription.extra_lines, subscription.extra_operators = extra_lines, extra_operators
    subscription.save(update_fields=["plan", "extra_lines", "extra_operators", "updated_at"])
    return subscription
