"""Mercado Pago subscriptions through the official SDK against a local fake server: the preapproval
a card sign-up creates, amount changes, pause/resume/cancel, errors, and the signed webhook endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from billing.cycle import billing_today
from billing.mercadopago import MercadoPagoError
from billing.mercadopago import subscriptions as mp
from billing.mercadopago.sandbox import Delivery, delivery
from billing.models import Notification
from billing.subscriptions import subscription_for
from tests.billing.fake_mercadopago import FakeMercadoPago, post_webhook, sign_up_by_card
from tests.conftest import Team

pytestmark = pytest.mark.usefixtures("english")
SECRET = "test-webhook-secret"


def test_a_card_sign_up_creates_a_pending_preapproval_and_keeps_its_init_point(
    acme: Team, fake_mp: FakeMercadoPago, settings: LazySettings
) -> None:
    subscription = sign_up_by_card(acme, billing_today(), seller="1000")
    preapproval = fake_mp.sandbox.preapprovals[subscription.mp_preapproval_id]
    assert subscription.mp_init_point == preapproval["init_point"]
    assert subscription.mp_init_point.startswith(fake_mp.url)
    assert preapproval["reason"] == "Spoter PRO"
    assert preapproval["external_reference"] == f"account:{acme.account.id}"
    assert preapproval["payer_email"] == "pagos@acme.test"
    assert preapproval["back_url"] == f"{settings.SITE_URL}/a/{acme.account.slug}/billing/"
    assert preapproval["auto_recurring"] == {
        "frequency": 1,
        "frequency_type": "months",
        "transaction_amount": 99000.0,
        "currency_id": "ARS",
    }
    assert (subscription.mp_status, subscription.mp_amount) == ("pending", Decimal("99000.00"))
    method, path, body = fake_mp.sandbox.requests[-1]
    assert (method, path, body["status"]) == ("POST", "/preapproval", "pending")


def test_an_amount_change_is_put_to_mercado_pago(acme: Team, fake_mp: FakeMercadoPago) -> None:
    subscription = sign_up_by_card(acme, billing_today())
    mp.update_amount(subscription, Decimal("123456.78"))
    preapproval_id = subscription.mp_preapproval_id
    assert fake_mp.sandbox.requests[-1] == (
        "PUT",
        f"/preapproval/{preapproval_id}",
        {"auto_recurring": {"transaction_amount": 123456.78, "currency_id": "ARS"}},
    )
    assert fake_mp.sandbox.preapprovals[preapproval_id]["auto_recurring"]["transaction_amount"] == 123456.78
    assert subscription_for(acme.account).mp_amount == Decimal("123456.78")


def test_pause_resume_and_cancel_and_mercado_pagos_refusal_is_a_clear_error(
    acme: Team, fake_mp: FakeMercadoPago
) -> None:
    subscription = sign_up_by_card(acme, billing_today())
    preapproval = fake_mp.sandbox.preapprovals[subscription.mp_preapproval_id]
    with pytest.raises(MercadoPagoError, match="invalid status change"):
        mp.resume(subscription)  # only the payer authorises a pending preapproval
    fake_mp.sandbox.authorise(subscription.mp_preapproval_id)
    for action, status in ((mp.pause, "paused"), (mp.resume, "authorized"), (mp.cancel, "cancelled")):
        action(subscription)
        assert preapproval["status"] == status
        assert subscription_for(acme.account).mp_status == status
    with pytest.raises(MercadoPagoError, match="You can not modify a cancelled preapproval"):
        mp.update_amount(subscription, Decimal("5000"))
    assert subscription_for(acme.account).mp_amount == Decimal("99000.00")


def test_an_unreachable_mercado_pago_is_a_clear_error_and_nothing_is_half_written(
    acme: Team, fake_mp: FakeMercadoPago, settings: LazySettings
) -> None:
    subscription = sign_up_by_card(acme, billing_today())
    settings.MERCADOPAGO_API_URL = "http://127.0.0.1:9"
    with pytest.raises(MercadoPagoError, match="could not be reached"):
        mp.pause(subscription)
    assert subscription_for(acme.account).mp_status == "pending"
    with pytest.raises(MercadoPagoError, match="could not be reached"):
        mp.create(subscription, Decimal("99000"), "pagos@acme.test")  # cancelling the old one fails first
    assert subscription_for(acme.account).mp_preapproval_id == subscription.mp_preapproval_id


# The webhook endpoint -------------------------------------------------------------------------


def test_the_signature_is_mercado_pagos_hmac_of_the_documented_manifest(
    fake_mp: FakeMercadoPago, db: None
) -> None:
    manifest = b"id:abc123;request-id:req-1;ts:1700000000;"  # data.id lower-cased: it is alphanumeric
    v1 = hmac.new(SECRET.encode(), manifest, hashlib.sha256).hexdigest()
    signed = Delivery(
        query={"data.id": "ABC123", "type": "subscription_preapproval"},
        body=json.dumps({"type": "subscription_preapproval", "data": {"id": "ABC123"}}).encode(),
        headers={"x-signature": f"ts=1700000000,v1={v1}", "x-request-id": "req-1"},
    )
    response = post_webhook(Client(), signed)
    assert response.status_code == 200
    stored = Notification.objects.get()
    assert (stored.topic, stored.data_id, stored.request_id) == (
        "subscription_preapproval",
        "ABC123",
        "req-1",
    )


@pytest.mark.parametrize("signature", ["", "ts=1700000000,v1=00ff", "garbage", "ts=1700000000"])
def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(
    fake_mp: FakeMercadoPago, db: None, signature: str
) -> None:
    forged = delivery("subscription_preapproval", "abc123", SECRET)
    headers = {**forged.headers, "x-signature": signature}
    response = post_webhook(Client(), Delivery(forged.query, forged.body, headers))
    assert response.status_code == 403
    assert not Notification.objects.exists()


def test_a_signature_made_with_another_secret_is_refused(fake_mp: FakeMercadoPago, db: None) -> None:
    response = post_webhook(Client(), delivery("subscription_preapproval", "abc123", "not-our-secret"))
    assert response.status_code == 403
    assert not Notification.objects.exists()


def test_a_body_that_is_not_json_gets_a_json_400(fake_mp: FakeMercadoPago, db: None) -> None:
    signed = delivery("payment", "123", SECRET)
    response = post_webhook(Client(), Delivery(signed.query, b"{not json", signed.headers))
    assert response.status_code == 400
    assert response.json() == {"error": "The body is not valid JSON."}
    assert not Notification.objects.exists()


def test_a_duplicate_delivery_is_answered_200_and_stored_once(fake_mp: FakeMercadoPago, db: None) -> None:
    signed = delivery("subscription_authorized_payment", "6114264999", SECRET)
    assert post_webhook(Client(), signed).json() == {"status": "received"}
    assert post_webhook(Client(), signed).json() == {"status": "duplicate"}
    assert Notification.objects.count() == 1


def test_only_post_is_accepted(db: None) -> None:
    assert Client().get(reverse("mercadopago_webhook")).status_code == 405
