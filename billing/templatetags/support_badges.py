"""The help desk's deadline badge (BIL-5) on a conversation's list item and chat header:
``{% load support_badges %}{% support_badge conversation %}``. Only the help desk's account shows
it; there one query per request loads every open deadline, so a list of chats costs one query."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing import support
from billing.models import SupportDeadline
from inbox.models import Conversation

register = template.Library()

CACHE_ATTRIBUTE = "_support_deadlines"
# Further ahead than this, the day's name alone would be ambiguous: the date is shown too.
WEEK = timedelta(days=6)


@register.inclusion_tag("billing/_support_badge.html", takes_context=True)
def support_badge(context: dict[str, Any], conversation: Conversation) -> dict[str, Any]:
    request = context.get("request")
    account = getattr(request, "account", None)
    if account is None or not support.is_help_desk(account):
        return {"deadline": None}
    deadlines: dict[int, SupportDeadline] | None = getattr(request, CACHE_ATTRIBUTE, None)
    if deadlines is None:
        deadlines = support.open_deadlines(account)
        setattr(request, CACHE_ATTRIBUTE, deadlines)
    deadline = deadlines.get(conversation.id)
    if deadline is None:
        return {"deadline": None}
    now = timezone.now()
    due = timezone.localtime(deadline.due_at)
    when = date_format(due, "D H:i" if deadline.due_at - now < WEEK else "D j/n H:i")
    return {
        "deadline": deadline,
        "overdue": support.is_overdue(deadline, now),
        "label": _("%(plan)s · answer by %(when)s") % {"plan": deadline.plan_name, "when": when},
        "title": date_format(due, "DATETIME_FORMAT"),
    }
