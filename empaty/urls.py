"""EMPATY's pages, under /a/<slug>/empaty/."""

from django.urls import include, path

urlpatterns = [
    path("", include("empaty.analysis_urls")),
    path("", include("empaty.profile_urls")),
    path("", include("empaty.interest_urls")),
    path("", include("empaty.dashboard_urls")),
]
