"""The monthly cycle across period boundaries (BIL-2, BIL-4), by bank debit so no card is needed:
invoices in advance at the billing day's rate, never recomputed; prorated upgrades; downgrades and
cancellation at the period end; unpaid accounts turn read-only and come back when paid."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import LazySettings
from django.core import mail

from billing import cycle, lifecycle
from billing.cycle import BillingError
from billing.invoices import lines_of
from billing.models import (
    BankMandate,
    ExchangeRate,
    Invoice,
    InvoiceStatus,
    LineKind,
    RateSource,
    ReadOnlyReason,
    State,
)
from billing.subscriptions import plan_by_code, subscription_for
from spoter.accounts.models import Role
from tests.conftest import Team, make_member

pytestmark = pytest.mark.usefixtures("english")


def _rate(day: date, seller: str) -> ExchangeRate:
    return ExchangeRate.objects.create(source=RateSource.MANUAL, quote_date=day, seller=Decimal(seller))


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, 0)  # 12:00 in Buenos Aires


@pytest.fixture
def on_free(acme: Team, settings: LazySettings) -> Team:
    # No network in tests: the rate comes from the manual snapshots each test enters.
    settings.BNA_RATE_URL = settings.BNA_RATE_MIRROR_URL = "http://127.0.0.1:9/"
    subscription = subscription_for(acme.account)
    subscription.plan, subscription.extra_lines, subscription.extra_operators = plan_by_code("free"), 0, 0
    subscription.save()
    BankMandate.objects.create(
        account=acme.account, cbu="2850590940090418135201", business_name="Acme SA", cuit="30712345671",
        holder="Acme SA", created_by=acme.admin.user,
    )  # fmt: skip
    return acme


def _start(team: Team, plan: str, day: date, lines: int = 0, users: int = 0, *, pay: bool = True) -> None:
    """Start a plan by bank debit; staff mark the first debit paid unless told otherwise."""
    with time_machine.travel(_noon(day), tick=False):
        lifecycle.start_cbu(subscription_for(team.account), plan_by_code(plan), lines, users, today=day)
        if pay:
            cycle.settle(Invoice.objects.for_account(team.account).get(period_start=day), paid=True)


def _sweep(day: date) -> None:
    with time_machine.travel(_noon(day), tick=False):
        cycle.run_due(day)


def test_a_bank_debit_plan_starts_at_once_with_an_invoice_at_that_days_rate(on_free: Team) -> None:
    _rate(date(2026, 3, 10), "1000.50")
    _start(on_free, "pro", date(2026, 3, 10), lines=1, pay=False)

    subscription = subscription_for(on_free.account)
    assert (subscription.plan.code, subscription.period_start, subscription.period_end) == (
        "pro", date(2026, 3, 10), date(2026, 4, 10),
    )  # fmt: skip
    invoice = Invoice.objects.for_account(on_free.account).get()
    assert (invoice.usd_total, invoice.ars_total, invoice.status) == (
        Decimal("158.00"), Decimal("158079.00"), InvoiceStatus.PENDING,
    )  # fmt: skip
    assert invoice.rate.seller == Decimal("1000.50")
    assert [line.kind for line in lines_of(invoice)] == [LineKind.PLAN, LineKind.EXTRA_LINE]


def test_the_next_period_is_charged_at_its_own_days_rate_and_the_issued_invoice_never_changes(
    on_free: Team,
) -> None:
    first_rate = _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10))
    _rate(date(2026, 4, 10), "1100")

    _sweep(date(2026, 4, 9))  # not yet
    assert Invoice.objects.for_account(on_free.account).count() == 1
    _sweep(date(2026, 4, 10))
    _sweep(date(2026, 4, 10))  # twice: still one invoice per period

    march, april = Invoice.objects.for_account(on_free.account).order_by("period_start")
    assert (march.rate, march.ars_total) == (first_rate, Decimal("99000.00"))
    assert (april.period_start, april.period_end, april.ars_total) == (
        date(2026, 4, 10), date(2026, 5, 10), Decimal("108900.00"),
    )  # fmt: skip
    assert subscription_for(on_free.account).period_end == date(2026, 5, 10)


def test_an_upgrade_takes_effect_at_once_and_its_proration_goes_with_the_next_charge(on_free: Team) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "inicio", date(2026, 3, 10))
    subscription = subscription_for(on_free.account)

    with time_machine.travel(_noon(date(2026, 3, 25)), tick=False):
        change = lifecycle.apply(
            subscription, plan_by_code("pro"), 0, 0, switch_off={}, today=date(2026, 3, 25)
        )
    assert change.later_on is None
    assert change.proration_usd == Decimal("25.81")  # USD 50 for 16 of 31 days
    assert subscription_for(on_free.account).plan.code == "pro"

    _rate(date(2026, 4, 10), "1000")
    _sweep(date(2026, 4, 10))
    april = Invoice.objects.for_account(on_free.account).get(period_start=date(2026, 4, 10))
    assert [(line.kind, line.amount_usd) for line in lines_of(april)] == [
        (LineKind.PLAN, Decimal("99.00")), (LineKind.PRORATION, Decimal("25.81")),
    ]  # fmt: skip
    assert april.usd_total == Decimal("124.81")


def test_a_downgrade_waits_for_the_end_of_the_paid_period(on_free: Team) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10), users=2)
    subscription = subscription_for(on_free.account)

    change = lifecycle.apply(
        subscription, plan_by_code("inicio"), 0, 1, switch_off={}, today=date(2026, 3, 20)
    )
    assert (change.now, change.later_on, change.proration_usd) == (None, date(2026, 4, 10), Decimal(0))
    assert subscription_for(on_free.account).plan.code == "pro"

    _rate(date(2026, 4, 10), "1000")
    _sweep(date(2026, 4, 10))
    subscription = subscription_for(on_free.account)
    assert (subscription.plan.code, subscription.extra_operators, subscription.next_plan) == (
        "inicio",
        1,
        None,
    )
    april = Invoice.objects.for_account(on_free.account).get(period_start=date(2026, 4, 10))
    assert april.usd_total == Decimal("59.00")


def test_cancellation_needs_30_days_notice_and_then_the_account_is_read_only_not_deleted(
    on_free: Team,
) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10))
    subscription = subscription_for(on_free.account)

    assert lifecycle.cancel_date(subscription, date(2026, 3, 5)) == date(2026, 4, 10)
    with time_machine.travel(_noon(date(2026, 3, 20)), tick=False):
        assert lifecycle.request_cancel(subscription, date(2026, 3, 20)) == date(2026, 5, 10)

    _rate(date(2026, 4, 10), "1000")
    _sweep(date(2026, 4, 10))  # the notice period is still paid for
    assert subscription_for(on_free.account).state == State.ACTIVE
    _sweep(date(2026, 5, 10))

    subscription = subscription_for(on_free.account)
    assert (subscription.state, subscription.read_only_reason) == (State.READ_ONLY, ReadOnlyReason.ENDED)
    assert Invoice.objects.for_account(on_free.account).count() == 2  # nothing charged after the end
    assert on_free.account.memberships.filter(is_active=True).count() == 3


def test_an_unpaid_period_warns_then_turns_read_only_and_paying_reopens_it(on_free: Team) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10), pay=False)
    invoice = Invoice.objects.for_account(on_free.account).get()

    _sweep(date(2026, 3, 16))
    assert mail.outbox == []
    _sweep(date(2026, 3, 17))
    _sweep(date(2026, 3, 18))  # warned once
    assert [message.subject for message in mail.outbox] == [
        "Your Spoter account turns read-only on March 20, 2026"
    ]
    assert mail.outbox[0].to == ["admin@acme.test"]
    _sweep(date(2026, 3, 20))
    subscription = subscription_for(on_free.account)
    assert (subscription.state, subscription.read_only_reason) == (State.READ_ONLY, ReadOnlyReason.UNPAID)

    with time_machine.travel(_noon(date(2026, 3, 22)), tick=False):
        assert cycle.settle(invoice, paid=True, note="by staff")
        assert not cycle.settle(invoice, paid=False)  # paid is final
    assert subscription_for(on_free.account).state == State.ACTIVE


def test_a_rejected_charge_emails_the_admins_once(on_free: Team, django_capture_on_commit_callbacks) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10), pay=False)
    invoice = Invoice.objects.for_account(on_free.account).get()

    with (
        time_machine.travel(_noon(date(2026, 3, 11)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert cycle.settle(invoice, paid=False, note="cc_rejected_insufficient_amount")
        assert not cycle.settle(invoice, paid=False, note="cc_rejected_insufficient_amount")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.status_note) == (
        InvoiceStatus.REJECTED,
        "cc_rejected_insufficient_amount",
    )
    assert [message.subject for message in mail.outbox] == [
        "Your Spoter payment of March 10, 2026 was rejected"
    ]


def test_without_a_trustworthy_rate_nothing_is_charged_and_the_sweep_retries(on_free: Team) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10))

    _sweep(date(2026, 4, 20))  # the March snapshot is too old, the network is down
    assert Invoice.objects.for_account(on_free.account).count() == 1
    assert subscription_for(on_free.account).period_end == date(2026, 4, 10)

    _rate(date(2026, 4, 10), "1200")
    _sweep(date(2026, 4, 20))
    assert Invoice.objects.for_account(on_free.account).count() == 2


def test_going_to_free_asks_which_users_to_switch_off_and_does_it_only_at_the_period_end(
    on_free: Team,
) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10))
    subscription = subscription_for(on_free.account)
    free = plan_by_code("free")

    with pytest.raises(BillingError, match="room for 2 users: choose 1 user to switch off"):
        lifecycle.apply(subscription, free, 0, 0, switch_off={}, today=date(2026, 3, 20))
    choice = {"members": [on_free.operator.id], "lines": []}
    change = lifecycle.apply(subscription, free, 0, 0, switch_off=choice, today=date(2026, 3, 20))
    assert change.later_on == date(2026, 4, 10)
    on_free.operator.refresh_from_db()
    assert on_free.operator.is_active  # nothing is switched off before the paid period ends

    _sweep(date(2026, 4, 10))
    subscription = subscription_for(on_free.account)
    on_free.operator.refresh_from_db()
    assert (subscription.plan.code, subscription.period_end, on_free.operator.is_active) == (
        "free",
        None,
        False,
    )
    assert Invoice.objects.for_account(on_free.account).count() == 1  # FREE is not charged


def test_a_downgrade_that_no_longer_fits_waits_and_asks_again(
    on_free: Team, django_capture_on_commit_callbacks
) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10))
    subscription = subscription_for(on_free.account)
    choice = {"members": [on_free.operator.id], "lines": []}
    lifecycle.apply(subscription, plan_by_code("free"), 0, 0, switch_off=choice, today=date(2026, 3, 20))
    make_member(on_free.account, "new@acme.test", Role.OPERATOR)  # PRO still has room for a 4th user

    _rate(date(2026, 4, 10), "1000")
    with django_capture_on_commit_callbacks(execute=True):
        _sweep(date(2026, 4, 10))
    subscription = subscription_for(on_free.account)
    on_free.operator.refresh_from_db()
    assert subscription.next_plan == plan_by_code("free")
    assert (subscription.plan.code, on_free.operator.is_active) == (
        "pro",
        True,
    )
    assert Invoice.objects.for_account(on_free.account).count() == 2  # another PRO period
    assert [message.subject for message in mail.outbox] == [
        "Your Spoter plan change waits: choose again what to switch off"
    ]


def test_periods_keep_their_day_across_short_months(on_free: Team) -> None:
    for day in (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)):
        _rate(day, "1000")
    _start(on_free, "pro", date(2026, 1, 31))
    _sweep(date(2026, 2, 28))
    cycle.settle(Invoice.objects.for_account(on_free.account).get(period_start=date(2026, 2, 28)), paid=True)
    _sweep(date(2026, 3, 31))
    starts = list(
        Invoice.objects.for_account(on_free.account)
        .order_by("period_start")
        .values_list("period_start", flat=True)
    )
    assert starts == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    assert subscription_for(on_free.account).period_end == date(2026, 4, 30)


def test_starting_again_after_an_unpaid_period_is_not_locked_by_the_old_debt(on_free: Team) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10), pay=False)
    _sweep(date(2026, 3, 20))
    assert subscription_for(on_free.account).read_only

    _rate(date(2026, 3, 25), "1000")
    _start(on_free, "pro", date(2026, 3, 25))  # a new start, paid by staff's debit
    _sweep(date(2026, 3, 26))
    subscription = subscription_for(on_free.account)
    assert subscription.state == State.ACTIVE
    old = Invoice.objects.for_account(on_free.account).get(period_start=date(2026, 3, 10))
    assert old.status == InvoiceStatus.VOID  # kept for staff, no longer deciding anything


def test_a_cancellation_cannot_be_withdrawn_once_the_service_ended(on_free: Team) -> None:
    _rate(date(2026, 3, 10), "1000")
    _start(on_free, "pro", date(2026, 3, 10))
    lifecycle.request_cancel(subscription_for(on_free.account), date(2026, 3, 5))
    _sweep(date(2026, 4, 10))
    with pytest.raises(BillingError, match="has ended"):
        lifecycle.withdraw_cancel(subscription_for(on_free.account), date(2026, 4, 11))
