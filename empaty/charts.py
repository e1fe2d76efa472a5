"""The dashboard's charts as SVG geometry drawn on the server (as campaigns/progress_chart.py):
stacked bars per day, with the mean score as a line on its own -1..1 axis, and horizontal bars
of polarity shares per line, operator or tag. Every piece carries the link to its drill-down and
the words a screen reader (and the hover) says about it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from campaigns.progress_chart import nice_top
from empaty.dashboards import Share

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 12, 28  # room for the counts' axis, the score's and the days
MAX_BAR = 40
ROW_HEIGHT, ROW_GAP = 22, 10  # horizontal bars
LABEL_WIDTH, BAR_WIDTH = 170, 400


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    key: str  # the emotion or polarity (its colour)
    point: str  # the day (ISO) or the line's, operator's or tag's key
    label: str  # what it stands for, in words
    url: str  # its drill-down


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class DayChart:
    ident: str
    width: int
    height: int
    left: int
    right: int
    bottom: int
    segments: list[Segment]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    score_ticks: list[Tick]
    line: str  # the mean score's polyline points ("" without one)
    points: list[Segment]  # the mean score's markers (x, y: the centre)
    title: str
    description: str


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    url: str
    segments: list[Segment]
    total: int
    mean: str


@dataclass(frozen=True)
class BarChart:
    ident: str
    width: int
    height: int
    label_x: int
    bar_x: int
    text_x: int
    rows: list[Row]
    title: str
    description: str


def day_label(day: date) -> str:
    return formats.date_format(day, "j M")


def signed(mean: float) -> str:
    return f"{mean:+.2f}"


def day_chart(
    ident: str,
    days: list[date],
    counts: dict[date, dict[str, int]],
    keys: list[tuple[str, str]],
    link: Callable[..., str],
    title: str,
    means: dict[date, float] | None = None,
) -> DayChart:
    """Bars of ``keys`` (value, words) stacked per day, bottom up; ``link(day=..., key=...)``
    gives each piece's drill-down; ``means`` adds the score line (its points link to the day)."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    axis_y = TOP + plot_height
    totals = {day: sum(counts.get(day, {}).get(key, 0) for key, _words in keys) for day in days}
    top = nice_top(max(totals.values(), default=0))
    slot = plot_width / len(days)
    width = min(slot - min(2.0, slot / 4), MAX_BAR)
    segments, points = [], []
    for index, day in enumerate(days):
        x = LEFT + (index + 0.5) * slot
        base = float(axis_y)
        for key, words in keys:
            count = counts.get(day, {}).get(key, 0)
            if not count:
                continue
            height = plot_height * count / top
            base -= height
            label = f"{day_label(day)} · {words}: {count}"
            segments.append(
                Segment(
                    round(x - width / 2, 2),
                    round(base, 2),
                    round(width, 2),
                    round(height, 2),
                    key,
                    day.isoformat(),
                    label,
                    link(day=day, key=key),
                )
            )
        if means is not None and day in means:
            y = TOP + plot_height * (1 - means[day]) / 2  # +1 at the top, -1 at the bottom
            label = _("%(day)s · mean score %(mean)s") % {"day": day_label(day), "mean": signed(means[day])}
            points.append(
                Segment(round(x, 2), round(y, 2), 0, 0, "mean", day.isoformat(), label, link(day=day))
            )
    y_ticks = [Tick(LEFT - 6, round(axis_y - plot_height * value / top, 2), str(value)) for value in (0, top)]
    if top % 2 == 0:
        y_ticks.insert(1, Tick(LEFT - 6, round(axis_y - plot_height / 2, 2), str(top // 2)))
    last = len(days) - 1
    x_ticks = [
        Tick(round(LEFT + (index + 0.5) * slot, 2), axis_y + 18, day_label(days[index]))
        for index in sorted({0, last // 2, last})
    ]
    score_ticks = []
    if means is not None:
        score_ticks = [
            Tick(
                WIDTH - RIGHT + 6,
                round(TOP + plot_height * (1 - value) / 2, 2),
                f"{value:+d}" if value else "0",
            )
            for value in (1, 0, -1)
        ]
    total = sum(totals.values())
    description = _("%(total)s messages from %(start)s to %(end)s; at most %(peak)s in one day.") % {
        "total": total,
        "start": day_label(days[0]),
        "end": day_label(days[-1]),
        "peak": max(totals.values(), default=0),
    }
    if means is not None:
        description += " " + _("The line is the mean score of each day, from -1 (negative) to +1 (positive).")
    return DayChart(
        ident=ident,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=axis_y,
        segments=segments,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        score_ticks=score_ticks,
        line=" ".join(f"{point.x},{point.y}" for point in points),
        points=points,
        title=title,
        description=description,
    )


def share_chart(
    ident: str, shares: list[Share], keys: list[tuple[str, str]], link: Callable[..., str], title: str
) -> BarChart:
    """One horizontal bar per line, operator or tag: its polarity shares side by side (the whole
    bar is 100%), its count and mean score; ``link(row=share, key=...)`` gives the drill-downs."""
    rows = []
    for index, share in enumerate(shares):
        y = ROW_GAP + index * (ROW_HEIGHT + ROW_GAP)
        x = float(LABEL_WIDTH)
        segments = []
        for key, words in keys:
            count = share.counts.get(key, 0)
            if not count:
                continue
            width = BAR_WIDTH * count / share.total
            percent = round(100 * count / share.total)
            label = f"{share.label} · {words}: {count} ({percent}%)"
            segments.append(
                Segment(
                    round(x, 2),
                    y,
                    round(width, 2),
                    ROW_HEIGHT,
                    key,
                    share.key,
                    label,
                    link(row=share, key=key),
                )
            )
            x += width
        rows.append(Row(y, share.label, link(row=share), segments, share.total, signed(share.mean)))
    return BarChart(
        ident=ident,
        width=WIDTH,
        height=ROW_GAP + len(shares) * (ROW_HEIGHT + ROW_GAP),
        label_x=LABEL_WIDTH - 8,
        bar_x=LABEL_WIDTH,
        text_x=LABEL_WIDTH + BAR_WIDTH + 8,
        rows=rows,
        title=title,
        description=_(
            "Each bar is all the messages of one row, split into positive, neutral and negative; "
            "after it, how many messages and their mean score from -1 to +1."
        ),
    )
