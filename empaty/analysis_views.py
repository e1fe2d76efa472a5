"""EMPATY in the chat and on the contact (EMP-1): an analysed inbound message's badge, its
correction by an operator, and the contact's sentiment card.

A message is found through the conversation the member may see (inbox.visibility, as the chat
itself): another account's ids and a private operator's foreign chats answer the same 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.db.models import Avg, Count, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from audience.models import Contact
from empaty import live
from empaty.analysis import correct
from empaty.dashboards import EMOTIONS, FINAL_EMOTION, FINAL_POLARITY, FINAL_SCORE, POLARITIES
from empaty.models import Emotion, MessageAnalysis, Polarity
from empaty.templatetags.empaty_badges import EMOJI, badge_context
from inbox.access import get_conversation
from inbox.models import Conversation, Direction, Message
from inbox.visibility import can_see, sees_all, visible_conversations
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

CONTACT_DAYS = 90
NEGATIVE_SHOWN = 5


class CorrectionForm(forms.Form):
    """Blank keeps what the model said; at least one of the two must be chosen."""

    polarity = forms.ChoiceField(label=gettext_lazy("Polarity"), required=False)
    emotion = forms.ChoiceField(label=gettext_lazy("Emotion"), required=False)

    def __init__(self, *args: Any, analysis: MessageAnalysis, **kwargs: Any) -> None:
        kwargs["initial"] = {"polarity": analysis.corrected_polarity, "emotion": analysis.corrected_emotion}
        super().__init__(*args, **kwargs)
        as_said = _("As detected (%(label)s)")
        for name, choices, said in (
            ("polarity", Polarity, Polarity(analysis.polarity).label),
            ("emotion", Emotion, Emotion(analysis.emotion).label),
        ):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [("", as_said % {"label": said}), *choices.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("polarity") and not data.get("emotion"):
            raise forms.ValidationError(_("Choose a polarity or an emotion."))
        return data


def _seen_conversation(request: AccountRequest, number: int) -> Conversation:
    conversation = get_conversation(request.account, number)
    if not can_see(request.membership, conversation):
        raise Http404
    return conversation


def _analysis(request: AccountRequest, number: int, message_id: int) -> tuple[int, MessageAnalysis | None]:
    """The conversation's number and the inbound message's analysis (None: not analysed yet);
    404 for a message the member may not see."""
    conversation = _seen_conversation(request, number)
    message = (
        Message.objects.for_account(request.account)
        .filter(conversation=conversation, id=message_id, direction=Direction.INBOUND)
        .select_related("analysis")
        .first()
    )
    if message is None:
        raise Http404
    analysis: MessageAnalysis | None = getattr(message, "analysis", None)
    return conversation.number, analysis


def _badge(request: AccountRequest, number: int, analysis: MessageAnalysis | None) -> HttpResponse:
    return render(request, "empaty/badge.html", badge_context(analysis, request.account.slug, number))


@require_GET
@require_role(Role.OPERATOR)
def badge(request: AccountRequest, account_slug: str, number: int, message_id: int) -> HttpResponse:
    """The message's badge (empty before the analysis): the correction form's cancel."""
    number, analysis = _analysis(request, number, message_id)
    return _badge(request, number, analysis)


@require_http_methods(["GET", "POST"])
@require_role(Role.OPERATOR)
def correction(request: AccountRequest, account_slug: str, number: int, message_id: int) -> HttpResponse:
    """GET: the small form the badge opens; POST: the correction, answered with the new badge."""
    number, analysis = _analysis(request, number, message_id)
    if analysis is None:
        return HttpResponse(_("This message has not been analysed yet."), status=400)
    form = CorrectionForm(request.POST if request.method == "POST" else None, analysis=analysis)
    if request.method == "POST" and form.is_valid():
        correct(
            analysis,
            request.membership,
            polarity=form.cleaned_data["polarity"],
            emotion=form.cleaned_data["emotion"],
        )
        live.publish([analysis])  # the other open chats show the correction too
        return _badge(request, number, analysis)
    context = {"form": form, "analysis": analysis, "slug": request.account.slug, "number": number}
    return render(request, "empaty/badge_form.html", context, status=400 if form.errors else 200)


# The contact's card -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int
    percent: float  # of the total
    x: float = 0.0  # where a stacked segment starts, in percent


@dataclass(frozen=True)
class Sentiment:
    total: int
    polarity: list[Bar]
    emotion: list[Bar]
    mean: float | None
    latest: MessageAnalysis | None
    negative: list[MessageAnalysis]


def _bars(counts: dict[str, int], choices: list[Any], total: int, *, stacked: bool) -> list[Bar]:
    bars, x = [], 0.0
    for choice in choices:
        count = counts.get(choice.value, 0)
        percent = round(100 * count / total, 1) if total else 0.0
        if count or not stacked:
            bars.append(Bar(choice.value, str(choice.label), count, percent, round(x, 1)))
        x += percent
    return bars


def sentiment(request: AccountRequest, contact: Contact, since: datetime) -> Sentiment:
    """The contact's analysed messages since ``since``, in the conversations the member may see."""
    mine = MessageAnalysis.objects.for_account(request.account).filter(contact=contact, at__gte=since)
    if not sees_all(request.membership):
        mine = mine.filter(conversation__in=visible_conversations(request.membership))
    rows: QuerySet[Any] = mine.annotate(agreed_polarity=FINAL_POLARITY, agreed_emotion=FINAL_EMOTION)
    polarity = dict(rows.values_list("agreed_polarity").annotate(n=Count("id")).order_by())
    emotion = dict(rows.values_list("agreed_emotion").annotate(n=Count("id")).order_by())
    total = sum(polarity.values())
    mean = rows.aggregate(mean=Avg(FINAL_SCORE))["mean"] if total else None
    latest = rows.order_by("-at", "-id").first() if total else None
    negative = (
        list(
            rows.filter(agreed_polarity=Polarity.NEGATIVE)
            .select_related("message", "conversation")
            .order_by("-at", "-id")[:NEGATIVE_SHOWN]
        )
        if polarity.get(Polarity.NEGATIVE)
        else []
    )
    return Sentiment(
        total=total,
        polarity=_bars(polarity, POLARITIES, total, stacked=True),
        emotion=_bars(emotion, [*EMOTIONS, Emotion.OTHERS], total, stacked=False),
        mean=mean,
        latest=latest,
        negative=negative,
    )


@require_GET
@require_role(Role.OPERATOR)
def contact_card(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    """The "Sentiment" card of the contact page: who may see the contact sees it (any member,
    as audience's contact_detail), over the chats they may see."""
    contact = Contact.objects.for_account(request.account).filter(id=contact_id).first()
    if contact is None:
        raise Http404
    found = sentiment(request, contact, timezone.now() - timedelta(days=CONTACT_DAYS))
    latest = found.latest
    context = {
        "contact": contact,
        "slug": request.account.slug,
        "days": CONTACT_DAYS,
        "sentiment": found,
        "mean": f"{found.mean:+.2f}" if found.mean is not None else "",
        "latest_emotion": Emotion(latest.final_emotion) if latest else None,
        "latest_polarity": Polarity(latest.final_polarity) if latest else None,
        "latest_emoji": EMOJI.get(Emotion(latest.final_emotion), "") if latest else "",
    }
    return render(request, "empaty/contact_sentiment.html", context)
