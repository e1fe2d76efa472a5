"""Routes of the audience's import part (joined in audience/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from audience import import_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("contacts/imports/", import_views.contact_imports, name="contact_imports"),
    path("contacts/imports/new/", import_views.contact_import_create, name="contact_import_create"),
    path("contacts/imports/<int:import_id>/", import_views.contact_import, name="contact_import"),
    path(
        "contacts/imports/<int:import_id>/progress/",
        import_views.contact_import_progress,
        name="contact_import_progress",
    ),
    path(
        "contacts/imports/<int:import_id>/errors.csv",
        import_views.contact_import_errors,
        name="contact_import_errors",
    ),
    path(
        "contacts/imports/<int:import_id>/resume/",
        import_views.contact_import_resume,
        name="contact_import_resume",
    ),
]
