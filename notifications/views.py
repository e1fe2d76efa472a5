"""Notification pages (CAM-5), for supervisors and admins: the list, the form, deletion with
confirmation, each notification's run log, and the account's channel settings (LIN-7). The
services are notifications/services.py's; a refused form answers 400 with nothing saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audience.models import Tag
from notifications import services
from notifications.forms import ChannelSettingsForm, NotificationForm
from notifications.models import (
    SMS_MAX,
    Channel,
    Notification,
    NotificationDelivery,
    NotificationRun,
    SmsVoiceProvider,
)
from notifications.schedule import describe
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

RUNS_SHOWN = 30
DELIVERIES_SHOWN = 500


def _get(request: AccountRequest, notification_id: int) -> Notification:
    found = Notification.objects.for_account(request.account).filter(id=notification_id).first()
    if found is None:
        raise Http404
    return found


@require_GET
@require_role(Role.SUPERVISOR)
def notifications(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    runs = NotificationRun.objects.for_account(account)
    latest = runs.filter(notification=OuterRef("pk")).order_by("-scheduled_for", "-id").values("id")[:1]
    rows = list(
        Notification.objects.for_account(account)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.for_account(account)))
        .annotate(last_run_id=Subquery(latest))
        .order_by("name", "id")
    )
    last_runs = runs.in_bulk([row.last_run_id for row in rows if row.last_run_id])
    listed = [(row, describe(row, account.time_zone), last_runs.get(row.last_run_id)) for row in rows]
    return render(request, "notifications/list.html", {"rows": listed})


@require_role(Role.SUPERVISOR)
def notification_new(request: AccountRequest, account_slug: str) -> HttpResponse:
    return _form(request, None)


@require_role(Role.SUPERVISOR)
def notification_edit(request: AccountRequest, account_slug: str, notification_id: int) -> HttpResponse:
    return _form(request, _get(request, notification_id))


def _form(request: AccountRequest, notification: Notification | None) -> HttpResponse:
    account = request.account
    if request.method == "POST":
        form = NotificationForm(request.POST, account=account, notification=notification)
        if form.is_valid():
            try:
                saved = services.save_notification(
                    account, notification, form.cleaned_data, request.membership
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Notification %(name)s saved.") % {"name": saved.name})
                return redirect("campaigns_notifications", account_slug=account.slug)
    else:
        form = NotificationForm(account=account, notification=notification)
    context: dict[str, Any] = {
        "form": form,
        "notification": notification,
        "sms_max": SMS_MAX,
        "has_tags": form.fields["tags"].queryset.exists(),  # type: ignore[attr-defined]  # ModelMultipleChoiceField
    }
    return render(request, "notifications/form.html", context, status=400 if form.errors else 200)


@require_role(Role.SUPERVISOR)
def notification_delete(request: AccountRequest, account_slug: str, notification_id: int) -> HttpResponse:
    notification = _get(request, notification_id)
    if request.method == "POST":
        services.delete_notification(request.account, notification)
        messages.success(request, _("Notification %(name)s deleted.") % {"name": notification.name})
        return redirect("campaigns_notifications", account_slug=account_slug)
    return render(request, "notifications/delete_confirm.html", {"notification": notification})


@require_GET
@require_role(Role.SUPERVISOR)
def notification_runs(request: AccountRequest, account_slug: str, notification_id: int) -> HttpResponse:
    """The run log: the latest runs, and the deliveries of the one chosen (``?run=``)."""
    notification = _get(request, notification_id)
    runs = list(
        NotificationRun.objects.for_account(request.account).filter(notification=notification)[:RUNS_SHOWN]
    )
    chosen = next(
        (run for run in runs if str(run.id) == request.GET.get("run", "")), runs[0] if runs else None
    )
    deliveries = (
        NotificationDelivery.objects.for_account(request.account)
        .filter(run=chosen)
        .select_related("contact")
        .order_by("id")[:DELIVERIES_SHOWN]
        if chosen
        else []
    )
    context = {
        "notification": notification,
        "when": describe(notification, request.account.time_zone),
        "runs": runs,
        "chosen": chosen,
        "deliveries": deliveries,
    }
    return render(request, "notifications/runs.html", context)


@require_role(Role.SUPERVISOR)
def channel_settings(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    channels = services.channel_settings(account)
    if request.method == "POST":
        form = ChannelSettingsForm(request.POST, channels=channels)
        if form.is_valid():
            try:
                services.save_channel_settings(account, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Channel settings saved."))
                return redirect("settings_notification_channels", account_slug=account.slug)
    else:
        form = ChannelSettingsForm(channels=channels)
    context = {
        "form": form,
        "has_token": bool(channels and channels.twilio_auth_token),
        "twilio": SmsVoiceProvider.TWILIO.value,
        "email_channel": Channel.EMAIL.value,
    }
    return render(request, "notifications/channel_settings.html", context, status=400 if form.errors else 200)
