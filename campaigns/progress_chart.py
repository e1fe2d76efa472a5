"""The sends-over-time chart, drawn on the server as SVG geometry (no JavaScript library): bars on
a grid with a rounded top value, its half and zero on the y axis, three times on the x axis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.progress import Series

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28  # room for the axes' labels
MAX_BAR = 48


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # shown on hover: when, and how many


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bottom: float  # the y of the x axis
    right: float  # the x where the plot ends
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    title: str
    description: str


def step_words(step: timedelta) -> str:
    seconds = int(step.total_seconds())
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    if seconds < 3600:
        return ngettext("%(n)d minute", "%(n)d minutes", seconds // 60) % {"n": seconds // 60}
    if seconds < 86400:
        return ngettext("%(n)d hour", "%(n)d hours", seconds // 3600) % {"n": seconds // 3600}
    return ngettext("%(n)d day", "%(n)d days", seconds // 86400) % {"n": seconds // 86400}


def nice_top(peak: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above ``peak`` (at least 1)."""
    if peak <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(peak)))
    return next(factor * power for factor in (1, 2, 5, 10) if factor * power >= peak)


def chart(series: Series) -> Chart:
    """Geometry for ``series`` (which has a point at least); times in the active (the account's)
    time zone."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    axis_y = TOP + plot_height
    top = nice_top(series.peak)
    slot = plot_width / len(series.points)
    # Thin gaps between many bars; a few bars stay narrow instead of filling the width.
    width = min(slot - min(2.0, slot / 4), MAX_BAR)
    span = series.points[-1][0] - series.points[0][0]
    fmt = "H:i:s" if series.step < timedelta(minutes=1) else "H:i" if span < timedelta(days=1) else "j M H:i"
    if series.step >= timedelta(days=1):
        fmt = "j M"

    def when(index: int) -> str:
        return formats.date_format(timezone.localtime(series.points[index][0]), fmt)

    bars = []
    for index, (_start, count) in enumerate(series.points):
        height = plot_height * count / top
        bars.append(
            Bar(
                x=round(LEFT + (index + 0.5) * slot - width / 2, 2),
                y=round(axis_y - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                label=f"{when(index)}: {count}",
            )
        )
    y_ticks = [Tick(LEFT - 6, round(axis_y - plot_height * value / top, 2), str(value)) for value in (0, top)]
    if top % 2 == 0:
        y_ticks.insert(1, Tick(LEFT - 6, round(axis_y - plot_height / 2, 2), str(top // 2)))
    last = len(series.points) - 1
    x_ticks = [
        Tick(round(LEFT + (index + 0.5) * slot, 2), axis_y + 18, when(index))
        for index in sorted({0, last // 2, last})
    ]
    step = step_words(series.step)
    description = _(
        "%(total)s messages sent from %(start)s to %(end)s, counted every %(step)s; at most %(peak)s in one."
    ) % {
        "total": series.total,
        "start": when(0),
        "end": when(last),
        "step": step,
        "peak": series.peak,
    }
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        bottom=axis_y,
        right=WIDTH - RIGHT,
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        title=_("Messages sent every %(step)s") % {"step": step},
        description=description,
    )
