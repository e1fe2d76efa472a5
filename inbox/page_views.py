"""The inbox page (INB-1, INB-4, INB-5, INB-11): thin views over listing, chat, compose, search.

Every view finds the conversation through the account and the member's visibility: another
account's number and a chat a private operator may not see answer the same 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url, replace_url, reswap, retarget
from django_htmx.middleware import HtmxDetails

from audience.models import Tag
from inbox import chat, listing, sending
from inbox.access import get_conversation
from inbox.compose import approved_templates, resend, template_content, template_form
from inbox.content import Text
from inbox.conversations import set_status
from inbox.media_rules import ALLOWED, MAX_FILES_PER_SEND, MAX_SIZE
from inbox.models import Conversation, ConversationStatus, Line, Message, Template
from inbox.quick_replies import matching, render_quick_reply, variables_for
from inbox.search import search
from inbox.send_errors import SendError
from inbox.upload import files_from
from inbox.visibility import can_see
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Membership, Role
from spoter.accounts.services import set_own_availability

TEXT_MAX = 4096


class InboxRequest(AccountRequest):
    htmx: HtmxDetails  # django-htmx's middleware sets it


def visible_conversation(request: InboxRequest, number: int) -> Conversation:
    conversation = get_conversation(request.account, number)
    if not can_see(request.membership, conversation):
        raise Http404
    conversation.account = request.account  # one account object: no query per access
    return conversation


@require_GET
@require_role(Role.OPERATOR)
def inbox(request: InboxRequest, account_slug: str, number: int | None = None) -> HttpResponse:
    """?message=<id>: the chat opens at that message (a search hit), not at its end."""
    conversation = visible_conversation(request, number) if number is not None else None
    at = request.GET.get("message", "")
    at_message = int(at) if at.isdigit() else None
    if conversation is not None and request.htmx and not request.htmx.boosted:
        response = render(request, "inbox/_chat.html", chat_context(request, conversation, at_message))
        return push_url(response, request.get_full_path())
    # The chat first: opening it reads it, and the list below shows it read.
    context: dict[str, Any] = (
        chat_context(request, conversation, at_message) if conversation is not None else {}
    )
    filters = listing.ListFilters.parse(request.GET, request.membership)
    context.update(
        page=listing.conversation_page(request.membership, filters),
        filters=filters,
        choices=filter_choices(request.membership),
    )
    return render(request, "inbox/page.html", context)


@require_GET
@require_role(Role.OPERATOR)
def conversation_list(request: InboxRequest, account_slug: str) -> HttpResponse:
    filters = listing.ListFilters.parse(request.GET, request.membership)
    cursor = request.GET.get("cursor", "")
    page = listing.conversation_page(request.membership, filters, cursor)
    response = render(request, "inbox/_list.html", {"page": page, "filters": filters})
    if request.htmx.trigger == "filters" and request.htmx.current_url_abs_path and not cursor:
        # The page's address keeps the filters, so a reload or a shared link shows the same list.
        path = request.htmx.current_url_abs_path.split("?")[0]
        response = replace_url(response, f"{path}?{filters.query()}" if filters.query() else path)
    return response


@require_GET
@require_role(Role.OPERATOR)
def list_item(request: InboxRequest, account_slug: str, number: int) -> HttpResponse:
    conversation = visible_conversation(request, number)
    item = listing.with_item_data(Conversation.objects.for_account(request.account), request.account).get(
        id=conversation.id
    )
    return render(request, "inbox/_list_item.html", {"conversation": item})


@require_GET
@require_role(Role.OPERATOR)
def messages(request: InboxRequest, account_slug: str, number: int) -> HttpResponse:
    """?after=<id>: newer messages (live client, resync), with the system lines newer than
    &events_after=<id> when given; ?before=<id>: an older page."""
    conversation = visible_conversation(request, number)
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    if before.isdigit():
        history = chat.history(conversation, before=int(before))
        return render(request, "inbox/_older.html", {"conversation": conversation, "history": history})
    newer = request.GET.get("newer", "")
    if newer.isdigit():  # the next page down in a chat opened at a message, with days and lines
        history = chat.history_after(conversation, int(newer))
        return render(request, "inbox/_newer.html", {"conversation": conversation, "history": history})
    after_id = int(after) if after.isdigit() else 0
    events_after = request.GET.get("events_after", "")
    if events_after.isdigit():
        entries = chat.entries_after(conversation, after_id, int(events_after))
    else:
        entries = chat.messages_after(conversation, after_id)
    return render(request, "inbox/_entries.html", {"conversation": conversation, "entries": entries})


@require_GET
@require_role(Role.OPERATOR)
def chat_head(request: InboxRequest, account_slug: str, number: int) -> HttpResponse:
    """The open chat's header (status, assignee, window, close / reopen), redrawn live."""
    found = visible_conversation(request, number)
    conversations = Conversation.objects.for_account(request.account)
    conversation = conversations.select_related("contact", "line", "assignee__user").get(id=found.id)
    context = {"conversation": conversation, "window": listing.window_state(conversation)}
    return render(request, "inbox/_chat_head.html", context)


