"""Forms of the notification pages: they read what people type and show the rules' errors;
notifications.services decides and writes (and checks the same content rules again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from audience.models import Tag
from notifications.models import (
    SMS_MAX,
    Channel,
    ChannelSettings,
    Notification,
    ScheduleKind,
    SmsVoiceProvider,
    TagMode,
    VoiceLanguage,
)
from notifications.services import check_content
from spoter.accounts.models import Account


class NotificationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    tag_mode = forms.ChoiceField(label=_("Send to contacts with"), choices=TagMode.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("May hold variables such as {{nombre}} or {{operador}}, as in quick replies."),
    )
    html = forms.CharField(
        label=_("HTML (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown by email programs that read HTML; the text above goes to the others."),
    )
    schedule = forms.ChoiceField(label=_("Repeat"), choices=ScheduleKind.choices)
    send_at = forms.DateTimeField(
        label=_("Day and time"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    time_of_day = forms.TimeField(
        label=_("At"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    day_of_month = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("29, 30 or 31 run on the last day of shorter months."),
    )
    month = forms.TypedChoiceField(
        label=_("Month"), choices=[("", "---"), *MONTHS.items()], coerce=int, required=False, empty_value=None
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, account: Account, notification: Notification | None = None, **kwargs: Any):
        if notification is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(notification)
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = Tag.objects.for_account(account)  # type: ignore[attr-defined]  # ModelMultipleChoiceField
        self.fields["body"].widget.attrs.update({"data-sms-max": str(SMS_MAX), "data-testid": "body"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "channel" in data and "body" in data:
            try:
                check_content(data["channel"], data.get("subject", ""), data["body"], data.get("html", ""))
            except ValidationError as error:
                self.add_error(None, error)
        return data


def _initial(notification: Notification) -> dict[str, Any]:
    return {
        "name": notification.name,
        "channel": notification.channel,
        "tags": list(Tag.objects.for_account(notification.account).filter(notifications=notification)),
        "tag_mode": notification.tag_mode,
        "subject": notification.subject,
        "body": notification.body,
        "html": notification.html,
        "schedule": notification.schedule,
        "send_at": notification.send_at,
        "time_of_day": notification.time_of_day,
        "day_of_month": notification.day_of_month,
        "month": notification.month,
        "active": notification.active,
    }


SHOWN = (
    "sms_voice_provider",
    "twilio_base_url",
    "twilio_account_sid",
    "from_number",
    "voice_language",
    "email_from",
)


class ChannelSettingsForm(forms.Form):
    sms_voice_provider = forms.ChoiceField(
        label=_("SMS and voice provider"), choices=SmsVoiceProvider.choices
    )
    twilio_base_url = forms.URLField(
        label=_("API address"),
        assume_scheme="https",
        max_length=200,
        required=False,
        help_text=_("https://api.twilio.com, or the address of a Twilio-compatible service."),
    )
    twilio_account_sid = forms.CharField(label=_("Account SID"), max_length=64, required=False)
    twilio_auth_token = forms.CharField(
        label=_("Auth token"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again; leave it empty to keep the saved one."),
    )
    from_number = forms.CharField(
        label=_("Sender number"), max_length=20, required=False, help_text=_("With + and the country code.")
    )
    voice_language = forms.ChoiceField(label=_("Voice language"), choices=VoiceLanguage.choices)
    email_from = forms.CharField(
        label=_("Email sender"),
        max_length=254,
        required=False,
        help_text=_("Such as Acme <avisos@acme.com>; empty: the platform's address."),
    )

    def __init__(self, *args: Any, channels: ChannelSettings | None = None, **kwargs: Any):
        if "initial" not in kwargs:
            shown = channels or ChannelSettings()  # the defaults, until the account saves its own
            kwargs["initial"] = {field: getattr(shown, field) for field in SHOWN}
        super().__init__(*args, **kwargs)
