"""The emotion badge of an analysed inbound message (EMP-1), for the chat's message template
(``{% load empaty_badges %}{% emotion_badge message %}``) and EMPATY's own fragments. The chat
loads each message's analysis with the page (select_related), so a badge costs no query."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from empaty.models import Emotion, MessageAnalysis, Polarity

register = template.Library()

EMOJI = {
    Emotion.JOY: "😊",
    Emotion.SADNESS: "😢",
    Emotion.ANGER: "😠",
    Emotion.FEAR: "😨",
    Emotion.SURPRISE: "😮",
    Emotion.DISGUST: "🤢",
}


def _percent(shares: object, choices: type[Polarity] | type[Emotion]) -> str:
    """ "positive 72%, neutral 20%, …" in the model's order, for the labels it gave."""
    if not isinstance(shares, dict):
        return ""
    return ", ".join(
        f"{choice.label} {round(100 * float(shares[choice.value]))}%"
        for choice in choices
        if isinstance(shares.get(choice.value), int | float)
    )


def badge_context(analysis: MessageAnalysis | None, slug: str, number: int) -> dict[str, Any]:
    """What templates/empaty/badge.html needs: nothing shows without an analysis."""
    if analysis is None:
        return {"analysis": None}
    emotion = Emotion(analysis.final_emotion)
    polarity = Polarity(analysis.final_polarity)
    corrected = bool(analysis.corrected_polarity or analysis.corrected_emotion)
    probabilities = analysis.probabilities if isinstance(analysis.probabilities, dict) else {}
    lines = [
        _("Polarity: %(shares)s") % {"shares": _percent(probabilities.get("polarity"), Polarity)},
        _("Emotion: %(shares)s") % {"shares": _percent(probabilities.get("emotion"), Emotion)},
        _("Score: %(score)s") % {"score": f"{analysis.score:+.2f}"},
    ]
    if corrected:
        lines.append(
            _("Corrected by an operator (the model said %(polarity)s, %(emotion)s).")
            % {"polarity": Polarity(analysis.polarity).label, "emotion": Emotion(analysis.emotion).label}
        )
    words = _("Emotion: %(emotion)s; polarity: %(polarity)s") % {
        "emotion": emotion.label,
        "polarity": polarity.label,
    }
    if corrected:
        words = _("%(words)s (corrected)") % {"words": words}
    return {
        "analysis": analysis,
        "slug": slug,
        "number": number,
        "emoji": EMOJI.get(emotion, ""),
        "emotion": emotion,
        "polarity": polarity,
        "corrected": corrected,
        "tooltip": "\n".join(lines),
        "words": words,
    }


@register.inclusion_tag("empaty/badge.html", takes_context=True)
def emotion_badge(context: template.Context, message: Any) -> dict[str, Any]:
    """The badge of ``message`` (an inbound one of the chat's ``conversation``), or nothing."""
    analysis = getattr(message, "analysis", None)  # loaded with the page; None when not analysed yet
    return badge_context(analysis, context["request"].account.slug, context["conversation"].number)
