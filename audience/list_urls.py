"""Routes of the audience's list part (joined in audience/urls.py): the contacts page, bulk
actions, erasure and segments."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from audience import list_views, segment_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("contacts/", list_views.contacts, name="contacts"),
    path("contacts/bulk/", list_views.contact_bulk, name="contact_bulk"),
    path("contacts/<int:contact_id>/delete/", list_views.contact_delete, name="contact_delete"),
    path("contacts/segments/", segment_views.segments, name="segments"),
    path("contacts/segments/count/", segment_views.segment_count, name="segment_count"),
    path("contacts/segments/<int:segment_id>/", segment_views.segment_edit, name="segment_edit"),
    path("contacts/segments/<int:segment_id>/delete/", segment_views.segment_delete, name="segment_delete"),
]
