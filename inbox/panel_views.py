"""The contact panel beside a chat (an htmx fragment) and its actions: assignment (INB-6), tags
(INB-7), notes (INB-8), reminders (INB-9) and scheduled messages (INB-10).

Each action calls one service and answers with a redirect to the panel, which htmx follows and
swaps in (without htmx, to the inbox at the chat); a refused action answers with the panel and
its error (200 to htmx so it is shown, 400 otherwise). A chat the member may not see is a 404,
like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audience import tags as tag_service
from audience.custom_fields import labelled_values, ordered_fields
from audience.models import Tag
from inbox import assignment, scheduling, teamwork
from inbox.access import get_conversation
from inbox.models import Conversation, Note, QuickReply, Reminder, ScheduledMessage, ScheduledStatus
from inbox.panel_forms import NoteForm, ReminderForm, ScheduleForm, TagForm
from inbox.quick_replies import render_quick_reply
from inbox.visibility import can_see
from spoter.accounts.access import AccountRequest, get_member, require_role
from spoter.accounts.models import Role

Errors = dict[str, list[str]]
M = TypeVar("M", bound=Model)


def visible_conversation(request: AccountRequest, number: int) -> Conversation:
    """The chat by its number, if this member may see it; 404 alike for missing and hidden."""
    conversation = get_conversation(request.account, number)
    if not can_see(request.membership, conversation):
        raise Http404
    return conversation


def _to_panel(request: AccountRequest, conversation: Conversation) -> HttpResponseRedirect:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return HttpResponseRedirect(next_url)
    # A plain form post (no htmx yet, or none at all) goes back to the whole inbox at the chat.
    name = "inbox_panel" if request.headers.get("HX-Request") == "true" else "inbox_conversation"
    return redirect(name, account_slug=request.account.slug, number=conversation.number)


def _refused(
    request: AccountRequest, conversation: Conversation, section: str, error: Exception
) -> HttpResponse:
    if isinstance(error, ValidationError):
        messages = [str(message) for message in error.messages]
    else:
        messages = [str(getattr(error, "message", None) or error)]
    return _panel(request, conversation, errors={section: messages})


def _form_errors(form: Any) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@require_GET
@require_role(Role.OPERATOR)
def panel(request: AccountRequest, account_slug: str, number: int) -> HttpResponse:
    return _panel(request, visible_conversation(request, number))


def _panel(request: AccountRequest, conversation: Conversation, errors: Errors | None = None) -> HttpResponse:
    account, member = request.account, request.membership
    conversation = (
        Conversation.objects.for_account(account)
        .select_related("line", "contact", "assignee__user")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.for_account(account).order_by("name")))
        .get(id=conversation.id)
    )
    contact = conversation.contact
    now = timezone.now()
    reminders = list(
        Reminder.objects.for_account(account).filter(contact=contact, owner=member).order_by("due_at")
    )
    context = {
        "conversation": conversation,
        "contact": contact,
        "custom_values": labelled_values(contact, ordered_fields(account)),
        "contact_tags": contact.tags.for_account(account).order_by("name"),
        "all_tags": Tag.objects.for_account(account),
        "notes": Note.objects.for_account(account).filter(contact=contact).select_related("author__user"),
        "active_reminders": [reminder for reminder in reminders if reminder.due_at > now],
        "expired_reminders": [reminder for reminder in reminders if reminder.due_at <= now],
        "scheduled": ScheduledMessage.objects.for_account(account)
        .filter(conversation=conversation)
        .exclude(status=ScheduledStatus.CANCELLED)
        .select_related("author__user")
        .order_by("-status", "send_at")[:20],
        "members": assignment.candidates(account),
        "may_reassign": member.role_enum.at_least(Role.SUPERVISOR)
        or conversation.assignee_id in (None, member.id),
        "is_supervisor": member.role_enum.at_least(Role.SUPERVISOR),
        "start_url": _start_url(request, contact.id) if contact.registered else "",
        "tag_form": TagForm(),
        "note_form": NoteForm(),
        "reminder_form": ReminderForm(),
        "schedule_form": ScheduleForm(quick_replies=QuickReply.objects.for_account(account)),
        "errors": errors or {},
    }
    status = 400 if errors and not request.htmx else 200  # type: ignore[attr-defined]  # django-htmx
    return render(request, "inbox/panel/panel.html", context, status=status)


def _start_url(request: AccountRequest, contact_id: int) -> str:
    """H1's "start a conversation" page, when the inbox provides one."""
    try:
        return reverse("inbox_start", kwargs={"account_slug": request.account.slug, "contact_id": contact_id})
    except NoReverseMatch:
        return ""


