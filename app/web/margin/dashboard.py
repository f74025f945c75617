"""The Margin Defense dashboard (KPIs, breakdowns, trend, newest open alerts, the last import and the
Run detection button), rendered on `/` by app/web/core/home.py. It loads in a background event,
outside the state lock; a detection run started here is followed live (JobWatchMixin) and the
figures reload when it ends."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import charts, controls, feedback
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.jobs import JobWatchMixin
from app.web.kit.links import row_link
from app.web.margin import components as mc
from app.web.margin import detection_panel as dp
from app.web.margin.rows import AlertRow
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.frames import RULES
from engine.margin.permissions import DETECT, READ
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
    last_import: dp.RunRow = dp.RunRow()


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
        last_import=dp.fetch_last_import(ctx),
    )


class MarginDashboardState(JobWatchMixin, AuthState):
    enabled: bool = False
    kpis: Kpis = Kpis()
    by_rule: list[Breakdown] = []
    by_severity: list[Breakdown] = []
    trend: list[dict[str, Any]] = []
    recent: list[AlertRow] = []
    last_import: dp.RunRow = dp.RunRow()
    can_detect: bool = False
    detect_busy: bool = False
    detect_run: dp.RunRow = dp.RunRow()
    detect_error: str = ""

    _watch_permission: ClassVar[str] = READ

    def _show(self, data: Dashboard, *, enabled: bool) -> None:
        self.kpis, self.by_rule, self.by_severity = data.kpis, data.by_rule, data.by_severity
        self.trend, self.recent, self.enabled = data.trend, data.recent, enabled
        self.last_import = data.last_import

    def _watch_fetch(self, ctx: TenantContext, key: str) -> tuple[dp.RunRow, Dashboard | None]:
        run = dp.fetch_run(ctx, key)
        return run, (fetch_dashboard(ctx) if run.finished else None)

    def _watch_apply(self, ctx: TenantContext, data: tuple[dp.RunRow, Dashboard | None]) -> None:
        self.detect_run, dashboard = data
        if dashboard is not None:
            self._show(dashboard, enabled=True)

    def _watch_failed(self, message: str) -> None:
        self.detect_error = message

    @rx.event
    async def run_detection(self):
        """Queue a manual detection run (ops/admin) and follow it until it ends."""
        ctx = await self._require(DETECT)
        if ctx is None:
            self.detect_error = "Your role may not run detection."
            return
        if self.detect_busy or self.live:
            return
        self.detect_busy, self.detect_error = True, ""
        yield
        try:
            job_id = await asyncio.to_thread(dp.start_detection, ctx)
            self.detect_run = await asyncio.to_thread(dp.fetch_run, ctx, job_id)
            follow = await asyncio.to_thread(dp.worker_running)
        except DomainError as exc:
            self.detect_error = fmt.error_text(exc)
            return
        finally:
            self.detect_busy = False
        if not follow:  # nothing would move: say so instead of a spinner that never ends
            self.detect_run = dataclasses.replace(self.detect_run, status_text=dp.NO_WORKER)
            return
        yield self._start_watch(job_id, job_id)

    @rx.event(background=True)
    async def load(self):
        # `/` is the landing page and often left at once: the DB work runs outside the state lock,
        # so navigating away mid-load never makes the next page wait for it
        async with self:
            ctx = await self._require(READ)
            if ctx is None:
                self._show(Dashboard(), enabled=False)
                self.can_detect, self.detect_run = False, dp.RunRow()
                return
        data = await asyncio.to_thread(fetch_dashboard, ctx)
        async with self:
            if await self._require(READ) is None:
                return
            self._show(data, enabled=True)
            self.can_detect, self.detect_error = ctx.can(DETECT), ""


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
    return row_link(
        left,
        rx.spacer(),
        rx.text(item["count"], weight="bold", size="2"),
        rx.icon("chevron-right", size=14, color=rx.color("gray", 8)),
        href=href,
        testid=testid,
        padding="0.35rem 0.5rem",
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
            charts.bar_chart(
                s.trend,
                "day",
                [charts.Series("alerts", "Alerts opened")],
                testid="breach-trend",
                height=220,
                y_width=32,
                whole_numbers=True,
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
        rx.hstack(
            rx.spacer(),
            dp.run_detection_control(s.can_detect, s.detect_busy, s.live, s.detect_run, s.run_detection),
            width="100%",
            align="center",
        ),
        rx.cond(s.detect_error != "", feedback.error_box(s.detect_error, "detection-error")),
        _kpi_grid(k),
        _trend_and_breakdown(k),
        dp.last_import_card(s.last_import),
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
