"""/api/: the versioned REST API (the account comes from the API key), its schema and docs."""

from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from inbox.api import views
from inbox.api.base import not_found

v1 = [
    path("conversations/", views.ConversationList.as_view(), name="api_conversations"),
    path("conversations/<int:number>/", views.ConversationDetail.as_view(), name="api_conversation"),
    path(
        "conversations/<int:number>/messages/",
        views.ConversationMessages.as_view(),
        name="api_conversation_messages",
    ),
    path("messages/", views.MessageCreate.as_view(), name="api_messages"),
    path("media/<int:media_id>/", views.MediaDownload.as_view(), name="api_media"),
    path("contacts/", views.ContactList.as_view(), name="api_contacts"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", include(v1)),
    # Public: the schema describes the API, not any account's data.
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[]), name="api_schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api_schema", authentication_classes=[]),
        name="api_docs",
    ),
    re_path(r"^(?P<path>.*)$", not_found, name="api_not_found"),
]
