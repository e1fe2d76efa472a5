"""The account's invoices as its admins see them (BIL-2): lookups through the account, and the
amounts written the way the reader's language writes numbers (1.234,56 in Spanish, 1,234.56 in
English)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils.formats import number_format

from billing.cycle import CENT
from billing.models import Invoice, InvoiceLine
from spoter.accounts.models import Account


def invoices_for(account: Account) -> QuerySet[Invoice]:
    return Invoice.objects.for_account(account).select_related("rate", "account")


def get_invoice(account: Account, invoice_id: int) -> Invoice:
    """One invoice of the account; the same 404 for missing and not yours."""
    invoice = invoices_for(account).filter(id=invoice_id).first()
    if invoice is None:
        raise Http404
    return invoice


def lines_of(invoice: Invoice) -> list[InvoiceLine]:
    """The invoice's USD lines: plan, add-ons, prorations, in the order they were issued."""
    return list(InvoiceLine.objects.for_account(invoice.account).filter(invoice=invoice))


def money(value: Decimal) -> str:
    """An amount with two decimals and thousands grouped, in the active language's style."""
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def rate_text(value: Decimal) -> str:
    """A dollar rate: two decimals as Banco Nación quotes it, four when a manual rate has them."""
    return number_format(
        value, decimal_pos=2 if value == value.quantize(CENT) else 4, use_l10n=True, force_grouping=True
    )
