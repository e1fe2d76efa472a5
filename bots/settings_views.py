"""Settings of when bots and automatic messages run (BOT-2, BOT-3), for supervisors: the bot
schedule, the automatic replies and the welcome message. The services are bots/schedule.py's.

A time slot and an automatic reply are added on their list page and edited on their own page; both
go through one form handler (``_submit``) and one template of fields, so a refused edit shows the
same errors as a refused addition (status 400, nothing saved)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bots import schedule as services
from bots.models import AutoReply, Bot, BotSchedule, WelcomeMessage
from inbox.models import QuickReply
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

Owned = TypeVar("Owned", BotSchedule, AutoReply)
WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _days() -> list[tuple[int, str]]:
    return [(number, _(name)) for number, name in WEEKDAYS]


def _slot(weekdays: list[int], start: Any, end: Any) -> str:
    return services.describe(weekdays, start, end)


def _own(request: AccountRequest, model: type[Owned], object_id: int) -> Owned:
    found: Owned | None = model.objects.for_account(request.account).filter(id=object_id).first()
    if found is None:
        raise Http404
    return found


# --- Form values: what the form shows, and what the services read --------------------------------


def _hours(post: QueryDict) -> dict[str, Any]:
    return {
        "weekdays": post.getlist("weekdays"),
        "start": post.get("start", ""),
        "end": post.get("end", ""),
    }


def _hours_of(obj: BotSchedule | AutoReply) -> dict[str, Any]:
    return {
        "weekdays": [str(day) for day in obj.weekdays],
        "start": f"{obj.start:%H:%M}",
        "end": f"{obj.end:%H:%M}",
    }


def _schedule_posted(post: QueryDict) -> dict[str, Any]:
    return {**_hours(post), "bot": post.get("bot"), "untouched_only": bool(post.get("untouched_only"))}


def _schedule_initial(slot: BotSchedule | None) -> dict[str, Any]:
    if slot is None:
        return {"weekdays": [], "untouched_only": False}
    return {**_hours_of(slot), "bot": str(slot.bot_id), "untouched_only": slot.untouched_only}


def _auto_reply_posted(post: QueryDict) -> dict[str, Any]:
    return {
        **_hours(post),
        "quick_reply": post.get("quick_reply"),
        "repeat_minutes": post.get("repeat_minutes", "240"),
        "is_active": bool(post.get("is_active")),
    }


def _auto_reply_initial(reply: AutoReply | None) -> dict[str, Any]:
    if reply is None:
        return {"weekdays": [], "repeat_minutes": "240", "is_active": True}
    return {
        **_hours_of(reply),
        "quick_reply": str(reply.quick_reply_id),
        "repeat_minutes": str(reply.repeat_minutes),
        "is_active": reply.is_active,
    }


def _submit(request: AccountRequest, save: Callable[[], object], done: str) -> list[str]:
    """Runs ``save``; on success flashes ``done`` and returns no errors, else the errors."""
    try:
        save()
    except ValidationError as error:
        return _errors(error)
    messages.success(request, done)
    return []


# --- Bot schedule --------------------------------------------------------------------------------


@require_role(Role.SUPERVISOR)
def schedule(request: AccountRequest, account_slug: str) -> HttpResponse:
    return _schedule_form(request, account_slug, None)


@require_role(Role.SUPERVISOR)
def schedule_edit(request: AccountRequest, account_slug: str, schedule_id: int) -> HttpResponse:
    return _schedule_form(request, account_slug, _own(request, BotSchedule, schedule_id))


def _schedule_form(request: AccountRequest, account_slug: str, slot: BotSchedule | None) -> HttpResponse:
    values, errors = _schedule_initial(slot), []
    if request.method == "POST":
        values = _schedule_posted(request.POST)
        errors = _submit(
            request,
            lambda: services.save_schedule(request.account, slot, values),
            _("Time slot saved."),
        )
        if not errors:
            return redirect("bots_schedule", account_slug=account_slug)
    context: dict[str, Any] = {
        "slot": slot,
        "bots": Bot.objects.for_account(request.account).order_by("name"),
        "days": _days(),
        "errors": errors,
        "values": values,
    }
    if slot is None:
        slots = BotSchedule.objects.for_account(request.account).select_related("bot").order_by("id")
        context["slots"] = [(each, _slot(each.weekdays, each.start, each.end)) for each in slots]
        template = "bots/schedule.html"
    else:
        context["when"] = _slot(slot.weekdays, slot.start, slot.end)
        template = "bots/schedule_edit.html"
    return render(request, template, context, status=400 if errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def schedule_delete(request: AccountRequest, account_slug: str, schedule_id: int) -> HttpResponse:
    services.delete_schedule(request.account, _own(request, BotSchedule, schedule_id))
    messages.success(request, _("Time slot deleted."))
    return redirect("bots_schedule", account_slug=account_slug)


# --- Automatic replies and the welcome message ---------------------------------------------------


@require_role(Role.SUPERVISOR)
def auto_replies(request: AccountRequest, account_slug: str) -> HttpResponse:
    if request.method == "POST" and request.POST.get("form") == "welcome":
        errors = _submit(request, lambda: _save_welcome(request), _("Welcome message saved."))
        if not errors:
            return redirect("bots_auto_replies", account_slug=account_slug)
        return _auto_reply_page(request, None, _auto_reply_initial(None), errors)
    return _auto_reply_form(request, account_slug, None)


@require_role(Role.SUPERVISOR)
def auto_reply_edit(request: AccountRequest, account_slug: str, auto_reply_id: int) -> HttpResponse:
    return _auto_reply_form(request, account_slug, _own(request, AutoReply, auto_reply_id))


def _save_welcome(request: AccountRequest) -> None:
    chosen = request.POST.get("quick_reply", "")
    quick_reply = None
    if chosen:
        quick_reply = QuickReply.objects.for_account(request.account).filter(id=_int(chosen)).first()
        if quick_reply is None:
            raise ValidationError(_("Choose a quick reply."))
    services.save_welcome(request.account, quick_reply, bool(request.POST.get("is_active")))


def _auto_reply_form(request: AccountRequest, account_slug: str, reply: AutoReply | None) -> HttpResponse:
    values, errors = _auto_reply_initial(reply), []
    if request.method == "POST":
        values = _auto_reply_posted(request.POST)
        errors = _submit(
            request,
            lambda: services.save_auto_reply(request.account, reply, values),
            _("Automatic reply saved."),
        )
        if not errors:
            return redirect("bots_auto_replies", account_slug=account_slug)
    return _auto_reply_page(request, reply, values, errors)


def _auto_reply_page(
    request: AccountRequest, reply: AutoReply | None, values: dict[str, Any], errors: list[str]
) -> HttpResponse:
    account = request.account
    context: dict[str, Any] = {
        "reply": reply,
        "quick_replies": QuickReply.objects.for_account(account).order_by("shortcut"),
        "days": _days(),
        "errors": errors,
        "values": values,
    }
    if reply is None:
        replies = AutoReply.objects.for_account(account).select_related("quick_reply").order_by("id")
        context["auto_replies"] = [(each, _slot(each.weekdays, each.start, each.end)) for each in replies]
        context["welcome"] = WelcomeMessage.objects.for_account(account).filter(account=account).first()
        template = "bots/auto_replies.html"
    else:
        context["when"] = _slot(reply.weekdays, reply.start, reply.end)
        template = "bots/auto_reply_edit.html"
    return render(request, template, context, status=400 if errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def auto_reply_delete(request: AccountRequest, account_slug: str, auto_reply_id: int) -> HttpResponse:
    services.delete_auto_reply(request.account, _own(request, AutoReply, auto_reply_id))
    messages.success(request, _("Automatic reply deleted."))
    return redirect("bots_auto_replies", account_slug=account_slug)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
