"""The Billing page for account admins (BIL-1 to BIL-4): the overview, changing the plan and its
add-ons (preview, then confirm) and cancelling. billing.lifecycle does every change; these views
read input, call it and say what happened. A refused change shows its reason and changes nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import lifecycle
from billing import overview as billing_overview
from billing.cycle import BillingError, billing_today
from billing.forms import ChangeForm, ConfirmForm
from billing.mandates import current_mandate
from billing.models import PaymentMethod, Subscription
from billing.subscriptions import subscription_for
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


@require_role(Role.ADMIN)
def overview(request: AccountRequest, account_slug: str) -> HttpResponse:
    return render(request, "billing/overview.html", billing_overview.page(request.account, billing_today()))


@require_role(Role.ADMIN)
def change(request: AccountRequest, account_slug: str) -> HttpResponse:
    """GET: the form, and with a choice in the query (a "Choose" button, the way back from the
    bank debit page) its preview. POST: the confirmed choice is carried out."""
    subscription = subscription_for(request.account)
    today = billing_today()
    posted = request.method == "POST"
    form = ChangeForm(
        subscription, request.POST if posted else (request.GET if "plan" in request.GET else None)
    )
    preview, confirm = None, None
    if form.is_valid():
        try:
            preview = lifecycle.preview(subscription, *form.choice(), today)
        except BillingError as error:
            form.add_error(None, str(error))
    if preview is not None:
        confirm = ConfirmForm(
            preview, request.POST if posted else None, initial={"method": request.GET.get("method")}
        )
        if posted and not preview.is_noop and confirm.is_valid():
            try:
                with transaction.atomic():  # a refused start or change leaves nothing behind
                    return _carry_out(request, subscription, form, confirm, preview)
            except BillingError as error:  # e.g. not enough users or lines chosen to switch off
                confirm.add_error(None, str(error))
    context = {"form": form, "preview": preview, "confirm": confirm, "subscription": subscription}
    return render(request, "billing/change.html", context, status=400 if posted or form.errors else 200)


def _carry_out(
    request: AccountRequest,
    subscription: Subscription,
    form: ChangeForm,
    confirm: ConfirmForm,
    preview: lifecycle.Change,
) -> HttpResponse:
    account, today = request.account, billing_today()
    plan, lines, operators = form.choice()
    if not preview.needs_payment:
        lifecycle.apply(subscription, plan, lines, operators, switch_off=confirm.switch_off(), today=today)
        messages.success(request, _done(preview))
        return redirect("billing", account_slug=account.slug)
    if confirm.cleaned_data["method"] == PaymentMethod.CARD:
        email = request.user.email
        return redirect(
            lifecycle.start_card(subscription, plan, lines, operators, payer_email=email, today=today)
        )
    if current_mandate(account) is None:
        back = reverse("billing_change", kwargs={"account_slug": account.slug})
        back += "?" + urlencode({**form.query(), "method": PaymentMethod.CBU.value})
        return redirect(
            reverse("billing_bank_debit", kwargs={"account_slug": account.slug})
            + "?"
            + urlencode({"next": back})
        )
    lifecycle.start_cbu(subscription, plan, lines, operators, today=today)
    messages.success(
        request,
        _("Your plan %(plan)s starts today. We debit each month's charge from your bank account.")
        % {"plan": plan.name},
    )
    return redirect("billing", account_slug=account.slug)


def _done(change: lifecycle.Change) -> str:
    parts = []
    if change.now is not None:
        parts.append(_("Your plan is now %(plan)s.") % {"plan": change.now[0].name})
    if change.proration_usd:
        parts.append(
            _("USD %(amount)s is added to your next charge.")
            % {"amount": formats.number_format(change.proration_usd, 2)}
        )
    if change.later_on is not None:
        parts.append(
            _("From %(day)s: %(plan)s.")
            % {"day": formats.date_format(change.later_on, "SHORT_DATE_FORMAT"), "plan": change.plan.name}
        )
    return " ".join(parts)


def _cannot_cancel(subscription: Subscription) -> str:
    """Why a cancellation cannot be requested now, or "" when it can."""
    if subscription.read_only:
        return _("This account is read-only: there is nothing to cancel.")
    if subscription.cancel_requested_at is not None:
        return _("The cancellation is already requested.")
    if subscription.ends_on is not None:
        return _("The subscription already ends on %(day)s.") % {
            "day": formats.date_format(subscription.ends_on, "SHORT_DATE_FORMAT")
        }
    return ""


@require_role(Role.ADMIN)
def cancel(request: AccountRequest, account_slug: str) -> HttpResponse:
    subscription = subscription_for(request.account)
    today = billing_today()
    try:
        refusal = _cannot_cancel(subscription)
        if refusal:
            raise BillingError(refusal)
        day = lifecycle.cancel_date(subscription, today)
    except BillingError as error:
        messages.error(request, str(error))
        return redirect("billing", account_slug=account_slug)
    if request.method == "POST":
        day = lifecycle.request_cancel(subscription, today)
        messages.success(
            request,
            _("Cancellation requested: the service works until %(day)s, then the account turns read-only.")
            % {"day": formats.date_format(day, "SHORT_DATE_FORMAT")},
        )
        return redirect("billing", account_slug=account_slug)
    return render(request, "billing/cancel.html", {"day": day, "subscription": subscription})


@require_POST
@require_role(Role.ADMIN)
def cancel_withdraw(request: AccountRequest, account_slug: str) -> HttpResponse:
    try:
        lifecycle.withdraw_cancel(subscription_for(request.account), billing_today())
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Cancellation withdrawn: your plan renews as usual."))
    return redirect("billing", account_slug=account_slug)
