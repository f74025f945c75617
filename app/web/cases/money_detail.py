"""The staff money record pages: `/payments/[id]` (decisions, allocations, the cases holding it,
hold / release with a note, the remittance), `/match-packs/[id]` (the 3-way match explained line
by line, the vendor's disputes, decisions) and `/statements/[id]` (each line against the ledger,
the vendor's answers, reconcile again); and `/match-tolerances` (the tenant's and each vendor's)."""

from __future__ import annotations

import asyncio
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
    SoaLineRow,
    StatementRow,
    ToleranceRow,
    allocation_rows,
    amount,
    case_link,
    event_rows,
    line_rows,
    pack_row,
    payment_row,
    soa_line_rows,
    statement_row,
    tolerance_rows,
)
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.decisions import Action, Decision, DecisionDialogMixin, action_buttons, decision_page, record_header
from app.web.kit.rows import Option
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.cases.matching import EXCEPTION_TYPES
from engine.cases.permissions import APPROVE, READ, WRITE
from engine.context import TenantContext
from models.cases import ledger_actions as actions
from models.cases import ledger_queries, queries
from models.cases.ledger_inputs import ToleranceSet

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
        actions.decide_payment(
            ctx,
            fmt.parse_uuid(record_id),
            decision.action or "",
            decision.reason,
            decision.expected_status,  # type: ignore[arg-type]
        )

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
    tables.col("Invoice", "invoice"),
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
        actions.decide_pack(
            ctx,
            fmt.parse_uuid(record_id),
            decision.action or "",
            decision.reason,
            decision.expected_status,  # type: ignore[arg-type]
        )

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


# ---- a statement -----------------------------------------------------------------------------------


class StatementState(AuthState):
    statement: StatementRow = StatementRow()
    lines: list[SoaLineRow] = []
    missing: list[AllocationRow] = []
    found: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    can_write: bool = False
    _record_id: str = ""

    async def _show(self, ctx: TenantContext) -> None:
        ok, d = await call(self, ledger_queries.statement_detail, ctx, fmt.parse_uuid(self._record_id))
        if not ok:
            self.found, self.error = False, "This statement does not exist in your tenant."
            return
        currency = d.statement.currency
        self.statement = statement_row(d.statement)
        self.lines = soa_line_rows(d.lines, currency)
        self.missing = [
            AllocationRow(f"{m.kind} {m.number}", m.at[:10], "", amount(m.amount, currency)) for m in d.missing
        ]
        self.found, self.error = True, ""

    @rx.event
    async def load(self):
        self.found, self.loading, self.error, self.notice = False, True, "", ""
        yield
        ctx = await self._require(READ)
        record = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        self._record_id = str(record) if record else ""
        if ctx is not None and record is not None:
            self.can_write = ctx.can(WRITE) and ctx.role.value != "vendor"
            await self._show(ctx)
        self.loading = False

    @rx.event
    async def reconcile(self):
        ctx = await self._require(WRITE)
        if ctx is None or not self._record_id:
            return
        ok, _ = await call(self, actions.reconcile_statement, ctx, fmt.parse_uuid(self._record_id), writes=True)
        if ok:
            await self._show(ctx)
            self.notice = "Reconciled against the ledger as it is now."


SOA_COLUMNS = [
    tables.col("#", "no"),
    tables.col("Document", "document"),
    tables.num("Vendor's figure", "amount"),
    tables.num("Our ledger", "ledger"),
    tables.col("Reconciliation", lambda r: badges.status_badge(r["state"], MONEY_COLORS, data_testid="soa-state")),
    tables.num("Difference", "difference"),
    tables.col(
        "Vendor's answer",
        lambda r: rx.vstack(
            badges.status_badge(r["response"], MONEY_COLORS, data_testid="soa-response"),
            rx.cond(r["note"] != "", controls.hint(r["note"])),
            rx.cond(
                r["dispute_href"] != "", rx.link("case", href=r["dispute_href"], size="1", data_testid="soa-dispute")
            ),
            spacing="1",
        ),
    ),
]
MISSING_COLUMNS = [tables.col("Document", "invoice"), tables.col("Date", "payment"), tables.num("Amount", "amount")]


