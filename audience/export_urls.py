"""Routes of the audience's export part (joined in audience/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from audience import export_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("contacts/exports/", export_views.export_list, name="contact_exports"),
    path("contacts/exports/new/", export_views.export_create, name="contact_export_create"),
    path("contacts/exports/<int:export_id>/", export_views.export_detail, name="contact_export"),
    path(
        "contacts/exports/<int:export_id>/download/",
        export_views.export_download,
        name="contact_export_download",
    ),
]
