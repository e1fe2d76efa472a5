"""Plans, each account's subscription, the dollar rates charges use, invoices and payments (BIL)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spoter.accounts.models import Account
from spoter.accounts.scoping import ScopedManager


class Feature(models.TextChoices):
    """What a plan may include beyond seats and lines (TEN-5)."""

    CAMPAIGNS = "campaigns", _("Campaigns and mass sends")
    EMPATY = "empaty", _("EMPATY dashboards")
    API = "api", _("REST API")
    SALES = "sales", _("Sales module")


class Plan(models.Model):
    """A plan of the price list. Platform staff edit them in the Django admin; not tenant data."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    price_usd = models.DecimalField(_("monthly price (USD)"), max_digits=10, decimal_places=2)
    included_operators = models.PositiveIntegerField(_("included users"))
    included_lines = models.PositiveIntegerField(_("included WhatsApp lines"))
    extra_operator_usd = models.DecimalField(
        _("extra user (USD/month)"), max_digits=10, decimal_places=2, default=Decimal("10")
    )
    extra_line_usd = models.DecimalField(
        _("extra WhatsApp line (USD/month)"), max_digits=10, decimal_places=2, default=Decimal("59")
    )
    campaigns = models.BooleanField(_("campaigns and mass sends"), default=False)
    empaty = models.BooleanField(_("EMPATY dashboards"), default=False)
    api = models.BooleanField(_("REST API"), default=False)
    sales = models.BooleanField(_("sales module"), default=False)
    # FREE's trial rule (BIL-5): the company may only start chats with contacts who wrote before.
    trial = models.BooleanField(_("trial restrictions"), default=False)
    support_hours = models.PositiveIntegerField(_("support answer within (business hours)"), default=72)
    # Plans a customer may pick on the Billing page; the others are agreed with sales and set by staff.
    self_service = models.BooleanField(_("customers may choose it"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering: ClassVar = ["position", "price_usd"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name

    def has(self, feature: Feature | str) -> bool:
        return bool(getattr(self, Feature(feature).value))

    @property
    def is_free(self) -> bool:
        return self.price_usd == 0


class PaymentMethod(models.TextChoices):
    NONE = "", _("None")
    CARD = "card", _("Card (Mercado Pago)")
    CBU = "cbu", _("Bank debit (CBU)")


class State(models.TextChoices):
    ACTIVE = "active", _("Active")
    READ_ONLY = "read_only", _("Read-only")


class ReadOnlyReason(models.TextChoices):
    NONE = "", _("None")
    UNPAID = "unpaid", _("The last charge was not paid")
    ENDED = "ended", _("The subscription ended")
    CARD_CANCELLED = "card_cancelled", _("Mercado Pago cancelled the card subscription")


class Subscription(models.Model):
    """What an account pays for, and until when. Every account has one (created on FREE)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    extra_lines = models.PositiveIntegerField(_("extra WhatsApp lines"), default=0)
    extra_operators = models.PositiveIntegerField(_("extra users"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    read_only_reason = models.CharField(max_length=20, choices=ReadOnlyReason.choices, blank=True)
    read_only_since = models.DateTimeField(null=True, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=4, choices=PaymentMethod.choices, blank=True
    )
    # The paid period: [period_start, period_end). Empty on FREE.
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    # The day of the month periods start on (31 stays 31 after a short February).
    anchor_day = models.PositiveSmallIntegerField(default=1)
    # Changes that wait for the end of the paid period (downgrades, fewer add-ons).
    next_plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    next_extra_lines = models.PositiveIntegerField(null=True, blank=True)
    next_extra_operators = models.PositiveIntegerField(null=True, blank=True)
    # What the admin chose to switch off when the smaller plan starts: {"members": [...], "lines": [...]}.
    next_switch_off = models.JSONField(default=dict, blank=True)
    # Cancellation (30 days notice): the service works until ends_on, then turns read-only.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Mercado Pago's subscription (preapproval) for card payments.
    mp_preapproval_id = models.CharField(max_length=64, blank=True)
    mp_status = models.CharField(max_length=20, blank=True)
    mp_init_point = models.URLField(max_length=500, blank=True)
    mp_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Subscription"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["mp_preapproval_id"],
                condition=~Q(mp_preapproval_id=""),
                name="subscription_unique_preapproval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} on {self.plan}"

    @property
    def read_only(self) -> bool:
        return self.state == State.READ_ONLY

    @property
    def operator_limit(self) -> int:
        return self.plan.included_operators + self.extra_operators

    @property
    def line_limit(self) -> int:
        return self.plan.included_lines + self.extra_lines


class RateSource(models.TextChoices):
    BNA = "bna", _("Banco Nación (page)")
    MIRROR = "mirror", _("JSON mirror of Banco Nación")
    MANUAL = "manual", _("Entered by staff")


class ExchangeRate(models.Model):
    """A snapshot of Banco Nación's "billete" USD seller rate: where it came from, for which day,
    when it was read. Invoices point at the snapshot they used and never change."""

    source = models.CharField(_("source"), max_length=10, choices=RateSource.choices)
    quote_date = models.DateField(_("quote date"))
    fetched_at = models.DateTimeField(_("fetched at"), default=timezone.now)
    seller = models.DecimalField(_("seller rate (ARS per USD)"), max_digits=12, decimal_places=4)
    buyer = models.DecimalField(_("buyer rate"), max_digits=12, decimal_places=4, null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["-fetched_at", "-id"]
        verbose_name = _("dollar rate")
        verbose_name_plural = _("dollar rates")
        indexes: ClassVar = [models.Index(fields=["source", "quote_date"])]

    def __str__(self) -> str:
        return f"{self.seller} ARS/USD ({self.get_source_display()}, {self.quote_date})"


class InvoiceStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    VOID = "void", _("Void")


class Invoice(models.Model):
    """One monthly charge, in advance: its USD lines, the rate snapshot and the ARS total.
    Issued once and never recomputed; only its status moves."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoices")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    plan_name = models.CharField(_("plan"), max_length=60)
    rate = models.ForeignKey(ExchangeRate, on_delete=models.PROTECT, related_name="invoices")
    usd_total = models.DecimalField(_("total (USD)"), max_digits=12, decimal_places=2)
    ars_total = models.DecimalField(_("total (ARS)"), max_digits=14, decimal_places=2)
    payment_method = models.CharField(_("payment method"), max_length=4, choices=PaymentMethod.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.PENDING
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    status_note = models.CharField(_("note"), max_length=200, blank=True)
    # Mercado Pago's charge for this period (an authorized payment) and its payment.
    mp_authorized_payment_id = models.CharField(max_length=64, blank=True)
    mp_payment_id = models.CharField(max_length=64, blank=True)

    objects = ScopedManager["Invoice"]()

    class Meta:
        ordering: ClassVar = ["-period_start", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "period_start"], name="invoice_one_per_period"),
            models.UniqueConstraint(
                fields=["mp_authorized_payment_id"],
                condition=~Q(mp_authorized_payment_id=""),
                name="invoice_unique_authorized_payment",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["payment_method", "status", "period_start"])]

    def __str__(self) -> str:
        return f"#{self.number} {self.account} {self.period_start}"

    @property
    def number(self) -> str:
        return f"{self.pk:08d}"


class LineKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    EXTRA_LINE = "extra_line", _("Extra WhatsApp lines")
    EXTRA_OPERATOR = "extra_operator", _("Extra users")
    PRORATION = "proration", _("Proration")


class InvoiceLine(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_usd = models.DecimalField(_("unit price (USD)"), max_digits=12, decimal_places=2)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=12, decimal_places=2)

    objects = ScopedManager["InvoiceLine"]()

    class Meta:
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return self.description


class Proration(models.Model):
    """A mid-period upgrade or add-on: the part of the month left, charged with the next invoice."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="prorations")
    description = models.CharField(max_length=200)
    amount_usd = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager["Proration"]()

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return self.description


class BankMandate(models.Model):
    """A bank debit authorisation (CBU) that staff process by hand each period (BIL-3)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bank_mandates")
    cbu = models.CharField(_("CBU"), max_length=22)
    business_name = models.CharField(_("razón social"), max_length=200)
    cuit = models.CharField(_("CUIT"), max_length=11)
    holder = models.CharField(_("account holder"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["BankMandate"]()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        verbose_name = _("bank debit mandate")
        verbose_name_plural = _("bank debit mandates")

    def __str__(self) -> str:
        return f"CBU {self.cbu[:3]}…{self.cbu[-4:]} ({self.holder})"


class Notification(models.Model):
    """A Mercado Pago webhook as received: stored first, processed in a worker, kept as a log."""

    topic = models.CharField(max_length=40)
    action = models.CharField(max_length=60, blank=True)
    data_id = models.CharField(max_length=64)
    request_id = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # Known once the resource is fetched.
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar = ["-received_at", "-id"]
        verbose_name = _("Mercado Pago notification")
        verbose_name_plural = _("Mercado Pago notifications")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["topic", "data_id", "request_id"], name="mp_notification_unique_delivery"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["received_at"], condition=Q(processed_at=None), name="mp_notification_todo")
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.data_id}"


class Reminder(models.Model):
    """An email sent about billing, once per account, kind and period (BIL-4)."""

    class Kind(models.TextChoices):
        UPCOMING_CHARGE = "upcoming", _("Upcoming charge")
        FAILED_CHARGE = "failed", _("Failed charge")
        READ_ONLY_SOON = "read_only", _("Read-only soon")
        CHOOSE_AGAIN = "choose", _("Plan change postponed")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=40)  # the period or invoice it is about
    sent_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Reminder"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "kind", "key"], name="billing_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class SupportDeadline(models.Model):
    """A help-desk conversation (on the platform's own account) from a customer account's admin:
    the plan's response deadline (BIL-5). ``account`` is the help desk's account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    conversation = models.OneToOneField(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="support_deadline"
    )
    customer = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    plan_name = models.CharField(max_length=60)
    hours = models.PositiveIntegerField()
    asked_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["SupportDeadline"]()

    class Meta:
        ordering: ClassVar = ["due_at"]

    def __str__(self) -> str:
        return f"{self.customer} due {self.due_at}"


class SupportPhone(models.Model):
    """The WhatsApp number a customer account's admin writes to the platform's help desk from, so
    the help desk knows the account and its plan (BIL-5)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("WhatsApp number"), max_length=20, unique=True)  # E.164 with "+"
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["SupportPhone"]()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "user"], name="support_phone_one_per_admin")
        ]

    def __str__(self) -> str:
        return self.phone
