"""The bank debit page (BIL-3): the account's admin records the CBU mandate Spoter debits."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from billing.mandate_forms import MandateForm
from billing.mandates import current_mandate, format_cuit, mask_cbu, record_mandate
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


@require_role(Role.ADMIN)
def bank_debit(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = MandateForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        record_mandate(account, created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Bank debit mandate saved. Spoter will debit this account from now on."))
        return redirect(_after_saving(request, next_url))
    mandate = current_mandate(account)
    context = {
        "form": form,
        "mandate": mandate,
        "masked_cbu": mask_cbu(mandate.cbu) if mandate else "",
        "cuit": format_cuit(mandate.cuit) if mandate else "",
        "next": next_url,
    }
    return render(request, "billing/bank_debit.html", context, status=400 if form.errors else 200)


def _after_saving(request: AccountRequest, next_url: str) -> str:
    """Back where the admin came from (the plan change they were making), if it is a page of this
    same account; else the Billing page."""
    own = f"/a/{request.account.slug}/"
    safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure())
    if next_url.startswith(own) and safe:
        return next_url
    return reverse("billing", kwargs={"account_slug": request.account.slug})
