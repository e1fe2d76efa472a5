"""What a supervisor types on the campaign pages (CAM-1, CAM-2, CAM-3). The forms read and check
input; campaigns.drafts and the settings views write.

Everything is checked here, server side, whatever the page's widgets allowed: a refused form
answers 400 and saves nothing.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import CustomField, Segment, Tag
from campaigns.content import footer
from campaigns.models import Campaign, ContentKind, LineThrottle, OptOutSettings, TagMode
from inbox.compose import TemplateForm, template_form
from inbox.models import Line, Template, TemplateStatus
from inbox.quick_replies import VARIABLE
from spoter.accounts.models import Account

# The contact's own variables (inbox.quick_replies.variables_for); custom field keys join them.
STANDARD_VARIABLES = ["nombre", "apellido", "apodo", "email", "telefono", "operador"]
TEXT_MAX = 4096  # WhatsApp's limit for a text message, the opt-out footer included


def available_variables(account: Account) -> list[str]:
    keys = CustomField.objects.for_account(account).values_list("key", flat=True)
    return [*STANDARD_VARIABLES, *(key.lower() for key in keys)]


def template_keys(form: TemplateForm) -> list[tuple[str, str, str]]:
    """The composer's field names of a template's form (inbox.compose.template_content reads
    them), each with what it fills (link, header, body, button) and the variable or button."""
    keys = [("header_link", "link", form.header_media)] if form.header_media else []
    keys += [(f"header_{name}", "header", name) for name in form.header_text]
    keys += [(f"body_{name}", "body", name) for name in form.body]
    keys += [(f"button_{index}", "button", url) for index, url in enumerate(form.buttons)]
    return keys


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    # data-refresh: the page reloads the message part (the line's templates) when it changes.
    line = forms.ModelChoiceField(
        label=_("Line"),
        queryset=Line.objects.none(),
        empty_label=None,  # the first line is chosen until another is
        widget=forms.Select(attrs={"data-refresh": ""}),
    )
    segments = forms.ModelMultipleChoiceField(
        label=_("Segments"),
        queryset=Segment.objects.none(),
        required=False,
        help_text=_("None: every contact of the account."),
    )
    tags = forms.ModelMultipleChoiceField(label=_("Tags"), queryset=Tag.objects.none(), required=False)
    tag_mode = forms.ChoiceField(label=_("Contacts with"), choices=TagMode.choices, initial=TagMode.ANY)
    kind = forms.ChoiceField(
        label=_("Message"),
        choices=ContentKind.choices,
        initial=ContentKind.TEMPLATE,
        widget=forms.RadioSelect(attrs={"data-refresh": ""}),
    )
    template = forms.ModelChoiceField(
        label=_("Approved template"), queryset=Template.objects.none(), required=False
    )
    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX, required=False, widget=forms.Textarea)
    opt_out_footer = forms.BooleanField(label=_("Add the opt-out footer"), required=False, initial=True)
    when = forms.ChoiceField(
        label=_("Start"),
        choices=[("now", _("When I press Start")), ("later", _("At a date and time"))],
        initial="now",
        widget=forms.RadioSelect,
    )
    start_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    quiet_from = forms.TimeField(
        label=_("No sending from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_until = forms.TimeField(
        label=_("until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args: Any, account: Account, campaign: Campaign | None = None, **kwargs: Any) -> None:
        self.account = account
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(campaign)
        super().__init__(*args, **kwargs)
        self.variables = available_variables(account)
        # A line switched off since stays choosable for its own campaign (services.problems says so).
        usable = Q(is_active=True) | Q(id=campaign.line_id) if campaign else Q(is_active=True)
        lines = Line.objects.for_account(account).filter(usable).order_by("name", "id")
        self.fields["line"].queryset = lines  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["segments"].queryset = Segment.objects.for_account(account).order_by("name")  # type: ignore[attr-defined]
        self.fields["tags"].queryset = Tag.objects.for_account(account).order_by("name")  # type: ignore[attr-defined]
        approved = Template.objects.for_account(account).filter(status=TemplateStatus.APPROVED)
        self.fields["template"].queryset = approved  # type: ignore[attr-defined]

    # --- What the page shows before it is valid ---------------------------------------------

    def chosen_line(self) -> Line | None:
        chosen = self._chosen("line")
        if isinstance(chosen, Line):
            return chosen
        # Nothing chosen yet: the select shows its first line.
        first: Line | None = self.fields["line"].queryset.first()  # type: ignore[attr-defined]
        return first if not self.is_bound else None

    def chosen_template(self) -> Template | None:
        template = self._chosen("template")
        line = self.chosen_line()
        if not isinstance(template, Template) or line is None or template.waba_id != line.waba_id:
            return None
        return template

    def templates(self) -> list[Template]:
        """The approved templates of the chosen line's WhatsApp account."""
        line = self.chosen_line()
        if line is None:
            return []
        queryset = self.fields["template"].queryset  # type: ignore[attr-defined]
        return list(queryset.filter(waba_id=line.waba_id).order_by("name", "language"))

    def template_values(self) -> dict[str, str]:
        """The template fields as typed (bound) or saved (initial)."""
        if self.is_bound:
            return {key: str(value) for key, value in self.data.items() if _is_template_key(key)}
        return dict(self.initial.get("template_values") or {})

    def _chosen(self, name: str) -> object:
        field = self.fields[name]
        raw = self[name].value()
        if isinstance(raw, (Line, Template)):
            return raw
        try:
            return field.clean(raw) if raw not in (None, "") else None
        except ValidationError:
            return None

    # --- Checks ---------------------------------------------------------------------------------

    def clean_name(self) -> str:
        return " ".join(str(self.cleaned_data["name"]).split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_content(data)
        self._clean_times(data)
        return data

    def _clean_content(self, data: dict[str, Any]) -> None:
        data["template_values"] = {}
        if data.get("kind") == ContentKind.TEXT:
            data["template"] = None
            text = str(data.get("text") or "").strip()
            if not text:
                self.add_error("text", _("Write the message."))
            elif data.get("opt_out_footer") and len(text) + len(footer(self.account)) + 2 > TEXT_MAX:
                self.add_error("text", _("The text and the opt-out footer pass WhatsApp's 4096 characters."))
            self._check_variables("text", text)
            data["text"] = text
            return
        data["text"], data["opt_out_footer"] = "", False
        template, line = data.get("template"), data.get("line")
        if template is None:
            if "template" not in self.errors:
                self.add_error("template", _("Choose an approved template."))
            return
        if line is not None and template.waba_id != line.waba_id:
            self.add_error("template", _("The template belongs to another WhatsApp account than the line's."))
            return
        values = {}
        for key, part, _name in template_keys(template_form(template)):
            value = str(self.data.get(key, "")).strip()
            if not value:
                self.add_error(None, _("Fill in every value of the template."))
                return
            if part == "link" and not value.startswith("https://"):
                self.add_error(None, _("The header's file needs an https link."))
                return
            self._check_variables(None, value)
            values[key] = value
        data["template_values"] = values

    def _check_variables(self, field: str | None, text: str) -> None:
        unknown = sorted({match.group(1).lower() for match in VARIABLE.finditer(text)} - set(self.variables))
        if unknown:
            self.add_error(
                field,
                _("Unknown variables: %(unknown)s. Use one of: %(known)s.")
                % {
                    "unknown": ", ".join(f"{{{{{name}}}}}" for name in unknown),
                    "known": ", ".join(self.variables),
                },
            )

    def _clean_times(self, data: dict[str, Any]) -> None:
        if data.get("when") == "later":
            start_at = data.get("start_at")
            if start_at is None:
                if "start_at" not in self.errors:
                    self.add_error("start_at", _("Say when to start."))
            elif start_at <= timezone.now():
                self.add_error("start_at", _("Choose a time in the future."))
        else:
            data["start_at"] = None
        quiet: list[time | None] = [data.get("quiet_from"), data.get("quiet_until")]
        if any(quiet) and not all(quiet):
            self.add_error("quiet_until", _("Give both ends of the quiet hours, or neither."))
        elif all(quiet) and quiet[0] == quiet[1]:
            self.add_error("quiet_until", _("The quiet hours must end at another time than they start."))


def _is_template_key(key: str) -> bool:
    return key == "header_link" or key.startswith(("header_", "body_", "button_"))


def _initial(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "line": campaign.line_id,
        "segments": list(campaign.segments.for_account(campaign.account)),
        "tags": list(campaign.tags.for_account(campaign.account)),
        "tag_mode": campaign.tag_mode,
        "kind": campaign.kind,
        "template": campaign.template_id,
        "template_values": campaign.template_values,
        "text": campaign.text,
        "opt_out_footer": campaign.opt_out_footer,
        "when": "later" if campaign.start_at else "now",
        "start_at": timezone.localtime(campaign.start_at) if campaign.start_at else None,
        "quiet_from": campaign.quiet_from,
        "quiet_until": campaign.quiet_until,
    }


# --- Settings ------------------------------------------------------------------------------------


class ThrottleForm(forms.ModelForm):  # type: ignore[type-arg]  # django-stubs: ModelForm[LineThrottle]
    """One line's sending limits; the page offers the usual values as presets."""

    class Meta:
        model = LineThrottle
        fields = ("per_second", "daily_cap", "warmup_from", "warmup_per_5_minutes", "warmup_growth")
        widgets = {  # Django reads this class attribute
            "per_second": forms.NumberInput(attrs={"step": "any", "list": "rate-presets"}),
            "daily_cap": forms.NumberInput(attrs={"list": "cap-presets"}),
            "warmup_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "warmup_growth": forms.NumberInput(attrs={"step": "any"}),
        }

    def clean_per_second(self) -> float:
        rate = float(self.cleaned_data["per_second"])
        if not 0 < rate <= 1000:
            raise ValidationError(_("Between more than 0 and 1000 messages per second."))
        return rate

    def clean_daily_cap(self) -> int | None:
        cap: int | None = self.cleaned_data["daily_cap"]
        if cap is not None and not 1 <= cap <= 10_000_000:
            raise ValidationError(_("Between 1 and 10,000,000 messages a day, or empty for no cap."))
        return cap

    def clean_warmup_per_5_minutes(self) -> int:
        count = int(self.cleaned_data["warmup_per_5_minutes"])
        if not 1 <= count <= 300_000:
            raise ValidationError(_("Between 1 and 300,000 messages."))
        return count

    def clean_warmup_growth(self) -> float:
        growth = float(self.cleaned_data["warmup_growth"])
        if not 1 <= growth <= 10:
            raise ValidationError(_("A daily growth between 1 (none) and 10."))
        return growth


class OptOutForm(forms.ModelForm):  # type: ignore[type-arg]  # django-stubs: ModelForm[OptOutSettings]
    class Meta:
        model = OptOutSettings
        fields = ("keywords", "confirmation")
        help_texts = {  # Django reads this class attribute
            "keywords": _("Separated by commas. A customer who writes one of them alone opts out."),
            "confirmation": _("Sent to a customer who opts out; empty: nothing is sent."),
        }

    def clean_keywords(self) -> str:
        words = [" ".join(word.split()).upper() for word in str(self.cleaned_data["keywords"]).split(",")]
        words = list(dict.fromkeys(word for word in words if word))
        if not words:
            raise ValidationError(_("Give at least one word."))
        if any(len(word) > 30 for word in words):
            raise ValidationError(_("A keyword has at most 30 characters."))
        return ", ".join(words)

    def clean_confirmation(self) -> str:
        text = str(self.cleaned_data["confirmation"]).strip()
        if len(text) > TEXT_MAX:
            raise ValidationError(_("At most %(max)d characters.") % {"max": TEXT_MAX})
        return text
