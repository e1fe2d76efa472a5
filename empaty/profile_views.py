"""The "Detected personal data" card on the contact page (EMP-2): pending suggestions with the
words they were read from and a link to their conversation, Confirm / Reject, and the confirmed
values. Whoever may open the contact page (operators and up) may act, on the suggestions read in
conversations they may see: a message's words never reach someone who may not read the chat.
Missing, foreign and hidden suggestions are the same 404.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audience.contact_views import get_contact
from audience.models import Contact
from empaty import profile
from empaty.models import ContactProfile, ProfileField, ProfileSuggestion, SuggestionState
from inbox.visibility import visible_conversations
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role
from spoter.accounts.scoping import ScopedQuerySet

ACTIONS = {"confirm": profile.confirm, "reject": profile.reject}


@require_GET
@require_role(Role.OPERATOR)
def contact_profile(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    return _card(request, get_contact(request, contact_id))


@require_POST
@require_role(Role.OPERATOR)
def decide(request: AccountRequest, account_slug: str, suggestion_id: int) -> HttpResponse:
    suggestion = _visible_suggestions(request).filter(id=suggestion_id).select_related("contact").first()
    if suggestion is None:
        raise Http404
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return _card(request, suggestion.contact, _("Say whether to confirm or reject."), status=400)
    try:
        action(suggestion, request.membership)
    except profile.AlreadyDecidedError:
        return _card(request, suggestion.contact, _("Someone already decided on that value."), status=400)
    return _card(request, suggestion.contact)


def _visible_suggestions(request: AccountRequest) -> ScopedQuerySet[ProfileSuggestion]:
    return ProfileSuggestion.objects.for_account(request.account).filter(
        message__conversation__in=visible_conversations(request.membership)
    )


def _card(request: AccountRequest, contact: Contact, error: str = "", status: int = 200) -> HttpResponse:
    pending = (
        _visible_suggestions(request)
        .filter(contact=contact, state=SuggestionState.PENDING)
        .select_related("message__conversation")
        .order_by("field", "-created_at")
    )
    context = {
        "contact": contact,
        "pending": pending,
        "confirmed": _confirmed(ContactProfile.objects.for_account(request.account).filter(contact=contact)),
        "error": error,
    }
    # htmx swaps only 2xx answers: a refused action is shown with 200 to htmx, 400 otherwise.
    if status != 200 and request.headers.get("HX-Request") == "true":
        status = 200
    return render(request, "empaty/profile.html", context, status=status)


def _confirmed(profiles: ScopedQuerySet[ContactProfile]) -> list[tuple[str, str]]:
    """The contact's confirmed profile fields as (label, value)."""
    found = profiles.first()
    if found is None:
        return []
    return [
        (str(ProfileField(field).label), str(value))
        for field, column in profile.PROFILE_FIELDS.items()
        if (value := getattr(found, column)) not in (None, "")
    ]
