"""Mounted at /simulator/mercadopago/ when settings.SIMULATOR_ENABLED: the sandbox's payer page."""

from django.urls import URLPattern, path

from billing.mercadopago import simulator

urlpatterns: list[URLPattern] = [
    path("<str:preapproval_id>/", simulator.page, name="mercadopago_simulator"),
]
