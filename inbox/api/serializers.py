"""What the API shows of conversations, messages and contacts. Read-only: sends are parsed in
inbox/api/compose.py and go through the send service."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audience.models import Contact
from inbox.models import Conversation, MediaFile, Message
from spoter.accounts.models import Membership


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """Every error of the API."""

    error = serializers.CharField(help_text="A stable code, e.g. window_closed, not_found, invalid.")
    detail = serializers.JSONField(help_text="A message for people, or the errors of each field.")


class ContactSerializer(serializers.ModelSerializer[Contact]):
    blocked = serializers.BooleanField(source="is_blocked")

    class Meta:
        model = Contact
        fields = (
            "id",
            "phone",
            "wa_id",
            "wa_user_id",
            "name",
            "profile_name",
            "registered",
            "blocked",
            "created_at",
            "last_seen_at",
        )
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer[Membership]):
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ("id", "email")
        read_only_fields = fields


class ConversationSerializer(serializers.ModelSerializer[Conversation]):
    """A conversation is known by its number in the account (#12), as people see it."""

    line = serializers.IntegerField(source="line_id")
    contact = ContactSerializer()
    assignee = MemberSerializer(allow_null=True)
    window_open = serializers.SerializerMethodField()
    window_expires_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Conversation
        fields = (
            "number",
            "status",
            "line",
            "contact",
            "assignee",
            "initiated_by",
            "window_open",
            "window_expires_at",
            "last_inbound_at",
            "last_message_at",
            "created_at",
            "updated_at",
            "closed_at",
        )
        read_only_fields = fields

    def get_window_open(self, conversation: Conversation) -> bool:
        """Whether free-form messages may be sent now (the 24-hour customer-service window)."""
        return conversation.window_open()


class MessageErrorSerializer(serializers.Serializer[Message]):
    code = serializers.IntegerField(source="error_code", allow_null=True)
    title = serializers.CharField(source="error_title")
    details = serializers.CharField(source="error_details")


class MessageMediaSerializer(serializers.Serializer[Message]):
    url = serializers.SerializerMethodField()
    mime_type = serializers.CharField(source="media.mime_type")
    filename = serializers.CharField(source="media.filename")
    size = serializers.IntegerField(source="media.size", allow_null=True)
    state = serializers.CharField(source="media.state")

    def get_url(self, message: Message) -> str | None:
        """Where to download the file with the same key; null until it is downloaded from Meta."""
        media = message.media
        assert media is not None  # noqa: S101 -- MessageSerializer passes only messages with media
        if media.state != MediaFile.State.READY:
            return None
        url = reverse("api_media", kwargs={"media_id": media.id})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class MessageSerializer(serializers.ModelSerializer[Message]):
    conversation = serializers.IntegerField(source="conversation.number")
    line = serializers.IntegerField(source="line_id")
    sender = serializers.IntegerField(source="sender_id", allow_null=True)
    error = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = (
            "id",
            "conversation",
            "line",
            "direction",
            "type",
            "status",
            "text",
            "payload",
            "media",
            "error",
            "wamid",
            "reply_to_wamid",
            "sender",
            "automated",
            "created_at",
            "sent_at",
            "status_changed_at",
        )
        read_only_fields = fields

    @extend_schema_field(MessageErrorSerializer(allow_null=True))
    def get_error(self, message: Message) -> dict[str, Any] | None:
        """Meta's error when the message failed."""
        if message.error_code is None and not message.error_title:
            return None
        return dict(MessageErrorSerializer(message).data)

    @extend_schema_field(MessageMediaSerializer(allow_null=True))
    def get_media(self, message: Message) -> dict[str, Any] | None:
        if message.media is None:
            return None
        return dict(MessageMediaSerializer(message, context=self.context).data)
