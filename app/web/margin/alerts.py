"""Margin Defense pages: the dashboard (rendered on `/` by pages/home.py), `/alerts` and the
`/alert/[id]` drilldown (rule, math, floor source, timeline, evidence, actions by role).

Every figure comes from the repositories of models.margin (the same ones as the REST API);
handlers re-check the permission, run DB work in a thread and never take a tenant from arguments.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar
from urllib.parse import urlencode

import reflex as rx
from reflex.vars import Var

from app.web.kit.decisions import DecisionDialogMixin, action_buttons, decision_page
from app.web.margin import components as mc
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.frames import RULES
from engine.margin.severity import LEVELS
from models.core.db import tenant_session
from models.margin import alerts as alert_repo
from models.margin import dashboard, enforcement
from models.margin.tables import MarginSaleRow

READ = "margin.read"
UPDATE = "margin.alerts.update"
NOTES = "margin.notes.write"
ALL = "__all__"
PAGE_SIZE = 25
DONE_NOTICES = {
    "": "Note added.",
    "acknowledge": "Alert acknowledged.",
    "enforce": "Enforcement started.",
    "stand_down": "Enforcement stopped.",
    "resolve": "Alert resolved.",
    "dismiss": "Alert dismissed.",
    "reopen": "Alert reopened.",
}
ALERT_STATUSES = ["open", "acknowledged", "in_enforcement", "resolved", "dismissed"]


# ---- data (worker threads) ------------------------------------------------------------------


def fetch_dashboard(ctx: TenantContext) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        s = dashboard.summary(session, ctx)
        recent = alert_repo.list_alerts(session, ctx, open_only=True, limit=6).items
        rows = mc.alert_rows(session, ctx, recent)
        currency = mc.tenant_currency(session, ctx)
    by_rule = s["open_alerts_by_rule"]
    by_sev = s["open_alerts_by_severity"]
    return {
        "kpis": {
            "open_alerts": str(s["open_alerts"]),
            "lost_margin_period": mc.money(s["lost_margin_period"]),
            "lost_margin_open": mc.money(s["lost_margin_open"]),
            "open_impact_all": mc.money(s["open_impact_all"]),
            "currency": currency,
            "period_days": str(s["period_days"]),
            "dealers_in_breach": str(s["dealers_in_breach"]),
            "tasks_due": str(s["tasks_due"]),
            "tasks_overdue": str(s["tasks_overdue"]),
            "tasks_open": str(s["tasks_open"]),
            "running_batches": str(s["running_batches"]),
            "as_of": mc.when(s["as_of"]),
        },
        "by_rule": [
            {"rule": r, "label": mc.rule_label(r), "count": str(by_rule.get(r, 0)),
             "impact": mc.amount(s["open_impact_by_rule"].get(r, 0), currency)}
            for r in RULES if by_rule.get(r)
        ],
        "by_severity": [{"severity": v, "count": str(by_sev.get(v, 0))} for v in reversed(LEVELS) if by_sev.get(v)],
        "trend": [{"day": t["day"][5:], "alerts": int(t["alerts"])} for t in s["breach_trend"]],
        "recent": rows,
    }


def fetch_alert_options(ctx: TenantContext) -> list[dict[str, str]]:
    """The orgs alerts are raised on: dealers, then competitors (competitor-undercut alerts)."""
    from sqlmodel import select

    from models.catalog.tables import Organization

    with tenant_session(ctx) as session:
        orgs = session.exec(
            select(Organization.id, Organization.name, Organization.type)
            .where(
                Organization.tenant_id == ctx.tenant_id,
                Organization.type.in_(("dealer", "competitor")),  # type: ignore[attr-defined]
            )
            .order_by(Organization.type.desc(), Organization.name, Organization.id)  # type: ignore[attr-defined]
            .limit(500)
        ).all()
    return [
        {"value": str(i), "label": name if kind == "dealer" else f"{name} (competitor)"} for i, name, kind in orgs
    ]


def fetch_alerts(ctx: TenantContext, filters: dict[str, str], cursor: str | None) -> tuple[list[dict[str, str]], str]:
    with tenant_session(ctx) as session:
        page = alert_repo.list_alerts(
            session,
            ctx,
            status=filters.get("status") if filters.get("status") in ALERT_STATUSES else None,
            rule=filters.get("rule") if filters.get("rule") in RULES else None,
            severity=filters.get("severity") if filters.get("severity") in LEVELS else None,
            dealer_id=mc.parse_uuid(filters.get("dealer")),
            sku_id=mc.parse_uuid(filters.get("sku")),
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        return mc.alert_rows(session, ctx, page.items), page.next_cursor or ""


def fetch_alert(ctx: TenantContext, alert_id: str) -> dict[str, Any]:
    """Everything the drilldown shows, in one transaction."""
    with tenant_session(ctx) as session:
        alert = alert_repo.get_alert(session, ctx, alert_id)
        row = mc.alert_rows(session, ctx, [alert])[0]
        evidence = alert_repo.evidence(session, ctx, alert.id)
        timeline = alert_repo.timeline(session, ctx, alert.id)
        for n in enforcement.list_notices(session, ctx, dealer_id=alert.dealer_id, limit=100).items:
            if str(alert.id) in (n.alert_ids or []):
                timeline.append({"at": n.created_at, "type": "notice", "id": str(n.id), "text": n.subject,
                                 "reason": f"{mc.label(n.action)} via {n.channel}"})
        timeline.sort(key=lambda x: (x["at"], x["id"]))
        sale_ids = [e.sale_row_id for e in evidence if e.sale_row_id]
        sales = {}
        if sale_ids:
            from sqlmodel import select

            sales = {
                r.id: r
                for r in session.exec(
                    select(MarginSaleRow).where(
                        MarginSaleRow.tenant_id == ctx.tenant_id,
                        MarginSaleRow.id.in_(sale_ids),  # type: ignore[attr-defined]
                    )
                ).all()
            }
        actions = alert_repo.actions_for(ctx, alert)
        math = dict(alert.explanation or {})
        people = mc.actor_names(session, ctx)
        source = math.get("floor_source") or {}
        rule_info = price_rule_info(session, ctx, source.get("price_rule_id") or alert.floor_rule_id)
    currency = rule_info.get("currency") or row["currency"]
    terms = [
        {
            "n": str(i + 1),
            "text": str(t.get("text", "")),
            "value": mc.money(t.get("value")),
        }
        for i, t in enumerate(math.get("terms") or [])
    ]
    ev_rows = []
    for e in evidence:
        sale = sales.get(e.sale_row_id) if e.sale_row_id else None
        ev_rows.append(
            {
                "kind": mc.label(e.kind),
                "observed": mc.when(e.observed_at),
                "qty": str(e.qty),
                "price": mc.money(e.price),
                "floor": mc.money(e.floor),
                "depth": f"{e.depth_pct:.1f} %" if e.depth_pct is not None else "—",
                "impact": mc.amount(e.impact, currency),
                "source": sale.source if sale else ("competitor snapshot" if e.snapshot_id else "inventory"),
            }
        )
    events = [
        {
            "at": mc.when(x["at"]),
            "type": x["type"],
            "text": f"{mc.rule_label(alert.rule)} alert opened" if x["type"] == "opened" else str(x.get("text") or ""),
            "reason": str(x.get("reason") or ""),
            "actor": people.get(str(x.get("actor") or ""), str(x.get("actor") or "")),
            "status": str(x.get("status") or ""),
        }
        for x in timeline
    ]
    return {
        "alert": {
            **row,
            "floor": mc.amount(alert.floor, currency),
            "worst_price": mc.amount(alert.worst_price, currency),
            "currency": currency,
            "depth": f"{alert.max_depth_pct:.1f} %" if alert.max_depth_pct is not None else "—",
            "units": str(alert.units),
            "first_seen": mc.when(alert.first_seen),
            "last_seen": mc.when(alert.last_seen),
            "formula": str(math.get("formula") or ""),
            "rendered": str(math.get("rendered") or ""),
            "total": mc.amount(math.get("total"), currency) if math.get("total") is not None else row["impact"],
            "floor_kind": mc.floor_kind_label(source.get("kind")),
            "price_rule_id": str(source.get("price_rule_id") or (alert.floor_rule_id or "")),
            "price_rule": rule_info.get("label", ""),
            "source_floor": mc.money(source.get("floor")) if source.get("floor") else "",
            "why_href": why_price_href(
                row["sku"], row["dealer_id"] if row["org_type"] == "dealer" else "",
                source.get("kind"), rule_info.get("book_kind"), alert.last_seen or alert.opened_at,
            ),
        },
        "terms": terms,
        "evidence": ev_rows,
        "timeline": events,
        "actions": [
            {"action": a["action"], "label": a["label"], "reason": "yes" if a["reason_required"] else ""}
            for a in actions
        ],
    }


def price_rule_info(session: Any, ctx: TenantContext, rule_id: Any) -> dict[str, str]:
    """A human label for the floor's price rule: its book (name, kind, currency), amount and start."""
    from models.catalog.tables import PriceBook, PriceRule

    rid = mc.parse_uuid(rule_id)
    if rid is None:
        return {}
    from sqlmodel import select

    found = session.exec(
        select(PriceRule, PriceBook).where(
            PriceRule.tenant_id == ctx.tenant_id,
            PriceBook.tenant_id == ctx.tenant_id,
            PriceBook.id == PriceRule.price_book_id,
            PriceRule.id == rid,
        )
    ).first()
    if found is None:
        return {}
    rule, book = found
    return {
        "label": f"{book.name}: {mc.amount(rule.amount, book.currency)}, effective from "
                 f"{mc.when(rule.effective_from, time=False)}",
        "currency": book.currency,
        "book_kind": book.kind,
    }


