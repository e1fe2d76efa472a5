"""The invoices page for account admins (BIL-2): each monthly charge with its USD lines, the dollar
rate it used and the ARS total, and its PDF."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from billing.invoices import get_invoice, invoices_for, lines_of
from billing.pdf import invoice_pdf
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


@require_safe
@require_role(Role.ADMIN)
def invoices(request: AccountRequest, account_slug: str) -> HttpResponse:
    return render(request, "billing/invoices.html", {"invoices": invoices_for(request.account)})


@require_safe
@require_role(Role.ADMIN)
def invoice(request: AccountRequest, account_slug: str, invoice_id: int) -> HttpResponse:
    found = get_invoice(request.account, invoice_id)
    context = {"invoice": found, "lines": lines_of(found), "rate": found.rate}
    return render(request, "billing/invoice.html", context)


@require_safe
@require_role(Role.ADMIN)
def invoice_pdf_download(request: AccountRequest, account_slug: str, invoice_id: int) -> HttpResponse:
    found = get_invoice(request.account, invoice_id)
    response = HttpResponse(invoice_pdf(found), content_type="application/pdf")
    name = f"spoter-{request.account.slug}-{found.period_start:%Y-%m}-{found.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
