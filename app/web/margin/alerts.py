"""`/alerts`: the alert list with its filters (kept in the URL) and "Load more".

Every figure comes from models.margin.queries (the same read models as the REST API); handlers
re-check the permission, run DB work in a thread and never take a tenant from arguments.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.controls import ANY
from app.web.kit.lists import KeysetListMixin
from app.web.kit.rows import Option
from app.web.margin import components as mc
from app.web.margin.rows import AlertRow
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.margin.frames import RULES
from engine.margin.machines import ALERT_MACHINE
from engine.margin.permissions import READ
from engine.margin.severity import LEVELS
from models.margin.queries import alerts as alert_queries

PAGE_SIZE = 25
ALERT_STATUSES = ALERT_MACHINE.statuses


def fetch_alert_options(ctx: TenantContext) -> list[Option]:
    """The orgs alerts are raised on: dealers, then competitors (competitor-undercut alerts)."""
    return [
        Option(str(o.id), o.name if o.type == "dealer" else f"{o.name} (competitor)")
        for o in alert_queries.alert_orgs(ctx)
    ]


def fetch_alerts(ctx: TenantContext, filters: dict[str, str], cursor: str | None) -> tuple[list[AlertRow], str]:
    wanted = alert_queries.AlertFilters(
        status=filters.get("status") if filters.get("status") in ALERT_STATUSES else None,
        rule=filters.get("rule") if filters.get("rule") in RULES else None,
        severity=filters.get("severity") if filters.get("severity") in LEVELS else None,
        dealer_id=fmt.parse_uuid(filters.get("dealer")),
        sku_id=fmt.parse_uuid(filters.get("sku")),
    )
    page = alert_queries.alert_page(ctx, wanted, limit=PAGE_SIZE, cursor=cursor)
    return mc.alert_rows(page.items), page.next_cursor or ""


class AlertsState(KeysetListMixin, AuthState):
    rows: list[AlertRow] = []
    dealer_options: list[Option] = []
    f_status: str = ANY
    f_rule: str = ANY
    f_severity: str = ANY
    f_dealer: str = ANY
    f_sku: str = ""

    _list_permission: ClassVar[str] = READ

    def _filters(self) -> dict[str, str]:
        return {
            "status": self.f_status,
            "rule": self.f_rule,
            "severity": self.f_severity,
            "dealer": self.f_dealer,
            "sku": self.f_sku,
        }

    def _url(self) -> str:
        """/alerts with the set filters as its query string (reload, back and links keep them)."""
        params = {k: v for k, v in self._filters().items() if v and v != ANY}
        return "/alerts" + ("?" + urlencode(params) if params else "")

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[AlertRow], str | None]:
        return fetch_alerts(ctx, self._filters(), cursor)

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        self.f_status = params.get("status", ANY) if params.get("status") in ALERT_STATUSES else ANY
        self.f_rule = params.get("rule", ANY) if params.get("rule") in RULES else ANY
        self.f_severity = params.get("severity", ANY) if params.get("severity") in LEVELS else ANY
        sku = fmt.parse_uuid(params.get("sku"))
        self.f_sku = str(sku) if sku else ""
        ctx = await self._require(READ)
        self.dealer_options = await asyncio.to_thread(fetch_alert_options, ctx) if ctx else []
        dealer = fmt.parse_uuid(params.get("dealer"))
        known = {o.id for o in self.dealer_options}
        self.f_dealer = str(dealer) if dealer and str(dealer) in known else ANY
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    async def set_filter(self, name: str, value: str):
        if await self._require(READ) is None:
            return
        value = str(value or ANY)[:64]
        if name == "status":
            self.f_status = value if value in ALERT_STATUSES else ANY
        elif name == "rule":
            self.f_rule = value if value in RULES else ANY
        elif name == "severity":
            self.f_severity = value if value in LEVELS else ANY
        elif name == "dealer":
            known = {o.id for o in self.dealer_options}
            self.f_dealer = value if value in known else ANY
        else:
            return
        # the URL holds the filters: navigating there runs `load`, which reads them back and lists
        return rx.redirect(self._url())

    @rx.event
    async def clear_filters(self):
        if await self._require(READ) is None:
            return
        self.f_status = self.f_rule = self.f_severity = self.f_dealer = ANY
        self.f_sku = ""
        return rx.redirect(self._url())

    @rx.var
    def filtered(self) -> bool:
        return (
            self.f_status != ANY
            or self.f_rule != ANY
            or self.f_severity != ANY
            or self.f_dealer != ANY
            or self.f_sku != ""
        )


ALERT_COLUMNS = mc.alert_columns("alert-link", evidence=True)
FILTERS = (
    ("status", "Status", [(v, fmt.label(v)) for v in ALERT_STATUSES], "All statuses"),
    ("rule", "Rule", [(r, mc.rule_label(r)) for r in RULES], "All rules"),
    ("severity", "Severity", [(v, v) for v in reversed(LEVELS)], "All severities"),
)


def _filter(
    name: str, caption: str, options: list[tuple[str, str]] | Var, every: str, aria: str = "", **props
) -> rx.Component:
    """A captioned filter select; a choice sets the URL (`set_filter`)."""
    return controls.field(
        caption,
        controls.choice(
            options,
            getattr(AlertsState, f"f_{name}"),
            lambda v: AlertsState.set_filter(name, v),
            aria or caption,
            every=every,
            **props,
        ),
    )


def _alerts_table(message: str, icon: str) -> rx.Component:
    s = AlertsState
    return tables.table_or_empty(
        s.rows, ALERT_COLUMNS, "alerts-table", message, icon, row_testid="alert-row", loading=s.loading
    )


@app_page("/alerts", "Alerts", permission=READ, nav="Alerts", icon="siren", order=10, on_load=AlertsState.load)
def alerts_page() -> rx.Component:
    s = AlertsState
    return rx.vstack(
        rx.flex(
            *[_filter(*f) for f in FILTERS],
            _filter(
                "dealer",
                "Dealer or competitor",
                s.dealer_options,
                "All dealers and competitors",
                "Dealer",
                min_width="12rem",
            ),
            rx.button(rx.icon("x", size=14), "Clear", variant="soft", color_scheme="gray", on_click=s.clear_filters),
            spacing="3",
            wrap="wrap",
            align="end",
            width="100%",
        ),
        rx.cond(
            s.filtered,
            _alerts_table("No alerts match these filters.", "search-x"),
            _alerts_table("No alerts yet. Detection raises them from sale rows and competitor prices.", "shield-check"),
        ),
        tables.load_more(s.has_more, s.loading, s.load_more, "load-more"),
        spacing="4",
        width="100%",
    )


# the dashboard and the drilldown register with the shell through this module (app/web/modules.py
# imports `alerts`); app/web/core/home.py imports the dashboard from here
from app.web.margin import alert_detail  # noqa: E402, F401
from app.web.margin.dashboard import MarginDashboardState, dashboard_view  # noqa: E402, F401
