"""The vendor's money pages in its portal: `/portal/invoices` (its invoices and how each was
reconciled), `/portal/payments` and `/portal/payments/[id]` (Withdraw its own payment),
`/portal/match-packs` and `/portal/match-packs/[id]` (every line explained — rule, tolerance,
variance — and "Dispute this line", which opens a linked case), `/portal/statements` and
`/portal/statements/[id]` (confirm or dispute each line of its statement of account).

Every handler admits a vendor membership only (`_require` below) and calls the cases module's
queries and actions, which limit a vendor to its own organization (and RLS again). No staff page
module is imported (ADR 0003): the rows here are the portal's own."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.kit.decisions import Action, Decision, DecisionDialogMixin, action_buttons, decision_page
from app.web.kit.lists import KeysetListMixin
from app.web.portal.shell import PortalAuthState, portal_page
from engine.cases.ledger import DOC_TYPES
from engine.cases.permissions import READ, WRITE
from engine.context import TenantContext
from engine.rbac import Role
from models.cases import ledger_actions as actions
from models.cases import ledger_queries as queries
from models.cases.ledger_views import MatchLineView

PAGE_SIZE = 25
ACTIVE_CASE = ("open", "waiting_vendor", "in_review")
COLORS: tuple[tuple[str, str], ...] = (
    ("submitted", "blue"),
    ("on_hold", "amber"),
    ("approved", "green"),
    ("paid", "green"),
    ("rejected", "red"),
    ("open", "blue"),
    ("matched", "green"),
    ("mismatch", "red"),
    ("evidence_requested", "amber"),
    ("amount_differs", "amber"),
    ("not_in_ledger", "red"),
    ("confirmed", "green"),
    ("disputed", "red"),
    ("in_review", "violet"),
)
WORDS = {
    "unmatched": "received, not matched yet",
    "open": "being matched",
    "matched": "matched",
    "mismatch": "mismatch found",
    "evidence_requested": "evidence requested from you",
    "submitted": "awaiting approval",
    "on_hold": "on hold",
    "approved": "approved, to be paid",
    "paid": "paid",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
    "cancelled": "cancelled",
}


def _vendor_only(ctx: TenantContext | None) -> TenantContext | None:
    return ctx if ctx is not None and ctx.organization_id is not None and ctx.role is Role.VENDOR else None


def _money(value: Decimal | None, currency: str = "") -> str:
    return fmt.amount(value, currency)


def _qty(value: Decimal | None) -> str:
    if value is None:
        return fmt.DASH
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


# ---- lists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyRow:
    id: str = ""
    href: str = ""
    title: str = ""
    sub: str = ""
    amount: str = ""
    status: str = ""
    words: str = ""
    when: str = ""


def _invoice_rows(ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
    page = queries.invoice_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    return [
        MyRow(
            str(v.id),
            f"/portal/match-packs/{v.match_pack_id}" if v.match_pack_id else "",
            v.number,
            f"paid {_money(v.paid, v.currency)}",
            _money(v.total, v.currency),
            v.state,
            WORDS.get(v.state, v.state) + (f" · {v.exceptions} line(s) with exceptions" if v.exceptions else ""),
            fmt.when(v.issued_at, time=False),
        )
        for v in page.items
    ], page.next_cursor


def _payment_rows(ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
    page = queries.payment_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    return [
        MyRow(
            str(v.id),
            f"/portal/payments/{v.id}",
            v.reference,
            v.paid_reference or "",
            _money(v.amount, v.currency),
            v.status,
            WORDS.get(v.status, v.status),
            fmt.when(v.paid_at or v.scheduled_for or v.created_at, time=False),
        )
        for v in page.items
    ], page.next_cursor


def _pack_rows(ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
    page = queries.pack_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    return [
        MyRow(
            str(v.id),
            f"/portal/match-packs/{v.id}",
            v.title,
            f"{v.line_count} lines, {v.exception_lines} with exceptions",
            _money(v.variance, v.currency),
            v.status,
            WORDS.get(v.status, v.status),
            fmt.when(v.created_at, time=False),
        )
        for v in page.items
    ], page.next_cursor


def _statement_rows(ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
    page = queries.statement_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    return [
        MyRow(
            str(v.id),
            f"/portal/statements/{v.id}",
            v.reference,
            f"{v.confirmed} confirmed · {v.disputed} disputed of {v.line_count}",
            _money(v.vendor_balance, v.currency),
            "matched" if v.difference == 0 else "amount_differs",
            "agrees with our ledger"
            if v.difference == 0
            else f"differs from our ledger by {_money(v.difference, v.currency)}",
            fmt.when(v.as_of, time=False),
        )
        for v in page.items
    ], page.next_cursor


class _MyList(rx.State, mixin=True):
    """A vendor's paged list: the page state adds KeysetListMixin and PortalAuthState."""

    _list_permission: ClassVar[str] = READ

    async def _require(self, permission: str) -> TenantContext | None:
        return _vendor_only(await super()._require(permission))  # type: ignore[misc]

    @rx.event
    async def load(self):
        ctx = await self._vendor()  # type: ignore[attr-defined]
        async for _ in self._reload_list(ctx):  # type: ignore[attr-defined]
            yield


