"""What Mercado Pago says, applied: authorisation starts the paid period, charges pay or reject the
month's invoice, lost and duplicated notifications, a cancellation by Mercado Pago; by the worker,
by the reconciliation sweep, and through the sandbox's payer page."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import LazySettings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from billing import cycle, lifecycle
from billing.cycle import billing_today
from billing.mercadopago import subscriptions as mp
from billing.mercadopago import sync
from billing.mercadopago.sandbox import delivery
from billing.models import Invoice, InvoiceStatus, Notification, PaymentMethod, ReadOnlyReason, Subscription
from billing.subscriptions import plan_by_code, subscription_for
from tests.billing.fake_mercadopago import FakeMercadoPago, post_webhook, sign_up_by_card
from tests.conftest import Team

pytestmark = pytest.mark.usefixtures("english")
SECRET = "test-webhook-secret"
PREAPPROVAL, CHARGE = "subscription_preapproval", "subscription_authorized_payment"


def notify(topic: str, data_id: object, secret: str = SECRET) -> None:
    response = post_webhook(Client(), delivery(topic, str(data_id), secret))
    assert response.status_code == 200


def process_all() -> None:
    for notification_id in Notification.objects.filter(processed_at=None).values_list("id", flat=True):
        sync.process(notification_id)


def the_invoice(team: Team) -> Invoice:
    return Invoice.objects.for_account(team.account).get()


@pytest.fixture
def authorised(acme: Team, fake_mp: FakeMercadoPago) -> Subscription:
    """acme signed up for PRO by card and authorised it; the webhook issued the first invoice."""
    subscription = sign_up_by_card(acme, billing_today())
    fake_mp.sandbox.authorise(subscription.mp_preapproval_id)
    notify(PREAPPROVAL, subscription.mp_preapproval_id)
    process_all()
    return subscription_for(acme.account)


def test_authorisation_starts_the_paid_period_with_a_card_invoice(
    acme: Team, authorised: Subscription
) -> None:
    assert authorised.mp_status == "authorized"
    assert (authorised.plan.code, authorised.period_start) == ("pro", billing_today())
    invoice = the_invoice(acme)
    assert (invoice.payment_method, invoice.status) == (PaymentMethod.CARD, InvoiceStatus.PENDING)
    assert Notification.objects.get().account == acme.account


def test_an_approved_charge_pays_the_months_invoice(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription
) -> None:
    charge = fake_mp.sandbox.charge(authorised.mp_preapproval_id, approved=True)
    notify(CHARGE, charge["id"])
    process_all()
    invoice = the_invoice(acme)
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.mp_authorized_payment_id == str(charge["id"])
    assert invoice.mp_payment_id == str(charge["payment"]["id"])


def test_a_payment_notification_finds_its_charge(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription
) -> None:
    charge = fake_mp.sandbox.charge(authorised.mp_preapproval_id, approved=True)
    notify("payment", charge["payment"]["id"])
    process_all()
    assert the_invoice(acme).status == InvoiceStatus.PAID


def test_a_declined_charge_that_ends_processed_rejects_the_invoice_once(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription, django_capture_on_commit_callbacks
) -> None:
    charge = fake_mp.sandbox.charge(authorised.mp_preapproval_id, approved=False)
    assert (charge["status"], charge["payment"]["status"]) == ("recycling", "rejected")
    notify(CHARGE, charge["id"])
    with django_capture_on_commit_callbacks(execute=True):
        process_all()
    invoice = the_invoice(acme)
    assert (invoice.status, invoice.status_note) == (
        InvoiceStatus.REJECTED,
        "cc_rejected_insufficient_amount",
    )
    assert len(mail.outbox) == 1  # the failed-charge email
    fake_mp.sandbox.finish_recycling(str(charge["id"]))
    notify(CHARGE, charge["id"])  # processed, the payment still rejected: a new delivery, same result
    with django_capture_on_commit_callbacks(execute=True):
        process_all()
    assert the_invoice(acme).status == InvoiceStatus.REJECTED
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(processed_at=None).count() == 0


def test_a_duplicated_notification_is_stored_and_processed_once(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription
) -> None:
    charge = fake_mp.sandbox.charge(authorised.mp_preapproval_id, approved=True)
    signed = delivery(CHARGE, str(charge["id"]), SECRET)
    assert post_webhook(Client(), signed).status_code == 200
    assert post_webhook(Client(), signed).status_code == 200
    notification = Notification.objects.get(data_id=str(charge["id"]))
    sync.process(notification.id)
    notification.refresh_from_db()
    first = notification.processed_at
    assert first is not None
    sync.process(notification.id)  # a second run (a redelivered task) changes nothing
    notification.refresh_from_db()
    assert notification.processed_at == first
    assert the_invoice(acme).status == InvoiceStatus.PAID


def test_lost_notifications_are_caught_by_the_reconciliation(acme: Team, fake_mp: FakeMercadoPago) -> None:
    subscription = sign_up_by_card(acme, billing_today())
    fake_mp.sandbox.authorise(subscription.mp_preapproval_id)  # no webhook arrives
    charge = fake_mp.sandbox.charge(subscription.mp_preapproval_id, approved=True)
    assert sync.reconcile() == 1
    assert subscription_for(acme.account).mp_status == "authorized"
    invoice = the_invoice(acme)
    assert (invoice.status, invoice.mp_authorized_payment_id) == (InvoiceStatus.PAID, str(charge["id"]))
    assert sync.reconcile() == 1  # again: nothing changes
    assert the_invoice(acme).status == InvoiceStatus.PAID


def test_the_sweep_retries_a_notification_left_unprocessed(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription, settings: LazySettings
) -> None:
    charge = fake_mp.sandbox.charge(authorised.mp_preapproval_id, approved=True)
    settings.MERCADOPAGO_API_URL = "http://127.0.0.1:9"  # Mercado Pago unreachable when it arrives
    notify(CHARGE, charge["id"])
    process_all()
    notification = Notification.objects.get(data_id=str(charge["id"]))
    assert notification.processed_at is None
    assert "Mercado Pago" in notification.error  # that it could not be reached, in es-AR: no request language
    settings.MERCADOPAGO_API_URL = fake_mp.url
    sync.reconcile()  # too recent to retry
    notification.refresh_from_db()
    assert notification.processed_at is None
    Notification.objects.filter(id=notification.id).update(received_at=timezone.now() - timedelta(minutes=6))
    fake_mp.sandbox.authorized_payments.clear()  # the sweep's own search finds nothing: only the retry pays
    fake_mp.sandbox.authorized_payments[str(charge["id"])] = charge
    sync.reconcile()
    notification.refresh_from_db()
    assert (notification.processed_at is not None, notification.error) == (True, "")
    assert the_invoice(acme).status == InvoiceStatus.PAID


def test_a_cancellation_by_mercado_pago_after_rejected_charges_turns_the_account_read_only(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription
) -> None:
    preapproval_id = authorised.mp_preapproval_id
    for _ in range(3):
        charge = fake_mp.sandbox.charge(preapproval_id, approved=False)
        fake_mp.sandbox.finish_recycling(str(charge["id"]))
    assert fake_mp.sandbox.preapprovals[preapproval_id]["status"] == "cancelled"
    notify(PREAPPROVAL, preapproval_id)
    process_all()
    subscription = subscription_for(acme.account)
    assert subscription.mp_status == "cancelled"
    assert (subscription.read_only, subscription.read_only_reason) == (True, ReadOnlyReason.CARD_CANCELLED)


def test_our_own_cancellation_is_not_taken_as_mercado_pago_cancelling(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription
) -> None:
    mp.cancel(authorised)  # the invoice is still unpaid: Mercado Pago cancelling would end the service
    notify(PREAPPROVAL, authorised.mp_preapproval_id)
    process_all()
    subscription = subscription_for(acme.account)
    assert (subscription.mp_status, subscription.read_only, subscription.ends_on) == (
        "cancelled",
        False,
        None,
    )


def test_the_worker_applies_a_signed_webhook(acme: Team, fake_mp: FakeMercadoPago, worker: None) -> None:
    subscription = sign_up_by_card(acme, billing_today())
    fake_mp.sandbox.authorise(subscription.mp_preapproval_id)
    notify(PREAPPROVAL, subscription.mp_preapproval_id)
    deadline = time.monotonic() + 20
    while Notification.objects.filter(processed_at=None).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Notification.objects.get().processed_at is not None
    assert subscription_for(acme.account).mp_status == "authorized"
    assert the_invoice(acme).payment_method == PaymentMethod.CARD


def test_the_sandbox_payer_page_authorises_and_charges(acme: Team, settings: LazySettings) -> None:
    settings.MERCADOPAGO_ACCESS_TOKEN = settings.MERCADOPAGO_API_URL = settings.MERCADOPAGO_WEBHOOK_SECRET = (
        ""
    )
    settings.BNA_RATE_URL = settings.BNA_RATE_MIRROR_URL = "http://127.0.0.1:9/"
    subscription = sign_up_by_card(acme, billing_today())
    page = subscription.mp_init_point
    assert page == f"{settings.SITE_URL}/simulator/mercadopago/{subscription.mp_preapproval_id}/"
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    path = page.removeprefix(settings.SITE_URL)
    assert "Authorise" in client.get(path).content.decode()
    assert client.post(path, {"action": "charge_approved"}).status_code == 400  # not authorised yet
    response = client.post(path, {"action": "authorise"})
    assert response.status_code == 302
    assert response["Location"] == f"{settings.SITE_URL}/a/{acme.account.slug}/billing/"
    process_all()
    assert subscription_for(acme.account).mp_status == "authorized"
    assert client.post(path, {"action": "charge_declined"}).status_code == 302
    process_all()
    assert the_invoice(acme).status == InvoiceStatus.REJECTED
    assert Notification.objects.filter(error="").count() == Notification.objects.count() == 3
    assert client.get("/simulator/mercadopago/unknown/").status_code == 404


def test_a_read_only_card_account_is_not_restarted_by_the_reconciliation(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription, settings: LazySettings
) -> None:
    """Mercado Pago still says authorized while it retries a card: that is no new authorisation."""
    settings.BILLING_STAFF_EMAILS = ["staff@spoter.test"]
    subscription = subscription_for(acme.account)
    lifecycle.apply(subscription, plan_by_code("inicio"), 0, 0, switch_off={}, today=billing_today())
    cycle.settle(the_invoice(acme), paid=False, note="cc_rejected_insufficient_amount")
    cycle.run_due(billing_today() + timedelta(days=cycle.GRACE_DAYS))
    subscription = subscription_for(acme.account)
    assert (subscription.state, subscription.read_only_reason) == ("read_only", ReadOnlyReason.UNPAID)
    assert fake_mp.sandbox.preapprovals[subscription.mp_preapproval_id]["status"] == "paused"  # no charges

    fake_mp.sandbox.preapprovals[subscription.mp_preapproval_id]["status"] = "authorized"
    sync.reconcile()
    subscription = subscription_for(acme.account)
    assert (subscription.state, subscription.plan.code) == ("read_only", "pro")
    assert Invoice.objects.for_account(acme.account).count() == 1


def test_staff_hear_of_a_charge_that_took_another_amount_than_its_invoice(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription, settings: LazySettings
) -> None:
    settings.BILLING_STAFF_EMAILS = ["staff@spoter.test"]
    fake_mp.sandbox.preapprovals[authorised.mp_preapproval_id]["auto_recurring"]["transaction_amount"] = 95000
    charge = fake_mp.sandbox.charge(authorised.mp_preapproval_id, approved=True)
    with translation.override("en"):  # the fixture's webhook request left the default language on
        sync.reconcile()
        sync.reconcile()  # told once
    assert the_invoice(acme).status == InvoiceStatus.PAID
    alerts = [message for message in mail.outbox if message.to == ["staff@spoter.test"]]
    assert [message.subject for message in alerts] == [
        f"[Spoter billing] Mercado Pago charge {charge['id']} needs a look"
    ]
    assert "ARS 95000" in alerts[0].body


def test_going_back_to_free_before_authorising_cancels_the_waiting_card(
    acme: Team, fake_mp: FakeMercadoPago
) -> None:
    subscription = sign_up_by_card(acme, billing_today())
    lifecycle.apply(subscription, plan_by_code("free"), 0, 0, switch_off={}, today=billing_today())
    subscription = subscription_for(acme.account)
    assert (subscription.next_plan, subscription.payment_method, subscription.mp_status) == (
        None,
        "",
        "cancelled",
    )
    assert fake_mp.sandbox.preapprovals[subscription.mp_preapproval_id]["status"] == "cancelled"


def test_more_add_ons_put_the_new_amount_to_mercado_pago_at_once(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription
) -> None:
    lifecycle.apply(authorised, plan_by_code("pro"), 1, 0, switch_off={}, today=billing_today())
    recurring = fake_mp.sandbox.preapprovals[authorised.mp_preapproval_id]["auto_recurring"]
    # PRO 99 + a line 59 from the next period, plus the line's proration for this whole period: 59.
    assert Decimal(str(recurring["transaction_amount"])) == Decimal("217000.00")
    assert subscription_for(acme.account).mp_amount == Decimal("217000.00")


def test_the_reconciliation_leaves_a_cancelled_preapproval_with_nothing_owed_alone(
    acme: Team, fake_mp: FakeMercadoPago, authorised: Subscription
) -> None:
    charge = fake_mp.sandbox.charge(authorised.mp_preapproval_id, approved=True)
    notify(CHARGE, charge["id"])
    process_all()
    mp.cancel(subscription_for(acme.account))
    fake_mp.sandbox.requests.clear()
    assert sync.reconcile() == 0
    assert fake_mp.sandbox.requests == []

    invoice = the_invoice(acme)  # a card invoice still waiting: the preapproval is read again
    Invoice.objects.for_account(acme.account).filter(id=invoice.id).update(status=InvoiceStatus.REJECTED)
    assert sync.reconcile() == 1
