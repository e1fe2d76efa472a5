"""An account's card subscription on Mercado Pago: one preapproval without a plan, charging ARS
monthly; its amount follows the invoices; pause, resume, cancel (FACTS.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.mercadopago import MercadoPagoError
from billing.mercadopago.client import call
from billing.models import Subscription

CANCELLED = "cancelled"


def create(subscription: Subscription, amount_ars: Decimal, payer_email: str) -> str:
    """A new preapproval for the account; returns the init_point where the payer authorises. A
    previous preapproval still alive is cancelled first, so Mercado Pago never charges twice."""
    if subscription.mp_preapproval_id and subscription.mp_status not in (CANCELLED, ""):
        cancel(subscription)
    account, plan = subscription.account, subscription.next_plan or subscription.plan  # a sign-up waits
    preapproval = call(
        lambda api: api.preapproval().create(
            {
                "reason": f"Spoter {plan.name}",
                "external_reference": f"account:{account.id}",
                "payer_email": payer_email,
                "back_url": settings.SITE_URL + reverse("billing", kwargs={"account_slug": account.slug}),
                "status": "pending",
                "auto_recurring": _recurring(amount_ars) | {"frequency": 1, "frequency_type": "months"},
            }
        )
    )
    if not preapproval.get("id") or not preapproval.get("init_point"):
        raise MercadoPagoError(_("Mercado Pago did not return a subscription. Please try again."))
    subscription.mp_preapproval_id = str(preapproval["id"])
    subscription.mp_init_point = str(preapproval["init_point"])
    subscription.mp_status = str(preapproval.get("status") or "pending")
    subscription.mp_amount = amount_ars
    _save(subscription, "mp_preapproval_id", "mp_init_point", "mp_status", "mp_amount")
    return subscription.mp_init_point


def update_amount(subscription: Subscription, amount_ars: Decimal) -> None:
    """What the next charges will be (a new rate, add-ons): before the next charge date."""
    _put(subscription, {"auto_recurring": _recurring(amount_ars)})
    subscription.mp_amount = amount_ars
    _save(subscription, "mp_amount")


def pause(subscription: Subscription) -> None:
    _set_status(subscription, "paused")


def resume(subscription: Subscription) -> None:
    _set_status(subscription, "authorized")


def cancel(subscription: Subscription) -> None:
    """Our own cancellation: mp_status says so, and the webhook about it is not taken as Mercado
    Pago cancelling after rejected charges."""
    _set_status(subscription, CANCELLED)


def fetch(preapproval_id: str) -> dict[str, Any]:
    return call(lambda api: api.preapproval().get(preapproval_id))


def _recurring(amount_ars: Decimal) -> dict[str, Any]:
    if amount_ars <= 0:
        raise MercadoPagoError(_("The amount to charge must be positive."))
    return {"transaction_amount": float(amount_ars), "currency_id": "ARS"}


def _set_status(subscription: Subscription, status: str) -> None:
    answer = _put(subscription, {"status": status})
    subscription.mp_status = str(answer.get("status") or status)
    _save(subscription, "mp_status")


def _put(subscription: Subscription, changes: dict[str, Any]) -> dict[str, Any]:
    preapproval_id = subscription.mp_preapproval_id
    if not preapproval_id:
        raise MercadoPagoError(_("This account has no card subscription on Mercado Pago."))
    return call(lambda api: api.preapproval().update(preapproval_id, changes))


def _save(subscription: Subscription, *fields: str) -> None:
    subscription.updated_at = timezone.now()
    subscription.save(update_fields=[*fields, "updated_at"])
