"""What an account's admin chooses on the Billing pages (BIL-4): a plan with its add-ons, then,
on the preview, the payment method or what to switch off. billing.lifecycle does the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from billing.lifecycle import MAX_EXTRAS, Change
from billing.models import PaymentMethod, Plan, Subscription
from billing.overview import choosable_plans

CHOICE_FIELDS = ("plan", "extra_lines", "extra_operators")


class PlanField(forms.ModelChoiceField[Plan]):
    def label_from_instance(self, obj: Plan) -> str:
        if obj.is_free:
            return _("%(plan)s — free") % {"plan": obj.name}
        price = formats.number_format(obj.price_usd, 2)
        return _("%(plan)s — USD %(price)s per month") % {"plan": obj.name, "price": price}


class ChangeForm(forms.Form):
    plan = PlanField(
        label=_("Plan"),
        queryset=Plan.objects.none(),
        to_field_name="code",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    extra_lines = forms.IntegerField(label=_("Extra WhatsApp lines"), min_value=0, max_value=MAX_EXTRAS)
    extra_operators = forms.IntegerField(label=_("Extra users"), min_value=0, max_value=MAX_EXTRAS)

    def __init__(self, subscription: Subscription, data: QueryDict | None = None) -> None:
        plan = subscription.next_plan if subscription.next_plan else subscription.plan
        initial = {
            "plan": plan.code,
            "extra_lines": subscription.extra_lines,
            "extra_operators": subscription.extra_operators,
        }
        super().__init__(_with_current_extras(data, subscription), initial=initial)
        self.fields["plan"].queryset = choosable_plans(subscription)  # type: ignore[attr-defined]

    def choice(self) -> tuple[Plan, int, int]:
        data = self.cleaned_data
        return data["plan"], data["extra_lines"], data["extra_operators"]

    def query(self) -> dict[str, Any]:
        """The choice as the change page's query string (a link back to this preview)."""
        plan, lines, operators = self.choice()
        return {"plan": plan.code, "extra_lines": lines, "extra_operators": operators}


def _with_current_extras(data: QueryDict | None, subscription: Subscription) -> QueryDict | None:
    """A "Choose" button sends only the plan: keep today's add-ons (none on FREE)."""
    if data is None or ("extra_lines" in data and "extra_operators" in data):
        return data
    filled = data.copy()
    free = Plan.objects.filter(code=data.get("plan", ""), price_usd=0).exists()
    filled.setdefault("extra_lines", "0" if free else str(subscription.extra_lines))
    filled.setdefault("extra_operators", "0" if free else str(subscription.extra_operators))
    return filled


class ConfirmForm(forms.Form):
    """The preview's own questions: how to pay (a paid plan starting), or which users and lines
    to switch off when the smaller plan starts (enough of them: billing.lifecycle checks)."""

    method = forms.ChoiceField(
        label=_("Payment method"),
        choices=[
            (PaymentMethod.CARD.value, PaymentMethod.CARD.label),
            (PaymentMethod.CBU.value, PaymentMethod.CBU.label),
        ],
        widget=forms.RadioSelect,
    )
    members = forms.TypedMultipleChoiceField(
        label=_("Users to switch off"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    lines = forms.TypedMultipleChoiceField(
        label=_("WhatsApp lines to switch off"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, change: Change, data: QueryDict | None = None, initial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(data, initial=initial)
        excess = change.excess
        if not change.needs_payment:
            del self.fields["method"]
        if change.needs_payment or excess is None or not excess.members_over:
            del self.fields["members"]
        else:
            self.fields["members"].choices = [(c.id, f"{c.name} ({c.detail})") for c in excess.members]  # type: ignore[attr-defined]
        if change.needs_payment or excess is None or not excess.lines_over:
            del self.fields["lines"]
        else:
            self.fields["lines"].choices = [(c.id, f"{c.name} ({c.detail})") for c in excess.lines]  # type: ignore[attr-defined]

    def switch_off(self) -> dict[str, list[int]]:
        return {key: self.cleaned_data.get(key) or [] for key in ("members", "lines")}
