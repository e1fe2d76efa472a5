"""Websocket routes (spoter/asgi.py mounts them behind the session and origin checks)."""

from __future__ import annotations

from django.urls import path

from inbox.consumers import InboxConsumer

websocket_urlpatterns = [
    path("ws/a/<slug:account_slug>/inbox/", InboxConsumer.as_asgi()),
]
