"""Provider kinds behind one interface (CONVENTIONS.md 2): a dict maps kind to class, lazily."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from inbox.providers.base import Provider, TransportError

if TYPE_CHECKING:
    from inbox.models import Line

__all__ = ["KINDS", "Provider", "TransportError", "get_provider"]

# kind -> "module:Class"; later issues add webchat, email, sms, gateway.
KINDS = {
    "whatsapp_cloud": "inbox.providers.whatsapp_cloud.transport:WhatsAppCloud",
    "sandbox": "inbox.providers.sandbox.transport:Sandbox",
}


def get_provider(line: Line) -> Provider:
    module, _, name = KINDS[line.provider].partition(":")
    provider: type[Provider] = getattr(import_module(module), name)
    return provider(line)
