"""The audience's routes, under /a/<account_slug>/ (contacts, segments, imports, exports, fields).
Each part keeps its own list; this joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
