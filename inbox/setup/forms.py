"""Settings forms for lines, entry points and templates."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from inbox.lines import SECRETS
from inbox.models import AgentIdentity, Line, TemplateCategory
from inbox.templates_service import variables

# Template languages of Latin-American businesses first; Meta accepts more codes.
LANGUAGES = [
    ("es_AR", "Español (Argentina)"),
    ("es", "Español"),
    ("es_MX", "Español (México)"),
    ("es_ES", "Español (España)"),
    ("pt_BR", "Português (Brasil)"),
    ("en_US", "English (US)"),
    ("en", "English"),
]


class LineForm(forms.Form):
    """A plain form: the line service checks (number, digits-only ids, uniqueness) and saves, so
    there is one set of rules. Secrets are write-only: never rendered back."""

    name = forms.CharField(label=_("Name"), max_length=80)
    display_number = forms.CharField(
        label=_("Phone number"), max_length=25, help_text=_("With its country code, e.g. +54 9 11 5555 1234.")
    )
    phone_number_id = forms.CharField(label=_("Phone number ID"), max_length=40, required=False)
    waba_id = forms.CharField(label=_("WhatsApp Business Account ID"), max_length=40, required=False)
    access_token = forms.CharField(
        label=_("Access token"), required=False, widget=forms.PasswordInput(render_value=False)
    )
    app_secret = forms.CharField(
        label=_("App secret"), required=False, widget=forms.PasswordInput(render_value=False)
    )
    agent_identity = forms.ChoiceField(
        label=_("Agent identity"), choices=AgentIdentity.choices, initial=AgentIdentity.GENERIC
    )
    blocked_reply = forms.CharField(
        label=_("Answer to blocked contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent once to a blocked contact who writes; empty sends nothing."),
    )
    graph_url = forms.URLField(
        label=_("Graph API URL (advanced)"),
        required=False,
        help_text=_("Leave empty to use Meta's."),
        assume_scheme="https",
    )

    def __init__(self, *args: Any, line: Line | None = None, **kwargs: Any) -> None:
        if line is not None:
            kwargs["initial"] = {
                field: getattr(line, field) for field in self.base_fields if field not in SECRETS
            }
        super().__init__(*args, **kwargs)
        for field in SECRETS:
            if line is not None and getattr(line, field):
                self.fields[field].help_text = _("Stored. Leave empty to keep it, or write a new one.")


class EntryPointForm(forms.Form):
    # URL-encoded accents take 6 bytes each: 300 of them still fit in a QR code (error level M).
    text = forms.CharField(label=_("Prefilled message"), max_length=300, required=False)


class TemplateForm(forms.Form):
    """A text template: header, body with {{1}}-style variables and their examples, footer, and
    up to three quick-reply buttons, built into Meta's components. The templates service checks
    them (names, examples for every variable), so the rules live in one place."""

    line = forms.ModelChoiceField(label=_("Line"), queryset=Line.objects.none())
    name = forms.CharField(
        label=_("Name"), max_length=512, help_text=_("Lowercase letters, digits and underscores.")
    )
    category = forms.ChoiceField(label=_("Category"), choices=TemplateCategory.choices)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    header = forms.CharField(label=_("Header (optional)"), max_length=60, required=False)
    header_example = forms.CharField(
        label=_("Header example"), required=False, help_text=_("Needed when the header has {{1}}.")
    )
    body = forms.CharField(
        label=_("Body"),
        max_length=1024,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Variables are written {{1}}, {{2}}, ... in order."),
    )
    body_examples = forms.CharField(
        label=_("Examples of the variables"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line, in the order of the variables."),
    )
    footer = forms.CharField(label=_("Footer (optional)"), max_length=60, required=False)
    button_1 = forms.CharField(label=_("Quick-reply buttons (optional)"), max_length=25, required=False)
    button_2 = forms.CharField(label="", max_length=25, required=False)
    button_3 = forms.CharField(label="", max_length=25, required=False)

    def __init__(self, *args: Any, lines: QuerySet[Line], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Line]", self.fields["line"]).queryset = lines

    def components(self) -> list[dict[str, Any]]:
        """Meta's components for the cleaned form."""
        data = self.cleaned_data
        examples = [line.strip() for line in data["body_examples"].splitlines() if line.strip()]
        components: list[dict[str, Any]] = []
        if data["header"]:
            header: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": data["header"]}
            if variables(data["header"]):
                header["example"] = {"header_text": [data["header_example"].strip()]}
            components.append(header)
        body: dict[str, Any] = {"type": "BODY", "text": data["body"]}
        if examples:
            body["example"] = {"body_text": [examples]}
        components.append(body)
        if data["footer"]:
            components.append({"type": "FOOTER", "text": data["footer"]})
        buttons = [data[f"button_{n}"] for n in (1, 2, 3) if data[f"button_{n}"]]
        if buttons:
            components.append(
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": text} for text in buttons]}
            )
        return components
