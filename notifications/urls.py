"""Notification routes, under /a/<account_slug>/: the campaigns' recurring notifications (CAM-5)
and the account's notification channels in Settings (LIN-7)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from notifications import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("campaigns/notifications/", views.notifications, name="campaigns_notifications"),
    path("campaigns/notifications/new/", views.notification_new, name="campaigns_notification_new"),
    path(
        "campaigns/notifications/<int:notification_id>/",
        views.notification_edit,
        name="campaigns_notification_edit",
    ),
    path(
        "campaigns/notifications/<int:notification_id>/delete/",
        views.notification_delete,
        name="campaigns_notification_delete",
    ),
    path(
        "campaigns/notifications/<int:notification_id>/runs/",
        views.notification_runs,
        name="campaigns_notification_runs",
    ),
    path(
        "settings/notification-channels/",
        views.channel_settings,
        name="settings_notification_channels",
    ),
]
