"""The inbox page's routes, under /a/<account_slug>/inbox/."""

from __future__ import annotations

from django.urls import path

from inbox import page_views as views
from inbox import start_views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("list/", views.conversation_list, name="inbox_list"),
    path("list/item/<int:number>/", views.list_item, name="inbox_list_item"),
    path("search/", views.search_view, name="inbox_search"),
    path("availability/", views.availability, name="inbox_availability"),
    path("start/<int:contact_id>/", start_views.start, name="inbox_start"),
    path("c/<int:number>/", views.inbox, name="inbox_conversation"),
    path("c/<int:number>/head/", views.chat_head, name="inbox_chat_head"),
    path("c/<int:number>/messages/", views.messages, name="inbox_messages_after"),
    path("c/<int:number>/m/<int:message_id>/", views.message, name="inbox_message"),
    path("c/<int:number>/m/<int:message_id>/retry/", views.retry, name="inbox_retry"),
    path("c/<int:number>/send/", views.send, name="inbox_send"),
    path("c/<int:number>/template/", views.send_template, name="inbox_send_template"),
    path("c/<int:number>/template/fields/", views.template_fields, name="inbox_template_fields"),
    path("c/<int:number>/status/", views.change_status, name="inbox_status"),
    path("c/<int:number>/quick-replies/", views.quick_replies, name="inbox_quick_replies"),
]
