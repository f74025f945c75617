"""Bar charts for every page (rx.recharts, as the dashboards use it): one place for the axes, the
tooltip, the legend and the width rule (recharts needs an explicit width inside stacks).

`bar_chart(data, x_key, series, testid=…)`: `data` is a Var list of plain dicts (recharts' `data`
prop takes dicts, not dataclasses); `series` is a list of `Series` known when the page is built, or
a Var list of dicts with the same fields when the series come from the data (a bar per team…).
`stacked=True` stacks the series into one bar per x value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.vars import Var

# series colours in order (Radix steps that read on light and dark themes)
PALETTE = (
    "var(--accent-9)",
    "var(--amber-9)",
    "var(--jade-9)",
    "var(--crimson-9)",
    "var(--sky-9)",
    "var(--violet-9)",
    "var(--orange-9)",
    "var(--gray-9)",
)


@dataclass(frozen=True)
class Series:
    key: str  # the data dicts' field
    name: str  # the legend's and tooltip's label
    color: str = PALETTE[0]


def series_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _bar(s: Any, stack: str | None) -> rx.Component:
    # a stack's bars meet; a lone bar gets rounded top corners
    extra = {"stack_id": stack} if stack else {"radius": [3, 3, 0, 0]}
    return rx.recharts.bar(data_key=s["key"], name=s["name"], fill=s["color"], **extra)


def bar_chart(
    data: Var | list[dict[str, Any]],
    x_key: str,
    series: list[Series] | Var,
    *,
    testid: str,
    height: int = 240,
    stacked: bool = False,
    width: str | int = "100%",
    y_width: int = 72,
    whole_numbers: bool = False,
) -> rx.Component:
    """`y_width` leaves room for the axis' longest label; `whole_numbers` for counts (no 0.5 ticks)."""
    stack = "stack" if stacked else None
    if isinstance(series, list):
        bars = [_bar({"key": s.key, "name": s.name, "color": s.color}, stack) for s in series]
        legend = len(series) > 1
    else:
        bars = [rx.foreach(series, lambda s: _bar(s, stack))]
        legend = True
    parts = [
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key=x_key, font_size=11),
        rx.recharts.y_axis(font_size=11, width=y_width, allow_decimals=not whole_numbers),
        rx.recharts.graphing_tooltip(),
        *([rx.recharts.legend()] if legend else []),
        *bars,
    ]
    return rx.box(
        rx.recharts.bar_chart(*parts, data=data, width="100%", height=height),
        width=width,
        min_width="280px",
        data_testid=testid,
    )
