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
from app.web.kit.decisions import DecisionDialogMixin, action_buttons, decision_page
from app.web.kit.lists import KeysetListMixin
from app.web.margin import components as mc
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.margin.permissions import DEALERS_STATUS as STATUS
from engine.margin.permissions import READ
from models.margin import actions
from models.margin.queries import dealers as dealer_queries

PAGE_SIZE = 50


def fetch_dealers(ctx: TenantContext, q: str, cursor: str | None = None) -> tuple[list[dict[str, str]], str]:
    """One page of dealers (by name, keyset cursor as the API's) and the next page's cursor."""
    found = dealer_queries.dealer_list(ctx, q=q or None, limit=PAGE_SIZE, cursor=cursor or None)
    return [
        {
            "id": str(r.dealer.id),
            "name": r.dealer.name,
            "code": r.dealer.code,
            "status": r.status,
            "open_alerts": str(r.figures["open_alerts"]),
            "lost_margin": fmt.amount(r.figures["lost_margin"], found.currency),
        }
        for r in found.page.items
    ], found.page.next_cursor or ""


def fetch_dealer(ctx: TenantContext, dealer_id: str) -> dict[str, Any]:
    found = dealer_queries.dealer_detail(ctx, dealer_id)
    data, dealer, people = found.summary, found.dealer, found.people
    status = data["status"]
    ladder = data["ladder"]
    rank = ladder.index(status) if status in ladder else 0
    return {
        "dealer": {
            "id": str(dealer.id),
            "name": dealer.name,
            "code": dealer.code,
            "status": status,
            "open_alerts": str(data["open_alerts"]),
            "lost_margin": fmt.money(data["lost_margin"]),
            "currency": found.currency,
            "open_tasks": str(data["open_tasks"]),
        },
        "by_rule": [
            {"label": mc.rule_label(r), "count": str(c)} for r, c in sorted(data["open_alerts_by_rule"].items())
        ],
        "ladder": [
            {"status": s, "label": fmt.label(s), "state": "current" if i == rank else ("past" if i < rank else "")}
            for i, s in enumerate(ladder)
        ],
        "history": [
            {
                "at": fmt.when(e.at),
                "action": fmt.label(e.action),
                "from": e.from_status,
                "to": e.to_status,
                "reason": e.reason or "",
                "actor": people.get(str(e.actor or ""), e.actor or ""),
            }
            for e in reversed(data["history"])
        ],
        "actions": [{"action": a["action"], "label": a["label"]} for a in data["actions"]],
        "alerts": mc.alert_rows(found.open_alerts),
        "notices": [
            {
                "at": fmt.when(n.created_at),
                "action": fmt.label(n.action),
                "subject": n.subject,
                "channel": n.channel,
                "count": str(len(n.alert_ids or [])),
            }
            for n in found.notices
        ],
    }


def change_status(
    ctx: TenantContext, dealer_id: str, action: str, reason: str, expected_status: str | None = None
) -> None:
    actions.change_dealer_status(ctx, dealer_id, action, reason, expected_status)


class DealersState(KeysetListMixin, AuthState):
    query: str = ""

    _list_permission: ClassVar[str] = READ

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[dict[str, str]], str | None]:
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


def _dealer_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["name"], href="/dealers/" + row["id"].to(str), weight="medium", data_testid="dealer-link")
        ),
        rx.table.cell(rx.code(row["code"], variant="ghost")),
        rx.table.cell(badges.status_badge(row["status"])),
        rx.table.cell(row["open_alerts"], text_align="right"),
        rx.table.cell(rx.text(row["lost_margin"], weight="medium"), text_align="right", white_space="nowrap"),
        data_testid="dealer-row",
    )


@app_page("/dealers", "Dealers", permission=READ, nav="Dealers", icon="store", order=11, on_load=DealersState.load)
def dealers_page() -> rx.Component:
    s = DealersState
    return rx.vstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            value=s.query,
            on_change=s.set_query.debounce(300),
            placeholder="Filter by name or code",
            max_length=100,
            width="100%",
            max_width="20rem",
            aria_label="Filter dealers",
        ),
        tables.table_or_empty(
            s.rows,
            ["Dealer", "Code", "Status", "Open alerts", "Open lost margin"],
            _dealer_row,
            "dealers-table",
            "No dealers. Dealers are organizations of type dealer in the catalog.",
            "store",
            loading=s.loading,
        ),
        tables.load_more(s.has_more, s.loading, s.load_more, "dealers-load-more"),
        spacing="4",
        width="100%",
    )