@app_page("/statements/[id]", "Statement of account", permission=READ, on_load=StatementState.load)
def statement_page() -> rx.Component:
    s = StatementState
    st = s.statement
    return rx.cond(
        s.loading,
        rx.center(rx.spinner(), padding="2rem", width="100%"),
        rx.cond(
            s.found,
            rx.vstack(
                rx.link("← All statements", href="/statements", size="2"),
                rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1")),
                rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", size="1")),
                record_header(
                    rx.heading(st["reference"], size="6", data_testid="statement-reference"),
                    sub=rx.text(
                        st["vendor"], " · as of ", st["as_of"], " · ", st["lines"], " · ", st["answered"], size="2"
                    ),
                    aside=rx.vstack(
                        controls.hint("Vendor's balance / our ledger / difference"),
                        rx.text(
                            st["vendor_balance"],
                            " / ",
                            st["ledger_balance"],
                            " / ",
                            st["difference"],
                            weight="medium",
                            data_testid="statement-balances",
                        ),
                        align="end",
                        spacing="0",
                    ),
                    footer=(
                        rx.cond(
                            s.can_write,
                            rx.button(
                                "Reconcile again",
                                variant="soft",
                                on_click=s.reconcile,
                                data_testid="statement-reconcile",
                            ),
                        ),
                    ),
                ),
                controls.section("Lines", tables.grid(SOA_COLUMNS, s.lines, "statement-lines", "statement-line")),
                controls.section(
                    "In our ledger, not on the statement",
                    tables.table_or_empty(
                        s.missing,
                        MISSING_COLUMNS,
                        "statement-missing",
                        "Nothing: every ledger entry is on the statement.",
                        "check",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                rx.text(s.error), rx.link("Back to statements", href="/statements"), align="center", width="100%"
            ),
        ),
    )


# ---- tolerances --------------------------------------------------------------------------------------


class TolerancesState(AuthState):
    rows: list[ToleranceRow] = []
    vendor_options: list[Option] = []
    f_vendor: str = ANY
    can_edit: bool = False
    error: str = ""
    notice: str = ""
    form_open: bool = False
    form_code: str = ""
    form_label: str = ""
    form_enabled: bool = True
    form_absolute: str = "0"
    form_percent: str = "0"

    async def _fill(self, ctx: TenantContext) -> None:
        ok, found = await call(self, ledger_queries.tolerances, ctx, fmt.parse_uuid(self.f_vendor))
        self.rows = tolerance_rows(found) if ok else []

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.f_vendor, self.form_open, self.error, self.notice = ANY, False, "", ""
        if ctx is None:
            return
        self.can_edit = ctx.can(APPROVE)
        self.vendor_options = await asyncio.to_thread(queries.vendor_options, ctx)
        await self._fill(ctx)

    @rx.event
    async def set_vendor(self, value: str):
        ctx = await self._require(READ)
        if ctx is None:
            return
        value = str(value or ANY)[:64]
        self.f_vendor = value if value in {o.id for o in self.vendor_options} else ANY
        await self._fill(ctx)

    @rx.event
    async def edit(self, code: str):
        if await self._require(APPROVE) is None:
            return
        row = next((r for r in self.rows if r.code == str(code)), None)
        if row is None:
            return
        self.form_code, self.form_label, self.form_enabled = row.code, row.label, row.enabled
        self.form_absolute, self.form_percent, self.form_open, self.error = row.absolute, row.percent, True, ""

    @rx.event
    def close(self):
        self.form_open = False

    @rx.event
    def set_form(self, name: str, value: Any):
        if name == "enabled":
            self.form_enabled = bool(value)
        elif name == "absolute":
            self.form_absolute = str(value or "")[:40]
        elif name == "percent":
            self.form_percent = str(value or "")[:40]

    @rx.event
    async def save(self):
        ctx = await self._require(APPROVE)
        if ctx is None or self.form_code not in EXCEPTION_TYPES:
            return
        try:
            body = ToleranceSet(
                vendor_id=fmt.parse_uuid(self.f_vendor),
                exception_type=self.form_code,
                enabled=self.form_enabled,
                absolute=self.form_absolute.strip() or "0",
                percent=self.form_percent.strip() or "0",
            )
        except ValueError as exc:
            self.error = fmt.error_text(exc)
            return
        ok, _ = await call(self, actions.set_tolerance, ctx, body, writes=True)
        if ok:
            self.form_open, self.notice = False, "Tolerance saved: new match packs use it."
            await self._fill(ctx)


def _tolerance_row(r: Var) -> rx.Component:
    s = TolerancesState
    return rx.table.row(
        rx.table.cell(rx.text(r["label"], weight="medium"), controls.hint(r["rule"])),
        rx.table.cell(rx.text(r["words"], size="2", data_testid="tolerance-words")),
        rx.table.cell(
            badges.status_badge(r["source"], (("vendor", "violet"), ("tenant", "blue"), ("default", "gray")))
        ),
        rx.table.cell(
            rx.cond(
                s.can_edit,
                rx.button("Edit", size="1", variant="soft", on_click=s.edit(r["code"]), data_testid="tolerance-edit"),
            )
        ),
        data_testid="tolerance-row",
    )


@app_page("/match-tolerances", "Match tolerances", permission=READ, on_load=TolerancesState.load)
def tolerances_page() -> rx.Component:
    s = TolerancesState
    return rx.vstack(
        rx.link("← Match packs", href="/match-packs", size="2"),
        controls.field(
            "For",
            controls.select(
                s.vendor_options,
                s.f_vendor,
                s.set_vendor,
                "For",
                first=(ANY, "The whole tenant"),
                trigger={"min_width": "14rem"},
            ),
        ),
        controls.hint(
            "A vendor's own setting overrides the tenant's, which overrides the default. "
            "Packs keep the tolerances they were matched with."
        ),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1")),
        rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", size="1")),
        tables.compact_table(
            ["Exception type", "Tolerance", "Set by", ""], rx.foreach(s.rows, _tolerance_row), "tolerances"
        ),
        controls.dialog(
            s.form_label,
            rx.vstack(
                rx.checkbox(
                    "Raise this exception", checked=s.form_enabled, on_change=lambda v: s.set_form("enabled", v)
                ),
                controls.field(
                    "Absolute allowance",
                    rx.input(
                        value=s.form_absolute,
                        on_change=lambda v: s.set_form("absolute", v),
                        data_testid="tolerance-absolute",
                    ),
                ),
                controls.field(
                    "Percent of the base",
                    rx.input(
                        value=s.form_percent,
                        on_change=lambda v: s.set_form("percent", v),
                        data_testid="tolerance-percent",
                    ),
                ),
                rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1")),
                controls.dialog_footer(
                    rx.button("Save", on_click=s.save, data_testid="tolerance-save"), on_cancel=s.close
                ),
                spacing="3",
                width="100%",
            ),
            open_=s.form_open,
            on_close=s.close,
            max_width="28rem",
        ),
        spacing="4",
        width="100%",
    )