def why_price_href(sku_code: str, dealer_id: str, floor_kind: Any, book_kind: Any, at: Any) -> str:
    """The catalog pricing page for this alert's SKU, dealer, floor kind and date."""
    kind = str(floor_kind or "").lower()
    if kind not in ("map", "mrp"):  # "our price": the list price, else MAP — the rule's own book says which
        kind = str(book_kind or "list").lower()
    params = {"sku": sku_code, "org": dealer_id, "kind": kind, "at": mc.when(at, time=False) if at else ""}
    return "/catalog/pricing?" + urlencode({k: v for k, v in params.items() if v})


def decide_alert(
    ctx: TenantContext,
    alert_id: str,
    action: str | None,
    reason: str | None,
    note: str | None,
    expected_status: str | None = None,
) -> None:
    with tenant_session(ctx) as session:
        alert_repo.patch_alert(
            session, ctx, alert_id, action=action, reason=reason, note=note, expected_status=expected_status
        )


# ---- dashboard ------------------------------------------------------------------------------


class MarginDashboardState(AuthState):
    enabled: bool = False
    kpis: dict[str, str] = {}
    by_rule: list[dict[str, str]] = []
    by_severity: list[dict[str, str]] = []
    trend: list[dict[str, Any]] = []
    recent: list[dict[str, str]] = []

    @rx.event(background=True)
    async def load(self):
        # `/` is the landing page and often left at once: the DB work runs outside the state lock,
        # so navigating away mid-load never makes the next page wait for it
        async with self:
            ctx = await self._require(READ)
            if ctx is None:
                self.enabled, self.kpis, self.by_rule, self.by_severity, self.trend, self.recent = (
                    False, {}, [], [], [], []
                )
                return
        data = await asyncio.to_thread(fetch_dashboard, ctx)
        async with self:
            if await self._require(READ) is None:
                return
            self.kpis, self.by_rule, self.by_severity = data["kpis"], data["by_rule"], data["by_severity"]
            self.trend, self.recent = data["trend"], data["recent"]
            self.enabled = True


