"""WhatsApp's text formatting (*bold*, _italic_, ~strike~, ```monospace```, `code`) as safe HTML.

The text is escaped first, so nothing a customer or an operator types can become markup; only the
tags added here are HTML.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A marker hugs its text (no space inside) and does not sit inside a word, as on the phone.
_RULES = [
    (re.compile(r"```(.+?)```", re.DOTALL), r"<code>\1</code>"),
    (re.compile(r"`([^`\n]+)`"), r"<code>\1</code>"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"<em>\1</em>"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), r"<del>\1</del>"),
]


def whatsapp_html(text: str) -> SafeString:
    html = str(escape(text))
    for pattern, replacement in _RULES:
        html = pattern.sub(replacement, html)
    return mark_safe(html.replace("\n", "<br>"))  # noqa: S308 -- escaped above; only our tags added
