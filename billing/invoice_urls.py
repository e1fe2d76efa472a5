"""The invoices page, under /a/<slug>/billing/invoices/ (admins)."""

from django.urls import URLPattern, path

from billing import invoice_views

urlpatterns: list[URLPattern] = [
    path("", invoice_views.invoices, name="billing_invoices"),
    path("<int:invoice_id>/", invoice_views.invoice, name="billing_invoice"),
    path("<int:invoice_id>/pdf/", invoice_views.invoice_pdf_download, name="billing_invoice_pdf"),
]
