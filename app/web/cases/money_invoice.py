"""`/invoices/[id]`: one invoice of the shadow ledger for staff — as the vendor sent it (never
changed), its lines, its reconciliation record, the payments that pay it, every match pack with a
line of it and the cases about it (a disputed line, or one of its payments). Linked from the
invoice list and a payment's "Invoices paid". Invoices take no decisions: the page only reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import reflex as rx

from app.web.cases.money_rows import (
    INVOICE_WORDS,
    MONEY_COLORS,
    AllocationRow,
    CaseLink,
    InvoiceRow,
    PackRow,
    allocation_rows,
    amount,
    case_link,
    invoice_row,
    pack_row,
    qty,
)
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.decisions import DecisionDialogMixin, decision_page, record_header
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.cases.permissions import READ
from engine.context import TenantContext
from models.cases import ledger_queries
from models.cases.ledger_views import InvoiceDetail


@dataclass(frozen=True)
class InvoiceLineRow:
    no: str = ""
    description: str = ""
    quantity: str = ""
    price: str = ""
    tax: str = ""
    amount: str = ""
    po: str = ""


@dataclass(frozen=True)
class ReconRow:
    state: str = ""
    words: str = ""
    exceptions: str = ""
    expected: str = ""
    variance: str = ""
    updated: str = ""
    pack_href: str = ""


def invoice_page_data(d: InvoiceDetail) -> dict[str, Any]:
    inv, rec = d.invoice, d.reconciliation
    cur = inv.currency
    return {
        "invoice": invoice_row(inv),
        "extra": (fmt.when(inv.due_at, time=False), amount(inv.net_total, cur), amount(inv.tax_total, cur)),
        "lines": [
            InvoiceLineRow(
                str(ln.line_no),
                ln.description,
                qty(ln.quantity),
                qty(ln.unit_price),
                amount(ln.tax_amount, cur),
                amount(ln.amount, cur),
                "yes" if ln.po_line_id else "no PO line",
            )
            for ln in d.lines
        ],
        "recon": ReconRow(
            rec.state,
            INVOICE_WORDS.get(rec.state, rec.state),
            str(rec.exceptions),
            amount(rec.expected_amount, cur),
            amount(rec.variance, cur),
            fmt.when(rec.updated_at),
            f"/match-packs/{rec.match_pack_id}" if rec.match_pack_id else "",
        )
        if rec
        else ReconRow("unmatched", INVOICE_WORDS["unmatched"]),
        "payments": allocation_rows(d.payments, cur),
        "packs": [pack_row(p) for p in d.packs],
        "cases": [case_link(c) for c in d.cases],
    }


class InvoiceState(DecisionDialogMixin, AuthState):
    invoice: InvoiceRow = InvoiceRow()
    due: str = ""
    net: str = ""
    tax: str = ""
    lines: list[InvoiceLineRow] = []
    recon: ReconRow = ReconRow()
    payments: list[AllocationRow] = []
    packs: list[PackRow] = []
    cases: list[CaseLink] = []

    _read_permission: ClassVar[str] = READ
    _action_permission: ClassVar[str] = READ
    _missing_text: ClassVar[str] = "This invoice does not exist in your tenant."
    _denied_text: ClassVar[str] = "Invoices take no decisions."

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        data = invoice_page_data(ledger_queries.invoice_detail(ctx, fmt.parse_uuid(record_id)))  # type: ignore[arg-type]
        return {**data, "actions": []}

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.invoice, self.lines, self.recon = data["invoice"], data["lines"], data["recon"]
        self.due, self.net, self.tax = data["extra"]
        self.payments, self.packs, self.cases = data["payments"], data["packs"], data["cases"]
        return data["invoice"].id

    def _blank_record(self) -> None:
        self.invoice, self.recon, self.due, self.net, self.tax = InvoiceRow(), ReconRow(), "", "", ""
        self.lines, self.payments, self.packs, self.cases = [], [], [], []


LINE_COLUMNS = [
    tables.col("#", "no"),
    tables.col("Description", lambda r: rx.text(r["description"], size="2", **controls.WRAP)),
    tables.num("Quantity", "quantity"),
    tables.num("Unit price", "price"),
    tables.num("Tax", "tax"),
    tables.num("Amount", "amount"),
    tables.col("PO line", "po"),
]
PAYMENT_COLUMNS = [
    tables.col("Payment", lambda r: rx.link(r["payment"], href=r["payment_href"], data_testid="invoice-payment")),
    tables.col("Status", lambda r: badges.status_badge(r["payment_status"], MONEY_COLORS)),
    tables.num("Amount", "amount"),
]
PACK_COLUMNS = [
    tables.col("Match pack", lambda r: rx.link(r["title"], href=r["href"], data_testid="invoice-pack-link")),
    tables.col("Status", lambda r: badges.status_badge(r["status"], MONEY_COLORS)),
    tables.col("Lines with exceptions", "exceptions"),
    tables.num("Variance", "variance"),
    tables.col("Created", "created"),
]
CASE_COLUMNS = [
    tables.col("Case", lambda r: rx.link(r["subject"], href=r["href"], data_testid="invoice-case")),
    tables.col("Status", lambda r: badges.status_badge(r["status"], MONEY_COLORS)),
]


def _reconciliation() -> rx.Component:
    r = InvoiceState.recon
    return controls.section(
        "Reconciliation",
        rx.hstack(
            badges.status_badge(r["state"], MONEY_COLORS, data_testid="invoice-detail-state"),
            rx.text(r["words"], size="2"),
            rx.cond(r["pack_href"] != "", rx.link("its match pack", href=r["pack_href"], size="2")),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            r["updated"] != "",
            controls.hint(
                "Expected ",
                r["expected"],
                " · variance ",
                r["variance"],
                " · ",
                r["exceptions"],
                " line(s) with exceptions · updated ",
                r["updated"],
                data_testid="invoice-reconciliation",
            ),
        ),
    )


@app_page("/invoices/[id]", "Invoice", permission=READ, on_load=InvoiceState.load)
def invoice_detail_page() -> rx.Component:
    s = InvoiceState
    inv = s.invoice
    return decision_page(
        s,
        record_header(
            rx.heading("Invoice ", inv["number"], size="6", data_testid="invoice-detail-number"),
            badges.status_badge(inv["state"], MONEY_COLORS),
            sub=rx.text(inv["vendor"], " · issued ", inv["issued"], " · due ", s.due, size="2"),
            aside=rx.vstack(
                controls.hint("Net / tax / total · paid"),
                rx.text(
                    s.net,
                    " / ",
                    s.tax,
                    " / ",
                    inv["total"],
                    " · ",
                    inv["paid"],
                    weight="medium",
                    data_testid="invoice-detail-totals",
                ),
                align="end",
                spacing="0",
            ),
        ),
        _reconciliation(),
        controls.section("Lines as received", tables.grid(LINE_COLUMNS, s.lines, "invoice-lines", "invoice-line")),
        controls.section(
            "Payments",
            tables.table_or_empty(s.payments, PAYMENT_COLUMNS, "invoice-payments", "No payment pays it yet.", "wallet"),
        ),
        controls.section(
            "Match packs with a line of it",
            tables.table_or_empty(s.packs, PACK_COLUMNS, "invoice-packs", "Not matched yet.", "git-compare"),
        ),
        controls.section(
            "Cases about it",
            tables.table_or_empty(s.cases, CASE_COLUMNS, "invoice-cases", "No case about this invoice.", "inbox"),
        ),
        href="/invoices",
        back="invoices",
        missing="Invoice not found.",
        missing_testid="invoice-missing",
    )
