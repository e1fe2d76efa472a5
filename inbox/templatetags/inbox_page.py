from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from inbox import listing
from inbox.models import Conversation

register = template.Library()

# The picker's grid: what customer service writes most, no library needed.
EMOJIS = (
    *("😀", "😂", "😊", "😍", "😉", "😎", "🙂", "😅", "🤔", "😮", "😢", "😡", "🙏", "👍", "👎", "👌"),
    *("👏", "🙌", "💪", "🤝", "👋", "❤️", "🔥", "🎉", "✅", "❌", "⚠️", "📦", "🚚", "💳", "📅", "⏰"),
    *("📞", "📍", "🛒", "💬"),
)


@register.filter
def short_time(moment: datetime | None) -> str:
    """The time for today's activity, the date for older: as chat lists show it."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return date_format(local, "SHORT_DATE_FORMAT")


@register.filter
def window_state(conversation: Conversation) -> str:
    return listing.window_state(conversation)


@register.filter
def as_json(value: Any) -> str:
    """For data attributes (autoescaped by the template)."""
    return json.dumps(value, separators=(",", ":"))


@register.simple_tag
def common_emojis() -> list[str]:
    return list(EMOJIS)
