"""Settings: the account's quick replies (INB-5), kept by supervisors and admins; operators use
them in the composer by typing /shortcut."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inbox.models import QuickReply
from inbox.panel_forms import QuickReplyForm
from inbox.quick_replies import ShortcutTakenError, delete_quick_reply, save_quick_reply
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


def _get(request: AccountRequest, quick_reply_id: int) -> QuickReply:
    found = QuickReply.objects.for_account(request.account).filter(id=quick_reply_id).first()
    if found is None:
        raise Http404
    return found


@require_role(Role.SUPERVISOR)
def quick_replies(request: AccountRequest, account_slug: str) -> HttpResponse:
    return render(
        request,
        "inbox/setup/quick_replies.html",
        {"quick_replies": QuickReply.objects.for_account(request.account).order_by("shortcut")},
    )


@require_role(Role.SUPERVISOR)
def quick_reply_create(request: AccountRequest, account_slug: str) -> HttpResponse:
    return _edit(request, QuickReply(account=request.account))


@require_role(Role.SUPERVISOR)
def quick_reply_edit(request: AccountRequest, account_slug: str, quick_reply_id: int) -> HttpResponse:
    return _edit(request, _get(request, quick_reply_id))


def _edit(request: AccountRequest, quick_reply: QuickReply) -> HttpResponse:
    form = QuickReplyForm(request.POST if request.method == "POST" else None, instance=quick_reply)
    if form.is_valid():
        try:
            saved = save_quick_reply(
                quick_reply,
                shortcut=form.cleaned_data["shortcut"],
                text=form.cleaned_data["text"],
                by=request.membership,
            )
        except ShortcutTakenError:  # the same shortcut saved by someone else a moment ago
            form.add_error("shortcut", _("Another quick reply already uses this shortcut."))
        else:
            messages.success(request, _("Quick reply /%(shortcut)s saved.") % {"shortcut": saved.shortcut})
            return redirect("settings_quick_replies", account_slug=request.account.slug)
    return render(
        request,
        "inbox/setup/quick_reply_form.html",
        {"form": form, "quick_reply": quick_reply},
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(Role.SUPERVISOR)
def quick_reply_delete(request: AccountRequest, account_slug: str, quick_reply_id: int) -> HttpResponse:
    quick_reply = _get(request, quick_reply_id)
    delete_quick_reply(quick_reply, by=request.membership)
    messages.success(request, _("Quick reply /%(shortcut)s deleted.") % {"shortcut": quick_reply.shortcut})
    return redirect("settings_quick_replies", account_slug=account_slug)
