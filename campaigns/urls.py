"""Campaign pages, under /a/<slug>/campaigns/ (supervisors and admins)."""

from django.urls import include, path

from campaigns import preview_views, settings_views, views

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("new/", views.new, name="campaigns_new"),
    path("new/fields/", views.fields, name="campaigns_fields"),
    path("<int:campaign_id>/edit/", views.edit, name="campaigns_edit"),
    path("<int:campaign_id>/delete/", views.delete, name="campaigns_delete"),
    path("<int:campaign_id>/duplicate/", views.duplicate, name="campaigns_duplicate"),
    path("<int:campaign_id>/preview/", preview_views.preview, name="campaigns_preview"),
    path("<int:campaign_id>/start/", preview_views.start, name="campaigns_start"),
    path("<int:campaign_id>/pause/", preview_views.pause, name="campaigns_pause"),
    path("<int:campaign_id>/resume/", preview_views.resume, name="campaigns_resume"),
    path("<int:campaign_id>/cancel/", preview_views.cancel, name="campaigns_cancel"),
    path("settings/limits/", settings_views.throttle, name="campaigns_throttle"),
    path("settings/opt-out/", settings_views.opt_out, name="campaigns_opt_out"),
    path("", include("campaigns.progress_urls")),
]
