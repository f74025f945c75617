"""The Margin Defense dashboard (KPIs, breakdowns, trend, newest open alerts), rendered on `/` by
app/web/core/home.py. It loads in a background event, outside the state lock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls, feedback
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.margin import components as mc
from app.web.margin.rows import AlertRow
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.margin.frames import RULES
from engine.margin.permissions import READ
from engine.margin.severity import LEVELS
from models.margin.queries import alerts as alert_queries


@dataclass(frozen=True)
class Kpis:
    """The dashboard's figures, as display strings."""

    open_alerts: str = ""
    lost_margin_period: str = ""
    lost_margin_open: str = ""
    open_impact_all: str = ""
    currency: str = ""
    period_days: str = ""
    dealers_in_breach: str = ""
    tasks_due: str = ""
    tasks_overdue: str = ""
    tasks_open: str = ""
    running_batches: str = ""
    as_of: str = ""


@dataclass(frozen=True)
class Breakdown:
    """Open alerts of one rule (with their impact) or one severity, linking to the filtered list."""

    key: str
    label: str
    count: str
    impact: str = ""


@dataclass(frozen=True)
class Dashboard:
    kpis: Kpis = Kpis()
    by_rule: list[Breakdown] = field(default_factory=list)
    by_severity: list[Breakdown] = field(default_factory=list)
    # the chart's points stay dicts: recharts' `data` prop takes a list of dicts
    trend: list[dict[str, Any]] = field(default_factory=list)
    recent: list[AlertRow] = field(default_factory=list)


def fetch_dashboard(ctx: TenantContext) -> Dashboard:
    found = alert_queries.dashboard_data(ctx)
    s, currency = found.summary, found.currency
    by_rule = s["open_alerts_by_rule"]
    by_sev = s["open_alerts_by_severity"]
    money_keys = ("lost_margin_period", "lost_margin_open", "open_impact_all")
    count_keys = ("open_alerts", "period_days", "dealers_in_breach", "tasks_due", "tasks_overdue", "tasks_open")
    return Dashboard(
        kpis=Kpis(
            **{k: fmt.money(s[k]) for k in money_keys},
            **{k: str(s[k]) for k in (*count_keys, "running_batches")},
            currency=currency,
            as_of=fmt.when(s["as_of"]),
        ),
        by_rule=[
            Breakdown(
                r, mc.rule_label(r), str(by_rule.get(r, 0)), fmt.amount(s["open_impact_by_rule"].get(r, 0), currency)
            )
            for r in RULES
            if by_rule.get(r)
        ],
        by_severity=[Breakdown(v, v, str(by_sev.get(v, 0))) for v in reversed(LEVELS) if by_sev.get(v)],
        trend=[{"day": t["day"][5:], "alerts": int(t["alerts"])} for t in s["breach_trend"]],
        recent=mc.alert_rows(found.recent),
    )


class MarginDashboardState(AuthState):
    enabled: bool = False
    kpis: Kpis = Kpis()
    by_rule: list[Breakdown] = []
    by_severity: list[Breakdown] = []
    trend: list[dict[str, Any]] = []
    recent: list[AlertRow] = []

    def _show(self, data: Dashboard, *, enabled: bool) -> None:
        self.kpis, self.by_rule, self.by_severity = data.kpis, data.by_rule, data.by_severity
        self.trend, self.recent, self.enabled = data.trend, data.recent, enabled

    @rx.event(background=True)
    async def load(self):
        # `/` is the landing page and often left at once: the DB work runs outside the state lock,
        # so navigating away mid-load never makes the next page wait for it
        async with self:
            ctx = await self._require(READ)
            if ctx is None:
                self._show(Dashboard(), enabled=False)
                return
        data = await asyncio.to_thread(fetch_dashboard, ctx)
        async with self:
            if await self._require(READ) is None:
                return
            self._show(data, enabled=True)


def _breakdown_row(item: Var, kind: str) -> rx.Component:
    if kind == "rule":
        left = rx.hstack(
            rx.text(item["label"], size="2"),
            controls.hint(item["impact"]),
            align="baseline",
            spacing="2",
        )
        href = "/alerts?status=open&rule=" + item["key"].to(str)
        testid = "kpi-rule"
    else:
        left = mc.severity_badge(item["key"])
        href = "/alerts?status=open&severity=" + item["key"].to(str)
        testid = "kpi-severity"
    return rx.link(
        rx.hstack(
            left,
            rx.spacer(),
            rx.text(item["count"], weight="bold", size="2"),
            rx.icon("chevron-right", size=14, color=rx.color("gray", 8)),
            align="center",
            width="100%",
            padding_y="0.35rem",
            padding_x="0.5rem",
            border_radius="var(--radius-2)",
            _hover={"background": rx.color("gray", 3)},
        ),
        href=href,
        underline="none",
        color=rx.color("gray", 12),
        width="100%",
        data_testid=testid,
    )