def _breakdown_row(item: Var, kind: str) -> rx.Component:
    if kind == "rule":
        left = rx.hstack(rx.text(item["label"], size="2"),
                         rx.text(item["impact"], size="1", color_scheme="gray"), align="baseline", spacing="2")
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
        rx.table.cell(rx.vstack(rx.code(row["sku"], variant="ghost"),
                                rx.text(row["sku_name"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(mc.status_badge(row["status"])),
        rx.table.cell(mc.severity_badge(row["severity"])),
        rx.table.cell(rx.text(row["impact"], weight="medium"), text_align="right", white_space="nowrap"),
        rx.table.cell(rx.text(row["opened"], size="1"), white_space="nowrap"),
        data_testid="breach-row",
    )


def dashboard_view() -> rx.Component:
    s = MarginDashboardState
    k = s.kpis
    return rx.vstack(
        rx.grid(
            mc.kpi_card("Open alerts", k["open_alerts"],
                        rx.text.span("all rules · ", k["open_impact_all"], " ", k["currency"], " impact"),
                        "siren", "kpi-open-alerts", color="red"),
            mc.kpi_card(
                "Lost margin",
                k["lost_margin_period"],
                rx.text.span("MAP/MRP, last ", k["period_days"], " days"),
                "trending-down",
                "kpi-lost-margin",
                color="orange",
                unit=k["currency"],
            ),
            mc.kpi_card("Dealers in breach", k["dealers_in_breach"], "open MAP/MRP", "store", "kpi-dealers",
                        color="amber"),
            mc.kpi_card(
                "Tasks due",
                k["tasks_due"],
                rx.text.span(
                    "within a day · ",
                    rx.text.span(k["tasks_overdue"], " overdue", data_testid="kpi-tasks-overdue",
                                 color=rx.cond(k["tasks_overdue"] != "0", rx.color("red", 11), "inherit")),
                    " · ", k["tasks_open"], " open",
                ),
                "list-checks",
                "kpi-tasks-due",
                color="blue",
            ),
            mc.kpi_card("Running batches", k["running_batches"], "queued or running", "loader", "kpi-batches",
                        color="violet"),
            columns=rx.breakpoints(initial="1", xs="2", md="3", lg="5"),
            spacing="3",
            width="100%",
        ),
        rx.grid(
            mc.section(
                "Breach trend",
                rx.text("Alerts opened per day (date opened, as in the tables), last 14 days", size="1",
                        color_scheme="gray"),
                rx.box(
                    rx.recharts.bar_chart(
                        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                        rx.recharts.x_axis(data_key="day", font_size=11),
                        rx.recharts.y_axis(allow_decimals=False, width=32, font_size=11),
                        rx.recharts.graphing_tooltip(),
                        rx.recharts.bar(data_key="alerts", name="Alerts opened", fill=rx.color("accent", 9),
                                        radius=[3, 3, 0, 0]),
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
            mc.section(
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
                    mc.empty("No open alerts.", "shield-check"),
                ),
                action=rx.text(k["lost_margin_open"], " ", k["currency"], " MAP/MRP open impact", size="1",
                               color_scheme="gray", data_testid="open-impact"),
            ),
            columns=rx.breakpoints(initial="1", lg="3"),
            spacing="4",
            width="100%",
        ),
        mc.section(
            "Latest open breaches",
            mc.table_or_empty(s.recent, ["Rule", "Dealer", "SKU", "Status", "Severity", "Impact", "Opened"],
                              _recent_row, "breach-table",
                              "No open breaches. Detection finds new ones from sale rows.", "shield-check"),
            action=rx.link("All alerts", href="/alerts", size="2"),
        ),
        rx.text("Figures as of ", k["as_of"], size="1", color_scheme="gray"),
        spacing="4",
        width="100%",
        data_testid="margin-dashboard",
    )


# ---- alerts list ----------------------------------------------------------------------------


class AlertsState(AuthState):
    loading: bool = False
    rows: list[dict[str, str]] = []
    has_more: bool = False
    dealer_options: list[dict[str, str]] = []
    f_status: str = ALL
    f_rule: str = ALL
    f_severity: str = ALL
    f_dealer: str = ALL
    f_sku: str = ""
    _cursor: str = ""

    def _filters(self) -> dict[str, str]:
        return {"status": self.f_status, "rule": self.f_rule, "severity": self.f_severity, "dealer": self.f_dealer,
                "sku": self.f_sku}

    def _url(self) -> str:
        """/alerts with the set filters as its query string (reload, back and links keep them)."""
        params = {k: v for k, v in self._filters().items() if v and v != ALL}
        return "/alerts" + ("?" + urlencode(params) if params else "")

    async def _reload(self):
        ctx = await self._require(READ)
        self.rows, self.has_more, self._cursor = [], False, ""
        if ctx is None:
            self.dealer_options = []
            return
        self.loading = True
        yield
        rows, cursor = await asyncio.to_thread(fetch_alerts, ctx, self._filters(), None)
        self.rows, self._cursor, self.has_more, self.loading = rows, cursor, bool(cursor), False

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        self.f_status = params.get("status", ALL) if params.get("status") in ALERT_STATUSES else ALL
        self.f_rule = params.get("rule", ALL) if params.get("rule") in RULES else ALL
        self.f_severity = params.get("severity", ALL) if params.get("severity") in LEVELS else ALL
        sku = mc.parse_uuid(params.get("sku"))
        self.f_sku = str(sku) if sku else ""
        ctx = await self._require(READ)
        self.dealer_options = await asyncio.to_thread(fetch_alert_options, ctx) if ctx else []
        dealer = mc.parse_uuid(params.get("dealer"))
        known = {o["value"] for o in self.dealer_options}
        self.f_dealer = str(dealer) if dealer and str(dealer) in known else ALL
        async for _ in self._reload():
            yield

    @rx.event
    async def set_filter(self, name: str, value: str):
        if await self._require(READ) is None:
            return
        value = str(value or ALL)[:64]
        if name == "status":
            self.f_status = value if value in ALERT_STATUSES else ALL
        elif name == "rule":
            self.f_rule = value if value in RULES else ALL
        elif name == "severity":
            self.f_severity = value if value in LEVELS else ALL
        elif name == "dealer":
            known = {o["value"] for o in self.dealer_options}
            self.f_dealer = value if value in known else ALL
        else:
            return
        # the URL holds the filters: navigating there runs `load`, which reads them back and lists
        return rx.redirect(self._url())

    @rx.event
    async def clear_filters(self):
        if await self._require(READ) is None:
            return
        self.f_status = self.f_rule = self.f_severity = self.f_dealer = ALL
        self.f_sku = ""
        return rx.redirect(self._url())

    @rx.event
    async def load_more(self):
        ctx = await self._require(READ)
        if ctx is None or not self._cursor:
            self.has_more = False
            return
        try:
            rows, cursor = await asyncio.to_thread(fetch_alerts, ctx, self._filters(), self._cursor)
        except DomainError:
            rows, cursor = [], ""
        self.rows = self.rows + rows
        self._cursor, self.has_more = cursor, bool(cursor)

    @rx.var
    def filtered(self) -> bool:
        return (self.f_status != ALL or self.f_rule != ALL or self.f_severity != ALL or self.f_dealer != ALL
                or self.f_sku != "")


def _alert_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["rule_label"], href="/alert/" + row["id"].to(str), weight="medium",
                              data_testid="alert-link")),
        rx.table.cell(mc.org_link(row["dealer"], row["dealer_href"], color_scheme="gray", data_testid="alert-org")),
        rx.table.cell(rx.vstack(rx.code(row["sku"], variant="ghost"), rx.text(row["sku_name"], size="1",
                                                                              color_scheme="gray"), spacing="0")),
        rx.table.cell(mc.status_badge(row["status"])),
        rx.table.cell(mc.severity_badge(row["severity"])),
        rx.table.cell(rx.text(row["impact"], weight="medium"), text_align="right", white_space="nowrap"),
        rx.table.cell(row["evidence"], text_align="right"),
        rx.table.cell(rx.text(row["opened"], size="1")),
        data_testid="alert-row",
    )


@app_page("/alerts", "Alerts", permission=READ, nav="Alerts", icon="siren", order=10, on_load=AlertsState.load)
def alerts_page() -> rx.Component:
    s = AlertsState
    return rx.vstack(
        rx.flex(
            mc.field("Status", mc.choice([(ALL, "All statuses")] + [(v, mc.label(v)) for v in ALERT_STATUSES],
                                         s.f_status, lambda v: AlertsState.set_filter("status", v), "Status")),
            mc.field("Rule", mc.choice([(ALL, "All rules")] + [(r, mc.rule_label(r)) for r in RULES], s.f_rule,
                                       lambda v: AlertsState.set_filter("rule", v), "Rule")),
            mc.field("Severity", mc.choice([(ALL, "All severities")] + [(v, v) for v in reversed(LEVELS)],
                                           s.f_severity, lambda v: AlertsState.set_filter("severity", v),
                                           "Severity")),
            mc.field("Dealer or competitor", rx.select.root(
                rx.select.trigger(aria_label="Dealer", min_width="12rem"),
                rx.select.content(
                    rx.select.item("All dealers and competitors", value=ALL),
                    rx.foreach(s.dealer_options, lambda o: rx.select.item(o["label"], value=o["value"])),
                ),
                value=s.f_dealer,
                on_change=lambda v: AlertsState.set_filter("dealer", v),
            )),
            rx.button(rx.icon("x", size=14), "Clear", variant="soft", color_scheme="gray", on_click=s.clear_filters),
            spacing="3",
            wrap="wrap",
            align="end",
            width="100%",
        ),
        rx.cond(
            s.filtered,
            mc.table_or_empty(s.rows, ["Rule", "Dealer", "SKU", "Status", "Severity", "Impact", "Rows", "Opened"],
                              _alert_row, "alerts-table", "No alerts match these filters.", "search-x",
                              loading=s.loading),
            mc.table_or_empty(s.rows, ["Rule", "Dealer", "SKU", "Status", "Severity", "Impact", "Rows", "Opened"],
                              _alert_row, "alerts-table",
                              "No alerts yet. Detection raises them from sale rows and competitor prices.",
                              "shield-check", loading=s.loading),
        ),
        rx.cond(s.has_more, rx.button("Load more", variant="soft", on_click=s.load_more, data_testid="load-more")),
        spacing="4",
        width="100%",
    )


# ---- alert drilldown ------------------------------------------------------------------------


class AlertDetailState(DecisionDialogMixin, AuthState):
    alert: dict[str, str] = {}
    terms: list[dict[str, str]] = []
    evidence: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    can_note: bool = False
    note: str = ""

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = UPDATE
    _missing_text: ClassVar[str] = "This alert does not exist in your tenant."
    _denied_text: ClassVar[str] = "Your role may not change this alert."

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return fetch_alert(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.alert, self.terms, self.evidence = data["alert"], data["terms"], data["evidence"]
        self.timeline = data["timeline"]
        self.can_note = ctx.can(NOTES)
        return data["alert"]["id"]

    def _blank_record(self) -> None:
        self.alert, self.terms, self.evidence, self.timeline = {}, [], [], []
        self.can_note, self.note = False, ""

    def _record_decision(
        self,
        ctx: TenantContext,
        record_id: str,
        action: str | None,
        reason: str | None,
        note: str | None,
        expected_status: str | None,
    ) -> None:
        decide_alert(ctx, record_id, action, reason, note, expected_status)

    def _status_of(self, data: dict[str, Any]) -> str:
        return str(data["alert"].get("status") or "")

    def _done_notice(self, action: str | None) -> str:
        return DONE_NOTICES.get(action or "", "Alert updated.")

    def _permission_for(self, action: str | None) -> str:
        return UPDATE if action else NOTES

    def _needs_reason(self, chosen: dict[str, str]) -> bool:
        return bool(chosen["reason"])

    @rx.event
    def set_note(self, value: str):
        # never cut: the counter shows the limit, "Add note" waits until the text fits
        self.note = str(value or "")

    @rx.event
    async def add_note(self):
        text = self.note.strip()
        if not text:
            return
        if len(text) > mc.NOTE_MAX:
            self.error = f"The note is {len(text):,} characters long; at most {mc.NOTE_MAX:,} can be saved."
            return
        await self._decide(None, None, text)
        if not self.error:
            self.note = ""


def _term_row(t: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(t["n"]), rx.table.cell(rx.code(t["text"], variant="ghost")),
        rx.table.cell(t["value"], text_align="right"),
    )


def _evidence_row(e: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(e["observed"], size="1")),
        rx.table.cell(e["kind"]),
        rx.table.cell(e["source"]),
        rx.table.cell(e["qty"], text_align="right"),
        rx.table.cell(e["price"], text_align="right"),
        rx.table.cell(e["floor"], text_align="right"),
        rx.table.cell(e["depth"], text_align="right"),
        rx.table.cell(rx.text(e["impact"], weight="medium"), text_align="right", white_space="nowrap"),
        data_testid="evidence-row",
    )


def _timeline_item(e: Var) -> rx.Component:
    icon = rx.match(
        e["type"],
        ("opened", rx.icon("siren", size=16)),
        ("decision", rx.icon("gavel", size=16)),
        ("task", rx.icon("list-checks", size=16)),
        ("note", rx.icon("message-square", size=16)),
        ("notice", rx.icon("mail", size=16)),
        rx.icon("circle", size=16),
    )
    return rx.hstack(
        rx.box(icon, padding="0.4rem", border_radius="full", background=rx.color("accent", 3),
               color=rx.color("accent", 11)),
        rx.vstack(
            rx.hstack(
                rx.text(e["text"], weight="medium", size="2", white_space="pre-wrap", **mc.WRAP),
                rx.cond(e["status"] != "", mc.status_badge(e["status"])),
                spacing="2",
                align="center",
                wrap="wrap",
                max_width="100%",
            ),
            rx.cond(e["reason"] != "", rx.text("“", e["reason"], "”", size="2", color_scheme="gray",
                                               white_space="pre-wrap", **mc.WRAP)),
            rx.text(e["at"], rx.cond(e["actor"] != "", rx.text.span(" · ", e["actor"])), size="1",
                    color_scheme="gray", **mc.WRAP),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
        data_testid="timeline-item",
    )


def _fact(caption: str, value: Var | str, **props) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(caption), rx.data_list.value(value, **props))


def alert_actions() -> rx.Component:
    return action_buttons(AlertDetailState, "alert-action", solid="resolve", disable_while_busy=True)


@app_page("/alert/[id]", "Alert", permission=READ, on_load=AlertDetailState.load)
def alert_page() -> rx.Component:
    s = AlertDetailState
    a = s.alert
    return decision_page(
        s,
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.hstack(
                        rx.heading(a["rule_label"], size="6", data_testid="alert-rule"),
                        mc.status_badge(a["status"], data_testid="alert-status"),
                        mc.severity_badge(a["severity"]),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.text(
                        mc.org_link(a["dealer"], a["dealer_href"], data_testid="alert-org"),
                        rx.cond(a["org_type"] == "competitor", rx.text.span(" (competitor)", color_scheme="gray")),
                        " · ",
                        rx.code(a["sku"], variant="ghost"),
                        " ",
                        a["sku_name"],
                        size="2",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.vstack(
                    rx.text("Impact", size="1", color_scheme="gray"),
                    rx.heading(a["impact"], size="6", data_testid="alert-impact"),
                    align="end",
                    spacing="0",
                ),
                gap="1rem",
                wrap="wrap",
                width="100%",
            ),
            rx.divider(margin_y="0.75rem"),
            rx.flex(alert_actions(), rx.spacer(), rx.text("Opened ", a["opened"], size="1",
                                                          color_scheme="gray"),
                    align="center", wrap="wrap", gap="0.5rem", width="100%"),
            width="100%",
        ),
        rx.grid(
            mc.section(
                "Math",
                rx.code(a["rendered"], variant="soft", size="2", white_space="pre-wrap",
                        padding="0.5rem", data_testid="alert-formula"),
                rx.cond(
                    s.terms.length() > 0,
                    mc.table(["#", "Term", "Value"], rx.foreach(s.terms, _term_row), "math-terms"),
                ),
                rx.hstack(rx.text("Total", weight="bold"), rx.spacer(), rx.text(a["total"], weight="bold"),
                          width="100%"),
            ),
            mc.section(
                "Floor and its source",
                rx.data_list.root(
                    _fact("Floor", rx.vstack(rx.text(a["floor"]),
                                             rx.text(a["floor_kind"], size="1", color_scheme="gray",
                                                     data_testid="floor-kind"),
                                             spacing="0")),
                    _fact("Price rule", rx.cond(
                        a["price_rule_id"] != "",
                        rx.vstack(
                            rx.text(rx.cond(a["price_rule"] != "", a["price_rule"], "price rule"), size="2",
                                    data_testid="price-rule", **mc.WRAP),
                            rx.code(a["price_rule_id"], variant="ghost", size="1", color_scheme="gray", **mc.WRAP),
                            spacing="0",
                            min_width="0",
                        ),
                        rx.text("none"),
                    )),
                    _fact("Worst price", a["worst_price"]),
                    _fact("Deepest breach", a["depth"]),
                    _fact("Units", a["units"]),
                    _fact("First / last seen", rx.text(a["first_seen"], " → ", a["last_seen"], size="1")),
                    size="2",
                ),
                rx.link(
                    rx.hstack(rx.icon("circle-help", size=14), "Why this price? (price rules)",
                              align="center", spacing="1"),
                    href=a["why_href"].to(str),
                    size="2",
                    data_testid="why-price-link",
                ),
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        mc.section(
            "Evidence",
            mc.table_or_empty(s.evidence, ["Observed", "Kind", "Source", "Qty", "Price", "Floor", "Depth", "Impact"],
                              _evidence_row, "evidence-table", "No evidence rows."),
            action=rx.text("Amounts in ", a["currency"], size="1", color_scheme="gray"),
        ),
        mc.section(
            "Timeline",
            rx.vstack(rx.foreach(s.timeline, _timeline_item), spacing="3", width="100%"),
            rx.cond(
                s.can_note,
                rx.vstack(
                    rx.hstack(
                        rx.text_area(value=s.note, on_change=s.set_note, placeholder="Add a note",
                                     rows="2", width="100%", aria_label="Note", data_testid="note-input"),
                        rx.button("Add note", on_click=s.add_note,
                                  disabled=s.busy | (s.note.strip() == "") | (s.note.length() > mc.NOTE_MAX),
                                  data_testid="note-add"),
                        align="end",
                        width="100%",
                    ),
                    mc.char_counter(s.note, mc.NOTE_MAX, "note-counter"),
                    spacing="1",
                    width="100%",
                ),
            ),
        ),
        href="/alerts",
        back="alerts",
        missing="Alert not found.",
        missing_testid="alert-missing",
    )
