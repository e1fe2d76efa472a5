"""Routes of the contact panel, the team pages and their settings (included under /a/<slug>/)."""

from django.urls import URLPattern, URLResolver, path

from inbox import panel_views, quick_reply_views, team_views

CHAT = "inbox/c/<int:number>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{CHAT}panel/", panel_views.panel, name="inbox_panel"),
    path(f"{CHAT}assign/", panel_views.assign, name="inbox_assign"),
    path(f"{CHAT}tags/", panel_views.tag_add, name="inbox_tag_add"),
    path(f"{CHAT}tags/<int:tag_id>/remove/", panel_views.tag_remove, name="inbox_tag_remove"),
    path(f"{CHAT}notes/", panel_views.note_add, name="inbox_note_add"),
    path(f"{CHAT}notes/<int:note_id>/delete/", panel_views.note_delete, name="inbox_note_delete"),
    path(f"{CHAT}reminders/", panel_views.reminder_add, name="inbox_reminder_add"),
    path(f"{CHAT}schedule/", panel_views.schedule, name="inbox_schedule"),
    path(
        f"{CHAT}scheduled/<int:scheduled_id>/cancel/",
        panel_views.scheduled_cancel,
        name="inbox_scheduled_cancel",
    ),
    path("inbox/reminders/", team_views.reminders, name="inbox_reminders"),
    # The reminder's id is posted: only its owner may act on it, whatever the role.
    path("inbox/reminders/read/", team_views.reminder_read, name="inbox_reminder_read"),
    path("inbox/reminders/delete/", team_views.reminder_delete, name="inbox_reminder_delete"),
    path("inbox/transfer/", team_views.transfer, name="inbox_transfer"),
    path(
        "settings/lines/<int:line_id>/assignment/",
        team_views.line_assignment,
        name="settings_line_assignment",
    ),
    path("settings/quick-replies/", quick_reply_views.quick_replies, name="settings_quick_replies"),
    path(
        "settings/quick-replies/new/",
        quick_reply_views.quick_reply_create,
        name="settings_quick_reply_create",
    ),
    path(
        "settings/quick-replies/<int:quick_reply_id>/",
        quick_reply_views.quick_reply_edit,
        name="settings_quick_reply",
    ),
    path(
        "settings/quick-replies/<int:quick_reply_id>/delete/",
        quick_reply_views.quick_reply_delete,
        name="settings_quick_reply_delete",
    ),
]
