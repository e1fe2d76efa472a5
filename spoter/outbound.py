"""Outbound HTTP to addresses people type (bots' HTTP steps, a Twilio-compatible provider).

Only http and https, and in production never a private, loopback or link-local address (SSRF);
``BOT_HTTP_ALLOW_PRIVATE`` or DEBUG lifts the address check, for tests and development.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeURLError(ValueError):
    """The URL may not be called; the message says why."""


def public_host(url: str) -> str:
    """The URL's host; UnsafeURLError when it is not http(s) or, in production, points inside."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURLError("only http and https URLs")
    if settings.DEBUG or getattr(settings, "BOT_HTTP_ALLOW_PRIVATE", False):
        return parts.hostname
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or None)}
    except OSError as error:
        raise UnsafeURLError(f"cannot resolve {parts.hostname}") from error
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise UnsafeURLError(f"{parts.hostname} is a private address")
    return parts.hostname
