"""Routes of the audience's contact part (joined in audience/urls.py): the contact page, create
and edit, opt-out, block, the data download (AUD-4 access), and the custom fields settings."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from audience import contact_views, field_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("contacts/new/", contact_views.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/", contact_views.contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", contact_views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/opt-out/", contact_views.contact_opt_out, name="contact_opt_out"),
    path("contacts/<int:contact_id>/block/", contact_views.contact_block, name="contact_block"),
    path("contacts/<int:contact_id>/data.json", contact_views.contact_data, name="contact_data"),
    path("settings/fields/", field_views.fields, name="settings_fields"),
    path("settings/fields/<int:field_id>/", field_views.field_edit, name="settings_field"),
    path("settings/fields/<int:field_id>/delete/", field_views.field_delete, name="settings_field_delete"),
]