class MyInvoicesState(_MyList, KeysetListMixin, PortalAuthState):
    rows: list[MyRow] = []

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
        return _invoice_rows(ctx, cursor)


class MyPaymentsState(_MyList, KeysetListMixin, PortalAuthState):
    rows: list[MyRow] = []

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
        return _payment_rows(ctx, cursor)


class MyPacksState(_MyList, KeysetListMixin, PortalAuthState):
    rows: list[MyRow] = []

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
        return _pack_rows(ctx, cursor)


class MyStatementsState(_MyList, KeysetListMixin, PortalAuthState):
    rows: list[MyRow] = []

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[MyRow], str | None]:
        return _statement_rows(ctx, cursor)


def _title(r: Var) -> rx.Component:
    return rx.cond(
        r["href"] != "",
        rx.link(r["title"], href=r["href"], weight="medium", data_testid="portal-money-link"),
        rx.text(r["title"], weight="medium", data_testid="portal-money-title"),
    )


COLUMNS = [
    tables.col("", _title),
    tables.col("", lambda r: controls.hint(r["sub"])),
    tables.num("Amount", "amount"),
    tables.col("Status", lambda r: badges.status_badge(r["status"], COLORS, data_testid="portal-money-status")),
    tables.col("", "words"),
    tables.col("Date", "when"),
]


def _list(state: Any, heading: str, hint: str, empty: str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.heading(heading, size="6"),
        controls.hint(hint),
        tables.paged_table(
            state, COLUMNS, testid, empty, "inbox", row_testid=f"{testid}-row", more_testid=f"{testid}-more"
        ),
        spacing="4",
        width="100%",
    )


@portal_page("/portal/invoices", "My invoices", on_load=MyInvoicesState.load)
def my_invoices_page() -> rx.Component:
    return _list(
        MyInvoicesState,
        "My invoices",
        "Your invoices as we received them, and where each stands in our 3-way match.",
        "No invoices yet.",
        "portal-invoices",
    )


@portal_page("/portal/payments", "My payments", on_load=MyPaymentsState.load)
def my_payments_page() -> rx.Component:
    return _list(
        MyPaymentsState,
        "My payments",
        "Payments to your organization. A payment is on hold while a case about it is open.",
        "No payments yet.",
        "portal-payments",
    )


@portal_page("/portal/match-packs", "My match packs", on_load=MyPacksState.load)
def my_packs_page() -> rx.Component:
    return _list(
        MyPacksState,
        "My match packs",
        "Your invoices matched line by line against our purchase orders and goods receipts.",
        "No match packs yet.",
        "portal-packs",
    )


@portal_page("/portal/statements", "My statements", on_load=MyStatementsState.load)
def my_statements_page() -> rx.Component:
    return _list(
        MyStatementsState,
        "My statements of account",
        "Your statements reconciled against our ledger: confirm or dispute each line.",
        "No statements yet.",
        "portal-statements",
    )


# ---- one payment ------------------------------------------------------------------------------------


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
            _money(p.amount, p.currency),
            p.status,
            WORDS.get(p.status, p.status),
            fmt.when(p.paid_at or p.created_at),
        ),
        "lines": [MyLine(a.invoice_number, _money(a.amount, p.currency)) for a in d.allocations],
        "history": [
            MyLine(e.action.replace("_", " "), fmt.label(e.to_status), e.reason or "", fmt.when(e.at)) for e in d.events
        ],
        "holding": [MyLine(c.subject, f"/portal/cases/{c.id}", c.status) for c in d.holding_cases],
        "actions": [Action(a.action, a.label, a.reason_required) for a in d.actions],
    }


class MyPaymentState(DecisionDialogMixin, PortalAuthState):
    payment: MyRow = MyRow()
    lines: list[MyLine] = []
    history: list[MyLine] = []
    holding: list[MyLine] = []

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = READ
    _missing_text: ClassVar[str] = "This payment does not exist for your organization."
    _denied_text: ClassVar[str] = "You may not change this payment."

    async def _require(self, permission: str) -> TenantContext | None:  # type: ignore[override]
        return _vendor_only(await super()._require(permission))

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


