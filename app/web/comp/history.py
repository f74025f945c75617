"""`/comp/history`: payout history across the tenant's finalized runs by team, fund or role
(compensation-platform-prd.md §7 Reports) — a stacked bar per run (a colour per group), each group's
totals and each run's. Reads only (comp.read); the figures come from models.comp.runs.history, the
exact sums shaped by kit.format (the chart alone rounds to whole units)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from app.web.comp.widgets import GROUP
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.charts import bar_chart, series_color
from app.web.kit.controls import caption, field, section, select
from app.web.kit.table import col, num, table_or_empty
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.comp.permissions import READ
from engine.context import TenantContext
from models.comp.runs import history

BY = [("team", "Team"), ("fund", "Fund"), ("role", "Role")]
CHART_GROUPS = 7  # the largest groups get a colour each; the rest are summed as "Other"
NO_VALUE = "(none)"


@dataclass(frozen=True)
class GroupLine:
    group: str = ""
    runs: str = ""
    employees: str = ""
    payout: str = ""
    allocated: str = ""


@dataclass(frozen=True)
class RunLine:
    href: str = ""
    scenario: str = ""
    plan: str = ""
    finalized: str = ""
    employees: str = ""
    errors: str = ""
    payout: str = ""
    allocated: str = ""


@dataclass(frozen=True)
class Shown:
    groups: list[GroupLine]
    runs: list[RunLine]
    bars: list[dict[str, Any]]
    series: list[dict[str, str]]
    payout: str
    allocated: str


def _label(group: str | None) -> str:
    return NO_VALUE if group is None else group


def _run_label(r: history.HistoryRun) -> str:
    return f"{r.scenario_name} · {fmt.when(r.finalized_at, time=False)}"


def _chart(found: history.PayoutHistory) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """One dict per run: its label and a whole-unit figure per shown group ("g0"…), "other" last."""
    shown = {g.group: f"g{i}" for i, g in enumerate(found.groups[:CHART_GROUPS])}
    series = [{"key": k, "name": _label(g), "color": series_color(i)} for i, (g, k) in enumerate(shown.items())]
    if len(found.groups) > CHART_GROUPS:
        series.append({"key": "other", "name": "Other", "color": series_color(CHART_GROUPS)})
    bars = []
    for r in found.runs:
        point: dict[str, Any] = {"run": _run_label(r), **{s["key"]: 0 for s in series}}
        for c in found.cells:
            if c.run_id == r.run_id:
                key = shown.get(c.group, "other")
                point[key] += int(c.payout.to_integral_value())
        bars.append(point)
    return bars, series


def _fetch(ctx: TenantContext, by: str) -> Shown:
    found = history.payout_history(ctx, by=by)
    bars, series = _chart(found)
    return Shown(
        groups=[
            GroupLine(_label(g.group), str(g.runs), f"{g.employees:,}", fmt.money(g.payout), fmt.money(g.allocated))
            for g in found.groups
        ],
        runs=[
            RunLine(
                f"/comp/runs/{r.run_id}",
                r.scenario_name,
                f"{r.plan_name} v{r.plan_version}",
                fmt.when(r.finalized_at),
                f"{r.employees:,}",
                str(r.errors),
                fmt.money(r.payout),
                fmt.money(r.allocated),
            )
            for r in reversed(found.runs)  # newest first, as lists read
        ],
        bars=bars,
        series=series,
        payout=fmt.money(found.payout),
        allocated=fmt.money(found.allocated),
    )


class PayoutHistoryState(AuthState):
    by: str = "team"
    groups: list[GroupLine] = []
    runs: list[RunLine] = []
    bars: list[dict[str, Any]] = []  # rx.recharts data: plain dicts
    series: list[dict[str, str]] = []
    payout: str = ""
    allocated: str = ""
    loaded: bool = False
    error: str = ""

    async def _refresh(self) -> None:
        ctx = await self._require(READ)
        if ctx is None:
            return
        self.error = ""
        ok, shown = await call(self, _fetch, ctx, self.by)
        if ok:
            self.groups, self.runs, self.bars, self.series = shown.groups, shown.runs, shown.bars, shown.series
            self.payout, self.allocated, self.loaded = shown.payout, shown.allocated, True

    @rx.event
    async def load(self):
        self.loaded = False
        await self._refresh()

    @rx.event
    async def set_by(self, value: str):
        value = str(value or "")
        if value not in history.DIMENSIONS:
            return
        self.by = value
        await self._refresh()


GROUP_COLUMNS = [
    col("Group", "group"),
    num("Runs", "runs"),
    num("Employees", "employees"),
    num("Payout", lambda r: rx.text(r["payout"], data_testid="history-group-payout")),
    num("Pool share", "allocated"),
]
RUN_COLUMNS = [
    col("Run", lambda r: rx.link(r["scenario"], href=r["href"], data_testid="history-run-link")),
    col("Plan", "plan"),
    col("Finalized", "finalized"),
    num("Employees", "employees"),
    num("Row errors", "errors"),
    num("Payout", lambda r: rx.text(r["payout"], data_testid="history-run-payout")),
    num("Pool share", "allocated"),
]


@app_page(
    "/comp/history",
    "Payout history",
    permission=READ,
    nav="Payout history",
    icon="chart-column",
    order=63,
    nav_group=GROUP,
    on_load=PayoutHistoryState.load,
)
def history_page() -> rx.Component:
    s = PayoutHistoryState
    return rx.vstack(
        rx.heading("Payout history", size="6"),
        rx.text(
            "What the finalized runs paid, per run and per team, fund or role (the employee's in that run's data).",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(s.error != "", rx.callout(s.error, icon="triangle-alert", color_scheme="red", role="alert")),
        field("By", select(BY, s.by, s.set_by, "Group by", trigger={"data_testid": "history-by"})),
        rx.cond(
            s.runs.length() > 0,
            rx.vstack(
                section(
                    "Payouts per run",
                    caption("Whole currency units; the tables below are exact."),
                    bar_chart(s.bars, "run", s.series, testid="history-chart", stacked=True),
                    rx.text(
                        "All runs: ", rx.code(s.payout, data_testid="history-total"), " · pool share ", s.allocated
                    ),
                ),
                section(
                    "By group",
                    table_or_empty(s.groups, GROUP_COLUMNS, "history-groups", "", row_testid="history-group-row"),
                ),
                section(
                    "Runs",
                    table_or_empty(s.runs, RUN_COLUMNS, "history-runs", "", row_testid="history-run-row"),
                ),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                s.loaded,
                rx.callout("No finalized run yet.", icon="info", data_testid="history-empty"),
            ),
        ),
        spacing="4",
        width="100%",
    )
