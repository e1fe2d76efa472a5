from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from inbox.formatting import whatsapp_html

register = template.Library()


@register.filter
def whatsapp(text: str) -> SafeString:
    """A message's text with WhatsApp's formatting, escaped: ``{{ message.text|whatsapp }}``."""
    return whatsapp_html(text)
