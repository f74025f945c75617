"""The staff money lists: `/payments` (status, vendor), `/invoices` (reconciliation state, vendor),
`/match-packs` (status, vendor; "New pack" matches a vendor's unmatched invoices) and
`/statements` (vendor). Each row links to its page; filters restart the list."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.cases.money_rows import (
    MONEY_COLORS,
    InvoiceRow,
    PackRow,
    PaymentRow,
    StatementRow,
    invoice_row,
    pack_row,
    payment_row,
    statement_row,
)
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.lists import KeysetListMixin
from app.web.kit.rows import Option
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.cases.ledger import RECONCILIATION_STATES
from engine.cases.machines import MATCH_MACHINE, PAYMENT_MACHINE
from engine.cases.permissions import READ, WRITE
from engine.context import TenantContext
from models.cases import ledger_actions as actions
from models.cases import ledger_queries, queries, statement_queries
from models.cases.ledger_inputs import PackCreate

PAGE_SIZE = 25


class _VendorFilter(rx.State, mixin=True):
    """Vendor (and status) filters of a money list; the page state adds KeysetListMixin and AuthState."""

    vendor_options: list[Option] = []
    f_vendor: str = ANY
    f_status: str = ANY

    _statuses: ClassVar[tuple[str, ...]] = ()
    _list_permission: ClassVar[str] = READ

    async def _start(self):
        ctx = await self._require(READ)  # type: ignore[attr-defined]
        self.f_vendor = self.f_status = ANY
        self.vendor_options = await asyncio.to_thread(queries.vendor_options, ctx) if ctx else []
        async for _ in self._reload_list(ctx):  # type: ignore[attr-defined]
            yield

    @rx.event
    async def set_filter(self, name: str, value: str):
        ctx = await self._require(READ)  # type: ignore[attr-defined]
        value = str(value or ANY)[:64]
        if name == "vendor":
            self.f_vendor = value if value in {o.id for o in self.vendor_options} else ANY
        elif name == "status":
            self.f_status = value if value in self._statuses else ANY
        async for _ in self._reload_list(ctx):  # type: ignore[attr-defined]
            yield


def _filters(state, statuses: tuple[str, ...], every: str) -> rx.Component:
    return rx.flex(
        controls.field(
            "Status",
            controls.choice(
                [(s, fmt.label(s)) for s in statuses],
                state.f_status,
                lambda v: state.set_filter("status", v),
                "Status",
                every=every,
            ),
        )
        if statuses
        else rx.fragment(),
        controls.field(
            "Vendor",
            controls.choice(
                state.vendor_options,
                state.f_vendor,
                lambda v: state.set_filter("vendor", v),
                "Vendor",
                every="All vendors",
            ),
        ),
        spacing="3",
        wrap="wrap",
        align="end",
    )


def _link(text_key: str, testid: str):
    return lambda r: rx.link(r[text_key], href=r["href"], weight="medium", data_testid=testid, **controls.WRAP)


def _badge(key: str = "status", testid: str = ""):
    return lambda r: badges.status_badge(r[key], MONEY_COLORS, **({"data_testid": testid} if testid else {}))


# ---- payments --------------------------------------------------------------------------------------


class PaymentsState(_VendorFilter, KeysetListMixin, AuthState):
    rows: list[PaymentRow] = []
    _statuses: ClassVar[tuple[str, ...]] = PAYMENT_MACHINE.statuses

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[PaymentRow], str | None]:
        page = ledger_queries.payment_page(
            ctx,
            status=self.f_status if self.f_status in PAYMENT_MACHINE.states else None,
            vendor_id=fmt.parse_uuid(self.f_vendor),
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        return [payment_row(v) for v in page.items], page.next_cursor

    @rx.event
    async def load(self):
        async for _ in self._start():
            yield


def _payment_status(r: Var) -> rx.Component:
    return rx.hstack(
        badges.status_badge(r["status"], MONEY_COLORS, data_testid="payment-status"),
        rx.cond(r["held_by_case"], rx.badge("held by a case", color_scheme="amber", variant="outline")),
        spacing="1",
    )


PAYMENT_COLUMNS = [
    tables.col("Reference", _link("reference", "payment-link")),
    tables.col("Vendor", "vendor"),
    tables.num("Amount", "amount"),
    tables.col("Status", _payment_status),
    tables.col("Scheduled", "scheduled"),
    tables.col("Paid", "paid"),
]


@app_page(
    "/payments", "Payments", permission=READ, nav="Payments", icon="banknote", order=31, on_load=PaymentsState.load
)
def payments_page() -> rx.Component:
    s = PaymentsState
    return rx.vstack(
        _filters(s, PAYMENT_MACHINE.statuses, "All statuses"),
        controls.hint("A payment is on hold while a case about it, or a disputed line of its invoices, is open."),
        tables.paged_table(
            s,
            PAYMENT_COLUMNS,
            "payments",
            "No payments match.",
            "banknote",
            row_testid="payment-row",
            more_testid="payments-more",
        ),
        spacing="4",
        width="100%",
    )


# ---- invoices --------------------------------------------------------------------------------------


class InvoicesState(_VendorFilter, KeysetListMixin, AuthState):
    rows: list[InvoiceRow] = []
    _statuses: ClassVar[tuple[str, ...]] = RECONCILIATION_STATES

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[InvoiceRow], str | None]:
        page = ledger_queries.invoice_page(
            ctx,
            state=self.f_status if self.f_status in RECONCILIATION_STATES else None,
            vendor_id=fmt.parse_uuid(self.f_vendor),
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        return [invoice_row(v) for v in page.items], page.next_cursor

    @rx.event
    async def load(self):
        async for _ in self._start():
            yield


def _pack_link(r: Var) -> rx.Component:
    return rx.cond(
        r["pack_href"] != "", rx.link("match pack", href=r["pack_href"], data_testid="invoice-pack"), rx.text("—")
    )


INVOICE_COLUMNS = [
    tables.col(
        "Invoice", lambda r: rx.link(r["number"], href=r["href"], weight="medium", data_testid="invoice-number")
    ),
    tables.col("Vendor", "vendor"),
    tables.col("Issued", "issued"),
    tables.num("Total", "total"),
    tables.num("Paid", "paid"),
    tables.col("Reconciliation", lambda r: badges.status_badge(r["state"], MONEY_COLORS, data_testid="invoice-state")),
    tables.num("Exception lines", "exceptions"),
    tables.col("Pack", _pack_link),
]


@app_page(
    "/invoices", "Invoices", permission=READ, nav="Invoices", icon="receipt", order=32, on_load=InvoicesState.load
)
def invoices_page() -> rx.Component:
    s = InvoicesState
    return rx.vstack(
        _filters(s, RECONCILIATION_STATES, "Any reconciliation"),
        controls.hint(
            "The shadow ledger: invoices as the vendor sent them (never changed); "
            "the reconciliation is the tenant's own record."
        ),
        tables.paged_table(
            s,
            INVOICE_COLUMNS,
            "invoices",
            "No invoices match.",
            "receipt",
            row_testid="invoice-row",
            more_testid="invoices-more",
        ),
        spacing="4",
        width="100%",
    )


# ---- match packs -------------------------------------------------------------------------------------


class PacksState(_VendorFilter, KeysetListMixin, AuthState):
    rows: list[PackRow] = []
    can_build: bool = False
    form_open: bool = False
    form_vendor: str = ""
    form_invoices: list[Option] = []
    form_chosen: list[str] = []
    form_error: str = ""
    _statuses: ClassVar[tuple[str, ...]] = MATCH_MACHINE.statuses

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[PackRow], str | None]:
        page = ledger_queries.pack_page(
            ctx,
            status=self.f_status if self.f_status in MATCH_MACHINE.states else None,
            vendor_id=fmt.parse_uuid(self.f_vendor),
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        return [pack_row(v) for v in page.items], page.next_cursor

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.can_build, self.form_open = bool(ctx and ctx.can(WRITE)), False
        async for _ in self._start():
            yield

    async def _unmatched(self, ctx: TenantContext) -> None:
        vendor = fmt.parse_uuid(self.form_vendor)
        if vendor is None:
            self.form_invoices = []
            return
        page = await asyncio.to_thread(ledger_queries.invoice_page, ctx, vendor_id=vendor, state="unmatched", limit=200)
        self.form_invoices = [Option(str(v.id), f"{v.number} · {fmt.amount(v.total, v.currency)}") for v in page.items]

    @rx.event
    async def open_form(self):
        ctx = await self._require(WRITE)
        if ctx is None:
            return
        self.form_open, self.form_error, self.form_chosen = True, "", []
        self.form_vendor = self.vendor_options[0].id if self.vendor_options else ""
        await self._unmatched(ctx)

    @rx.event
    def close_form(self):
        self.form_open = False

    @rx.event
    async def set_form_vendor(self, value: str):
        ctx = await self._require(WRITE)
        if ctx is None:
            return
        self.form_vendor = str(value or "")[:64]
        self.form_chosen = []
        await self._unmatched(ctx)

    @rx.event
    def toggle_invoice(self, invoice_id: str):
        invoice_id = str(invoice_id)[:64]
        if invoice_id in self.form_chosen:
            self.form_chosen = [i for i in self.form_chosen if i != invoice_id]
        elif invoice_id in {o.id for o in self.form_invoices}:
            self.form_chosen = [*self.form_chosen, invoice_id]

    @rx.event
    async def build(self):
        ctx = await self._require(WRITE)
        vendor = fmt.parse_uuid(self.form_vendor)
        chosen = [fmt.parse_uuid(i) for i in self.form_chosen]
        if ctx is None or vendor is None or not chosen:
            self.form_error = "Choose the vendor and at least one invoice."
            return
        body = PackCreate(vendor_id=vendor, invoice_ids=[c for c in chosen if c is not None])
        ok, made = await call(self, actions.build_pack, ctx, body, writes=True)
        if not ok:
            self.form_error, self.error = self.error, ""
            return
        self.form_open = False
        return rx.redirect(f"/match-packs/{made.id}")


PACK_COLUMNS = [
    tables.col("Pack", _link("title", "pack-link")),
    tables.col("Vendor", "vendor"),
    tables.col("Status", _badge("status", "pack-status")),
    tables.num("Invoices", "invoices"),
    tables.num("Lines", "lines"),
    tables.num("Exception lines", "exceptions"),
    tables.num("Invoiced", "invoiced"),
    tables.num("Variance", "variance"),
]


def _pack_form() -> rx.Component:
    s = PacksState
    return controls.dialog(
        "New match pack",
        rx.vstack(
            controls.field(
                "Vendor",
                controls.select(
                    s.vendor_options,
                    s.form_vendor,
                    s.set_form_vendor,
                    "Vendor",
                    trigger={"width": "100%", "data_testid": "pack-vendor"},
                ),
                width="100%",
            ),
            controls.caption("Unmatched invoices"),
            rx.cond(
                s.form_invoices.length() > 0,
                rx.vstack(
                    rx.foreach(
                        s.form_invoices,
                        lambda o: rx.checkbox(
                            o["label"],
                            checked=s.form_chosen.contains(o["id"]),
                            on_change=lambda _: s.toggle_invoice(o["id"]),
                            data_testid="pack-invoice",
                        ),
                    ),
                    spacing="1",
                ),
                controls.hint("This vendor has no unmatched invoices."),
            ),
            rx.cond(s.form_error != "", rx.callout(s.form_error, color_scheme="red", icon="triangle-alert", size="1")),
            controls.dialog_footer(
                rx.button("Match", on_click=s.build, data_testid="pack-build"), on_cancel=s.close_form
            ),
            spacing="3",
            width="100%",
        ),
        open_=s.form_open,
        on_close=s.close_form,
        max_width="32rem",
    )


@app_page(
    "/match-packs", "Match packs", permission=READ, nav="Match packs", icon="scale", order=33, on_load=PacksState.load
)
def packs_page() -> rx.Component:
    s = PacksState
    return rx.vstack(
        rx.flex(
            _filters(s, MATCH_MACHINE.statuses, "All statuses"),
            rx.spacer(),
            rx.link("Tolerances", href="/match-tolerances", size="2"),
            rx.cond(
                s.can_build,
                rx.button(rx.icon("plus", size=14), "New pack", on_click=s.open_form, data_testid="pack-new"),
            ),
            spacing="3",
            align="end",
            wrap="wrap",
            width="100%",
        ),
        tables.paged_table(
            s, PACK_COLUMNS, "packs", "No match packs yet.", "scale", row_testid="pack-row", more_testid="packs-more"
        ),
        _pack_form(),
        spacing="4",
        width="100%",
    )


# ---- statements ------------------------------------------------------------------------------------


class StatementsState(_VendorFilter, KeysetListMixin, AuthState):
    rows: list[StatementRow] = []

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[StatementRow], str | None]:
        page = statement_queries.statement_page(
            ctx, vendor_id=fmt.parse_uuid(self.f_vendor), limit=PAGE_SIZE, cursor=cursor
        )
        return [statement_row(v) for v in page.items], page.next_cursor

    @rx.event
    async def load(self):
        async for _ in self._start():
            yield


STATEMENT_COLUMNS = [
    tables.col("Statement", _link("reference", "statement-link")),
    tables.col("Vendor", "vendor"),
    tables.col("As of", "as_of"),
    tables.num("Vendor's balance", "vendor_balance"),
    tables.num("Our ledger", "ledger_balance"),
    tables.num("Difference", "difference"),
    tables.col("Lines", "lines"),
    tables.col("Vendor's answers", "answered"),
]


@app_page(
    "/statements",
    "Statements of account",
    permission=READ,
    nav="Statements",
    icon="scroll-text",
    order=34,
    on_load=StatementsState.load,
)
def statements_page() -> rx.Component:
    s = StatementsState
    return rx.vstack(
        _filters(s, (), ""),
        tables.paged_table(
            s,
            STATEMENT_COLUMNS,
            "statements",
            "No statements yet.",
            "scroll-text",
            row_testid="statement-row",
            more_testid="statements-more",
        ),
        spacing="4",
        width="100%",
    )