@require_POST
@require_role(Role.OPERATOR)
def assign(request: AccountRequest, account_slug: str, number: int) -> HttpResponse:
    conversation = visible_conversation(request, number)
    raw = request.POST.get("assignee", "")
    if not raw:
        return _panel(request, conversation, errors={"assign": [_("Choose who handles the chat.")]})
    try:
        to = None if raw == "none" else get_member(request.account, int(raw))
        assignment.assign(conversation, to, by=request.membership)
    except (ValueError, Http404):
        return _panel(request, conversation, errors={"assign": [_("Choose someone of this account.")]})
    except assignment.AssignmentError as error:
        return _refused(request, conversation, "assign", error)
    return _to_panel(request, conversation)


Action = Callable[[Conversation, dict[str, Any]], object]


def _act(
    request: AccountRequest, number: int, section: str, form: forms.Form | None, action: Action
) -> HttpResponse:
    """The shape of every panel action: the chat, the posted form, one service call, the panel."""
    conversation = visible_conversation(request, number)
    if form is not None and not form.is_valid():
        return _panel(request, conversation, errors={section: _form_errors(form)})
    try:
        action(conversation, form.cleaned_data if form is not None else {})
    except (ValidationError, PermissionDenied) as error:
        return _refused(request, conversation, section, error)
    return _to_panel(request, conversation)


@require_POST
@require_role(Role.OPERATOR)
def tag_add(request: AccountRequest, account_slug: str, number: int) -> HttpResponse:
    def add(conversation: Conversation, data: dict[str, Any]) -> None:
        tag = tag_service.get_or_create_tag(request.account, data["name"], data["color"])
        if data["on"] == "contact":
            teamwork.tag_contact(conversation.contact, tag, by=request.membership)
        else:
            teamwork.tag_conversation(conversation, tag, by=request.membership)

    return _act(request, number, "tags", TagForm(request.POST), add)


@require_POST
@require_role(Role.OPERATOR)
def tag_remove(request: AccountRequest, account_slug: str, number: int, tag_id: int) -> HttpResponse:
    tag = _owned(Tag.objects.for_account(request.account).filter(id=tag_id))

    def remove(conversation: Conversation, data: dict[str, Any]) -> None:
        if request.POST.get("on") == "contact":
            teamwork.untag_contact(conversation.contact, tag, by=request.membership)
        else:
            teamwork.untag_conversation(conversation, tag, by=request.membership)

    return _act(request, number, "tags", None, remove)


@require_POST
@require_role(Role.OPERATOR)
def note_add(request: AccountRequest, account_slug: str, number: int) -> HttpResponse:
    def add(conversation: Conversation, data: dict[str, Any]) -> None:
        teamwork.add_note(conversation.contact, data["text"], author=request.membership)

    return _act(request, number, "notes", NoteForm(request.POST), add)


@require_POST
@require_role(Role.OPERATOR)
def note_delete(request: AccountRequest, account_slug: str, number: int, note_id: int) -> HttpResponse:
    def delete(conversation: Conversation, data: dict[str, Any]) -> None:
        notes = Note.objects.for_account(request.account).filter(id=note_id, contact=conversation.contact)
        teamwork.delete_note(_owned(notes), by=request.membership)

    return _act(request, number, "notes", None, delete)


@require_POST
@require_role(Role.OPERATOR)
def reminder_add(request: AccountRequest, account_slug: str, number: int) -> HttpResponse:
    def add(conversation: Conversation, data: dict[str, Any]) -> None:
        teamwork.add_reminder(conversation.contact, data["due_at"], data["text"], owner=request.membership)

    return _act(request, number, "reminders", ReminderForm(request.POST), add)


@require_POST
@require_role(Role.OPERATOR)
def schedule(request: AccountRequest, account_slug: str, number: int) -> HttpResponse:
    """Schedule a message in the chat (the panel's form and the composer's "send later")."""

    def add(conversation: Conversation, data: dict[str, Any]) -> None:
        quick_reply = data["quick_reply"]
        text = data["text"] or render_quick_reply(quick_reply.text, conversation.contact, request.membership)
        scheduling.schedule_message(conversation, text, data["send_at"], author=request.membership)

    form = ScheduleForm(request.POST, quick_replies=QuickReply.objects.for_account(request.account))
    return _act(request, number, "scheduled", form, add)


@require_POST
@require_role(Role.OPERATOR)
def scheduled_cancel(
    request: AccountRequest, account_slug: str, number: int, scheduled_id: int
) -> HttpResponse:
    def cancel(conversation: Conversation, data: dict[str, Any]) -> None:
        found = ScheduledMessage.objects.for_account(request.account).filter(
            id=scheduled_id, conversation=conversation
        )
        scheduling.cancel_scheduled(_owned(found), by=request.membership)

    return _act(request, number, "scheduled", None, cancel)


def _owned(rows: QuerySet[M]) -> M:
    """The one row the account's lookup found: missing and foreign are the same 404."""
    found = rows.first()
    if found is None:
        raise Http404
    return found
