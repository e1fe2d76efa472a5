"""The EMPATY dashboard (EMP-5) and its drill-downs, and the negative-streak alerts' page.
Supervisors and admins; operators get 403 like on every other supervisor page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.limits import requires_feature
from billing.models import Feature
from empaty import dashboards
from empaty.charts import day_chart, day_label, share_chart
from empaty.dashboards import DEFAULT_PERIOD, EMOTIONS, POLARITIES, DashboardForm, DrillForm, Filters
from empaty.models import Emotion, Polarity, StreakAlert
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

PAGE_SIZE = 50


def _data(request: AccountRequest) -> QueryDict:
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = DEFAULT_PERIOD
    return data


def _link(request: AccountRequest, filters: Filters) -> Callable[..., str]:
    url = reverse("empaty_dashboard_messages", kwargs={"account_slug": request.account.slug})
    return lambda **point: f"{url}?{urlencode(filters.params(**point))}"


@require_GET
@require_role(Role.SUPERVISOR)
@requires_feature(Feature.EMPATY)
def dashboard(request: AccountRequest, account_slug: str) -> HttpResponse:
    form = DashboardForm(_data(request), account=request.account)
    context: dict[str, Any] = {
        "form": form,
        "unseen_alerts": StreakAlert.objects.for_account(request.account)
        .filter(seen_at__isnull=True)
        .count(),
    }
    if not form.is_valid():
        return render(request, "empaty/dashboard.html", context, status=400)
    filters = form.filters()
    context.update(_charts(filters, _link(request, filters)))
    return render(request, "empaty/dashboard.html", context)


def _charts(filters: Filters, link: Callable[..., str]) -> dict[str, Any]:
    emotions = [(str(e.value), str(e.label)) for e in EMOTIONS]
    if not filters.hide_others:
        emotions.append((Emotion.OTHERS.value, str(Emotion.OTHERS.label)))
    polarities = [(str(p.value), str(p.label)) for p in POLARITIES]
    by_day = dashboards.polarity_by_day(filters)
    if not by_day:
        return {"empty": True}

    def at_day(field: str) -> Callable[..., str]:
        return lambda day, key="": link(day=day, **{field: key})

    def per_row(field: str) -> Callable[..., str]:
        return lambda row, key="": link(polarity=key, **{field: row.key})

    comparisons = [
        ("line", _("Polarity by line")),
        ("operator", _("Polarity by operator")),
        ("tag", _("Polarity by contact tag")),
    ]
    return {
        "empty": False,
        "filters": filters,
        "total": sum(share.total for share in by_day.values()),
        "emotion_keys": emotions,
        "polarity_keys": polarities,
        "emotion_chart": day_chart(
            "emotions",
            filters.days,
            dashboards.emotions_by_day(filters),
            emotions,
            at_day("emotion"),
            _("Emotions per day"),
        ),
        "polarity_chart": day_chart(
            "polarity",
            filters.days,
            {day: share.counts for day, share in by_day.items()},
            polarities,
            at_day("polarity"),
            _("Polarity per day and mean score"),
            means={day: share.mean for day, share in by_day.items()},
        ),
        "comparisons": [
            share_chart(f"by-{by}", found, polarities, per_row(by), title)
            for by, title in comparisons
            if (found := dashboards.compare(filters, by))
        ],
    }


@require_GET
@require_role(Role.SUPERVISOR)
@requires_feature(Feature.EMPATY)
def drill_down(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The analysed messages behind one bar or point of the dashboard, newest first."""
    form = DrillForm(_data(request), account=request.account)
    if not form.is_valid():
        return render(request, "empaty/dashboard_messages.html", {"form": form}, status=400)
    filters = form.filters()
    rows = (
        dashboards.analyses(filters)
        .select_related("message", "contact", "conversation", "line", "operator__user")
        .order_by("-at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:  # one page: the final labels in words
        row.polarity_label = Polarity(row.final_polarity).label
        row.emotion_label = Emotion(row.final_emotion).label
    back = reverse("empaty_dashboard", kwargs={"account_slug": account_slug})
    here = {key: value for key, value in request.GET.items() if key != "page"}
    context = {
        "form": form,
        "page": page,
        "point": _describe(filters),
        "back": f"{back}?{urlencode(filters.params())}",
        "query": urlencode(here),
    }
    return render(request, "empaty/dashboard_messages.html", context)


def _describe(filters: Filters) -> list[str]:
    """The point and filters in words, for the drill-down's heading."""
    words = []
    if filters.day:
        words.append(day_label(filters.day))
    else:
        words.append(
            _("%(start)s to %(end)s") % {"start": day_label(filters.first), "end": day_label(filters.last)}
        )
    if filters.emotion:
        words.append(str(Emotion(filters.emotion).label))
    if filters.polarity:
        words.append(str(Polarity(filters.polarity).label))
    if filters.line:
        words.append(_("line %(name)s") % {"name": filters.line.name})
    if filters.unassigned:
        words.append(_("unassigned"))
    elif filters.operator:
        words.append(_("operator %(name)s") % {"name": dashboards.member_name(filters.operator)})
    if filters.tag:
        words.append(_("tag %(name)s") % {"name": filters.tag.name})
    return words


@require_GET
@require_role(Role.SUPERVISOR)
@requires_feature(Feature.EMPATY)
def alerts(request: AccountRequest, account_slug: str) -> HttpResponse:
    """Recent negative-streak alerts (empaty/alerts.py), unseen ones marked."""
    unseen_only = request.GET.get("unseen") == "1"
    found = (
        StreakAlert.objects.for_account(request.account)
        .select_related("conversation__contact", "first_message")
        .order_by("-created_at", "-id")
    )
    if unseen_only:
        found = found.filter(seen_at__isnull=True)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unseen_only": unseen_only, "streak": settings.EMPATY_NEGATIVE_STREAK}
    return render(request, "empaty/alerts.html", context)


@require_POST
@require_role(Role.SUPERVISOR)
def alert_seen(request: AccountRequest, account_slug: str, alert_id: int) -> HttpResponse:
    found = StreakAlert.objects.for_account(request.account).filter(id=alert_id)
    if not found.exists():
        raise Http404
    found.filter(seen_at__isnull=True).update(seen_at=timezone.now())
    return _back_to_alerts(request, account_slug)


@require_POST
@require_role(Role.SUPERVISOR)
def alerts_seen_all(request: AccountRequest, account_slug: str) -> HttpResponse:
    marked = (
        StreakAlert.objects.for_account(request.account)
        .filter(seen_at__isnull=True)
        .update(seen_at=timezone.now())
    )
    if marked:
        messages.success(request, _("All alerts marked as seen."))
    return _back_to_alerts(request, account_slug)


def _back_to_alerts(request: AccountRequest, account_slug: str) -> HttpResponse:
    url = reverse("empaty_alerts", kwargs={"account_slug": account_slug})
    if request.POST.get("unseen") == "1":
        url += "?unseen=1"
    return redirect(url)
