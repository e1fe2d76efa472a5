"""Forms of the contact panel and the team pages. Dates and times are read in the account's
time zone (TenancyMiddleware activates it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inbox.models import QuickReply
from spoter.accounts.models import Membership

DATETIME_LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag"), max_length=60)
    color = forms.CharField(label=_("Colour"), max_length=7, required=False)
    on = forms.ChoiceField(choices=[("contact", _("Contact")), ("conversation", _("Conversation"))])


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ReminderForm(forms.Form):
    due_at = forms.DateTimeField(label=_("When"), input_formats=DATETIME_LOCAL, widget=DateTimeLocal())
    text = forms.CharField(label=_("Reminder"), max_length=500)


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(label=_("Send at"), input_formats=DATETIME_LOCAL, widget=DateTimeLocal())
    text = forms.CharField(
        label=_("Message"), max_length=4096, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    quick_reply = forms.ModelChoiceField(
        label=_("or a quick reply"), queryset=QuickReply.objects.none(), required=False
    )

    def __init__(self, *args: Any, quick_replies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if quick_replies is not None:
            self.fields["quick_reply"].queryset = quick_replies  # type: ignore[attr-defined]  # ModelChoiceField

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and not data.get("quick_reply"):
            self.add_error("text", _("Write the message or choose a quick reply."))
        return data


class MemberChoiceField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        name = obj.user.get_full_name() or obj.user.email
        return name if obj.available else f"{name} ({_('unavailable')})"


class TransferForm(forms.Form):
    from_member = MemberChoiceField(label=_("Chats of"), queryset=Membership.objects.none())
    to_member = MemberChoiceField(label=_("Give them to"), queryset=Membership.objects.none())

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_member"].queryset = members  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["to_member"].queryset = members.filter(is_active=True)  # type: ignore[attr-defined]


class RoundRobinForm(forms.Form):
    enabled = forms.BooleanField(label=_("Assign new conversations automatically"), required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Operators who take part"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members  # type: ignore[attr-defined]  # ModelMultipleChoiceField
        self.fields["members"].label_from_instance = (  # type: ignore[attr-defined]
            lambda member: member.user.get_full_name() or member.user.email
        )


class ShortcutField(forms.SlugField):
    """A shortcut as people type it in the composer: a leading slash is not part of it."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().lstrip("/")


class QuickReplyForm(forms.ModelForm[QuickReply]):
    shortcut = ShortcutField(label=_("Shortcut"), max_length=40, help_text=_("Letters, numbers, - and _."))

    class Meta:
        model = QuickReply
        fields = ("shortcut", "text")
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "text": _(
                "Variables: {{nombre}}, {{apellido}}, the contact's custom fields such as {{empresa}},"
                " and {{operador}} for your name."
            )
        }

    def clean_shortcut(self) -> str:
        shortcut: str = self.cleaned_data["shortcut"]
        others = QuickReply.objects.for_account(self.instance.account).filter(shortcut__iexact=shortcut)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("Another quick reply already uses /%(shortcut)s.") % {"shortcut": shortcut}
            )
        return shortcut
