"""EMPATY's analysis in the chat and on the contact (EMP-1), under /a/<slug>/empaty/."""

from django.urls import URLPattern, path

from empaty import analysis_views

urlpatterns: list[URLPattern] = [
    path(
        "c/<int:number>/m/<int:message_id>/badge/",
        analysis_views.badge,
        name="empaty_analysis_badge",
    ),
    path(
        "c/<int:number>/m/<int:message_id>/correct/",
        analysis_views.correction,
        name="empaty_analysis_correct",
    ),
    path(
        "contacts/<int:contact_id>/sentiment/",
        analysis_views.contact_card,
        name="empaty_analysis_contact",
    ),
]
