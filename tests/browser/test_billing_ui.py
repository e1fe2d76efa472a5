"""An admin on FREE compares the plans, picks PRO paid by bank debit, records the mandate on the
way and lands back on Billing with PRO and its first invoice, in Chromium.

Selectors go by names and data-testid, never by words (the interface is translated).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import LazySettings
from playwright.sync_api import expect

from billing.cycle import billing_today
from billing.models import ExchangeRate, Invoice, PaymentMethod, RateSource
from billing.subscriptions import plan_by_code, subscription_for
from tests.browser.conftest import NewContext, member_page
from tests.conftest import Team

pytestmark = pytest.mark.browser

# Both pass billing.validators' check digits.
CBU = "2850590940090418135201"
CUIT = "30-71234567-1"


def test_an_admin_on_free_picks_pro_by_bank_debit(
    live_server: Any, new_context: NewContext, acme: Team, settings: LazySettings
) -> None:
    settings.BNA_RATE_URL = settings.BNA_RATE_MIRROR_URL = "http://127.0.0.1:9/"  # no network
    ExchangeRate.objects.create(source=RateSource.MANUAL, quote_date=billing_today(), seller=Decimal("1000"))
    subscription = subscription_for(acme.account)
    subscription.plan, subscription.extra_lines, subscription.extra_operators = plan_by_code("free"), 0, 0
    subscription.save()

    page = member_page(new_context, live_server.url, acme.admin, "billing/")
    expect(page.get_by_test_id("plan-comparison")).to_be_visible()
    expect(page.get_by_test_id("plan-pro")).to_be_visible()
    page.get_by_test_id("choose-pro").click()

    expect(page).to_have_url(re.compile(r"/billing/change/\?plan=pro"))
    expect(page.get_by_test_id("change-preview")).to_be_visible()
    page.locator('input[name="method"][value="cbu"]').check()
    page.get_by_test_id("confirm").click()

    expect(page).to_have_url(re.compile(r"/billing/bank-debit/\?next="))
    form = page.get_by_test_id("mandate-form")
    form.locator('input[name="cbu"]').fill(CBU)
    form.locator('input[name="business_name"]').fill("Acme SA")
    form.locator('input[name="cuit"]').fill(CUIT)
    form.locator('input[name="holder"]').fill("Acme SA")
    form.locator('button[type="submit"]').click()

    expect(page).to_have_url(re.compile(r"/billing/change/\?plan=pro&.*method=cbu"))
    expect(page.locator('input[name="method"][value="cbu"]')).to_be_checked()
    page.get_by_test_id("confirm").click()

    expect(page).to_have_url(re.compile(r"/a/acme/billing/$"))
    expect(page.get_by_test_id("current-plan")).to_contain_text("PRO")
    expect(page.get_by_test_id("latest-invoice")).to_contain_text("PRO")
    expect(page.get_by_test_id("payment-method")).to_contain_text("5201")
    subscription = subscription_for(acme.account)
    assert (subscription.plan.code, subscription.payment_method) == ("pro", PaymentMethod.CBU)
    invoice = Invoice.objects.for_account(acme.account).get()
    assert invoice.ars_total == Decimal("99000.00")
