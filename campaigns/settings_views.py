"""Campaign settings for supervisors: each line's sending limits (CAM-3) and the opt-out words and
confirmation (CAM-1). The runner reads them through campaigns.throttle and campaigns.content.

Each line has its own form on the limits page; the posted ``line`` says which, so a refused one
shows its errors next to that line with a 400 and the others untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.forms import OptOutForm, ThrottleForm
from campaigns.models import LineThrottle, OptOutSettings
from inbox.models import Line
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


@dataclass(frozen=True)
class Preset:
    value: int
    label: str | Promise  # translated when the page renders


# The usual values, offered next to the inputs: the providers' limits and Spoter's own daily cap.
RATE_PRESETS = [
    Preset(4, gettext_lazy("WOZTELL basic")),
    Preset(20, gettext_lazy("Spoter default")),
    Preset(80, gettext_lazy("Cloud API default")),
]
CAP_PRESETS = [Preset(6000, gettext_lazy("Spoter"))]


@require_role(Role.SUPERVISOR)
def throttle(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    lines = list(Line.objects.for_account(account).order_by("name", "id"))
    limits = {item.line_id: item for item in LineThrottle.objects.for_account(account)}
    posted = next((line for line in lines if str(line.id) == request.POST.get("line")), None)
    forms = []
    refused = request.method == "POST"
    for line in lines:
        instance = limits.get(line.id) or LineThrottle(account=account, line=line)
        if line == posted:
            form = ThrottleForm(request.POST, instance=instance, prefix=f"line{line.id}")
            if form.is_valid():
                form.save()
                messages.success(request, _("Sending limits of %(line)s saved.") % {"line": line.name})
                return redirect("campaigns_throttle", account_slug=account_slug)
        else:
            form = ThrottleForm(instance=instance, prefix=f"line{line.id}")
        forms.append((line, form))
    error = _("Choose a line.") if refused and posted is None else ""
    context = {"forms": forms, "rate_presets": RATE_PRESETS, "cap_presets": CAP_PRESETS, "error": error}
    return render(request, "campaigns/throttle.html", context, status=400 if refused else 200)


@require_role(Role.SUPERVISOR)
def opt_out(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    current = OptOutSettings.objects.for_account(account).filter(account=account).first()
    instance = current or OptOutSettings(account=account)
    if request.method == "POST":
        form = OptOutForm(request.POST, instance=instance)
        if form.is_valid():
            form.save()
            messages.success(request, _("Opt-out settings saved."))
            return redirect("campaigns_opt_out", account_slug=account_slug)
    else:
        form = OptOutForm(instance=instance)
    return render(request, "campaigns/opt_out.html", {"form": form}, status=400 if form.errors else 200)