@require_GET
@require_role(Role.OPERATOR)
def message(request: InboxRequest, account_slug: str, number: int, message_id: int) -> HttpResponse:
    conversation = visible_conversation(request, number)
    entry = chat.one_message(conversation, message_id)
    if entry is None:
        raise Http404
    return render(request, "inbox/_message.html", {"conversation": conversation, "bubble": entry.bubble})


@require_POST
@require_role(Role.OPERATOR)
def send(request: InboxRequest, account_slug: str, number: int) -> HttpResponse:
    """Text, or files with an optional caption; a refusal shows in the composer."""

    def send_text_or_files(conversation: Conversation) -> list[Message]:
        text = request.POST.get("text", "")
        uploads = files_from(request.FILES.getlist("files"), caption=text.strip())
        if uploads:
            return sending.send_files(conversation, uploads, sender=request.membership)
        return [sending.send(conversation, Text(text), sender=request.membership)]

    return send_and_show(request, number, send_text_or_files)


@require_POST
@require_role(Role.OPERATOR)
def send_template(request: InboxRequest, account_slug: str, number: int) -> HttpResponse:
    def send_filled_template(conversation: Conversation) -> list[Message]:
        template = _template(conversation.line, request.POST.get("template", ""))
        known = variables_for(conversation.contact, request.membership)
        content = template_content(template, request.POST, known)
        return [sending.send(conversation, content, sender=request.membership)]

    return send_and_show(request, number, send_filled_template)


@require_GET
@require_role(Role.OPERATOR)
def template_fields(request: InboxRequest, account_slug: str, number: int) -> HttpResponse:
    conversation = visible_conversation(request, number)
    try:
        template = _template(conversation.line, request.GET.get("template", ""))
    except SendError:
        return HttpResponse("")  # "Choose…" again: no fields
    known = variables_for(conversation.contact, request.membership)
    return render(request, "inbox/_template_form.html", {"form": template_form(template, known)})


@require_POST
@require_role(Role.OPERATOR)
def retry(request: InboxRequest, account_slug: str, number: int, message_id: int) -> HttpResponse:
    def send_again(conversation: Conversation) -> list[Message]:
        messages = Message.objects.for_account(request.account).filter(conversation=conversation)
        failed = messages.filter(id=message_id).first()
        if failed is None:
            raise Http404
        failed.conversation = conversation
        return [resend(failed, request.membership)]

    return send_and_show(request, number, send_again)


@require_POST
@require_role(Role.OPERATOR)
def change_status(request: InboxRequest, account_slug: str, number: int) -> HttpResponse:
    conversation = visible_conversation(request, number)
    status = request.POST.get("status", "")
    if status not in ConversationStatus.values:
        return HttpResponse(status=400)
    try:
        set_status(conversation, ConversationStatus(status), actor=request.membership)
    except ValueError:
        return send_error(request, SendError("already_open", _already_open_message(), conflict=True))
    return redirect("inbox_conversation", account_slug=account_slug, number=number)


@require_GET
@require_role(Role.OPERATOR)
def quick_replies(request: InboxRequest, account_slug: str, number: int) -> HttpResponse:
    conversation = visible_conversation(request, number)
    replies = [
        (reply, render_quick_reply(reply.text, conversation.contact, request.membership))
        for reply in matching(request.account, request.GET.get("q", "").lstrip("/"))
    ]
    return render(request, "inbox/_quick_replies.html", {"replies": replies})


