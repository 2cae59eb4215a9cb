"""Bar charts drawn as SVG by a template: this works out where each bar goes.

A hidden figure gets no bar, only its words ("fewer than 5"), so the picture never shows
more than the table beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LABEL_WIDTH = 150  # room for the row labels, left of the bars
VALUE_ROOM = 110  # room right of the longest bar for its value or "fewer than 5"
ROW_HEIGHT = 28
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as the table shows it
    y: int
    width: float  # 0 for a hidden figure
    shown: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    scale_max: float
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]  # (x, label) of the scale's gridlines


def nice_maximum(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at least as large as value (1 for nothing to show)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def horizontal_bars(rows, width: int = 640) -> Chart:
    """rows: (label, Figure) in order, top to bottom."""
    rows = list(rows)
    plot = width - LABEL_WIDTH - VALUE_ROOM
    top = nice_maximum(max((figure.value for _, figure in rows if figure.shown), default=0))
    bars = tuple(
        Bar(label, figure.text, 8 + index * ROW_HEIGHT, plot * figure.value / top if figure.shown else 0, figure.shown)
        for index, (label, figure) in enumerate(rows)
    )
    ticks = tuple((LABEL_WIDTH + plot * step / 4, f"{top * step / 4:g}") for step in range(5))
    return Chart(width, 8 + len(rows) * ROW_HEIGHT + 24, LABEL_WIDTH, BAR_HEIGHT, top, bars, ticks)
