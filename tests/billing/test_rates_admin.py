"""Platform staff enter a manual dollar rate in the Django admin; snapshots stay read-only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from billing.models import ExchangeRate, Invoice, PaymentMethod, RateSource
from spoter.accounts.models import User
from tests.conftest import Team

ADD = reverse("admin:billing_exchangerate_add")
LIST = reverse("admin:billing_exchangerate_changelist")


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_superuser(email="staff@spoter.test", password="x")


@pytest.fixture
def admin_client_for(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_staff_enter_a_manual_rate(admin_client_for: Client, staff: User) -> None:
    response = admin_client_for.post(
        ADD, {"quote_date": "2025-09-05", "seller": "1395.50", "buyer": "", "note": "BNA page down"}
    )
    assert response.status_code == 302, response.content.decode()
    rate = ExchangeRate.objects.get()
    assert (rate.source, rate.quote_date, rate.seller, rate.buyer, rate.entered_by) == (
        RateSource.MANUAL,
        date(2025, 9, 5),
        Decimal("1395.5"),
        None,
        staff,
    )


@pytest.mark.parametrize(
    ("seller", "buyer", "error"),
    [("0", "", "outside the plausible band"), ("1390", "1400", "above the seller rate")],
)
def test_a_nonsense_manual_rate_is_refused(
    admin_client_for: Client, seller: str, buyer: str, error: str
) -> None:
    response = admin_client_for.post(ADD, {"quote_date": "2025-09-05", "seller": seller, "buyer": buyer})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_snapshots_are_read_only_and_kept_while_invoices_use_them(
    admin_client_for: Client, acme: Team
) -> None:
    used = ExchangeRate.objects.create(
        source=RateSource.BNA, quote_date=date(2025, 9, 5), seller=Decimal("1390")
    )
    unused = ExchangeRate.objects.create(
        source=RateSource.BNA, quote_date=date(2025, 9, 4), seller=Decimal("1380")
    )
    Invoice.objects.for_account(acme.account).create(
        account=acme.account,
        period_start=date(2025, 9, 5),
        period_end=date(2025, 10, 5),
        plan_name="Pro",
        rate=used,
        usd_total=Decimal("100"),
        ars_total=Decimal("139000"),
        payment_method=PaymentMethod.CBU,
    )
    listing = admin_client_for.get(LIST)
    assert listing.status_code == 200
    assert listing.context["cl"].result_list.get(id=used.id).invoice_count == 1

    change = reverse("admin:billing_exchangerate_change", args=[used.id])
    assert admin_client_for.get(change).status_code == 200
    assert admin_client_for.post(change, {"quote_date": "2025-09-05", "seller": "1"}).status_code == 403
    used.refresh_from_db()
    assert used.seller == Decimal("1390")

    delete = "admin:billing_exchangerate_delete"
    assert admin_client_for.post(reverse(delete, args=[used.id]), {"post": "yes"}).status_code == 403
    assert admin_client_for.post(reverse(delete, args=[unused.id]), {"post": "yes"}).status_code == 302
    assert list(ExchangeRate.objects.all()) == [used]
