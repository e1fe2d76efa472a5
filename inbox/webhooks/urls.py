from django.urls import URLPattern, URLResolver, path

from inbox.webhooks import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.platform_webhook, name="whatsapp_webhook"),
    path("<uuid:line_uuid>/", views.line_webhook, name="whatsapp_line_webhook"),
]
