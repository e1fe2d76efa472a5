"""The sandbox's payer page (the init_point of the embedded default): authorise the card, and for
demos charge the month approved or declined. Each click updates the sandbox and hands a signed
webhook to our own endpoint's code, as Mercado Pago would post it; the worker applies it.

No login: a development tool, mounted only when settings.SIMULATOR_ENABLED (off in production),
and only when no access token is configured (otherwise the real Mercado Pago is in use)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing.mercadopago import sandbox, webhooks
from billing.mercadopago.client import uses_sandbox, webhook_secret

PREAPPROVAL, CHARGE = "subscription_preapproval", "subscription_authorized_payment"


def _notify(topic: str, data_id: str) -> None:
    delivery = sandbox.delivery(topic, data_id, webhook_secret())
    webhooks.receive(delivery.query, delivery.body, delivery.headers)


def _act(fake: sandbox.Sandbox, preapproval_id: str, action: str) -> str:
    """Plays the payer or Mercado Pago's charging; returns an error message, or "" when done."""
    status = fake.preapprovals[preapproval_id]["status"]
    if action == "authorise":
        if status == "cancelled":
            return _("This subscription was cancelled; start again from the Billing page.")
        fake.authorise(preapproval_id)
        _notify(PREAPPROVAL, preapproval_id)
        return ""
    if action not in ("charge_approved", "charge_declined"):
        return _("Unknown action.")
    if status != "authorized":
        return _("Only an authorised subscription is charged.")
    charge = fake.charge(preapproval_id, approved=action == "charge_approved")
    _notify(CHARGE, str(charge["id"]))
    if charge["status"] == "recycling":  # a demo does not wait for the retries
        fake.finish_recycling(str(charge["id"]))
        _notify(CHARGE, str(charge["id"]))
        if fake.preapprovals[preapproval_id]["status"] == "cancelled":
            _notify(PREAPPROVAL, preapproval_id)
    return ""


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, preapproval_id: str) -> HttpResponse:
    fake = sandbox.local()
    if not uses_sandbox() or preapproval_id not in fake.preapprovals:
        raise Http404(_("No such subscription in the Mercado Pago sandbox."))
    error = ""
    if request.method == "POST":
        error = _act(fake, preapproval_id, request.POST.get("action", ""))
        back = fake.preapprovals[preapproval_id]["back_url"]
        if not error:  # back to Billing: a URL of this server, as subscriptions.create sets it
            return redirect(back if back.startswith(settings.SITE_URL + "/") else "/")
    return render(
        request,
        "billing/mercadopago_simulator.html",
        {"preapproval": dict(fake.preapprovals[preapproval_id]), "error": error},
        status=400 if error else 200,
    )