RECENT_COLUMNS = mc.alert_columns("breach-link", evidence=False, nowrap={"white_space": "nowrap"})


def _kpi_grid(k: Var) -> rx.Component:
    return rx.grid(
        mc.kpi_card(
            "Open alerts",
            k["open_alerts"],
            rx.text.span("all rules · ", k["open_impact_all"], " ", k["currency"], " impact"),
            "siren",
            "kpi-open-alerts",
            color="red",
        ),
        mc.kpi_card(
            "Lost margin",
            k["lost_margin_period"],
            rx.text.span("MAP/MRP, last ", k["period_days"], " days"),
            "trending-down",
            "kpi-lost-margin",
            color="orange",
            unit=k["currency"],
        ),
        mc.kpi_card("Dealers in breach", k["dealers_in_breach"], "open MAP/MRP", "store", "kpi-dealers", color="amber"),
        mc.kpi_card(
            "Tasks due",
            k["tasks_due"],
            rx.text.span(
                "within a day · ",
                rx.text.span(
                    k["tasks_overdue"],
                    " overdue",
                    data_testid="kpi-tasks-overdue",
                    color=rx.cond(k["tasks_overdue"] != "0", rx.color("red", 11), "inherit"),
                ),
                " · ",
                k["tasks_open"],
                " open",
            ),
            "list-checks",
            "kpi-tasks-due",
            color="blue",
        ),
        mc.kpi_card(
            "Running batches", k["running_batches"], "queued or running", "loader", "kpi-batches", color="violet"
        ),
        columns=rx.breakpoints(initial="1", xs="2", md="3", lg="5"),
        spacing="3",
        width="100%",
    )


def _trend_and_breakdown(k: Var) -> rx.Component:
    s = MarginDashboardState
    return rx.grid(
        controls.section(
            "Breach trend",
            controls.hint("Alerts opened per day (date opened, as in the tables), last 14 days"),
            rx.box(
                rx.recharts.bar_chart(
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                    rx.recharts.x_axis(data_key="day", font_size=11),
                    rx.recharts.y_axis(allow_decimals=False, width=32, font_size=11),
                    rx.recharts.graphing_tooltip(),
                    rx.recharts.bar(
                        data_key="alerts", name="Alerts opened", fill=rx.color("accent", 9), radius=[3, 3, 0, 0]
                    ),
                    data=s.trend,
                    width="100%",
                    height=220,
                ),
                width="100%",
                min_width="280px",
                data_testid="breach-trend",
            ),
            grid_column=rx.breakpoints(initial="auto", lg="span 2"),
        ),
        controls.section(
            "Open alerts",
            rx.cond(
                s.by_rule.length() > 0,
                rx.vstack(
                    controls.caption("By rule"),
                    rx.foreach(s.by_rule, lambda r: _breakdown_row(r, "rule")),
                    controls.caption("By severity", padding_top="0.5rem"),
                    rx.foreach(s.by_severity, lambda r: _breakdown_row(r, "severity")),
                    spacing="1",
                    width="100%",
                ),
                feedback.empty("No open alerts.", "shield-check"),
            ),
            action=controls.hint(
                k["lost_margin_open"], " ", k["currency"], " MAP/MRP open impact", data_testid="open-impact"
            ),
        ),
        columns=rx.breakpoints(initial="1", lg="3"),
        spacing="4",
        width="100%",
    )


def dashboard_view() -> rx.Component:
    s = MarginDashboardState
    k = s.kpis
    return rx.vstack(
        _kpi_grid(k),
        _trend_and_breakdown(k),
        controls.section(
            "Latest open breaches",
            tables.table_or_empty(
                s.recent,
                RECENT_COLUMNS,
                "breach-table",
                "No open breaches. Detection finds new ones from sale rows.",
                "shield-check",
                row_testid="breach-row",
            ),
            action=rx.link("All alerts", href="/alerts", size="2"),
        ),
        controls.hint("Figures as of ", k["as_of"]),
        spacing="4",
        width="100%",
        data_testid="margin-dashboard",
    )
