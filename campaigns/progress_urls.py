"""The progress and results pages of a started campaign."""

from django.urls import path

from campaigns import progress_views

urlpatterns = [
    path("<int:campaign_id>/", progress_views.progress_page, name="campaigns_progress"),
    path("<int:campaign_id>/live/", progress_views.progress_live, name="campaigns_progress_live"),
    path("<int:campaign_id>/results.csv", progress_views.results_csv, name="campaigns_results_export"),
]