@require_GET
@require_role(Role.OPERATOR)
def search_view(request: InboxRequest, account_slug: str) -> HttpResponse:
    results = search(request.membership, request.GET.get("q", ""))
    return render(request, "inbox/_search.html", {"results": results})


@require_POST
@require_role(Role.OPERATOR)
def availability(request: InboxRequest, account_slug: str) -> HttpResponse:
    """The inbox's toggle: I switch myself available (or not) for automatic assignment."""
    wanted = request.POST.get("available", "")
    if wanted not in {"0", "1"}:
        return HttpResponse(status=400)
    set_own_availability(request.membership, wanted == "1")
    if not request.htmx:
        return redirect("inbox", account_slug=account_slug)
    return render(request, "inbox/_availability.html")


def chat_context(
    request: InboxRequest, conversation: Conversation, at_message: int | None = None
) -> dict[str, Any]:
    """The chat at its end, or around ``at_message`` (404 when the chat has no such message)."""
    history = (
        chat.history(conversation) if at_message is None else chat.history_around(conversation, at_message)
    )
    if history is None:
        raise Http404
    chat.mark_read(conversation)
    item = listing.with_item_data(Conversation.objects.for_account(request.account), request.account).get(
        id=conversation.id
    )
    window = listing.window_state(item)
    return {
        "conversation": item,
        "history": history,
        "window": window,
        "templates": list(approved_templates(item.line)),
        "limits": {"allowed": {k: sorted(v) for k, v in ALLOWED.items()}, "max_size": MAX_SIZE},
        "max_files": MAX_FILES_PER_SEND,
        "text_max": TEXT_MAX,
        "panel_url": _url_if_exists("inbox_panel", request.account.slug, item.number),
        "schedule_url": _url_if_exists("inbox_schedule", request.account.slug, item.number),
    }


def filter_choices(membership: Membership) -> dict[str, Any]:
    account = membership.account
    supervisor = membership.role_enum.at_least(Role.SUPERVISOR)
    return {
        "lines": list(Line.objects.for_account(account).only("id", "name")),
        "tags": list(Tag.objects.for_account(account).only("id", "name", "color")),
        "operators": list(
            Membership.objects.for_account(account).filter(is_active=True).select_related("user")
        )
        if supervisor
        else [],
        "statuses": ConversationStatus.choices,
    }


def send_and_show(
    request: InboxRequest, number: int, send_in: Callable[[Conversation], list[Message]]
) -> HttpResponse:
    """Run one send in the chat: the new messages to append, or the refusal in the composer."""
    conversation = visible_conversation(request, number)
    try:
        sent = send_in(conversation)
    except SendError as error:
        return send_error(request, error)
    return sent_response(request, conversation, sent)


def sent_response(request: InboxRequest, conversation: Conversation, sent: list[Message]) -> HttpResponse:
    if not request.htmx:
        return redirect("inbox_conversation", account_slug=request.account.slug, number=conversation.number)
    entries = chat.messages_after(conversation, sent[0].id - 1)
    return render(request, "inbox/_sent.html", {"conversation": conversation, "entries": entries})


def send_error(request: InboxRequest, error: SendError) -> HttpResponse:
    response = render(
        request, "inbox/_send_error.html", {"error": error}, status=200 if request.htmx else 400
    )
    return reswap(retarget(response, "#composer-error"), "innerHTML")


def _template(line: Line, template_id: str) -> Template:
    """An approved template of the line; SendError when none was chosen, 404 when not found."""
    if not template_id.isdigit():
        raise SendError("template_required", _("Choose an approved template."))
    template = approved_templates(line).filter(id=int(template_id)).first()
    if template is None:
        raise Http404
    return template


def _already_open_message() -> str:
    return _("The contact has another open conversation on this line.")


def _url_if_exists(name: str, slug: str, number: int) -> str:
    """A URL another part of the inbox provides (the contact panel, scheduling), once it exists."""
    try:
        return reverse(name, kwargs={"account_slug": slug, "number": number})
    except NoReverseMatch:
        return ""
