"""Platform staff's billing desk in the Django admin: plans, subscriptions, the bank debits to
process each period (marked paid or rejected), mandates and Mercado Pago's notifications."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from billing.catalogue import FREE, PRO
from billing.cycle import billing_today
from billing.mandates import record_mandate
from billing.models import Invoice, InvoiceStatus, Notification, PaymentMethod, Plan, ReadOnlyReason, State
from billing.subscriptions import plan_by_code, subscription_for
from spoter.accounts.models import User
from tests.billing.fake_mercadopago import FakeMercadoPago, sign_up_by_card
from tests.billing.test_invoices_page import issue
from tests.billing.test_mandates import GOOD_CBU, mandate
from tests.conftest import Team, client_for, make_team

INVOICES = reverse("admin:billing_invoice_changelist")


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the admin's messages, in English
    client.force_login(User.objects.create_superuser(email="staff@spoter.test", password="x"))
    return client


def act(staff: Client, action: str, *invoices: Invoice) -> str:
    response = staff.post(
        INVOICES, {"action": action, "_selected_action": [invoice.id for invoice in invoices]}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def refreshed(invoice: Invoice) -> Invoice:
    return Invoice.objects.for_account(invoice.account).get(id=invoice.id)


def test_pending_bank_debits_of_a_period(staff: Client, acme: Team, globex: Team, english: None) -> None:
    record_mandate(acme.account, created_by=acme.admin.user, **mandate())
    march = issue(acme.account)
    april = issue(acme.account, date(2025, 4, 1))
    theirs = issue(globex.account)
    paid_card = issue(globex.account, date(2025, 4, 1))
    Invoice.objects.for_account(globex.account).filter(id=paid_card.id).update(
        payment_method=PaymentMethod.CARD
    )
    Invoice.objects.for_account(globex.account).filter(id=theirs.id).update(status=InvoiceStatus.PAID)

    page = staff.get(INVOICES).content.decode()
    assert "Pending bank debits" in page
    assert "March 2025" in page  # the period filter offers the months billed

    page = staff.get(INVOICES, {"todo": "bank_debits", "period": "2025-03"}).content.decode()
    listed = {invoice.id for invoice in (march, april, theirs, paid_card) if f"/{invoice.id}/change/" in page}
    assert listed == {march.id}
    assert f"{GOOD_CBU} (María José Pérez)" in page  # the mandate to debit

    page = staff.get(INVOICES, {"todo": "bank_debits"}).content.decode()
    listed = {invoice.id for invoice in (march, april, theirs, paid_card) if f"/{invoice.id}/change/" in page}
    assert listed == {march.id, april.id}

    assert f"/{theirs.id}/change/" in staff.get(INVOICES, {"q": "globex"}).content.decode()
    assert staff.get(INVOICES, {"period": "nonsense"}).status_code == 200


def test_staff_mark_bank_debits_paid(staff: Client, acme: Team, english: None) -> None:
    march, april = issue(acme.account), issue(acme.account, date(2025, 4, 1))
    page = act(staff, "mark_paid", march, april)
    assert "2 invoices marked paid." in page
    for invoice in (march, april):
        invoice = refreshed(invoice)
        assert invoice.status == InvoiceStatus.PAID
        assert invoice.paid_at is not None
        assert invoice.status_note == "by staff staff@spoter.test"
    # Paid is final.
    page = act(staff, "mark_rejected", march)
    assert "1 invoice left as it was" in page
    assert refreshed(march).status == InvoiceStatus.PAID


def test_staff_mark_a_bank_debit_rejected(
    staff: Client, acme: Team, english: None, django_capture_on_commit_callbacks: object
) -> None:
    march = issue(acme.account)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]  # pytest-django
        page = act(staff, "mark_rejected", march)
    assert "1 invoice marked rejected." in page
    assert refreshed(march).status == InvoiceStatus.REJECTED
    assert [message.to for message in mail.outbox] == [[acme.admin.user.email]]
    # A rejected debit may still be paid later.
    act(staff, "mark_paid", march)
    assert refreshed(march).status == InvoiceStatus.PAID


def test_paying_lifts_an_unpaid_read_only_state(staff: Client, acme: Team) -> None:
    invoice = issue(acme.account, date.today())
    subscription = subscription_for(acme.account)
    subscription.state, subscription.read_only_reason = State.READ_ONLY, ReadOnlyReason.UNPAID
    subscription.save(update_fields=["state", "read_only_reason"])
    act(staff, "mark_paid", invoice)
    assert subscription_for(acme.account).state == State.ACTIVE


def test_an_invoice_shows_its_lines_read_only(staff: Client, acme: Team) -> None:
    invoice = issue(acme.account)
    url = reverse("admin:billing_invoice_change", args=[invoice.id])
    page = staff.get(url).content.decode()
    assert "Plan PERSONALIZADO" in page
    assert "2950" in page.replace(".", "").replace(",", "")
    # Amounts cannot be edited: a post changes nothing.
    staff.post(url, {"ars_total": "1", "status": InvoiceStatus.PAID})
    assert refreshed(invoice).ars_total == invoice.ars_total
    assert refreshed(invoice).status == InvoiceStatus.PENDING
    assert staff.get(reverse("admin:billing_invoice_add")).status_code == 403
    assert staff.post(reverse("admin:billing_invoice_delete", args=[invoice.id])).status_code == 403


def test_staff_edit_a_plan(staff: Client, english: None) -> None:
    pro = plan_by_code(PRO)
    page = staff.get(reverse("admin:billing_plan_changelist")).content.decode()
    assert "Campaigns and mass sends, EMPATY dashboards, REST API" in page
    url = reverse("admin:billing_plan_change", args=[pro.id])
    assert staff.get(url).status_code == 200
    data = {
        "code": pro.code, "name": pro.name, "price_usd": "109", "included_operators": "6",
        "included_lines": "2", "extra_operator_usd": "10", "extra_line_usd": "59", "campaigns": "on",
        "empaty": "on", "api": "on", "sales": "on", "support_hours": "36", "self_service": "on",
        "position": "2",
    }  # fmt: skip
    response = staff.post(url, data)
    assert response.status_code == 302, response.content.decode()
    pro.refresh_from_db()
    assert (pro.price_usd, pro.included_operators, pro.support_hours, pro.sales) == (
        Decimal("109"),
        6,
        36,
        True,
    )


def test_staff_set_a_negotiated_deal(staff: Client, acme: Team, english: None) -> None:
    subscription = subscription_for(acme.account)
    url = reverse("admin:billing_subscription_change", args=[subscription.id])
    page = staff.get(reverse("admin:billing_subscription_changelist")).content.decode()
    assert "PERSONALIZADO" in page
    response = staff.post(url, {"plan": subscription.plan_id, "extra_lines": "3", "extra_operators": "7"})
    assert response.status_code == 302
    subscription = subscription_for(acme.account)
    assert (subscription.extra_lines, subscription.extra_operators) == (3, 7)
    # Read-only fields stay as they were, whatever is posted.
    staff.post(
        url, {"plan": subscription.plan_id, "extra_lines": "3", "extra_operators": "7", "state": "read_only"}
    )
    assert subscription_for(acme.account).state == State.ACTIVE


def test_self_service_plans_are_changed_by_the_customer(staff: Client, acme: Team, english: None) -> None:
    subscription = subscription_for(acme.account)
    subscription.plan = plan_by_code(FREE)
    subscription.save(update_fields=["plan"])
    url = reverse("admin:billing_subscription_change", args=[subscription.id])
    response = staff.post(url, {"plan": plan_by_code(PRO).id, "extra_lines": "0", "extra_operators": "0"})
    assert response.status_code == 200
    assert "Staff only set negotiated plans" in response.content.decode()
    assert subscription_for(acme.account).plan.code == FREE
    # Onto a negotiated plan is fine.
    personalizado = Plan.objects.get(self_service=False)
    staff.post(url, {"plan": personalizado.id, "extra_lines": "0", "extra_operators": "0"})
    assert subscription_for(acme.account).plan == personalizado


def test_mandates_and_notifications_are_listed_read_only(staff: Client, acme: Team, globex: Team) -> None:
    record_mandate(acme.account, created_by=acme.admin.user, **mandate())
    mandates = reverse("admin:billing_bankmandate_changelist")
    page = staff.get(mandates, {"q": "30500010912"}).content.decode()
    assert GOOD_CBU in page
    assert "María José Pérez" in page
    assert staff.get(reverse("admin:billing_bankmandate_add")).status_code == 403
    Notification.objects.create(
        topic="payment", action="payment.created", data_id="123456789", account=globex.account
    )
    page = staff.get(reverse("admin:billing_notification_changelist")).content.decode()
    assert "123456789" in page
    assert staff.get(reverse("admin:billing_notification_add")).status_code == 403


def test_account_admins_are_not_staff(acme: Team) -> None:
    response = client_for(acme.admin).get(INVOICES)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_pause_and_resume_card_charges_on_mercado_pago(
    staff: Client, acme: Team, fake_mp: FakeMercadoPago
) -> None:
    subscription = sign_up_by_card(acme, billing_today())
    fake_mp.sandbox.authorise(subscription.mp_preapproval_id)
    changelist = reverse("admin:billing_subscription_changelist")

    def act(action: str) -> str:
        response = staff.post(
            changelist, {"action": action, "_selected_action": [subscription.id]}, follow=True
        )
        assert response.status_code == 200
        return response.content.decode()

    assert "Acme: Mercado Pago says paused." in act("pause_card")
    assert fake_mp.sandbox.preapprovals[subscription.mp_preapproval_id]["status"] == "paused"
    assert "Acme: Mercado Pago says authorized." in act("resume_card")
    assert subscription_for(acme.account).mp_status == "authorized"

    other = subscription_for(make_team("initech").account)
    response = staff.post(changelist, {"action": "pause_card", "_selected_action": [other.id]}, follow=True)
    assert "Initech pays no card subscription." in response.content.decode()


def test_a_deal_set_by_staff_replaces_what_the_admin_had_scheduled(staff: Client, acme: Team) -> None:
    subscription = subscription_for(acme.account)
    subscription.plan, subscription.next_plan = plan_by_code(PRO), plan_by_code(FREE)
    subscription.save()
    change = reverse("admin:billing_subscription_change", args=[subscription.id])
    personalizado = plan_by_code("personalizado")
    response = staff.post(change, {"plan": personalizado.id, "extra_lines": 1, "extra_operators": 5})
    assert response.status_code == 302
    subscription = subscription_for(acme.account)
    assert (subscription.plan, subscription.extra_operators) == (personalizado, 5)
    assert subscription.next_plan is None
