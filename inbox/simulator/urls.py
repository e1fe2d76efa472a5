"""Mounted at /simulator/ when settings.SIMULATOR_ENABLED: the fake Graph API and the phone page."""

from django.urls import URLPattern, URLResolver, path

from inbox.simulator import graph, views

app_name = "simulator"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("chat/<int:customer_id>/", views.chat, name="chat"),
    path("chat/<int:customer_id>/thread/", views.thread, name="thread"),
    path("chat/<int:customer_id>/send/", views.send, name="send"),
    path("chat/<int:customer_id>/tap/<int:message_id>/", views.tap, name="tap"),
    path("chat/<int:customer_id>/media/<int:message_id>/", views.media, name="media"),
    path("graph/<str:version>/<str:node>/messages", graph.messages, name="graph_messages"),
    path("graph/<str:version>/<str:node>/media", graph.media_upload, name="graph_media"),
    path("graph/<str:version>/<str:node>/message_templates", graph.message_templates, name="graph_templates"),
    path("graph/<str:version>/<str:node>", graph.node, name="graph_node"),
    path("media/<str:media_id>/", graph.media_download, name="media_download"),
]
