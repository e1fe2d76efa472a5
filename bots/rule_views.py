"""Rules, follow-ups and HTTP-step secrets (BOT-4, BOT-5), for supervisors.

``read_rule`` checks a posted rule (every id must be the account's; the pattern must be safe) and
raises ValidationError with every problem, so nothing half-valid is saved.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_time
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audience.models import Contact, Tag
from bots.models import BotSecret, FollowUp, Rule
from bots.rules import validate_pattern
from bots.settings_views import _days
from inbox.models import QuickReply
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Account, Membership, Role

MAX_HOURS = 24 * 30


def _int(value: str) -> int | None:
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


def _ids(values: list[str], allowed: set[int], label: str, problems: list[str]) -> list[int]:
    try:
        ids = sorted({int(value) for value in values if value})
        if not all(re.fullmatch(r"[0-9]{1,9}", value) for value in values if value):
            raise ValueError(values)
    except ValueError:
        ids = [-1]
    if not set(ids) <= allowed:
        problems.append(_("Choose %(what)s from the list.") % {"what": label})
        return []
    return ids


def _time(value: str, problems: list[str]) -> time | None:
    if not value:
        return None
    try:
        parsed = parse_time(value) if len(value) <= 8 else None
    except ValueError:  # well formed but out of range, such as 25:00
        parsed = None
    if parsed is None:
        problems.append(_("Write hours as HH:MM."))
    return parsed


def read_rule(account: Account, post: QueryDict) -> dict[str, Any]:
    """The fields of a Rule from a posted form; ValidationError listing every problem."""
    problems: list[str] = []
    name = post.get("name", "").strip()
    if not name or len(name) > 80:
        problems.append(_("Give the rule a name of at most 80 characters."))
    pattern = post.get("pattern", "").strip()
    if pattern:
        try:
            validate_pattern(pattern)
        except ValidationError as error:
            problems += error.messages
    members = set(Membership.objects.for_account(account).filter(is_active=True).values_list("id", flat=True))
    tags = set(Tag.objects.for_account(account).values_list("id", flat=True))
    phones = [line.strip() for line in post.get("contacts", "").splitlines() if line.strip()]
    contact_ids = list(
        Contact.objects.for_account(account).filter(phone__in=phones).values_list("id", flat=True)
    )
    if len(contact_ids) != len(set(phones)):
        problems.append(_("Some phone numbers are not contacts of this account."))
    reply_id = post.get("reply", "")
    reply = QuickReply.objects.for_account(account).filter(id=_int(reply_id) or 0).first()
    if reply_id and reply is None:
        problems.append(_("Choose the reply from the list."))
    start, end = _time(post.get("start", ""), problems), _time(post.get("end", ""), problems)
    if (start is None) != (end is None):
        problems.append(_("Give both hours, or neither."))
    data: dict[str, Any] = {
        "name": name,
        "position": min(_int(post.get("position", "")) or 0, 9999),
        "is_active": bool(post.get("is_active")),
        "keywords": "\n".join(line.strip() for line in post.get("keywords", "").splitlines() if line.strip()),
        "pattern": pattern,
        "contact_ids": contact_ids,
        "tag_ids": _ids(post.getlist("tag_ids"), tags, _("the tags"), problems),
        "reply": reply,
        "add_tag_ids": _ids(post.getlist("add_tag_ids"), tags, _("the tags"), problems),
        "assign_ids": _ids(post.getlist("assign_ids"), members, _("the members"), problems),
        "notify_ids": _ids(post.getlist("notify_ids"), members, _("the members"), problems),
        "weekdays": _ids(post.getlist("weekdays"), set(range(7)), _("the days"), problems),
        "start": start,
        "end": end,
    }
    if not (reply or data["add_tag_ids"] or data["assign_ids"] or data["notify_ids"]):
        problems.append(_("Choose at least one action: reply, tag, assign or notify."))
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    return data


def _rule_context(account: Account) -> dict[str, Any]:
    return {
        "quick_replies": QuickReply.objects.for_account(account).order_by("shortcut"),
        "tags": Tag.objects.for_account(account).order_by("name"),
        "members": Membership.objects.for_account(account).filter(is_active=True).select_related("user"),
        "days": _days(),
    }


@require_role(Role.SUPERVISOR)
def rules(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    errors: list[str] = []
    if request.method == "POST":
        try:
            data = read_rule(account, request.POST)
        except ValidationError as error:
            errors = error.messages
        else:
            Rule.objects.for_account(account).create(account=account, **data)
            messages.success(request, _("Rule saved."))
            return redirect("bots_rules", account_slug=account_slug)
    context = {
        **_rule_context(account),
        "rules": Rule.objects.for_account(account).select_related("reply"),
        "errors": errors,
        "posted": request.POST,
        "rule": None,
    }
    return render(request, "bots/rules.html", context, status=400 if errors else 200)


def _rule(request: AccountRequest, rule_id: int) -> Rule:
    rule = Rule.objects.for_account(request.account).filter(id=rule_id).first()
    if rule is None:
        raise Http404
    return rule


@require_role(Role.SUPERVISOR)
def rule_edit(request: AccountRequest, account_slug: str, rule_id: int) -> HttpResponse:
    account = request.account
    rule = _rule(request, rule_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            data = read_rule(account, request.POST)
        except ValidationError as error:
            errors = error.messages
        else:
            for field, value in data.items():
                setattr(rule, field, value)
            rule.save(update_fields=list(data))
            messages.success(request, _("Rule saved."))
            return redirect("bots_rules", account_slug=account_slug)
    phones = (
        Contact.objects.for_account(account).filter(id__in=rule.contact_ids).values_list("phone", flat=True)
    )
    context = {**_rule_context(account), "rule": rule, "phones": "\n".join(phones), "errors": errors}
    return render(request, "bots/rule_edit.html", context, status=400 if errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def rule_delete(request: AccountRequest, account_slug: str, rule_id: int) -> HttpResponse:
    _rule(request, rule_id).delete()
    messages.success(request, _("Rule deleted."))
    return redirect("bots_rules", account_slug=account_slug)


@require_role(Role.SUPERVISOR)
def follow_ups(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    errors: list[str] = []
    if request.method == "POST":
        reply_id = request.POST.get("quick_reply", "")
        reply = QuickReply.objects.for_account(account).filter(id=_int(reply_id) or 0).first()
        notify = bool(request.POST.get("notify_assignee"))
        hours = _int(request.POST.get("hours", "")) or 0
        if not 1 <= hours <= MAX_HOURS:
            errors.append(_("Write a number of hours from 1 to %(max)d.") % {"max": MAX_HOURS})
        if reply_id and reply is None:
            errors.append(_("Choose the reply from the list."))
        if reply is None and not notify:
            errors.append(_("Choose a reply, notify the assigned operator, or both."))
        if not errors:
            FollowUp.objects.for_account(account).create(
                account=account, hours=hours, quick_reply=reply, notify_assignee=notify
            )
            messages.success(request, _("Follow-up saved."))
            return redirect("bots_follow_ups", account_slug=account_slug)
    context = {
        "follow_ups": FollowUp.objects.for_account(account).select_related("quick_reply").order_by("hours"),
        "quick_replies": QuickReply.objects.for_account(account).order_by("shortcut"),
        "errors": errors,
        "posted": request.POST,
    }
    return render(request, "bots/follow_ups.html", context, status=400 if errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def follow_up_delete(request: AccountRequest, account_slug: str, follow_up_id: int) -> HttpResponse:
    follow_ups = FollowUp.objects.for_account(request.account)
    return _delete(request, follow_ups, follow_up_id, _("Follow-up deleted."), "bots_follow_ups")


@require_role(Role.SUPERVISOR)
def secrets(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    errors: list[str] = []
    if request.method == "POST":
        secret = BotSecret(
            account=account, name=request.POST.get("name", "").strip(), value=request.POST.get("value", "")
        )
        try:
            secret.full_clean(exclude=["account"])
            if not secret.value.strip():
                raise ValidationError(_("Write the secret's value."))
            with transaction.atomic():
                secret.save()
        except ValidationError as error:
            errors = error.messages
        except IntegrityError:
            errors = [_("A secret with that name exists: delete it first to replace it.")]
        else:
            messages.success(
                request, _("Secret saved. Use it as {{secret.%(name)s}}.") % {"name": secret.name}
            )
            return redirect("bots_secrets", account_slug=account_slug)
    context = {
        "secrets": BotSecret.objects.for_account(account).order_by("name").only("id", "name", "created_at"),
        "errors": errors,
        "posted_name": request.POST.get("name", ""),
    }
    return render(request, "bots/secrets.html", context, status=400 if errors else 200)


@require_POST
@require_role(Role.SUPERVISOR)
def secret_delete(request: AccountRequest, account_slug: str, secret_id: int) -> HttpResponse:
    secrets = BotSecret.objects.for_account(request.account)
    return _delete(request, secrets, secret_id, _("Secret deleted."), "bots_secrets")


def _delete(
    request: AccountRequest, objects: QuerySet[Any], object_id: int, done: str, back: str
) -> HttpResponse:
    """Delete one of the account's ``objects`` (404 when it is not one) and go back to ``back``."""
    found = objects.filter(id=object_id).first()
    if found is None:
        raise Http404
    found.delete()
    messages.success(request, done)
    return redirect(back, account_slug=request.account.slug)
