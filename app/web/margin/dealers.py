"""`/dealers` (dealers with their status and breach figures) and `/dealers/[id]` (summary, status
ladder with its history, open alerts, and status changes with a required note — Ops/Owner only,
through the decision path of DEALER_MACHINE)."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.decisions import Action, Decision, DecisionDialogMixin, action_buttons, decision_page, record_header
from app.web.kit.lists import KeysetListMixin
from app.web.kit.table import col, num
from app.web.margin import components as mc
from app.web.margin.rows import AlertRow, Count, DealerRow, DealerSummary, Rung, SentNotice, StatusChange
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.margin.permissions import DEALERS_STATUS as STATUS
from engine.margin.permissions import READ
from models.margin import actions
from models.margin.queries import dealers as dealer_queries

PAGE_SIZE = 50


def fetch_dealers(ctx: TenantContext, q: str, cursor: str | None = None) -> tuple[list[DealerRow], str]:
    """One page of dealers (by name, keyset cursor as the API's) and the next page's cursor."""
    found = dealer_queries.dealer_list(ctx, q=q or None, limit=PAGE_SIZE, cursor=cursor or None)
    return [
        DealerRow(
            id=str(r.dealer.id),
            name=r.dealer.name,
            code=r.dealer.code,
            status=r.status,
            open_alerts=str(r.figures["open_alerts"]),
            lost_margin=fmt.amount(r.figures["lost_margin"], found.currency),
        )
        for r in found.page.items
    ], found.page.next_cursor or ""


def fetch_dealer(ctx: TenantContext, dealer_id: str) -> dict[str, Any]:
    found = dealer_queries.dealer_detail(ctx, dealer_id)
    data, dealer, people = found.summary, found.dealer, found.people
    status = data["status"]
    ladder = data["ladder"]
    rank = ladder.index(status) if status in ladder else 0
    return {
        "dealer": DealerSummary(
            id=str(dealer.id),
            name=dealer.name,
            code=dealer.code,
            status=status,
            open_alerts=str(data["open_alerts"]),
            lost_margin=fmt.money(data["lost_margin"]),
            currency=found.currency,
            open_tasks=str(data["open_tasks"]),
        ),
        "by_rule": [Count(mc.rule_label(r), str(c)) for r, c in sorted(data["open_alerts_by_rule"].items())],
        "ladder": [Rung(s, fmt.label(s), i == rank, i < rank) for i, s in enumerate(ladder)],
        "history": [
            StatusChange(
                fmt.when(e.at),
                fmt.label(e.action),
                e.from_status,
                e.to_status,
                e.reason or "",
                _person(people, e.actor),
            )
            for e in reversed(data["history"])
        ],
        "actions": [Action(a["action"], a["label"], True) for a in data["actions"]],
        "alerts": mc.alert_rows(found.open_alerts),
        "notices": [
            SentNotice(fmt.when(n.created_at), fmt.label(n.action), n.subject, n.channel, str(len(n.alert_ids or [])))
            for n in found.notices
        ],
    }


def _person(people: dict[str, str], actor: Any) -> str:
    return people.get(str(actor or ""), str(actor or ""))


class DealersState(KeysetListMixin, AuthState):
    rows: list[DealerRow] = []
    query: str = ""

    _list_permission: ClassVar[str] = READ

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[DealerRow], str | None]:
        return fetch_dealers(ctx, self.query.strip(), cursor)

    @rx.event
    async def load(self):
        async for _ in self._reload_list(await self._require(READ)):
            yield

    @rx.event
    async def set_query(self, value: str):
        self.query = str(value or "")[:100]
        async for _ in self._reload_list(await self._require(READ)):
            yield


DEALER_COLUMNS = [
    col(
        "Dealer",
        lambda r: rx.link(r["name"], href="/dealers/" + r["id"].to(str), weight="medium", data_testid="dealer-link"),
    ),
    col("Code", lambda r: rx.code(r["code"], variant="ghost")),
    col("Status", lambda r: badges.status_badge(r["status"])),
    num("Open alerts", "open_alerts"),
    num("Open lost margin", lambda r: rx.text(r["lost_margin"], weight="medium"), white_space="nowrap"),
]


@app_page("/dealers", "Dealers", permission=READ, nav="Dealers", icon="store", order=11, on_load=DealersState.load)
def dealers_page() -> rx.Component:
    s = DealersState
    return rx.vstack(
        controls.search_input(
            "Filter by name or code",
            "Filter dealers",
            value=s.query,
            on_change=s.set_query.debounce(300),
            width="100%",
            max_width="20rem",
        ),
        tables.paged_table(
            s,
            DEALER_COLUMNS,
            "dealers-table",
            "No dealers. Dealers are organizations of type dealer in the catalog.",
            "store",
            row_testid="dealer-row",
            more_testid="dealers-load-more",
        ),
        spacing="4",
        width="100%",
    )


class DealerDetailState(DecisionDialogMixin, AuthState):
    dealer: DealerSummary = DealerSummary()
    by_rule: list[Count] = []
    ladder: list[Rung] = []
    history: list[StatusChange] = []
    alerts: list[AlertRow] = []
    notices: list[SentNotice] = []

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = STATUS
    _missing_text: ClassVar[str] = "This dealer does not exist in your tenant."
    _denied_text: ClassVar[str] = "Your role may not change a dealer's status."
    _keep_dialog_on_error: ClassVar[bool] = True

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return fetch_dealer(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.dealer, self.by_rule, self.ladder = data["dealer"], data["by_rule"], data["ladder"]
        self.history, self.alerts, self.notices = data["history"], data["alerts"], data["notices"]
        return data["dealer"].id

    def _blank_record(self) -> None:
        self.dealer, self.by_rule, self.ladder, self.history = DealerSummary(), [], [], []
        self.alerts, self.notices = [], []

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        actions.change_dealer_status(
            ctx, record_id, decision.action or "", decision.reason or "", decision.expected_status
        )

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["dealer"].status

    def _done_notice(self, action: str | None) -> str:
        return f"Status changed to {fmt.label(self.dealer.status)}."


def _rung(r: Var) -> rx.Component:
    current = r["current"].to(bool)
    return rx.hstack(
        rx.box(
            rx.text(r["label"], size="2", weight=rx.cond(current, "bold", "regular")),
            padding_x="0.75rem",
            padding_y="0.35rem",
            border_radius="var(--radius-4)",
            background=rx.cond(
                current,
                rx.color("accent", 9),
                rx.cond(r["past"].to(bool), rx.color("accent", 4), rx.color("gray", 3)),
            ),
            color=rx.cond(current, "white", rx.color("gray", 12)),
            data_testid=rx.cond(current, "ladder-current", "ladder-rung"),
        ),
        rx.cond(r["status"] != "terminated", rx.icon("chevron-right", size=14, color=rx.color("gray", 8))),
        spacing="1",
        align="center",
    )


HISTORY_COLUMNS = [
    col("When", lambda h: rx.text(h["at"], size="1")),
    col(
        "Change",
        lambda h: rx.hstack(
            badges.status_badge(h["before"]),
            rx.icon("arrow-right", size=12),
            badges.status_badge(h["after"]),
            align="center",
            spacing="1",
        ),
    ),
    col("Action", "action"),
    col(
        "Note",
        lambda h: rx.text(h["reason"], size="2", white_space="pre-wrap", **controls.WRAP),
        min_width="12rem",
        max_width="32rem",
    ),
    col("By", lambda h: rx.text(h["actor"], size="1", color_scheme="gray", white_space="nowrap")),
]
NOTICE_COLUMNS = [
    col("When", lambda n: rx.text(n["at"], size="1"), white_space="nowrap"),
    col("Notice", lambda n: rx.badge(n["action"], variant="soft", color_scheme="orange")),
    col("Subject", lambda n: rx.text(n["subject"], size="2", **controls.WRAP), min_width="10rem", max_width="32rem"),
    num("Alerts", "count"),
    col("Channel", lambda n: rx.text(n["channel"], size="1", color_scheme="gray")),
]
ALERT_COLUMNS = [
    col("Rule", mc.alert_link),
    col("SKU", lambda r: rx.code(r["sku"], variant="ghost")),
    col("Status", lambda r: badges.status_badge(r["status"])),
    col("Severity", lambda r: mc.severity_badge(r["severity"])),
    num("Impact", "impact"),
]


def _header(d: Var) -> rx.Component:
    return record_header(
        rx.heading(d["name"], size="6", data_testid="dealer-name", **controls.WRAP),
        badges.status_badge(d["status"], data_testid="dealer-status"),
        sub=rx.code(d["code"], variant="ghost", size="2"),
        aside=action_buttons(DealerDetailState, "dealer-action"),
        align="center",
    )


def _kpis(d: Var) -> rx.Component:
    return rx.grid(
        mc.kpi_card(
            "Open alerts", d["open_alerts"], "MAP, MRP and other rules", "siren", "dealer-open-alerts", color="red"
        ),
        mc.kpi_card(
            "Open lost margin",
            d["lost_margin"],
            "MAP/MRP impact of open alerts",
            "trending-down",
            "dealer-lost-margin",
            color="orange",
            unit=d["currency"],
        ),
        mc.kpi_card("Open tasks", d["open_tasks"], "on this dealer", "list-checks", "dealer-open-tasks", color="blue"),
        columns=rx.breakpoints(initial="1", sm="3"),
        spacing="4",
        width="100%",
    )


@app_page("/dealers/[id]", "Dealer", permission=READ, on_load=DealerDetailState.load)
def dealer_page() -> rx.Component:
    s = DealerDetailState
    return decision_page(
        s,
        _header(s.dealer),
        _kpis(s.dealer),
        controls.section(
            "Status ladder",
            rx.hstack(rx.foreach(s.ladder, _rung), wrap="wrap", spacing="1", data_testid="status-ladder"),
            tables.table_or_empty(
                s.history,
                HISTORY_COLUMNS,
                "history-table",
                "No status changes yet.",
                "history",
                row_testid="history-row",
            ),
        ),
        controls.section(
            "Open alerts",
            rx.hstack(
                rx.foreach(s.by_rule, lambda r: rx.badge(r["label"], ": ", r["count"], variant="soft")), wrap="wrap"
            ),
            tables.table_or_empty(
                s.alerts, ALERT_COLUMNS, "dealer-alerts", "No open alerts for this dealer.", "shield-check"
            ),
        ),
        controls.section(
            "Notices sent",
            tables.table_or_empty(
                s.notices,
                NOTICE_COLUMNS,
                "dealer-notices",
                "No notices sent to this dealer.",
                "mail",
                row_testid="notice-row",
            ),
        ),
        href="/dealers",
        back="dealers",
        missing="Dealer not found.",
        missing_testid="dealer-missing",
    )
