"""Bots and automatic messages (BOT-1..6): configuration, for supervisors."""

from django.urls import path

from bots import builder_views, rule_urls, settings_views

urlpatterns = [
    *rule_urls.urlpatterns,
    path("bots/", builder_views.bots, name="bots"),
    path("bots/schedule/", settings_views.schedule, name="bots_schedule"),
    path("bots/schedule/<int:schedule_id>/", settings_views.schedule_edit, name="bots_schedule_edit"),
    path(
        "bots/schedule/<int:schedule_id>/delete/", settings_views.schedule_delete, name="bots_schedule_delete"
    ),
    path("bots/auto-replies/", settings_views.auto_replies, name="bots_auto_replies"),
    path(
        "bots/auto-replies/<int:auto_reply_id>/", settings_views.auto_reply_edit, name="bots_auto_reply_edit"
    ),
    path(
        "bots/auto-replies/<int:auto_reply_id>/delete/",
        settings_views.auto_reply_delete,
        name="bots_auto_reply_delete",
    ),
    path("bots/<int:bot_id>/", builder_views.bot_edit, name="bots_edit"),
    path("bots/<int:bot_id>/tree/", builder_views.bot_tree, name="bots_tree"),
    path("bots/<int:bot_id>/console/", builder_views.bot_console, name="bots_console"),
    path("bots/<int:bot_id>/stats/", builder_views.bot_stats_page, name="bots_stats"),
    path("bots/<int:bot_id>/delete/", builder_views.bot_delete, name="bots_delete"),
]
