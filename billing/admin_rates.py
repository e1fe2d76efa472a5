"""Platform staff see every dollar rate snapshot and enter a manual one (it wins for its quote
date, billing/rates/service.py). Snapshots are never edited: invoices point at them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import ExchangeRate, Invoice, RateSource
from billing.rates.parse import Quote, QuoteError, check


class ManualRateForm(forms.ModelForm[ExchangeRate]):
    class Meta:
        model = ExchangeRate
        fields = ("quote_date", "seller", "buyer", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            quote = Quote(quote_date=data["quote_date"], seller=data["seller"], buyer=data.get("buyer"))
            try:
                check(quote)
            except QuoteError as error:
                raise forms.ValidationError(str(error)) from None
        return data


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin[ExchangeRate]):
    form = ManualRateForm
    list_display = ("quote_date", "source", "seller", "buyer", "fetched_at", "entered_by", "invoice_count")
    list_filter = ("source",)
    date_hierarchy = "quote_date"
    ordering = ("-fetched_at", "-id")
    readonly_fields = ("source", "fetched_at", "entered_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExchangeRate]:
        return (
            super()
            .get_queryset(request)
            .select_related("entered_by")
            .annotate(invoice_count=Count("invoices"))
        )

    @admin.display(description=_("invoices"), ordering="invoice_count")
    def invoice_count(self, rate: ExchangeRate) -> int:
        return int(getattr(rate, "invoice_count", 0))

    def get_fields(self, request: HttpRequest, obj: ExchangeRate | None = None) -> tuple[str, ...]:
        if obj is None:  # staff add a manual rate: the rest is set in save_model
            return ("quote_date", "seller", "buyer", "note")
        return ("source", "quote_date", "seller", "buyer", "fetched_at", "entered_by", "note")

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        # Only additions get here (nobody may change a snapshot): a manual rate, entered now.
        obj.source = RateSource.MANUAL
        obj.entered_by = request.user  # type: ignore[assignment]  # staff are logged in to reach the admin
        obj.fetched_at = timezone.now()
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request: HttpRequest, obj: ExchangeRate | None = None) -> bool:
        return False  # a snapshot never changes; the change page shows it read-only

    def has_delete_permission(self, request: HttpRequest, obj: ExchangeRate | None = None) -> bool:
        # Only one unused snapshot at a time (a typo); never one an invoice points at.
        # Invoices of every account: platform staff's view of a platform-wide snapshot.
        if obj is None or Invoice.objects.unscoped().filter(rate=obj).exists():
            return False
        return super().has_delete_permission(request, obj)
