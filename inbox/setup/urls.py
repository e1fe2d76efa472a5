from django.urls import URLPattern, URLResolver, path

from inbox.setup import api_keys, template_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("lines/", views.lines, name="settings_lines"),
    path("lines/new/", views.line_create, name="settings_line_create"),
    path("lines/<int:line_id>/", views.line_edit, name="settings_line"),
    path("lines/<int:line_id>/active/", views.line_set_active, name="settings_line_active"),
    path("lines/<int:line_id>/verify-token/", views.line_verify_token, name="settings_line_verify_token"),
    path("lines/<int:line_id>/entry-point/", views.line_entry_point, name="settings_line_entry_point"),
    path("lines/<int:line_id>/qr.png", views.line_qr, {"kind": "png"}, name="settings_line_qr_png"),
    path("lines/<int:line_id>/qr.svg", views.line_qr, {"kind": "svg"}, name="settings_line_qr_svg"),
    path("templates/", template_views.templates, name="settings_templates"),
    path("templates/new/", template_views.template_create, name="settings_template_create"),
    path("templates/sync/<int:line_id>/", template_views.templates_sync, name="settings_templates_sync"),
    path("api-keys/", api_keys.api_keys, name="settings_api_keys"),
    path("api-keys/<int:key_id>/revoke/", api_keys.api_key_revoke, name="settings_api_key_revoke"),
]