class DealerDetailState(DecisionDialogMixin, AuthState):
    dealer: dict[str, str] = {}
    by_rule: list[dict[str, str]] = []
    ladder: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    alerts: list[dict[str, str]] = []
    notices: list[dict[str, str]] = []

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
        return data["dealer"]["id"]

    def _blank_record(self) -> None:
        self.dealer, self.by_rule, self.ladder, self.history = {}, [], [], []
        self.alerts, self.notices = [], []

    def _record_decision(
        self,
        ctx: TenantContext,
        record_id: str,
        action: str | None,
        reason: str | None,
        note: str | None,
        expected_status: str | None,
    ) -> None:
        change_status(ctx, record_id, action or "", reason or "", expected_status)

    def _status_of(self, data: dict[str, Any]) -> str:
        return str(data["dealer"].get("status") or "")

    def _done_notice(self, action: str | None) -> str:
        return f"Status changed to {fmt.label(self.dealer.get('status', ''))}."


def _rung(r: Var) -> rx.Component:
    current = r["state"] == "current"
    return rx.hstack(
        rx.box(
            rx.text(r["label"], size="2", weight=rx.cond(current, "bold", "regular")),
            padding_x="0.75rem",
            padding_y="0.35rem",
            border_radius="var(--radius-4)",
            background=rx.cond(
                current,
                rx.color("accent", 9),
                rx.cond(r["state"] == "past", rx.color("accent", 4), rx.color("gray", 3)),
            ),
            color=rx.cond(current, "white", rx.color("gray", 12)),
            data_testid=rx.cond(current, "ladder-current", "ladder-rung"),
        ),
        rx.cond(r["status"] != "terminated", rx.icon("chevron-right", size=14, color=rx.color("gray", 8))),
        spacing="1",
        align="center",
    )


def _history_row(h: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(h["at"], size="1")),
        rx.table.cell(
            rx.hstack(
                badges.status_badge(h["from"]),
                rx.icon("arrow-right", size=12),
                badges.status_badge(h["to"]),
                align="center",
                spacing="1",
            )
        ),
        rx.table.cell(h["action"]),
        rx.table.cell(
            rx.text(h["reason"], size="2", white_space="pre-wrap", **controls.WRAP),
            min_width="12rem",
            max_width="32rem",
        ),
        rx.table.cell(rx.text(h["actor"], size="1", color_scheme="gray", white_space="nowrap")),
        data_testid="history-row",
    )


def _notice_row(n: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(n["at"], size="1"), white_space="nowrap"),
        rx.table.cell(rx.badge(n["action"], variant="soft", color_scheme="orange")),
        rx.table.cell(rx.text(n["subject"], size="2", **controls.WRAP), min_width="10rem", max_width="32rem"),
        rx.table.cell(n["count"], text_align="right"),
        rx.table.cell(rx.text(n["channel"], size="1", color_scheme="gray")),
        data_testid="notice-row",
    )


def _mini_alert(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row["rule_label"], href="/alert/" + row["id"].to(str), weight="medium")),
        rx.table.cell(rx.code(row["sku"], variant="ghost")),
        rx.table.cell(badges.status_badge(row["status"])),
        rx.table.cell(mc.severity_badge(row["severity"])),
        rx.table.cell(row["impact"], text_align="right"),
    )


@app_page("/dealers/[id]", "Dealer", permission=READ, on_load=DealerDetailState.load)
def dealer_page() -> rx.Component:
    s = DealerDetailState
    d = s.dealer
    return decision_page(
        s,
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.hstack(
                        rx.heading(d["name"], size="6", data_testid="dealer-name", **controls.WRAP),
                        badges.status_badge(d["status"], data_testid="dealer-status"),
                        align="center",
                        spacing="2",
                    ),
                    rx.code(d["code"], variant="ghost", size="2"),
                    spacing="1",
                ),
                rx.spacer(),
                action_buttons(s, "dealer-action"),
                gap="1rem",
                wrap="wrap",
                align="center",
                width="100%",
            ),
            width="100%",
        ),
        rx.grid(
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
            mc.kpi_card(
                "Open tasks", d["open_tasks"], "on this dealer", "list-checks", "dealer-open-tasks", color="blue"
            ),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="4",
            width="100%",
        ),
        controls.section(
            "Status ladder",
            rx.hstack(rx.foreach(s.ladder, _rung), wrap="wrap", spacing="1", data_testid="status-ladder"),
            tables.table_or_empty(
                s.history,
                ["When", "Change", "Action", "Note", "By"],
                _history_row,
                "history-table",
                "No status changes yet.",
                "history",
            ),
        ),
        controls.section(
            "Open alerts",
            rx.hstack(
                rx.foreach(s.by_rule, lambda r: rx.badge(r["label"], ": ", r["count"], variant="soft")), wrap="wrap"
            ),
            tables.table_or_empty(
                s.alerts,
                ["Rule", "SKU", "Status", "Severity", "Impact"],
                _mini_alert,
                "dealer-alerts",
                "No open alerts for this dealer.",
                "shield-check",
            ),
        ),
        controls.section(
            "Notices sent",
            tables.table_or_empty(
                s.notices,
                ["When", "Notice", "Subject", "Alerts", "Channel"],
                _notice_row,
                "dealer-notices",
                "No notices sent to this dealer.",
                "mail",
            ),
        ),
        href="/dealers",
        back="dealers",
        missing="Dealer not found.",
        missing_testid="dealer-missing",
    )
