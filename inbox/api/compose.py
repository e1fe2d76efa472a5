"""Send requests: JSON in, ``inbox.content`` out. Shapes follow Meta's (``type`` plus an object of
that name) so integrators recognise them; the send service owns every WhatsApp rule."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inbox.api.base import ApiError
from inbox.content import Buttons, Content, ListMenu, Row, Section, TemplateMessage, Text
from inbox.lines import normalize_number
from inbox.models import Line, Template


def e164(raw: str) -> str | None:
    """``+5491123456789`` for "+54 9 11 2345-6789", "5491123456789", ...; None when not a number.

    The "+" is optional: unencoded in a query string (``?phone=+549...``) it arrives as a space."""
    try:
        return normalize_number("+" + raw.strip().lstrip("+"))
    except ValidationError:
        return None


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {"type": "string"}},
        ],
        "description": "Positional ({{1}}, {{2}}) as a list, or named parameters as an object.",
    }
)
class BodyParametersField(serializers.Field[list[str] | dict[str, str], Any, Any, Any]):
    def to_internal_value(self, data: Any) -> list[str] | dict[str, str]:
        if isinstance(data, list) and all(isinstance(value, str) for value in data):
            return data
        if isinstance(data, dict) and all(isinstance(value, str) for value in data.values()):
            return data
        raise serializers.ValidationError(gettext_lazy("A list of strings, or an object of strings."))

    def to_representation(self, value: list[str] | dict[str, str]) -> list[str] | dict[str, str]:
        return value


class TemplateParametersSerializer(serializers.Serializer[dict[str, Any]]):
    header = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    body = BodyParametersField(required=False, default=list)
    buttons = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class TemplateSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=512)
    language = serializers.CharField(max_length=15)
    parameters = TemplateParametersSerializer(required=False)


class TextSerializer(serializers.Serializer[dict[str, Any]]):
    body = serializers.CharField(trim_whitespace=False)


class ButtonSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.CharField()
    title = serializers.CharField()


class ButtonsSerializer(serializers.Serializer[dict[str, Any]]):
    body = serializers.CharField()
    buttons = ButtonSerializer(many=True)
    header = serializers.CharField(required=False, default="")
    footer = serializers.CharField(required=False, default="")


class RowSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(required=False, default="")


class SectionSerializer(serializers.Serializer[dict[str, Any]]):
    title = serializers.CharField(required=False, default="")
    rows = RowSerializer(many=True)


class ListSerializer(serializers.Serializer[dict[str, Any]]):
    body = serializers.CharField()
    button = serializers.CharField()
    sections = SectionSerializer(many=True)
    header = serializers.CharField(required=False, default="")
    footer = serializers.CharField(required=False, default="")


KINDS = ("text", "template", "buttons", "list")


class MessageInSerializer(serializers.Serializer[dict[str, Any]]):
    """A message to send: ``type`` names the one object that must come with it."""

    type = serializers.ChoiceField(choices=KINDS)
    text = TextSerializer(required=False)
    template = TemplateSerializer(required=False)
    buttons = ButtonsSerializer(required=False)
    list = ListSerializer(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs["type"]
        if kind not in attrs:
            raise serializers.ValidationError({kind: _("Required when type is %(type)s.") % {"type": kind}})
        return attrs


class ConversationMessageInSerializer(MessageInSerializer):
    reply_to = serializers.IntegerField(
        required=False, help_text="The id of a message of this conversation to quote."
    )


class PhoneMessageInSerializer(MessageInSerializer):
    line = serializers.IntegerField(help_text="The id of one of the account's lines.")
    to = serializers.CharField(
        help_text="The customer's number in international format, e.g. +5491123456789."
    )

    def validate_to(self, value: str) -> str:
        phone = e164(value)
        if phone is None:
            raise serializers.ValidationError(_("Not a phone number in international format."))
        return phone


def build_content(data: dict[str, Any], line: Line) -> Content:
    """The content object of a validated send request; templates are looked up on the line's WABA."""
    kind = data["type"]
    part = data[kind]
    if kind == "text":
        return Text(part["body"])
    if kind == "buttons":
        return Buttons(
            part["body"],
            buttons=[(button["id"], button["title"]) for button in part["buttons"]],
            header=part["header"],
            footer=part["footer"],
        )
    if kind == "list":
        return ListMenu(
            part["body"],
            part["button"],
            sections=[
                Section(
                    section["title"],
                    rows=[Row(row["id"], row["title"], row["description"]) for row in section["rows"]],
                )
                for section in part["sections"]
            ],
            header=part["header"],
            footer=part["footer"],
        )
    template = (
        Template.objects.for_account(line.account)
        .filter(waba_id=line.waba_id, name=part["name"], language=part["language"])
        .first()
    )
    if template is None:
        raise ApiError("template_not_found", _("No template with this name and language on the line."))
    parameters = part.get("parameters") or {"header": [], "body": [], "buttons": []}
    return TemplateMessage(
        template, header=parameters["header"], body=parameters["body"], buttons=parameters["buttons"]
    )
