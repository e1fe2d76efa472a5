"""EMPATY profile pages: the detected personal data of a contact (EMP-2)."""

from django.urls import path

from empaty import profile_views

urlpatterns = [
    path("contacts/<int:contact_id>/profile/", profile_views.contact_profile, name="empaty_profile"),
    path(
        "profile/suggestions/<int:suggestion_id>/",
        profile_views.decide,
        name="empaty_profile_decide",
    ),
]
