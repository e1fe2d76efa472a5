"""Mounted at /webhooks/mercadopago/: Mercado Pago's notifications (signed, not account-scoped)."""

from django.urls import URLPattern, path

from billing.mercadopago import views

urlpatterns: list[URLPattern] = [
    path("", views.webhook, name="mercadopago_webhook"),
]
