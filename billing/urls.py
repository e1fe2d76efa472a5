from django.urls import include, path

urlpatterns = [
    path("", include("billing.page_urls")),
    path("invoices/", include("billing.invoice_urls")),
]
