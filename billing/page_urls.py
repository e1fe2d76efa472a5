from django.urls import URLPattern, path

from billing import mandate_views, support_views, views

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="billing"),
    path("change/", views.change, name="billing_change"),
    path("cancel/", views.cancel, name="billing_cancel"),
    path("cancel/withdraw/", views.cancel_withdraw, name="billing_cancel_withdraw"),
    path("bank-debit/", mandate_views.bank_debit, name="billing_bank_debit"),
    path("support/", support_views.support_page, name="billing_support"),
]