# ---- one match pack -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyMatchLine:
    id: str = ""
    invoice: str = ""
    po: str = ""
    figures: str = ""
    variance: str = ""
    exceptions: str = ""
    has_exceptions: bool = False
    explanation: str = ""
    dispute_href: str = ""
    dispute_status: str = ""
    can_dispute: bool = False


def _my_lines(lines: list[MatchLineView], currency: str) -> list[MyMatchLine]:
    out = []
    for ln in lines:
        shown = [c for c in ln.checks if c.exception] or ln.checks
        labels = [c.label for c in ln.checks if c.exception]
        out.append(
            MyMatchLine(
                str(ln.id),
                f"Invoice {ln.invoice_number}, line {ln.line_no}: {ln.description}",
                f"PO {ln.po_number} line {ln.po_line_no}" if ln.po_number else "no purchase order line",
                f"{_qty(ln.quantity)} at {_qty(ln.unit_price)} · received {_qty(ln.received_qty)}"
                f" · PO price {_qty(ln.po_price)}",
                _money(ln.variance, currency),
                ", ".join(labels),
                bool(labels),
                "\n".join(
                    f"{'✗' if c.exception else '✓'} {c.label}: {c.variance} — tolerance {c.tolerance}. {c.rule}"
                    for c in shown
                ),
                f"/portal/cases/{ln.dispute.id}" if ln.dispute else "",
                ln.dispute.status if ln.dispute else "",
                ln.can_dispute,
            )
        )
    return out


class MyPackState(PortalAuthState):
    pack: MyRow = MyRow()
    lines: list[MyMatchLine] = []
    found: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    dispute_line: str = ""
    dispute_note: str = ""
    busy: bool = False
    _record_id: str = ""

    async def _require(self, permission: str) -> TenantContext | None:  # type: ignore[override]
        return _vendor_only(await super()._require(permission))

    async def _show(self, ctx: TenantContext) -> None:
        ok, d = await call(self, queries.pack_detail, ctx, fmt.parse_uuid(self._record_id))
        if not ok:
            self.found, self.lines, self.pack = False, [], MyRow()
            self.error = "This match pack does not exist for your organization."
            return
        v = d.pack
        self.pack = MyRow(
            str(v.id),
            "",
            v.title,
            f"{v.line_count} lines, {v.exception_lines} with exceptions",
            _money(v.variance, v.currency),
            v.status,
            WORDS.get(v.status, v.status),
            fmt.when(v.created_at),
        )
        self.lines = _my_lines(d.lines, v.currency)
        self.found = True

    @rx.event
    async def load(self):
        self.found, self.loading, self.error, self.notice, self.dispute_line = False, True, "", "", ""
        yield
        ctx = await self._vendor()
        record = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        self._record_id = str(record) if record else ""
        if ctx is not None and record is not None:
            await self._show(ctx)
        elif ctx is not None:
            self.error = "This match pack does not exist for your organization."
        self.loading = False

    @rx.event
    def start_dispute(self, line_id: str):
        line = next((ln for ln in self.lines if ln.id == str(line_id) and ln.can_dispute), None)
        if line is not None:
            self.dispute_line, self.dispute_note, self.error = line.id, "", ""

    @rx.event
    def cancel_dispute(self):
        self.dispute_line = ""

    @rx.event
    def set_note(self, value: str):
        self.dispute_note = str(value or "")[:1100]

    @rx.event
    async def send_dispute(self):
        ctx = await self._require(WRITE)
        line = fmt.parse_uuid(self.dispute_line)
        if ctx is None or line is None or not self.dispute_note.strip() or not self._record_id:
            return
        self.busy = True
        ok, opened = await call(self, actions.dispute_line, ctx, line, self.dispute_note.strip(), writes=True)
        self.busy = False
        if ok:
            self.dispute_line, self.dispute_note = "", ""
            await self._show(ctx)
            self.notice = f'Your dispute is sent: case "{opened.subject}" is in review.'


