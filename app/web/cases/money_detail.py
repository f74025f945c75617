"""The staff money record pages with decisions: `/payments/[id]` (decisions, allocations, the cases
holding it, hold / release with a note, the remittance) and `/match-packs/[id]` (the 3-way match
explained line by line, the vendor's disputes, decisions). `/statements/[id]` is in
money_statement.py, `/match-tolerances` in money_tolerances.py."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.cases.money_rows import (
    MONEY_COLORS,
    AllocationRow,
    CaseLink,
    EventRow,
    LineRow,
    PackRow,
    PaymentRow,
    ToleranceRow,
    allocation_rows,
    amount,
    case_link,
    event_rows,
    line_rows,
    pack_row,
    payment_row,
    tolerance_rows,
)
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.kit.decisions import (
    Action,
    Decision,
    DecisionDialogMixin,
    action_buttons,
    decide_by,
    decision_page,
    record_header,
)
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.cases.permissions import APPROVE, READ
from engine.context import TenantContext
from models.cases import ledger_actions as actions
from models.cases import ledger_queries

EVENT_COLUMNS = [
    tables.col("Decision", "action"),
    tables.col("Status", "moved"),
    tables.col("Note", lambda r: rx.text(r["reason"], size="2", **controls.WRAP)),
    tables.col("Who", "who"),
    tables.col("When", "at"),
]


def _events(state) -> rx.Component:
    return controls.section(
        "Decisions",
        tables.table_or_empty(
            state.events, EVENT_COLUMNS, "record-events", "No decisions yet.", "gavel", row_testid="record-event"
        ),
    )


def _case_links(rows: Var, testid: str) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            rows,
            lambda c: rx.hstack(
                rx.link(c["subject"], href=c["href"], data_testid=testid),
                badges.status_badge(c["status"], MONEY_COLORS),
                spacing="2",
                align="center",
            ),
        ),
        spacing="1",
    )


# ---- a payment -------------------------------------------------------------------------------------


def fetch_payment(ctx: TenantContext, payment_id: str) -> dict[str, Any]:
    d = ledger_queries.payment_detail(ctx, fmt.parse_uuid(payment_id))  # type: ignore[arg-type]
    return {
        "payment": payment_row(d.payment),
        "allocations": allocation_rows(d.allocations, d.payment.currency),
        "events": event_rows(d.events),
        "holding": [case_link(c) for c in d.holding_cases],
        "actions": [Action(a.action, a.label, a.reason_required) for a in d.actions],
    }


class PaymentState(DecisionDialogMixin, AuthState):
    payment: PaymentRow = PaymentRow()
    allocations: list[AllocationRow] = []
    events: list[EventRow] = []
    holding: list[CaseLink] = []
    can_review: bool = False
    note: str = ""
    remittance: str = ""

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = READ
    _missing_text: ClassVar[str] = "This payment does not exist in your tenant."
    _denied_text: ClassVar[str] = "Your role may not change this payment."

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return fetch_payment(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.payment, self.allocations, self.events, self.holding = (
            data["payment"],
            data["allocations"],
            data["events"],
            data["holding"],
        )
        self.can_review = ctx.can(APPROVE)
        return data["payment"].id

    def _blank_record(self) -> None:
        self.payment, self.allocations, self.events, self.holding = PaymentRow(), [], [], []
        self.can_review, self.note, self.remittance = False, "", ""

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        decide_by(actions.decide_payment, ctx, record_id, decision)

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["payment"].status

    def _done_notice(self, action: str | None) -> str:
        return f"Payment: {action or 'updated'}."

    def _needs_reason(self, chosen: Action) -> bool:
        return chosen.reason

    @rx.event
    def set_text(self, name: str, value: str):
        if name == "note":
            self.note = str(value or "")[:1100]
        elif name == "remittance":
            self.remittance = str(value or "")[:120]

    @rx.event
    async def move(self, kind: str):
        """Hold or release with the note, or record the remittance (reviewers)."""
        ctx = await self._require(APPROVE)
        if ctx is None or not self._record_id or kind not in ("hold", "release", "settle"):
            return
        pid = fmt.parse_uuid(self._record_id)
        if kind == "settle":
            ok, _ = await call(self, actions.settle_payment, ctx, pid, self.remittance, None, writes=True)
        else:
            fn = actions.hold_payment if kind == "hold" else actions.release_payment
            ok, _ = await call(self, fn, ctx, pid, self.note, writes=True)
        if ok:
            self.note = self.remittance = ""
            await self._show(ctx, self._record_id)
            self.error, self.notice = (
                "",
                {"hold": "Payment on hold.", "release": "Payment released.", "settle": "Remittance recorded."}[kind],
            )


ALLOCATION_COLUMNS = [
    tables.col(
        "Invoice", lambda r: rx.link(r["invoice"], href=r["invoice_href"], data_testid="payment-allocation-invoice")
    ),
    tables.num("Amount", "amount"),
]


def _payment_tools() -> rx.Component:
    s = PaymentState
    p = s.payment
    return controls.section(
        "Hold, release, remittance",
        rx.hstack(
            rx.input(
                value=s.note,
                on_change=lambda v: s.set_text("note", v),
                placeholder="Note (why)",
                data_testid="payment-note",
                width="100%",
            ),
            rx.cond(
                p["status"] == "submitted",
                rx.button(
                    "Hold", variant="soft", color_scheme="amber", on_click=s.move("hold"), data_testid="payment-hold"
                ),
            ),
            rx.cond(
                p["status"] == "on_hold",
                rx.button("Release", variant="soft", on_click=s.move("release"), data_testid="payment-release"),
            ),
            width="100%",
        ),
        rx.cond(
            p["status"] == "approved",
            rx.hstack(
                rx.input(
                    value=s.remittance,
                    on_change=lambda v: s.set_text("remittance", v),
                    placeholder="Bank reference",
                    data_testid="payment-remittance",
                    width="100%",
                ),
                rx.button("Record remittance", on_click=s.move("settle"), data_testid="payment-settle"),
                width="100%",
            ),
        ),
    )


@app_page("/payments/[id]", "Payment", permission=READ, on_load=PaymentState.load)
def payment_page() -> rx.Component:
    s = PaymentState
    p = s.payment
    return decision_page(
        s,
        record_header(
            rx.heading(p["reference"], size="6", data_testid="payment-reference"),
            badges.status_badge(p["status"], MONEY_COLORS, data_testid="payment-status"),
            rx.cond(p["held_by_case"], rx.badge("held by a case", color_scheme="amber", variant="outline")),
            sub=rx.text(p["vendor"], " · created ", p["created"], size="2"),
            aside=rx.heading(p["amount"], size="5", data_testid="payment-amount"),
            footer=(
                rx.divider(margin_y="0.75rem"),
                action_buttons(s, "payment-action", solid="approve", disable_while_busy=True),
            ),
        ),
        rx.cond(s.holding.length() > 0, controls.section("Held by", _case_links(s.holding, "payment-holding-case"))),
        controls.section(
            "Invoices paid", tables.grid(ALLOCATION_COLUMNS, s.allocations, "payment-allocations", "payment-allocation")
        ),
        rx.cond(s.can_review, _payment_tools()),
        _events(s),
        href="/payments",
        back="payments",
        missing="Payment not found.",
        missing_testid="payment-missing",
    )


# ---- a match pack ----------------------------------------------------------------------------------


def fetch_pack(ctx: TenantContext, pack_id: str) -> dict[str, Any]:
    d = ledger_queries.pack_detail(ctx, fmt.parse_uuid(pack_id))  # type: ignore[arg-type]
    return {
        "pack": pack_row(d.pack),
        "lines": line_rows(d.lines, d.pack.currency),
        "tolerances": tolerance_rows(d.tolerances),
        "events": event_rows(d.events),
        "actions": [Action(a.action, a.label, a.reason_required) for a in d.actions],
        "expected": amount(d.pack.expected_amount, d.pack.currency),
    }


class PackState(DecisionDialogMixin, AuthState):
    pack: PackRow = PackRow()
    lines: list[LineRow] = []
    tolerances: list[ToleranceRow] = []
    events: list[EventRow] = []
    expected: str = ""

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = READ
    _missing_text: ClassVar[str] = "This match pack does not exist in your tenant."
    _denied_text: ClassVar[str] = "Your role may not decide this match pack."

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return fetch_pack(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.pack, self.lines, self.tolerances, self.events = (
            data["pack"],
            data["lines"],
            data["tolerances"],
            data["events"],
        )
        self.expected = data["expected"]
        return data["pack"].id

    def _blank_record(self) -> None:
        self.pack, self.lines, self.tolerances, self.events, self.expected = PackRow(), [], [], [], ""

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        decide_by(actions.decide_pack, ctx, record_id, decision)

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["pack"].status

    def _done_notice(self, action: str | None) -> str:
        return f"Match pack: {fmt.label(action)}."

    def _needs_reason(self, chosen: Action) -> bool:
        return True  # confirming a pack with exceptions needs a note too: always ask


def _line(r: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r["invoice"], weight="medium"), controls.hint(r["description"])),
        rx.table.cell(r["po"]),
        rx.table.cell(rx.text(r["quantity"], size="2")),
        rx.table.cell(rx.text(r["price"], size="2")),
        rx.table.cell(r["variance"], text_align="right"),
        rx.table.cell(
            rx.vstack(
                rx.cond(
                    r["has_exceptions"],
                    rx.badge(r["exceptions"], color_scheme="red", variant="soft", data_testid="line-exceptions"),
                    rx.badge("matched", color_scheme="green", variant="soft"),
                ),
                rx.text(
                    r["explanation"], size="1", white_space="pre-wrap", data_testid="line-explanation", **controls.WRAP
                ),
                rx.cond(
                    r["dispute_href"] != "",
                    rx.hstack(
                        rx.text("Disputed:", size="1"),
                        rx.link(r["dispute_subject"], href=r["dispute_href"], size="1", data_testid="line-dispute"),
                        badges.status_badge(r["dispute_status"], MONEY_COLORS),
                        spacing="1",
                        wrap="wrap",
                    ),
                ),
                spacing="1",
                align="start",
            )
        ),
        data_testid="pack-line",
    )


TOLERANCE_COLUMNS = [
    tables.col("Exception type", "label"),
    tables.col("Tolerance", "words"),
    tables.col("Rule", lambda r: rx.text(r["rule"], size="1", **controls.WRAP)),
]


@app_page("/match-packs/[id]", "Match pack", permission=READ, on_load=PackState.load)
def pack_page() -> rx.Component:
    s = PackState
    p = s.pack
    return decision_page(
        s,
        record_header(
            rx.heading(p["title"], size="6", data_testid="pack-title"),
            badges.status_badge(p["status"], MONEY_COLORS, data_testid="pack-status"),
            sub=rx.text(
                p["vendor"],
                " · ",
                p["invoices"],
                " invoice(s), ",
                p["lines"],
                " lines, ",
                p["exceptions"],
                " with exceptions",
                size="2",
            ),
            aside=rx.vstack(
                controls.hint("Invoiced / expected / variance"),
                rx.text(
                    p["invoiced"], " / ", s.expected, " / ", p["variance"], weight="medium", data_testid="pack-variance"
                ),
                align="end",
                spacing="0",
            ),
            footer=(
                rx.divider(margin_y="0.75rem"),
                action_buttons(s, "pack-action", solid="confirm_match", disable_while_busy=True),
            ),
        ),
        controls.section(
            "Lines: invoice against purchase order and goods received",
            tables.compact_table(
                ["Invoice / line", "PO / line", "Quantity", "Price (invoice vs PO)", "Variance", "Checks"],
                rx.foreach(s.lines, _line),
                "pack-lines",
            ),
        ),
        controls.section(
            "Tolerances this pack was matched with",
            tables.grid(TOLERANCE_COLUMNS, s.tolerances, "pack-tolerances", compact=True),
        ),
        _events(s),
        href="/match-packs",
        back="match packs",
        missing="Match pack not found.",
        missing_testid="pack-missing",
    )
