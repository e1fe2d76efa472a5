"""Query filters of the list endpoints. They narrow a queryset the base view already scoped to the
account, so an id of another account's line or member simply matches nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from audience.models import Contact
from inbox.api.compose import e164
from inbox.models import Conversation, ConversationStatus

UNASSIGNED = "none"


class ConversationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ConversationStatus.choices)
    line = filters.NumberFilter(field_name="line_id", help_text=_("A line id."))
    assignee = filters.CharFilter(
        method="filter_assignee",
        validators=[RegexValidator(rf"^(\d+|{UNASSIGNED})$")],
        help_text=_('A member id, or "none" for unassigned conversations.'),
    )
    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text=_("ISO 8601, e.g. 2026-01-31T12:00:00Z.")
    )

    class Meta:
        model = Conversation
        fields = ("status", "line", "assignee", "updated_since")

    def filter_assignee(
        self, queryset: QuerySet[Conversation], name: str, value: str
    ) -> QuerySet[Conversation]:
        if value == UNASSIGNED:
            return queryset.filter(assignee=None)
        return queryset.filter(assignee_id=int(value))


def _validate_phone(value: str) -> None:
    if e164(value) is None:
        raise ValidationError(_("Not a phone number in international format."))


class ContactFilter(filters.FilterSet):
    phone = filters.CharFilter(
        method="filter_phone",
        validators=[_validate_phone],
        help_text=_("In international format; spaces and dashes are ignored, e.g. +54 9 11 2345-6789."),
    )

    class Meta:
        model = Contact
        fields = ("phone",)

    def filter_phone(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return queryset.filter(phone=e164(value))
