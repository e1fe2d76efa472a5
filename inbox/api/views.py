"""/api/v1/: thin adapters from HTTP to the inbox's access helpers and the send service."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from audience.models import Contact
from inbox.access import get_conversation, get_line
from inbox.api.base import AccountView, ApiError
from inbox.api.compose import ConversationMessageInSerializer, PhoneMessageInSerializer, build_content
from inbox.api.filters import ContactFilter, ConversationFilter
from inbox.api.serializers import (
    ContactSerializer,
    ConversationSerializer,
    ErrorSerializer,
    MessageSerializer,
)
from inbox.media import file_response
from inbox.models import Conversation, MediaFile, Message
from inbox.sending import SendError, send, send_to_phone

SEND_RESPONSES = {
    201: MessageSerializer,
    400: OpenApiResponse(
        ErrorSerializer, description="Invalid request, or content WhatsApp does not accept."
    ),
    401: ErrorSerializer,
    404: ErrorSerializer,
    409: OpenApiResponse(
        ErrorSerializer,
        description="Not allowed now, e.g. the 24-hour window is closed (error: window_closed).",
    ),
}


def _sent(request: Request, deliver: Callable[[], Message]) -> Response:
    """Answer a send: 201 with the queued message, or the send service's refusal as JSON."""
    try:
        message = deliver()
    except SendError as error:
        raise ApiError(error.code, str(error.message), status=409 if error.conflict else 400) from error
    return Response(MessageSerializer(message, context={"request": request}).data, status=201)


class ConversationView(AccountView[Conversation]):
    model = Conversation
    serializer_class = ConversationSerializer

    def scope(self, queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
        return queryset.select_related("contact", "assignee__user")


class ConversationList(ConversationView, generics.ListAPIView[Conversation]):
    """The account's conversations, newest first."""

    filter_backends = (filters.DjangoFilterBackend,)
    filterset_class = ConversationFilter


class ConversationDetail(ConversationView, generics.RetrieveAPIView[Conversation]):
    lookup_field = "number"


class ConversationMessages(AccountView[Message], generics.ListAPIView[Message]):
    """A conversation's messages, newest first; a file's `media.url` downloads it with the same key."""

    model = Message
    serializer_class = MessageSerializer

    @cached_property
    def conversation(self) -> Conversation:
        return get_conversation(self.account, self.kwargs["number"])

    def scope(self, queryset: QuerySet[Message]) -> QuerySet[Message]:
        return queryset.filter(conversation=self.conversation).select_related("conversation", "media")

    @extend_schema(request=ConversationMessageInSerializer, responses=SEND_RESPONSES)
    def post(self, request: Request, number: int) -> Response:
        """Send a message in the conversation. Outside the 24-hour window only approved templates
        go out; anything else is refused with 409."""
        data = _validated(ConversationMessageInSerializer, request)
        conversation = self.conversation
        reply_to = None
        if "reply_to" in data:
            reply_to = self.get_queryset().filter(id=data["reply_to"]).first()
            if reply_to is None:
                raise ApiError("invalid_reply", _("No message with this id in the conversation."))
        content = build_content(data, conversation.line)
        return _sent(request, lambda: send(conversation, content, reply_to=reply_to, automated=True))


class MessageCreate(AccountView[Message], generics.GenericAPIView[Message]):
    model = Message
    serializer_class = MessageSerializer

    @extend_schema(request=PhoneMessageInSerializer, responses=SEND_RESPONSES)
    def post(self, request: Request) -> Response:
        """Send a message to a phone number on one of the account's lines: the contact is found or
        registered and its conversation opened. A first message must be an approved template."""
        data = _validated(PhoneMessageInSerializer, request)
        line = get_line(self.account, data["line"])
        content = build_content(data, line)
        return _sent(request, lambda: send_to_phone(line, data["to"], content, automated=True))


class MediaDownload(AccountView[MediaFile], generics.GenericAPIView[MediaFile]):
    model = MediaFile

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ErrorSerializer})
    def get(self, request: Request, media_id: int) -> FileResponse:
        """A file of a message (the ``media.url`` of messages), with the same key."""
        found = self.get_queryset().filter(id=media_id, state=MediaFile.State.READY).exclude(file="").first()
        if found is None:
            raise Http404
        return file_response(found)


class ContactList(AccountView[Contact], generics.ListAPIView[Contact]):
    """The account's contacts; ``?phone=`` finds the one with that number."""

    model = Contact
    serializer_class = ContactSerializer
    filter_backends = (filters.DjangoFilterBackend,)
    filterset_class = ContactFilter


def _validated(
    serializer_class: type[ConversationMessageInSerializer | PhoneMessageInSerializer], request: Request
) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
