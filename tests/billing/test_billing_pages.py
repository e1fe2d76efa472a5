"""The Billing page for account admins (BIL-1 to BIL-4): the overview in each state, changing the
plan with a preview (prorated upgrades now, downgrades at the period end with the users to switch
off), starting a paid plan by bank debit, and cancelling with 30 days notice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from billing.models import (
    BankMandate,
    ExchangeRate,
    Invoice,
    PaymentMethod,
    Proration,
    RateSource,
    ReadOnlyReason,
    State,
    Subscription,
)
from billing.subscriptions import plan_by_code, subscription_for
from spoter.accounts.models import Role
from tests.billing.fake_mercadopago import FakeMercadoPago
from tests.conftest import Team, client_for, make_member

pytestmark = pytest.mark.usefixtures("english")

TODAY = date(2026, 3, 17)
CBU = "2850590940090418135201"
CUIT = "30712345671"


@pytest.fixture(autouse=True)
def _today(settings: LazySettings) -> Any:
    # No network in tests: rates come from the manual snapshots each test enters.
    settings.BNA_RATE_URL = settings.BNA_RATE_MIRROR_URL = "http://127.0.0.1:9/"
    with time_machine.travel(datetime(2026, 3, 17, 15, 0), tick=False):  # noon in Buenos Aires
        yield


def url(team: Team, name: str) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug})


def short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def put_on(
    team: Team, code: str, *, start: date | None = None, end: date | None = None, **fields: Any
) -> Subscription:
    subscription = subscription_for(team.account)
    subscription.plan = plan_by_code(code)
    subscription.extra_lines = subscription.extra_operators = 0
    subscription.period_start, subscription.period_end = start, end
    subscription.anchor_day = start.day if start else 1
    for name, value in fields.items():
        setattr(subscription, name, value)
    subscription.save()
    return subscription


def paid_pro(team: Team, **fields: Any) -> Subscription:
    """PRO by bank debit, paid from 1 March to 1 April 2026 (31 days)."""
    return put_on(
        team, "pro", start=date(2026, 3, 1), end=date(2026, 4, 1), payment_method=PaymentMethod.CBU, **fields
    )


def rate(seller: str, day: date = TODAY) -> ExchangeRate:
    return ExchangeRate.objects.create(source=RateSource.MANUAL, quote_date=day, seller=Decimal(seller))


def mandate(team: Team) -> BankMandate:
    return BankMandate.objects.create(
        account=team.account,
        cbu=CBU,
        business_name="Acme SA",
        cuit=CUIT,
        holder="Acme SA",
        created_by=team.admin.user,
    )


def page(team: Team, name: str = "billing", query: str = "") -> str:
    response = client_for(team.admin).get(url(team, name) + query)
    assert response.status_code == 200
    return response.content.decode()


# The overview, state by state


def test_free_shows_usage_against_its_limits_and_the_plans_to_choose(acme: Team) -> None:
    put_on(acme, "free")
    html = page(acme)
    assert "Plan FREE" in html
    assert 'data-testid="usage-users">3 of 2 <span class="badge off">' in html  # admin, supervisor, operator
    assert 'data-testid="usage-lines">0 of 1<' in html
    for code in ("inicio", "pro"):
        assert f'href="/a/acme/billing/change/?plan={code}" data-testid="choose-{code}"' in html
    assert 'data-testid="plan-personalizado"' in html  # agreed with sales: shown, not chosen here
    assert 'data-testid="choose-personalizado"' not in html
    assert 'data-testid="next-charge"' not in html
    assert 'data-testid="cancel"' not in html
    assert 'href="/a/acme/billing/invoices/"' in html
    assert 'href="/a/acme/billing/support/"' in html


def test_a_card_sign_up_waits_for_the_authorisation_on_mercado_pago(acme: Team) -> None:
    put_on(
        acme, "free", next_plan=plan_by_code("pro"), next_extra_lines=0, next_extra_operators=1,
        payment_method=PaymentMethod.CARD, mp_status="pending", mp_init_point="https://mp.test/checkout?id=7",
    )  # fmt: skip
    rate("1000")
    html = page(acme)
    assert "PRO is waiting for your authorisation on Mercado Pago" in html
    assert 'href="https://mp.test/checkout?id=7" data-testid="mp-authorise"' in html
    assert "When the payment starts:" in html
    assert "USD 109.00 ≈ ARS 109,000.00" in " ".join(html.split())


def test_a_bank_debit_plan_shows_the_period_the_estimate_in_pesos_and_the_mandate(acme: Team) -> None:
    paid_pro(acme, extra_lines=1)
    mandate(acme)
    Proration.objects.create(account=acme.account, description="Upgrade", amount_usd=Decimal("10.50"))
    rate("1000.5")
    html = page(acme)
    assert f"{short(date(2026, 3, 1))} \N{EN DASH} {short(date(2026, 4, 1))}" in html
    # 99 + 59 for the extra line + 10.50 not yet charged, at 1000.50.
    assert "USD 168.50 ≈ ARS 168,584.25" in " ".join(html.split())
    assert "Estimate at ARS 1,000.50 per dollar (Entered by staff," in html
    assert "CBU 285•••••••••••••••5201 (Acme SA)" in html
    assert 'href="/a/acme/billing/bank-debit/"' in html
    assert 'data-testid="cancel"' in html


def test_without_a_dollar_rate_the_estimate_says_so(acme: Team) -> None:
    paid_pro(acme)
    html = page(acme)
    assert "USD 99.00" in html
    assert 'data-testid="no-rate"' in html


def test_a_scheduled_downgrade_is_shown_with_its_date(acme: Team) -> None:
    paid_pro(acme, next_plan=plan_by_code("inicio"), next_extra_lines=0, next_extra_operators=0)
    rate("1000")
    html = page(acme)
    assert f"From {short(date(2026, 4, 1))}: INICIO, 0 extra lines, 0 extra users." in html
    assert "USD 49.00" in html  # the next charge is INICIO's


def test_a_requested_cancellation_shows_its_date_and_can_be_withdrawn(acme: Team) -> None:
    paid_pro(acme, cancel_requested_at=timezone.now(), ends_on=date(2026, 4, 1))
    html = page(acme)
    assert f"the service works until {short(date(2026, 4, 1))}" in html
    assert 'data-testid="withdraw-cancel"' in html
    assert 'data-testid="next-charge">None: the paid plan ends with this period.' in html

    response = client_for(acme.admin).post(url(acme, "billing_cancel_withdraw"))
    assert response.status_code == 302
    subscription = subscription_for(acme.account)
    assert (subscription.cancel_requested_at, subscription.ends_on) == (None, None)
    again = client_for(acme.admin).post(url(acme, "billing_cancel_withdraw"), follow=True)
    assert "There is no cancellation to withdraw." in again.content.decode()


def test_a_read_only_account_says_why(acme: Team) -> None:
    paid_pro(
        acme, state=State.READ_ONLY, read_only_reason=ReadOnlyReason.UNPAID, read_only_since=timezone.now()
    )
    html = page(acme)
    assert "This account is read-only." in html
    assert "Reason: The last charge was not paid" in html
    assert 'data-testid="cancel"' not in html
    assert 'data-testid="next-charge"' not in html


# Changing the plan


def change(team: Team, data: dict[str, Any], **extra: Any) -> Any:
    return client_for(team.admin).post(url(team, "billing_change"), {"confirm": "1", **data}, **extra)


def test_an_upgrade_mid_period_starts_now_and_prorates_the_rest_of_the_period(acme: Team) -> None:
    put_on(acme, "inicio", start=date(2026, 3, 1), end=date(2026, 4, 1), payment_method=PaymentMethod.CBU)
    html = page(acme, "billing_change", "?plan=pro")
    # (99 - 49) x 15 days left of 31 = 24.19, added to the charge of 1 April.
    assert "Starts today: PRO, 0 extra lines, 0 extra users." in html
    assert f"USD 24.19 is added to your next charge ({short(date(2026, 4, 1))})" in html
    assert "New monthly total: USD 99.00 (now USD 49.00)." in html

    response = change(acme, {"plan": "pro", "extra_lines": 0, "extra_operators": 0})
    assert response.status_code == 302
    assert subscription_for(acme.account).plan.code == "pro"
    proration = Proration.objects.for_account(acme.account).get()
    assert (proration.amount_usd, proration.invoice) == (Decimal("24.19"), None)


def test_a_downgrade_over_the_limit_asks_whom_to_switch_off_and_waits_for_the_period_end(acme: Team) -> None:
    paid_pro(acme)
    extra = [make_member(acme.account, f"agent{n}@acme.test", Role.OPERATOR) for n in (1, 2)]  # 5 users
    html = page(acme, "billing_change", "?plan=inicio")
    assert f"From {short(date(2026, 4, 1))}, when the paid period ends: INICIO" in html
    assert "Choose 2 users to switch off when INICIO starts" in html

    refused = change(
        acme, {"plan": "inicio", "extra_lines": 0, "extra_operators": 0, "members": [extra[0].id]}
    )
    assert refused.status_code == 400
    assert "The plan INICIO has room for 3 users: choose 2 users to switch off." in refused.content.decode()
    assert subscription_for(acme.account).next_plan is None

    chosen = [member.id for member in extra]
    response = change(acme, {"plan": "inicio", "extra_lines": 0, "extra_operators": 0, "members": chosen})
    assert response.status_code == 302
    subscription = subscription_for(acme.account)
    assert (subscription.plan.code, subscription.next_plan and subscription.next_plan.code) == (
        "pro",
        "inicio",
    )
    assert sorted(subscription.next_switch_off["members"]) == sorted(chosen)
    assert all(member.is_active for member in acme.account.memberships.all())  # nothing off before the day


def test_bad_choices_get_clear_errors_and_change_nothing(acme: Team) -> None:
    paid_pro(acme)
    for data, message in (
        ({"plan": "personalizado", "extra_lines": 0, "extra_operators": 0}, "Select a valid choice."),
        ({"plan": "pro", "extra_lines": -1, "extra_operators": 0}, "greater than or equal to 0"),
        ({"plan": "pro", "extra_lines": "many", "extra_operators": 0}, "Enter a whole number."),
        ({"plan": "free", "extra_lines": 2, "extra_operators": 0}, "FREE has no add-ons."),
    ):
        response = change(acme, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    subscription = subscription_for(acme.account)
    assert (subscription.plan.code, subscription.next_plan, subscription.extra_lines) == ("pro", None, 0)


def test_bank_debit_without_a_mandate_records_one_first_and_comes_back_to_start(acme: Team) -> None:
    put_on(acme, "free")
    rate("1000")
    admin = client_for(acme.admin)
    choice = {"plan": "pro", "extra_lines": 0, "extra_operators": 0}
    response = admin.post(url(acme, "billing_change"), {**choice, "method": "cbu"})
    back = "/a/acme/billing/change/?plan=pro&extra_lines=0&extra_operators=0&method=cbu"
    assert response.status_code == 302
    assert response["Location"].startswith("/a/acme/billing/bank-debit/?next=")
    assert subscription_for(acme.account).next_plan is None

    saved = admin.post(
        url(acme, "billing_bank_debit"),
        {"cbu": CBU, "business_name": "Acme SA", "cuit": CUIT, "holder": "Acme SA", "next": back},
    )
    assert saved["Location"] == back
    preview = admin.get(back).content.decode()
    assert 'value="cbu" required id="id_method_1" checked' in preview  # the choice is kept

    started = admin.post(url(acme, "billing_change"), {**choice, "method": "cbu"})
    assert started["Location"] == "/a/acme/billing/"
    subscription = subscription_for(acme.account)
    assert (subscription.plan.code, subscription.period_start, subscription.period_end) == (
        "pro", TODAY, date(2026, 4, 17),
    )  # fmt: skip
    assert Invoice.objects.for_account(acme.account).get().ars_total == Decimal("99000.00")


def test_a_card_start_sends_the_admin_to_authorise_on_mercado_pago(
    acme: Team, fake_mp: FakeMercadoPago
) -> None:
    put_on(acme, "free")
    rate("1000")
    response = change(acme, {"plan": "pro", "extra_lines": 1, "extra_operators": 0, "method": "card"})
    assert response.status_code == 302
    [preapproval] = fake_mp.sandbox.preapprovals.values()
    assert response["Location"] == preapproval["init_point"]
    assert (preapproval["payer_email"], preapproval["auto_recurring"]["transaction_amount"]) == (
        "admin@acme.test", 158000.0,
    )  # fmt: skip
    subscription = subscription_for(acme.account)
    assert (subscription.plan.code, subscription.next_plan and subscription.next_plan.code) == ("free", "pro")
    assert "PRO is waiting for your authorisation on Mercado Pago" in page(acme)


def test_a_refused_start_shows_why_and_leaves_nothing_behind(acme: Team) -> None:
    put_on(acme, "free")
    mandate(acme)  # but no dollar rate: the first invoice cannot be issued
    response = change(acme, {"plan": "pro", "extra_lines": 0, "extra_operators": 0, "method": "cbu"})
    assert response.status_code == 400
    assert "No dollar rate" in response.content.decode()
    subscription = subscription_for(acme.account)
    assert (subscription.plan.code, subscription.next_plan, subscription.payment_method) == ("free", None, "")


# Cancelling


def test_cancelling_shows_and_stores_the_date_30_days_notice_away(acme: Team) -> None:
    paid_pro(acme)  # paid until 1 April, 15 days away: the notice runs into the next period
    html = page(acme, "billing_cancel")
    assert f"PRO works until {short(date(2026, 5, 1))}, then the account turns read-only" in html
    assert "Nothing is deleted." in html

    response = client_for(acme.admin).post(url(acme, "billing_cancel"))
    assert response.status_code == 302
    subscription = subscription_for(acme.account)
    assert subscription.ends_on == date(2026, 5, 1)
    assert subscription.cancel_requested_at is not None
    # Asking again does not move the date.
    again = client_for(acme.admin).post(url(acme, "billing_cancel"), follow=True)
    assert "The cancellation is already requested." in again.content.decode()
    assert subscription_for(acme.account).ends_on == date(2026, 5, 1)


def test_free_has_nothing_to_cancel(acme: Team) -> None:
    put_on(acme, "free")
    response = client_for(acme.admin).get(url(acme, "billing_cancel"), follow=True)
    assert "Only a paid plan can be cancelled." in response.content.decode()
    assert subscription_for(acme.account).ends_on is None


# Who may use it


@pytest.mark.parametrize("name", ["billing", "billing_change", "billing_cancel"])
def test_it_checks_ownership(acme: Team, globex: Team, name: str) -> None:
    paid_pro(acme)
    for role in (Role.SUPERVISOR, Role.OPERATOR):
        assert client_for(acme.member(role)).get(url(acme, name)).status_code == 403
    assert client_for(globex.admin).get(url(acme, name)).status_code == 404
    assert Client().get(url(acme, name)).status_code == 302  # to log in
    assert client_for(acme.supervisor).post(url(acme, "billing_cancel")).status_code == 403
    assert subscription_for(acme.account).ends_on is None
