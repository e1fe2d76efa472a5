"""The EMPATY dashboard's numbers (EMP-5): emotion and polarity per day, and compared by line,
operator and tag, for a period in the account's days. Every number is one GROUP BY over
``(account, at)``; an operator's correction wins over the model's label (and its score counts as
+1, 0 or -1), so the charts say what the team agreed a message meant.

The filters come from ``DashboardForm`` (the page's query string); the drill-down adds a point
(a day, an emotion, a polarity) with ``DrillForm`` and lists exactly the rows counted there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Avg, Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import Contact, Tag
from empaty.models import Emotion, MessageAnalysis, Polarity
from inbox.models import Line
from spoter.accounts.models import Account, Membership

FINAL_POLARITY = Coalesce(NullIf("corrected_polarity", Value("")), "polarity")
FINAL_EMOTION = Coalesce(NullIf("corrected_emotion", Value("")), "emotion")
# The model's score, unless an operator corrected the polarity: then the operator's word counts.
FINAL_SCORE = Case(
    When(corrected_polarity=Polarity.POSITIVE, then=Value(1.0)),
    When(corrected_polarity=Polarity.NEUTRAL, then=Value(0.0)),
    When(corrected_polarity=Polarity.NEGATIVE, then=Value(-1.0)),
    default=F("score"),
    output_field=FloatField(),
)
EMOTIONS = [Emotion.JOY, Emotion.SADNESS, Emotion.ANGER, Emotion.FEAR, Emotion.SURPRISE, Emotion.DISGUST]
POLARITIES = [Polarity.POSITIVE, Polarity.NEUTRAL, Polarity.NEGATIVE]
PERIODS = [
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("custom", _("From… to…")),
]
DEFAULT_PERIOD = "30"
MAX_DAYS = 366
UNASSIGNED = "none"  # the operator filter's value for messages that arrived unassigned
MAX_ROWS = 20  # a comparison shows the lines, operators or tags with most messages


@dataclass(frozen=True)
class Filters:
    account: Account
    first: date  # the period's first and last day, in the account's time zone
    last: date
    line: Line | None = None
    operator: Membership | None = None
    unassigned: bool = False
    tag: Tag | None = None
    hide_others: bool = False
    # A drill-down's point.
    day: date | None = None
    emotion: str = ""
    polarity: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.account.time_zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def bounds(self, first: date, last: date) -> tuple[datetime, datetime]:
        """The instants from the start of ``first`` to the end of ``last``, in the account's zone."""
        zone = self.zone
        start = datetime.combine(first, time.min, tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
        return start, end

    def params(self, **point: object) -> dict[str, str]:
        """The query string of these filters with the period pinned to its dates, plus ``point``
        (a drill-down link stays on the rows it was drawn from, whatever day it is opened)."""
        found: dict[str, str] = {
            "period": "custom",
            "start": self.first.isoformat(),
            "end": self.last.isoformat(),
        }
        if self.line:
            found["line"] = str(self.line.id)
        if self.unassigned:
            found["operator"] = UNASSIGNED
        elif self.operator:
            found["operator"] = str(self.operator.id)
        if self.tag:
            found["tag"] = str(self.tag.id)
        if self.hide_others:
            found["hide_others"] = "on"
        for key, value in point.items():
            if value is not None and value != "":
                found[key] = value.isoformat() if isinstance(value, date) else str(value)
        return found


def member_name(membership: Membership) -> str:
    user = membership.user
    return user.get_full_name() or user.email


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> takes


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    line = forms.ModelChoiceField(label=_("Line"), queryset=Line.objects.none(), required=False)
    operator = forms.ChoiceField(label=_("Operator"), required=False)
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.none(), required=False)
    hide_others = forms.BooleanField(label=_("Hide messages with no emotion"), required=False)

    def __init__(self, data: Any, *, account: Account) -> None:
        super().__init__(data)
        self.account = account
        line_field = self.fields["line"]
        assert isinstance(line_field, forms.ModelChoiceField)  # noqa: S101 -- narrows for mypy
        line_field.queryset = account.lines.order_by("name", "id")
        line_field.empty_label = _("All lines")
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.ModelChoiceField)  # noqa: S101 -- narrows for mypy
        tag_field.queryset = account.tags.order_by("name", "id")
        tag_field.empty_label = _("All tags")
        self.members = {
            str(member.id): member
            for member in account.memberships.select_related("user").order_by("user__email")
        }
        operator_field = self.fields["operator"]
        assert isinstance(operator_field, forms.ChoiceField)  # noqa: S101 -- narrows for mypy
        operator_field.choices = [
            ("", _("All operators")),
            (UNASSIGNED, _("Unassigned")),
            *((key, member_name(member)) for key, member in self.members.items()),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period") or DEFAULT_PERIOD
        data["period"] = period
        if period != "custom":
            return data
        start, end = data.get("start"), data.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", _("Choose the first day."))
        if end is None and "end" not in self.errors:
            self.add_error("end", _("Choose the last day."))
        if start and end:
            if start > end:
                self.add_error("end", _("The last day cannot be before the first."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        return data

    def filters(self) -> Filters:
        """The valid form's filters (call after is_valid())."""
        data = self.cleaned_data
        period = data["period"]
        if period == "custom":
            first, last = data["start"], data["end"]
        else:
            last = timezone.localdate(timezone=ZoneInfo(self.account.time_zone))
            first = last - timedelta(days=int(period) - 1)
        operator = data.get("operator") or ""
        return Filters(
            account=self.account,
            first=first,
            last=last,
            line=data.get("line"),
            operator=self.members.get(operator),
            unassigned=operator == UNASSIGNED,
            tag=data.get("tag"),
            hide_others=bool(data.get("hide_others")),
            **self.point(),
        )

    def point(self) -> dict[str, Any]:
        return {}


class DrillForm(DashboardForm):
    """The dashboard's filters plus the point a bar stands for."""

    day = forms.DateField(required=False)
    emotion = forms.ChoiceField(choices=[("", ""), *Emotion.choices], required=False)
    polarity = forms.ChoiceField(choices=[("", ""), *Polarity.choices], required=False)

    def point(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "day": data.get("day"),
            "emotion": data.get("emotion", ""),
            "polarity": data.get("polarity", ""),
        }


def analyses(filters: Filters) -> QuerySet[Any]:
    """The analysed messages the filters (and the drill-down's point, when set) select, with
    their final labels and score as ``agreed_polarity``, ``agreed_emotion``, ``agreed_score``
    (the model's own ``final_*`` properties compute the labels per row)."""
    first, last = (filters.day, filters.day) if filters.day else (filters.first, filters.last)
    start, end = filters.bounds(max(first, filters.first), min(last, filters.last))
    found = MessageAnalysis.objects.for_account(filters.account).filter(at__gte=start, at__lt=end)
    if filters.line:
        found = found.filter(line=filters.line)
    if filters.unassigned:
        found = found.filter(operator__isnull=True)
    elif filters.operator:
        found = found.filter(operator=filters.operator)
    if filters.tag:  # a subquery, not a join: a contact's other tags never multiply its rows
        tagged = Contact.tags.through.objects.filter(tag_id=filters.tag.id).values("contact_id")
        found = found.filter(contact_id__in=tagged)
    # Typed loosely: the stubs do not follow annotations through the filters below.
    agreed: QuerySet[Any] = found.annotate(
        agreed_polarity=FINAL_POLARITY, agreed_emotion=FINAL_EMOTION, agreed_score=FINAL_SCORE
    )
    if filters.emotion:
        agreed = agreed.filter(agreed_emotion=filters.emotion)
    if filters.polarity:
        agreed = agreed.filter(agreed_polarity=filters.polarity)
    return agreed


def _by_day(filters: Filters) -> QuerySet[Any, dict[str, Any]]:
    rows: QuerySet[Any, dict[str, Any]] = analyses(filters).annotate(day=TruncDate("at", tzinfo=filters.zone))
    return rows


def emotions_by_day(filters: Filters) -> dict[date, dict[str, int]]:
    """{day: {emotion: messages}} for the days that have any."""
    found: dict[date, dict[str, int]] = {}
    rows = _by_day(filters)
    if filters.hide_others:
        rows = rows.exclude(agreed_emotion=Emotion.OTHERS)
    for row in rows.values("day", "agreed_emotion").annotate(n=Count("id")).order_by():
        found.setdefault(row["day"], {})[row["agreed_emotion"]] = row["n"]
    return found


@dataclass(frozen=True)
class Share:
    """Polarity counts and the mean score of a day or of a line, operator or tag."""

    key: str  # the day's ISO date, or the line's, operator's or tag's id ("none": unassigned)
    label: str
    counts: dict[str, int]
    mean: float

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _polarity_counts() -> dict[str, Any]:
    return {
        **{str(value): Count("id", filter=Q(agreed_polarity=value)) for value in POLARITIES},
        "mean": Avg("agreed_score"),
    }


def polarity_by_day(filters: Filters) -> dict[date, Share]:
    rows = _by_day(filters).values("day").annotate(**_polarity_counts()).order_by()
    return {
        row["day"]: Share(
            row["day"].isoformat(), "", {str(p): row[str(p)] for p in POLARITIES}, row["mean"] or 0.0
        )
        for row in rows
    }


DIMENSIONS = {"line": "line_id", "operator": "operator_id", "tag": "contact__tags"}


def compare(filters: Filters, by: str) -> list[Share]:
    """Polarity counts per line, operator or tag (``by``), those with most messages first."""
    column = DIMENSIONS[by]
    rows = analyses(filters).values(column).annotate(**_polarity_counts()).order_by()
    # Untagged contacts' messages come as one row without a tag: not a tag's row.
    counted = [row for row in rows if by != "tag" or row[column] is not None]
    found = sorted(counted, key=lambda row: (-sum(row[str(p)] for p in POLARITIES), str(row[column])))[
        :MAX_ROWS
    ]
    names = _names(filters.account, by, [row[column] for row in found if row[column] is not None])
    return [
        Share(
            str(row[column]) if row[column] is not None else UNASSIGNED,
            names.get(row[column], str(_("Unassigned"))),
            {str(p): row[str(p)] for p in POLARITIES},
            row["mean"] or 0.0,
        )
        for row in found
    ]


def _names(account: Account, by: str, ids: list[int]) -> dict[int | None, str]:
    if by == "line":
        return dict(account.lines.filter(id__in=ids).values_list("id", "name"))
    if by == "tag":
        return dict(account.tags.filter(id__in=ids).values_list("id", "name"))
    members = account.memberships.select_related("user").filter(id__in=ids)
    return {member.id: member_name(member) for member in members}
