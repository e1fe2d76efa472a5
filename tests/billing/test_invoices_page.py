"""The invoices page (BIL-2): each charge's USD lines, dollar rate and ARS total, and its PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from billing import cycle
from billing.models import ExchangeRate, Invoice, PaymentMethod, Proration, RateSource
from billing.pdf import invoice_pdf, latin1
from billing.subscriptions import subscription_for
from spoter.accounts.models import Account, Role
from tests.conftest import Team, client_for

MARCH = date(2025, 3, 1)


def issue(account: Account, period_start: date = MARCH, seller: str = "1234.50") -> Invoice:
    """The billing cycle's invoice for the period, at a manual rate for its day, paid by bank debit.
    The test accounts are on PERSONALIZADO with 50 extra lines and 50 extra users: USD 3,699."""
    ExchangeRate.objects.create(source=RateSource.MANUAL, quote_date=period_start, seller=Decimal(seller))
    subscription = subscription_for(account)
    subscription.payment_method = PaymentMethod.CBU
    subscription.save(update_fields=["payment_method"])
    return cycle.issue_invoice(subscription, period_start)


def url(team: Team, name: str, invoice: Invoice | None = None) -> str:
    kwargs: dict[str, object] = {"account_slug": team.account.slug}
    if invoice is not None:
        kwargs["invoice_id"] = invoice.id
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def client(acme: Team) -> Client:
    return client_for(acme.admin)


@pytest.fixture
def invoice(acme: Team) -> Invoice:
    Proration.objects.create(
        account=acme.account, description="Upgrade to PRO, 10 days", amount_usd=Decimal("30.25")
    )
    return issue(acme.account)


def test_the_list_shows_each_charge_in_spanish_numbers(acme: Team, client: Client, invoice: Invoice) -> None:
    april = issue(acme.account, date(2025, 4, 1), seller="1300")
    page = client.get(url(acme, "billing_invoices")).content.decode()
    row = page[page.index(f'data-testid="invoice-{invoice.id}"') :]
    row = row[: row.index("</tr>")]
    assert "01/03/2025" in row
    assert "01/04/2025" in row  # the period's end
    assert "PERSONALIZADO" in row
    assert "USD 3.729,25" in row  # 249 + 50 * 59 + 50 * 10 + the proration
    assert "1.234,50" in row
    assert "ARS 4.603.759,13" in row  # 3,729.25 * 1,234.50, rounded half up
    assert "CBU" in row
    assert (
        reverse("billing_invoice_pdf", kwargs={"account_slug": acme.account.slug, "invoice_id": invoice.id})
        in row
    )
    # Newest first.
    assert page.index(f"invoice-{april.id}") < page.index(f"invoice-{invoice.id}")
    assert "1.300,00" in page


def test_english_readers_get_english_numbers(
    acme: Team, client: Client, invoice: Invoice, english: None
) -> None:
    page = client.get(url(acme, "billing_invoices")).content.decode()
    assert "USD 3,729.25" in page
    assert "ARS 4,603,759.13" in page
    assert "Bank debit (CBU)" in page
    assert "Pending" in page


def test_the_list_needs_a_fixed_number_of_queries(
    acme: Team, client: Client, django_assert_max_num_queries: object
) -> None:
    for month in (1, 2, 3, 4, 5):
        issue(acme.account, date(2025, month, 1))
    with django_assert_max_num_queries(12):  # type: ignore[operator]  # pytest-django's fixture
        assert client.get(url(acme, "billing_invoices")).status_code == 200


def test_no_invoices_yet(acme: Team, client: Client) -> None:
    assert 'data-testid="no-invoices"' in client.get(url(acme, "billing_invoices")).content.decode()


def test_the_detail_shows_lines_rate_snapshot_and_total(
    acme: Team, client: Client, english: None, invoice: Invoice
) -> None:
    """The invoice is written in the account's language (English here, from ``english``)."""
    page = client.get(url(acme, "billing_invoice", invoice)).content.decode()
    assert "Plan PERSONALIZADO" in page
    assert "Extra WhatsApp lines" in page
    assert "Extra users" in page
    assert "Upgrade to PRO, 10 days" in page
    assert "2,950.00" in page  # 50 lines at USD 59
    assert "30.25" in page
    rate = page[page.index('data-testid="rate"') :]
    assert "1,234.50" in rate
    assert "Entered by staff" in rate
    assert "03/01/2025" in rate  # the quote date, in English
    assert '<span data-testid="ars-total">4,603,759.13</span>' in page


def test_the_pdf_downloads(acme: Team, client: Client, invoice: Invoice) -> None:
    response = client.get(url(acme, "billing_invoice_pdf", invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="spoter-acme-2025-03-{invoice.number}.pdf"'
    )
    assert response.content.startswith(b"%PDF")


def test_the_pdf_has_the_lines_rate_and_total_in_the_readers_language(acme: Team, invoice: Invoice) -> None:
    acme.account.name = "Panadería Ñandú 🍞"
    acme.account.save(update_fields=["name"])
    invoice.refresh_from_db()
    with translation.override("es-ar"):
        spanish = invoice_pdf(invoice, compress=False)
    with translation.override("en"):
        english = invoice_pdf(invoice, compress=False)
    assert spanish.startswith(b"%PDF")
    assert b"4.603.759,13" in spanish
    assert b"1.234,50" in spanish
    assert b"3.729,25" in spanish
    assert b"Upgrade to PRO, 10 days" in spanish
    assert "Panadería Ñandú ?".encode("latin-1") in spanish  # accents drawn, the emoji replaced
    assert b"4,603,759.13" in english
    assert b"Entered by staff" in english


def test_text_outside_latin1_is_transliterated() -> None:
    assert latin1("Čapek “Café” \u2013 ñ ☕") == 'Capek "Café" - ñ ?'


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OPERATOR])
def test_only_admins_see_invoices(acme: Team, invoice: Invoice, role: Role) -> None:
    client = client_for(acme.member(role))
    for name in ("billing_invoices", "billing_invoice", "billing_invoice_pdf"):
        target = invoice if name != "billing_invoices" else None
        assert client.get(url(acme, name, target)).status_code == 403


def test_it_checks_ownership(acme: Team, globex: Team, invoice: Invoice) -> None:
    theirs = issue(globex.account)
    client = client_for(acme.admin)
    # Another account's invoice through acme's own URLs: the same 404 as a missing one.
    assert client.get(url(acme, "billing_invoice", theirs)).status_code == 404
    assert client.get(url(acme, "billing_invoice_pdf", theirs)).status_code == 404
    assert f"invoice-{theirs.id}" not in client.get(url(acme, "billing_invoices")).content.decode()
    # Acme's invoice asked for by globex's admin.
    outsider = client_for(globex.admin)
    assert outsider.get(url(acme, "billing_invoice", invoice)).status_code == 404
    assert outsider.get(url(acme, "billing_invoice_pdf", invoice)).status_code == 404


def test_pages_are_read_only(acme: Team, client: Client, invoice: Invoice) -> None:
    assert client.post(url(acme, "billing_invoice", invoice)).status_code == 405
