"""Platform staff's billing desk (BIL-1, BIL-3): the price list, every account's subscription and
invoices, the bank debits to process each period, mandates and Mercado Pago's notifications.
These lists span accounts on purpose; nothing here deletes billing records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from billing import cycle, downgrade
from billing.mercadopago import MercadoPagoError
from billing.mercadopago import subscriptions as mercadopago_subscriptions
from billing.models import (
    BankMandate,
    Feature,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Notification,
    PaymentMethod,
    Plan,
    Subscription,
)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = (
        "name", "code", "price_usd", "included_operators", "included_lines", "features", "support_hours",
        "self_service",
    )  # fmt: skip
    ordering = ("position", "price_usd")

    @admin.display(description=_("features"))
    def features(self, plan: Plan) -> str:
        return ", ".join(str(feature.label) for feature in Feature if plan.has(feature)) or "—"


class SubscriptionForm(forms.ModelForm[Subscription]):
    class Meta:
        model = Subscription
        fields = ("plan", "extra_lines", "extra_operators")

    def clean_plan(self) -> Plan:
        plan: Plan = self.cleaned_data["plan"]
        current = self.instance.plan
        if plan != current and plan.self_service and current.self_service:
            raise forms.ValidationError(
                _(
                    "Staff only set negotiated plans (such as PERSONALIZADO) here. Between self-service "
                    "plans the account's admin changes plan on the Billing page, which prorates it."
                )
            )
        return plan

    def save(self, commit: bool = True) -> Subscription:
        """A deal replaces whatever the account's admin had scheduled; what the plan lacks stops."""
        subscription = super().save(commit=False)
        subscription.next_plan = subscription.next_extra_lines = subscription.next_extra_operators = None
        subscription.next_switch_off = {}
        subscription.updated_at = timezone.now()
        if commit:
            subscription.save()
        transaction.on_commit(
            lambda: downgrade.pause_what_the_plan_lacks(subscription.account, subscription.plan)
        )
        return subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    form = SubscriptionForm
    list_display = ("account", "plan", "state", "payment_method", "period", "ends_on", "mp_status")
    list_filter = ("plan", "state", "payment_method")
    list_select_related = ("account", "plan")
    search_fields = ("account__name", "account__slug")
    readonly_fields = (
        "account", "state", "read_only_reason", "read_only_since", "payment_method", "period_start",
        "period_end", "next_plan", "next_extra_lines", "next_extra_operators", "cancel_requested_at",
        "ends_on", "mp_preapproval_id", "mp_status", "mp_amount", "created_at", "updated_at",
    )  # fmt: skip

    actions = ("pause_card", "resume_card")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        # Platform staff see every account's subscription.
        return Subscription.objects.unscoped()

    @admin.action(description=_("Pause card charges on Mercado Pago"), permissions=["change"])
    def pause_card(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        self._card(request, queryset, mercadopago_subscriptions.pause)

    @admin.action(description=_("Resume card charges on Mercado Pago"), permissions=["change"])
    def resume_card(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        self._card(request, queryset, mercadopago_subscriptions.resume)

    def _card(
        self,
        request: HttpRequest,
        queryset: QuerySet[Subscription],
        operation: Callable[[Subscription], object],
    ) -> None:
        """Staff hold or restart a card subscription (a dispute, a payer's request); accounts
        without one are named and left alone."""
        for subscription in queryset.select_related("account"):
            if not subscription.mp_preapproval_id:
                refused = _("%(account)s pays no card subscription.") % {"account": subscription.account}
                self.message_user(request, refused, messages.WARNING)
                continue
            try:
                operation(subscription)
            except MercadoPagoError as error:
                self.message_user(request, f"{subscription.account}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(account)s: Mercado Pago says %(status)s.")
                    % {"account": subscription.account, "status": subscription.mp_status},
                )  # fmt: skip

    @admin.display(description=_("paid period"))
    def period(self, subscription: Subscription) -> str:
        start, end = subscription.period_start, subscription.period_end
        if start is None or end is None:
            return "—"
        return f"{date_format(start, 'SHORT_DATE_FORMAT')} - {date_format(end, 'SHORT_DATE_FORMAT')}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every account gets one on FREE when it is created

    def has_delete_permission(self, request: HttpRequest, obj: Subscription | None = None) -> bool:
        return False


class InvoiceLineInline(admin.TabularInline[InvoiceLine, Invoice]):
    model = InvoiceLine
    extra = 0
    fields = ("kind", "description", "quantity", "unit_usd", "amount_usd")
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[InvoiceLine]:
        # The inline's formset narrows this to the invoice being shown.
        return InvoiceLine.objects.unscoped()

    def has_add_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False


class PeriodMonthFilter(admin.SimpleListFilter):
    title = _("period start month")
    parameter_name = "period"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The months any account was billed for: staff filter across accounts.
        months = Invoice.objects.unscoped().dates("period_start", "month", order="DESC")
        return [(f"{month:%Y-%m}", date_format(month, "YEAR_MONTH_FORMAT")) for month in months]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
        value = self.value()
        if not value:
            return queryset
        try:
            year, month = (int(part) for part in value.split("-"))
            first = date(year, month, 1)
        except ValueError:
            return queryset.none()
        return queryset.filter(period_start__year=first.year, period_start__month=first.month)


class WorkFilter(admin.SimpleListFilter):
    """The bank debits staff must process: pending CBU invoices, with the mandate to debit."""

    title = _("to process")
    parameter_name = "todo"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("bank_debits", str(_("Pending bank debits")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
        if self.value() == "bank_debits":
            return queryset.filter(payment_method=PaymentMethod.CBU, status=InvoiceStatus.PENDING)
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin[Invoice]):
    list_display = (
        "number", "account", "period_start", "plan_name", "usd_total", "rate_seller", "ars_total",
        "payment_method", "status", "mandate", "paid_at",
    )  # fmt: skip
    list_filter = (WorkFilter, "status", "payment_method", PeriodMonthFilter)
    list_select_related = ("account", "rate")
    search_fields = ("account__name", "account__slug")
    ordering = ("-period_start", "-id")
    inlines = (InvoiceLineInline,)
    actions = ("mark_paid", "mark_rejected")
    fields = readonly_fields = (
        "account", "period_start", "period_end", "plan_name", "usd_total", "rate", "ars_total",
        "payment_method", "status", "issued_at", "paid_at", "status_note", "mp_authorized_payment_id",
        "mp_payment_id",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        # Every account's invoices, each with the bank mandate in force to debit it from.
        active = BankMandate.objects.unscoped().filter(account=OuterRef("account"), revoked_at=None)
        return Invoice.objects.unscoped().annotate(
            mandate_cbu=Subquery(active.values("cbu")[:1]),
            mandate_holder=Subquery(active.values("holder")[:1]),
        )

    @admin.display(description=_("rate"), ordering="rate__seller")
    def rate_seller(self, invoice: Invoice) -> str:
        return f"{invoice.rate.seller} ({invoice.rate.get_source_display()}, {invoice.rate.quote_date})"

    @admin.display(description=_("bank debit mandate"))
    def mandate(self, invoice: Invoice) -> str:
        cbu = getattr(invoice, "mandate_cbu", None)
        return f"{cbu} ({getattr(invoice, 'mandate_holder', '')})" if cbu else "—"

    @admin.action(description=_("Mark paid"), permissions=["change"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        self._settle(request, queryset, paid=True)

    @admin.action(description=_("Mark rejected"), permissions=["change"])
    def mark_rejected(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        self._settle(request, queryset, paid=False)

    def _settle(self, request: HttpRequest, queryset: QuerySet[Invoice], *, paid: bool) -> None:
        note = f"by staff {getattr(request.user, 'email', '')}"
        invoices = list(queryset.select_related("account"))
        changed = sum(cycle.settle(invoice, paid=paid, note=note) for invoice in invoices)
        status = InvoiceStatus.PAID if paid else InvoiceStatus.REJECTED
        self.message_user(
            request,
            ngettext("%(count)d invoice marked %(status)s.", "%(count)d invoices marked %(status)s.", changed)
            % {"count": changed, "status": status.label.lower()},
            messages.SUCCESS,
        )
        if unchanged := len(invoices) - changed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invoice left as it was (paid and void invoices are final).",
                    "%(count)d invoices left as they were (paid and void invoices are final).",
                    unchanged,
                )
                % {"count": unchanged},
                messages.WARNING,
            )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invoices are issued by the billing cycle

    def has_delete_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False


@admin.register(BankMandate)
class BankMandateAdmin(admin.ModelAdmin[BankMandate]):
    list_display = (
        "account",
        "cbu",
        "holder",
        "business_name",
        "cuit",
        "created_at",
        "created_by",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("account", "created_by")
    search_fields = ("account__name", "account__slug", "cbu", "cuit", "holder", "business_name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[BankMandate]:
        # Every account's mandates: staff debit them.
        return BankMandate.objects.unscoped()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the account's admin records it, on the account's bank debit page

    def has_change_permission(self, request: HttpRequest, obj: BankMandate | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: BankMandate | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """Mercado Pago's webhooks as received: a read-only log."""

    list_display = ("received_at", "topic", "action", "data_id", "account", "processed_at", "error")
    list_filter = ("topic", ("processed_at", admin.EmptyFieldListFilter))
    list_select_related = ("account",)
    search_fields = ("data_id", "request_id", "account__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
