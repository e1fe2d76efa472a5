"""Settings of when bots and automatic messages run (BOT-2, BOT-3), for supervisors: the bot
schedule, the automatic replies and the welcome message. The services are bots/schedule.py's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bots import schedule as services
from bots.models import AutoReply, Bot, BotSchedule, WelcomeMessage
from inbox.models import QuickReply
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _days() -> list[tuple[int, str]]:
    return [(number, _(name)) for number, name in WEEKDAYS]


def _slot(weekdays: list[int], start: Any, end: Any) -> str:
    return services.describe(weekdays, start, end)


@require_role(Role.SUPERVISOR)
def schedule(request: AccountRequest, account_slug: str) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        data = {
            "bot": request.POST.get("bot"),
            "weekdays": request.POST.getlist("weekdays"),
            "start": request.POST.get("start", ""),
            "end": request.POST.get("end", ""),
            "untouched_only": bool(request.POST.get("untouched_only")),
        }
        try:
            services.save_schedule(request.account, None, data)
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("Time slot saved."))
            return redirect("bots_schedule", account_slug=account_slug)
    slots = BotSchedule.objects.for_account(request.account).select_related("bot").order_by("id")
    context = {
        "slots": [(slot, _slot(slot.weekdays, slot.start, slot.end)) for slot in slots],
        "bots": Bot.objects.for_account(request.account).order_by("name"),
        "days": _days(),
        "errors": errors,
        "posted": request.POST,
    }
    return render(request, "bots/schedule.html", context, status=400 if errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def schedule_delete(request: AccountRequest, account_slug: str, schedule_id: int) -> HttpResponse:
    slot = BotSchedule.objects.for_account(request.account).filter(id=schedule_id).first()
    if slot is None:
        raise Http404
    services.delete_schedule(request.account, slot)
    messages.success(request, _("Time slot deleted."))
    return redirect("bots_schedule", account_slug=account_slug)


@require_role(Role.SUPERVISOR)
def auto_replies(request: AccountRequest, account_slug: str) -> HttpResponse:
    errors: list[str] = []
    account = request.account
    if request.method == "POST" and request.POST.get("form") == "welcome":
        chosen = request.POST.get("quick_reply", "")
        try:
            quick_reply = None
            if chosen:
                quick_reply = QuickReply.objects.for_account(account).filter(id=_int(chosen)).first()
                if quick_reply is None:
                    raise ValidationError(_("Choose a quick reply."))
            services.save_welcome(account, quick_reply, bool(request.POST.get("is_active")))
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("Welcome message saved."))
            return redirect("bots_auto_replies", account_slug=account_slug)
    elif request.method == "POST":
        data = {
            "quick_reply": request.POST.get("quick_reply"),
            "weekdays": request.POST.getlist("weekdays"),
            "start": request.POST.get("start", ""),
            "end": request.POST.get("end", ""),
            "repeat_minutes": request.POST.get("repeat_minutes", "240"),
            "is_active": bool(request.POST.get("is_active")),
        }
        try:
            services.save_auto_reply(account, None, data)
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("Automatic reply saved."))
            return redirect("bots_auto_replies", account_slug=account_slug)
    replies = AutoReply.objects.for_account(account).select_related("quick_reply").order_by("id")
    context = {
        "auto_replies": [(reply, _slot(reply.weekdays, reply.start, reply.end)) for reply in replies],
        "quick_replies": QuickReply.objects.for_account(account).order_by("shortcut"),
        "welcome": WelcomeMessage.objects.for_account(account).filter(account=account).first(),
        "days": _days(),
        "errors": errors,
        "posted": request.POST,
    }
    return render(request, "bots/auto_replies.html", context, status=400 if errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def auto_reply_delete(request: AccountRequest, account_slug: str, auto_reply_id: int) -> HttpResponse:
    reply = AutoReply.objects.for_account(request.account).filter(id=auto_reply_id).first()
    if reply is None:
        raise Http404
    services.delete_auto_reply(request.account, reply)
    messages.success(request, _("Automatic reply deleted."))
    return redirect("bots_auto_replies", account_slug=account_slug)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
