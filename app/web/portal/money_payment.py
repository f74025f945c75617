"""`/portal/payments/[id]`: one payment to the vendor — what it pays, the cases holding it, its
history, and Withdraw (the vendor's own decision on it, through the decision path)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import reflex as rx

from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.decisions import Action, Decision, DecisionDialogMixin, action_buttons, decide_by, decision_page
from app.web.portal.common import COLORS, WORDS, MyRow, VendorOnly, money
from app.web.portal.shell import PortalAuthState, portal_page
from engine.cases.permissions import READ
from engine.context import TenantContext
from models.cases import ledger_actions as actions
from models.cases import ledger_queries as queries


@dataclass(frozen=True)
class MyLine:
    a: str = ""
    b: str = ""
    c: str = ""
    d: str = ""


def fetch_my_payment(ctx: TenantContext, payment_id: str) -> dict[str, Any]:
    d = queries.payment_detail(ctx, fmt.parse_uuid(payment_id))  # type: ignore[arg-type]
    p = d.payment
    return {
        "payment": MyRow(
            str(p.id),
            "",
            p.reference,
            p.paid_reference or "",
            money(p.amount, p.currency),
            p.status,
            WORDS.get(p.status, p.status),
            fmt.when(p.paid_at or p.created_at),
        ),
        "lines": [MyLine(a.invoice_number, money(a.amount, p.currency)) for a in d.allocations],
        "history": [
            MyLine(e.action.replace("_", " "), fmt.label(e.to_status), e.reason or "", fmt.when(e.at)) for e in d.events
        ],
        "holding": [MyLine(c.subject, f"/portal/cases/{c.id}", c.status) for c in d.holding_cases],
        "actions": [Action(a.action, a.label, a.reason_required) for a in d.actions],
    }


class MyPaymentState(VendorOnly, DecisionDialogMixin, PortalAuthState):
    payment: MyRow = MyRow()
    lines: list[MyLine] = []
    history: list[MyLine] = []
    holding: list[MyLine] = []

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = READ
    _missing_text: ClassVar[str] = "This payment does not exist for your organization."
    _denied_text: ClassVar[str] = "You may not change this payment."

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return fetch_my_payment(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.payment, self.lines, self.history, self.holding = (
            data["payment"],
            data["lines"],
            data["history"],
            data["holding"],
        )
        return data["payment"].id

    def _blank_record(self) -> None:
        self.payment, self.lines, self.history, self.holding = MyRow(), [], [], []

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        decide_by(actions.decide_payment, ctx, record_id, decision)

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["payment"].status

    def _done_notice(self, action: str | None) -> str:
        return "You withdrew this payment." if action == "withdraw" else "Done."


@portal_page("/portal/payments/[id]", "Payment", on_load=MyPaymentState.load)
def my_payment_page() -> rx.Component:
    s = MyPaymentState
    p = s.payment
    return decision_page(
        s,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(p["title"], size="5", data_testid="portal-payment-reference"),
                    badges.status_badge(p["status"], COLORS, data_testid="portal-payment-status"),
                    rx.spacer(),
                    rx.heading(p["amount"], size="5"),
                    width="100%",
                    align="center",
                ),
                rx.text(p["words"], size="2", color_scheme="gray"),
                action_buttons(s, "portal-payment-action", disable_while_busy=True),
                spacing="2",
            ),
            width="100%",
        ),
        rx.cond(
            s.holding.length() > 0,
            controls.section(
                "On hold while these cases are open",
                rx.foreach(s.holding, lambda c: rx.link(c["a"], href=c["b"], data_testid="portal-payment-holding")),
            ),
        ),
        controls.section(
            "Invoices paid",
            tables.column_table(
                [("Invoice", "a"), ("Amount", "b")], s.lines, "portal-payment-lines", "portal-payment-line"
            ),
        ),
        controls.section(
            "History",
            tables.column_table(
                [("Decision", "a"), ("Status", "b"), ("Note", "c"), ("When", "d")],
                s.history,
                "portal-payment-history",
                "portal-payment-event",
            ),
        ),
        href="/portal/payments",
        back="payments",
        missing="Payment not found.",
        missing_testid="portal-payment-missing",
    )
