"""The Margin Defense dashboard (KPIs, breakdowns, trend, newest open alerts, the last import and the
Run detection button), rendered on `/` by app/web/core/home.py. It loads in a background event,
outside the state lock; a detection run started here is followed live (JobWatchMixin) and the
figures reload when it ends."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges, controls, feedback
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.jobs import JobWatchMixin
from app.web.margin import components as mc
from app.web.margin import detection_panel as dp
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.frames import RULES
from engine.margin.permissions import DETECT, READ
from engine.margin.severity import LEVELS
from models.margin.queries import alerts as alert_queries


def fetch_dashboard(ctx: TenantContext) -> dict[str, Any]:
    found = alert_queries.dashboard_data(ctx)
    s, currency = found.summary, found.currency
    by_rule = s["open_alerts_by_rule"]
    by_sev = s["open_alerts_by_severity"]
    return {
        "kpis": {
            "open_alerts": str(s["open_alerts"]),
            "lost_margin_period": fmt.money(s["lost_margin_period"]),
            "lost_margin_open": fmt.money(s["lost_margin_open"]),
            "open_impact_all": fmt.money(s["open_impact_all"]),
            "currency": currency,
            "period_days": str(s["period_days"]),
            "dealers_in_breach": str(s["dealers_in_breach"]),
            "tasks_due": str(s["tasks_due"]),
            "tasks_overdue": str(s["tasks_overdue"]),
            "tasks_open": str(s["tasks_open"]),
            "running_batches": str(s["running_batches"]),
            "as_of": fmt.when(s["as_of"]),
        },
        "by_rule": [
            {
                "rule": r,
                "label": mc.rule_label(r),
                "count": str(by_rule.get(r, 0)),
                "impact": fmt.amount(s["open_impact_by_rule"].get(r, 0), currency),
            }
            for r in RULES
            if by_rule.get(r)
        ],
        "by_severity": [{"severity": v, "count": str(by_sev.get(v, 0))} for v in reversed(LEVELS) if by_sev.get(v)],
        "trend": [{"day": t["day"][5:], "alerts": int(t["alerts"])} for t in s["breach_trend"]],
        "recent": mc.alert_rows(found.recent),
        "last_import": dp.fetch_last_import(ctx),
    }


class MarginDashboardState(JobWatchMixin, AuthState):
    enabled: bool = False
    kpis: dict[str, str] = {}
    by_rule: list[dict[str, str]] = []
    by_severity: list[dict[str, str]] = []
    trend: list[dict[str, Any]] = []
    recent: list[dict[str, str]] = []
    last_import: dict[str, str] = {}
    can_detect: bool = False
    detect_busy: bool = False
    detect_run: dict[str, str] = {}
    detect_error: str = ""

    _watch_permission: ClassVar[str] = READ

    def _show_dashboard(self, data: dict[str, Any]) -> None:
        self.kpis, self.by_rule, self.by_severity = data["kpis"], data["by_rule"], data["by_severity"]
        self.trend, self.recent, self.last_import = data["trend"], data["recent"], data["last_import"]

    def _watch_fetch(self, ctx: TenantContext, key: str) -> dict[str, Any]:
        run = dp.fetch_run(ctx, key)
        return {"run": run, "dashboard": fetch_dashboard(ctx) if run.get("finished") else None}

    def _watch_apply(self, ctx: TenantContext, data: dict[str, Any]) -> None:
        self.detect_run = data["run"]
        if data["dashboard"] is not None:
            self._show_dashboard(data["dashboard"])

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
            self.detect_run = {**self.detect_run, "status_text": dp.NO_WORKER}
            return
        yield self._start_watch(job_id, job_id)

    @rx.event(background=True)
    async def load(self):
        # `/` is the landing page and often left at once: the DB work runs outside the state lock,
        # so navigating away mid-load never makes the next page wait for it
        async with self:
            ctx = await self._require(READ)
            if ctx is None:
                self.enabled, self.kpis, self.by_rule, self.by_severity, self.trend, self.recent = (
                    False,
                    {},
                    [],
                    [],
                    [],
                    [],
                )
                self.last_import, self.can_detect, self.detect_run = {}, False, {}
                return
        data = await asyncio.to_thread(fetch_dashboard, ctx)
        async with self:
            if await self._require(READ) is None:
                return
            self._show_dashboard(data)
            self.can_detect, self.detect_error = ctx.can(DETECT), ""
            self.enabled = True


def _breakdown_row(item: Var, kind: str) -> rx.Component:
    if kind == "rule":
        left = rx.hstack(
            rx.text(item["label"], size="2"),
            rx.text(item["impact"], size="1", color_scheme="gray"),
            align="baseline",
            spacing="2",
        )
        href = "/alerts?status=open&rule=" + item["rule"].to(str)
        testid = "kpi-rule"
    else:
        left = mc.severity_badge(item["severity"])
        href = "/alerts?status=open&severity=" + item["severity"].to(str)
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


def _recent_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["rule_label"], href="/alert/" + row["id"].to(str), weight="medium", data_testid="breach-link"),
            white_space="nowrap",
        ),
        rx.table.cell(mc.org_link(row["dealer"], row["dealer_href"], color_scheme="gray", data_testid="alert-org")),
        rx.table.cell(
            rx.vstack(
                rx.code(row["sku"], variant="ghost"),
                rx.text(row["sku_name"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(badges.status_badge(row["status"])),
        rx.table.cell(mc.severity_badge(row["severity"])),
        rx.table.cell(rx.text(row["impact"], weight="medium"), text_align="right", white_space="nowrap"),
        rx.table.cell(rx.text(row["opened"], size="1"), white_space="nowrap"),
        data_testid="breach-row",
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
        rx.grid(
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
            mc.kpi_card(
                "Dealers in breach", k["dealers_in_breach"], "open MAP/MRP", "store", "kpi-dealers", color="amber"
            ),
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
        ),
        rx.grid(
            controls.section(
                "Breach trend",
                rx.text(
                    "Alerts opened per day (date opened, as in the tables), last 14 days", size="1", color_scheme="gray"
                ),
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
                        rx.text("By rule", size="1", weight="medium", color_scheme="gray"),
                        rx.foreach(s.by_rule, lambda r: _breakdown_row(r, "rule")),
                        rx.text("By severity", size="1", weight="medium", color_scheme="gray", padding_top="0.5rem"),
                        rx.foreach(s.by_severity, lambda r: _breakdown_row(r, "severity")),
                        spacing="1",
                        width="100%",
                    ),
                    feedback.empty("No open alerts.", "shield-check"),
                ),
                action=rx.text(
                    k["lost_margin_open"],
                    " ",
                    k["currency"],
                    " MAP/MRP open impact",
                    size="1",
                    color_scheme="gray",
                    data_testid="open-impact",
                ),
            ),
            columns=rx.breakpoints(initial="1", lg="3"),
            spacing="4",
            width="100%",
        ),
        dp.last_import_card(s.last_import),
        controls.section(
            "Latest open breaches",
            tables.table_or_empty(
                s.recent,
                ["Rule", "Dealer", "SKU", "Status", "Severity", "Impact", "Opened"],
                _recent_row,
                "breach-table",
                "No open breaches. Detection finds new ones from sale rows.",
                "shield-check",
            ),
            action=rx.link("All alerts", href="/alerts", size="2"),
        ),
        rx.text("Figures as of ", k["as_of"], size="1", color_scheme="gray"),
        spacing="4",
        width="100%",
        data_testid="margin-dashboard",
    )