def _my_line(r: Var) -> rx.Component:
    s = MyPackState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(r["invoice"], weight="medium", **controls.WRAP),
                rx.spacer(),
                rx.cond(
                    r["has_exceptions"],
                    rx.badge(r["exceptions"], color_scheme="red", variant="soft", data_testid="portal-line-exceptions"),
                    rx.badge("matched", color_scheme="green", variant="soft"),
                ),
                width="100%",
                align="center",
            ),
            controls.hint(r["po"], " · ", r["figures"], " · variance ", r["variance"]),
            rx.text(
                r["explanation"],
                size="1",
                white_space="pre-wrap",
                data_testid="portal-line-explanation",
                **controls.WRAP,
            ),
            rx.cond(
                r["dispute_href"] != "",
                rx.hstack(
                    rx.link("Your dispute", href=r["dispute_href"], size="2", data_testid="portal-line-dispute"),
                    badges.status_badge(r["dispute_status"], COLORS),
                    spacing="2",
                ),
            ),
            rx.cond(
                r["can_dispute"] & (s.dispute_line != r["id"]),
                rx.button(
                    "Dispute this line",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=s.start_dispute(r["id"]),
                    data_testid="portal-dispute-start",
                ),
            ),
            rx.cond(
                s.dispute_line == r["id"],
                rx.vstack(
                    controls.note_input(
                        s.dispute_note,
                        s.set_note,
                        "portal-dispute-note",
                        placeholder="What is wrong with this line, and why",
                        rows="3",
                    ),
                    rx.hstack(
                        rx.button(
                            "Send dispute",
                            on_click=s.send_dispute,
                            disabled=s.busy | (s.dispute_note.strip() == ""),
                            data_testid="portal-dispute-send",
                        ),
                        rx.button("Cancel", variant="soft", color_scheme="gray", on_click=s.cancel_dispute),
                        spacing="2",
                    ),
                    width="100%",
                    spacing="2",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="portal-pack-line",
    )


@portal_page("/portal/match-packs/[id]", "Match pack", on_load=MyPackState.load)
def my_pack_page() -> rx.Component:
    s = MyPackState
    p = s.pack
    return rx.cond(
        s.loading,
        rx.center(rx.spinner(), padding="2rem", width="100%"),
        rx.vstack(
            rx.link("← My match packs", href="/portal/match-packs", size="2"),
            rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1", data_testid="portal-pack-error")),
            rx.cond(
                s.notice != "", rx.callout(s.notice, color_scheme="green", size="1", data_testid="portal-pack-notice")
            ),
            rx.cond(
                s.found,
                rx.vstack(
                    rx.card(
                        rx.hstack(
                            rx.heading(p["title"], size="5", data_testid="portal-pack-title"),
                            badges.status_badge(p["status"], COLORS, data_testid="portal-pack-status"),
                            rx.spacer(),
                            rx.text(p["sub"], " · variance ", p["amount"], size="2"),
                            width="100%",
                            align="center",
                            wrap="wrap",
                        ),
                        width="100%",
                    ),
                    controls.hint(
                        "Each line is checked against our purchase order and what we received; "
                        "✗ marks an exception, with the rule and tolerance behind it."
                    ),
                    rx.vstack(rx.foreach(s.lines, _my_line), spacing="3", width="100%"),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )


# ---- one statement -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MySoaLine:
    id: str = ""
    document: str = ""
    amount: str = ""
    ledger: str = ""
    state: str = ""
    response: str = ""
    note: str = ""
    dispute_href: str = ""
    can_answer: bool = False


class MyStatementState(PortalAuthState):
    statement: MyRow = MyRow()
    lines: list[MySoaLine] = []
    found: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    disputing: str = ""
    note: str = ""
    busy: bool = False
    _record_id: str = ""

    async def _require(self, permission: str) -> TenantContext | None:  # type: ignore[override]
        return _vendor_only(await super()._require(permission))

    async def _show(self, ctx: TenantContext) -> None:
        ok, d = await call(self, queries.statement_detail, ctx, fmt.parse_uuid(self._record_id))
        if not ok:
            self.found, self.lines, self.statement = False, [], MyRow()
            self.error = "This statement does not exist for your organization."
            return
        v, cur = d.statement, d.statement.currency
        self.statement = MyRow(
            str(v.id),
            "",
            v.reference,
            f"as of {fmt.when(v.as_of, time=False)}",
            _money(v.vendor_balance, cur),
            "matched" if v.difference == 0 else "amount_differs",
            f"our ledger: {_money(v.ledger_balance, cur)} · difference {_money(v.difference, cur)}",
            f"{v.confirmed} confirmed · {v.disputed} disputed of {v.line_count}",
        )
        self.lines = [
            MySoaLine(
                str(ln.id),
                f"{DOC_TYPES.get(ln.doc_type, ln.doc_type)} {ln.doc_number}",
                _money(ln.amount, cur),
                _money(ln.ledger_amount, cur),
                ln.recon_state,
                ln.response,
                ln.response_note,
                f"/portal/cases/{ln.dispute.id}" if ln.dispute else "",
                not (ln.dispute is not None and ln.dispute.status in ACTIVE_CASE),
            )
            for ln in d.lines
        ]
        self.found = True

    @rx.event
    async def load(self):
        self.found, self.loading, self.error, self.notice, self.disputing = False, True, "", "", ""
        yield
        ctx = await self._vendor()
        record = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        self._record_id = str(record) if record else ""
        if ctx is not None and record is not None:
            await self._show(ctx)
        elif ctx is not None:
            self.error = "This statement does not exist for your organization."
        self.loading = False

    async def _answer(self, line_id: str, response: str, note: str | None) -> None:
        ctx = await self._require(WRITE)
        line = next((ln for ln in self.lines if ln.id == str(line_id) and ln.can_answer), None)
        if ctx is None or line is None:
            return
        self.busy = True
        ok, _ = await call(self, actions.respond_line, ctx, fmt.parse_uuid(line.id), response, note, writes=True)
        self.busy = False
        if ok:
            self.disputing, self.note = "", ""
            await self._show(ctx)
            self.notice = (
                "Line confirmed." if response == "confirmed" else "Your dispute is sent: a case is open for it."
            )

    @rx.event
    async def confirm(self, line_id: str):
        await self._answer(line_id, "confirmed", None)

    @rx.event
    def start_dispute(self, line_id: str):
        if any(ln.id == str(line_id) and ln.can_answer for ln in self.lines):
            self.disputing, self.note = str(line_id), ""

    @rx.event
    def set_note(self, value: str):
        self.note = str(value or "")[:1100]

    @rx.event
    async def send_dispute(self):
        if self.disputing and self.note.strip():
            await self._answer(self.disputing, "disputed", self.note.strip())


def _soa_line(r: Var) -> rx.Component:
    s = MyStatementState
    return rx.table.row(
        rx.table.cell(r["document"]),
        rx.table.cell(r["amount"], text_align="right"),
        rx.table.cell(r["ledger"], text_align="right"),
        rx.table.cell(badges.status_badge(r["state"], COLORS, data_testid="portal-soa-state")),
        rx.table.cell(
            rx.vstack(
                badges.status_badge(r["response"], COLORS, data_testid="portal-soa-response"),
                rx.cond(r["dispute_href"] != "", rx.link("case", href=r["dispute_href"], size="1")),
                rx.cond(
                    r["can_answer"],
                    rx.hstack(
                        rx.cond(
                            r["response"] != "confirmed",
                            rx.button(
                                "Confirm",
                                size="1",
                                variant="soft",
                                color_scheme="green",
                                on_click=s.confirm(r["id"]),
                                disabled=s.busy,
                                data_testid="portal-soa-confirm",
                            ),
                        ),
                        rx.button(
                            "Dispute",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=s.start_dispute(r["id"]),
                            data_testid="portal-soa-dispute",
                        ),
                        spacing="1",
                    ),
                ),
                rx.cond(
                    s.disputing == r["id"],
                    rx.vstack(
                        rx.input(
                            value=s.note,
                            on_change=s.set_note,
                            placeholder="What is wrong",
                            data_testid="portal-soa-note",
                        ),
                        rx.button(
                            "Send",
                            size="1",
                            on_click=s.send_dispute,
                            disabled=s.busy | (s.note.strip() == ""),
                            data_testid="portal-soa-send",
                        ),
                        spacing="1",
                    ),
                ),
                spacing="1",
            )
        ),
        data_testid="portal-soa-line",
    )


@portal_page("/portal/statements/[id]", "Statement of account", on_load=MyStatementState.load)
def my_statement_page() -> rx.Component:
    s = MyStatementState
    st = s.statement
    return rx.cond(
        s.loading,
        rx.center(rx.spinner(), padding="2rem", width="100%"),
        rx.vstack(
            rx.link("← My statements", href="/portal/statements", size="2"),
            rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1")),
            rx.cond(
                s.notice != "", rx.callout(s.notice, color_scheme="green", size="1", data_testid="portal-soa-notice")
            ),
            rx.cond(
                s.found,
                rx.vstack(
                    rx.card(
                        rx.vstack(
                            rx.hstack(
                                rx.heading(st["title"], size="5", data_testid="portal-statement-reference"),
                                rx.text(st["sub"], size="2"),
                                rx.spacer(),
                                rx.heading(st["amount"], size="5"),
                                width="100%",
                                align="center",
                            ),
                            rx.text(st["words"], " · ", st["when"], size="2", color_scheme="gray"),
                            spacing="1",
                        ),
                        width="100%",
                    ),
                    tables.compact_table(
                        ["Document", "Your figure", "Our ledger", "Reconciliation", "Your answer"],
                        rx.foreach(s.lines, _soa_line),
                        "portal-soa-lines",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
