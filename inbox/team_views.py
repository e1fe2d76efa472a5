"""Team pages around the inbox: an operator's reminders (INB-9), transferring every chat of one
operator to another and each line's round robin (INB-6, supervisors)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inbox import assignment, teamwork
from inbox.access import get_line
from inbox.models import Conversation, ConversationStatus, Reminder, RoundRobin
from inbox.panel_forms import RoundRobinForm, TransferForm
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Membership, Role


@require_role(Role.OPERATOR)
def reminders(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The member's own reminders: due ones first (unread on top), then the coming ones."""
    now = timezone.now()
    mine = list(teamwork.reminders_of(request.membership).order_by("due_at"))
    numbers = _latest_conversations(request, {reminder.contact_id for reminder in mine})
    expired = sorted(
        (reminder for reminder in mine if reminder.due_at <= now),
        key=lambda reminder: (reminder.read_at is not None, -reminder.due_at.timestamp()),
    )
    context = {
        "active": [
            (reminder, numbers.get(reminder.contact_id)) for reminder in mine if reminder.due_at > now
        ],
        "expired": [(reminder, numbers.get(reminder.contact_id)) for reminder in expired],
    }
    return render(request, "inbox/panel/reminders.html", context)


def _latest_conversations(request: AccountRequest, contact_ids: set[int]) -> dict[int, int]:
    """Contact id -> the number of their latest conversation, to link each reminder to a chat."""
    rows = (
        Conversation.objects.for_account(request.account)
        .filter(contact_id__in=contact_ids)
        .order_by("contact_id", "last_message_at")
        .values_list("contact_id", "number")
    )
    return dict(rows)  # the latest wins: rows come oldest first per contact


def _reminder(request: AccountRequest) -> Reminder | None:
    """The posted reminder if it is the member's own; another member's is a 404 like a missing one."""
    raw = request.POST.get("reminder", "")
    if not raw.isdigit():
        return None
    reminder = teamwork.reminders_of(request.membership).filter(id=int(raw)).first()
    if reminder is None:
        raise Http404
    return reminder


def _back(request: AccountRequest) -> HttpResponseRedirect:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return HttpResponseRedirect(next_url)
    return redirect("inbox_reminders", account_slug=request.account.slug)


@require_POST
@require_role(Role.OPERATOR)
def reminder_read(request: AccountRequest, account_slug: str) -> HttpResponse:
    return _on_reminder(request, teamwork.mark_reminder_read)


@require_POST
@require_role(Role.OPERATOR)
def reminder_delete(request: AccountRequest, account_slug: str) -> HttpResponse:
    return _on_reminder(request, teamwork.delete_reminder)


def _on_reminder(request: AccountRequest, action: Callable[..., None]) -> HttpResponse:
    reminder = _reminder(request)
    if reminder is None:
        return HttpResponseBadRequest(_("Choose a reminder."))
    action(reminder, by=request.membership)
    return _back(request)


@require_role(Role.SUPERVISOR)
def transfer(request: AccountRequest, account_slug: str) -> HttpResponse:
    members = Membership.objects.for_account(request.account).select_related("user").order_by("user__email")
    form = TransferForm(request.POST if request.method == "POST" else None, members=members)
    if form.is_valid():
        source, target = form.cleaned_data["from_member"], form.cleaned_data["to_member"]
        try:
            moved = assignment.transfer_all(source, target, by=request.membership)
        except assignment.AssignmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(count)d chats moved from %(from)s to %(to)s.")
                % {"count": moved, "from": source.user, "to": target.user},
            )
            return redirect("inbox_transfer", account_slug=account_slug)
    counts = dict(
        Conversation.objects.for_account(request.account)
        .filter(status__in=[ConversationStatus.OPEN, ConversationStatus.PENDING], assignee__isnull=False)
        .order_by()
        .values_list("assignee_id")
        .annotate(count=Count("id"))
    )
    rows = [(member, counts.get(member.id, 0)) for member in members]
    return render(
        request, "inbox/panel/transfer.html", {"form": form, "rows": rows}, status=400 if form.errors else 200
    )


@require_role(Role.SUPERVISOR)
def line_assignment(request: AccountRequest, account_slug: str, line_id: int) -> HttpResponse:
    line = get_line(request.account, line_id)
    robin = RoundRobin.objects.for_account(request.account).filter(line=line).first()
    members = (
        Membership.objects.for_account(request.account).filter(is_active=True).select_related("user")
    ).order_by("user__email")
    initial = (
        {"enabled": robin.enabled, "members": list(robin.members.for_account(request.account))}
        if robin
        else {}
    )
    form = RoundRobinForm(
        request.POST if request.method == "POST" else None, members=members, initial=initial
    )
    if form.is_valid():
        assignment.configure_round_robin(
            line,
            list(form.cleaned_data["members"]),
            enabled=form.cleaned_data["enabled"],
            by=request.membership,
        )
        messages.success(request, _("Assignment of %(line)s saved.") % {"line": line.name})
        return redirect("settings_line_assignment", account_slug=account_slug, line_id=line.id)
    context = {"line": line, "form": form, "robin": robin}
    return render(request, "inbox/setup/line_assignment.html", context, status=400 if form.errors else 200)
