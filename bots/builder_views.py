"""The bot builder's pages (BOT-6), for supervisors: the list of bots, a bot's settings and tree
editor with its warnings and test console, its analytics, and deleting it. Editing actions post
small forms; with htmx they answer the re-rendered tree, without it a redirect."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audience.models import Tag
from bots import builder, builder_http, console, definition, menus
from bots.engine import DEFAULT_INVALID_CLOSE
from bots.models import Bot
from bots.stats import bot_stats
from bots.warnings import warnings
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Membership, Role

CONSOLE_KEY = "bot_console:{}"
HTTP_FIELDS = [field.name for field in fields(builder_http.HttpFields)]


class BotForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Identifier"), max_length=80)
    error_message = forms.CharField(
        label=gettext_lazy("Error message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    back_command = forms.CharField(label=gettext_lazy("Back command"), max_length=30, required=False)
    back_message = forms.CharField(
        label=gettext_lazy("Back message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    invalid_close_message = forms.CharField(
        label=gettext_lazy("Closing message after three invalid answers"),
        required=False,
        initial=DEFAULT_INVALID_CLOSE,  # the words the Pip! guide promises; empty keeps them too
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def settings(self) -> builder.BotSettings:
        return builder.BotSettings(**self.cleaned_data)


def get_bot(request: AccountRequest, bot_id: int) -> Bot:
    bot = Bot.objects.for_account(request.account).filter(id=bot_id).first()
    if bot is None:
        raise Http404
    return bot


@require_role(Role.SUPERVISOR)
def bots(request: AccountRequest, account_slug: str) -> HttpResponse:
    form = BotForm(request.POST if request.method == "POST" else None, initial={"back_command": "volver"})
    if form.is_valid():
        try:
            bot = builder.create_bot(request.account, form.settings())
        except builder.BuilderError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Bot %(name)s created.") % {"name": bot.name})
            return redirect("bots_edit", account_slug=account_slug, bot_id=bot.id)
    return render(
        request,
        "bots/list.html",
        {"bots": Bot.objects.for_account(request.account).order_by("name"), "form": form},
        status=400 if form.errors else 200,
    )


@require_role(Role.SUPERVISOR)
def bot_edit(request: AccountRequest, account_slug: str, bot_id: int) -> HttpResponse:
    bot = get_bot(request, bot_id)
    initial = {field: getattr(bot, field) for field in BotForm.base_fields}
    form = BotForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            builder.save_settings(bot, form.settings())
        except builder.BuilderError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Bot %(name)s saved.") % {"name": bot.name})
            return redirect("bots_edit", account_slug=account_slug, bot_id=bot.id)
        bot.refresh_from_db()
    context = {"bot": bot, "form": form, **tree_context(request, bot), **console_context(request, bot)}
    return render(request, "bots/edit.html", context, status=400 if form.errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def bot_tree(request: AccountRequest, account_slug: str, bot_id: int) -> HttpResponse:
    bot = get_bot(request, bot_id)
    data = request.POST
    op, node = data.get("op", ""), data.get("node", "")
    values: dict[str, Any] = {
        "label": data.get("label", ""),
        "question": data.get("question", ""),
        "text": data.get("text", ""),
    }
    error = ""
    try:
        if op == "set_option":
            values["fields"] = builder.OptionFields(
                label=data.get("label", ""),
                tags=_ids(data.getlist("tags")),
                assign=_ids(data.getlist("assign")),
                closing=data.get("closing", ""),
            )
        elif op == "set_http":
            values["fields"] = builder_http.HttpFields(**{name: data.get(name, "") for name in HTTP_FIELDS})
        builder.edit_tree(bot, op, node, **values)
    except builder.BuilderError as refused:
        error = str(refused)
    if request.headers.get("HX-Request"):
        context: dict[str, Any] = {"bot": bot, "error": error, "focus": node, "http_open": op == "set_http"}
        context.update(tree_context(request, bot))
        if error and op == "set_http":
            _keep_draft(context["tree"], node, {name: data.get(name, "") for name in HTTP_FIELDS})
        return render(request, "bots/_tree.html", context)
    if error:
        messages.error(request, error)
    return redirect("bots_edit", account_slug=account_slug, bot_id=bot.id)


@require_role(Role.SUPERVISOR)
def bot_console(request: AccountRequest, account_slug: str, bot_id: int) -> HttpResponse:
    bot = get_bot(request, bot_id)
    key = CONSOLE_KEY.format(bot.id)
    if request.method == "POST":
        transcript = request.session.get(key)
        try:
            if request.POST.get("reset") or not transcript:
                transcript = console.begin(bot)
            else:
                transcript = console.answer(
                    bot,
                    transcript,
                    text=request.POST.get("text", "")[:1000],
                    reply_id=request.POST.get("reply", ""),
                )
        except definition.DefinitionError as damaged:
            return HttpResponse(
                _("This bot's questions cannot be read: %(detail)s") % {"detail": damaged}, status=400
            )
        request.session[key] = transcript
        if not request.headers.get("HX-Request"):
            return redirect("bots_console", account_slug=account_slug, bot_id=bot.id)
    context = {"bot": bot, **console_context(request, bot)}
    template = "bots/_console.html" if request.headers.get("HX-Request") else "bots/console.html"
    return render(request, template, context)


@require_role(Role.SUPERVISOR)
def bot_stats_page(request: AccountRequest, account_slug: str, bot_id: int) -> HttpResponse:
    bot = get_bot(request, bot_id)
    days = {"7": 7, "30": 30, "90": 90}.get(request.GET.get("days", ""), 30)
    return render(request, "bots/stats.html", {"bot": bot, "stats": bot_stats(bot, days)})


@require_POST
@require_role(Role.SUPERVISOR)
def bot_delete(request: AccountRequest, account_slug: str, bot_id: int) -> HttpResponse:
    bot = get_bot(request, bot_id)
    builder.delete_bot(bot)
    request.session.pop(CONSOLE_KEY.format(bot_id), None)
    messages.success(request, _("Bot %(name)s deleted.") % {"name": bot.name})
    return redirect("bots", account_slug=account_slug)


# --- Context ------------------------------------------------------------------------------------


def _unreadable(damaged: definition.DefinitionError) -> str:
    return _("This bot's questions cannot be read: %(detail)s") % {"detail": damaged}


def tree_context(request: AccountRequest, bot: Bot) -> dict[str, Any]:
    try:
        tree = definition.parse(bot.tree)
    except definition.DefinitionError as damaged:  # edited outside the builder: say so, no 500
        return {
            "tree": None,
            "error": _("This bot's questions cannot be read: %(detail)s") % {"detail": damaged},
        }
    tags = list(Tag.objects.for_account(request.account).order_by("name"))
    members = list(
        Membership.objects.for_account(request.account)
        .filter(is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    names = {
        "tags": {tag.id: tag.name for tag in tags},
        "members": {member.id: member.user.email for member in members},
    }
    return {
        "tree": _level_view(tree, names, depth=1),
        "warnings": warnings(tree),
        "tags": tags,
        "members": members,
    }


def console_context(request: AccountRequest, bot: Bot) -> dict[str, Any]:
    transcript = request.session.get(CONSOLE_KEY.format(bot.id)) or {"state": {}, "lines": []}
    return {"lines": transcript["lines"], "console_done": console.finished(transcript)}


def _level_view(level: definition.Level, names: dict[str, dict[int, str]], depth: int) -> dict[str, Any]:
    return {
        "level": level,
        "depth": depth,
        "kind": menus.kind(level),
        "preview": menus.numbered(level),
        "options": [
            {
                "option": option,
                "first": index == 0,
                "last": index == len(level.options) - 1,
                "tag_names": [names["tags"].get(tag, "?") for tag in option.tags],
                "member_names": [names["members"].get(member, "?") for member in option.assign],
                "child": _level_view(option.level, names, depth + 1) if option.level else None,
                "http": _http_view(option.http),
            }
            for index, option in enumerate(level.options)
        ],
    }


def _http_view(step: definition.HttpStep | None) -> dict[str, Any]:
    """The HTTP step form's values as text: the stored step, or an empty GET to fill in."""
    shown = step or definition.HttpStep()
    values = {field.name: getattr(shown, field.name) for field in fields(definition.HttpStep)}
    values.update(
        headers=builder_http.headers_text(shown),
        pick=builder_http.pick_text(shown),
        timeout=f"{shown.timeout:g}",
    )
    return {
        "values": values,
        "host": builder_http.host(step) if step else "",
        "methods": builder_http.METHODS,
    }


def _keep_draft(view: dict[str, Any] | None, node: str, draft: dict[str, str]) -> None:
    """A refused HTTP step form shows what was typed, not the stored step."""
    for item in view["options"] if view else []:
        if item["option"].id == node:
            item["http"]["values"] = draft
        _keep_draft(item["child"], node, draft)


def _ids(values: list[str]) -> tuple[int, ...]:
    try:
        return tuple(int(value) for value in values if value)
    except ValueError:
        raise builder.BuilderError(_("Choose from the lists.")) from None
