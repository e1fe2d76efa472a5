"""The audience's routes, under /a/<account_slug>/ (contacts, segments, imports, exports, fields).
Each part keeps its own list; this joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from audience import contact_urls, export_urls, import_urls, list_urls

urlpatterns: list[URLPattern | URLResolver] = [
    *list_urls.urlpatterns,
    *contact_urls.urlpatterns,
    *import_urls.urlpatterns,
    *export_urls.urlpatterns,
]
