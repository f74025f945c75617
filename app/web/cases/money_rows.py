"""Display rows of the staff money pages (payments, invoices, match packs, statements): typed,
strings and real bools, a default for every field, built from the read models on the server."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.kit import format as fmt
from models.cases.ledger_views import (
    AllocationView,
    InvoiceView,
    LinkedCase,
    MatchLineView,
    PackView,
    PaymentView,
    SoaLineView,
    StatementView,
    ToleranceView,
)
from models.cases.views import EventView

MONEY_COLORS: tuple[tuple[str, str], ...] = (
    ("submitted", "blue"),
    ("on_hold", "amber"),
    ("approved", "green"),
    ("paid", "green"),
    ("rejected", "red"),
    ("withdrawn", "gray"),
    ("cancelled", "gray"),
    ("open", "blue"),
    ("matched", "green"),
    ("mismatch", "red"),
    ("evidence_requested", "amber"),
    ("unmatched", "gray"),
    ("amount_differs", "amber"),
    ("not_in_ledger", "red"),
    ("pending", "gray"),
    ("confirmed", "green"),
    ("disputed", "red"),
    ("in_review", "violet"),
    ("waiting_vendor", "amber"),
    ("resolved_approved", "green"),
    ("resolved_rejected", "red"),
)
INVOICE_WORDS = {
    "unmatched": "not matched yet",
    "open": "in a match pack",
    "matched": "matched",
    "mismatch": "mismatch",
    "evidence_requested": "evidence requested",
}


def amount(value, currency: str = "") -> str:  # noqa: ANN001 - a Decimal or None
    return fmt.amount(value, currency)


qty = fmt.quantity


@dataclass(frozen=True)
class CaseLink:
    id: str = ""
    subject: str = ""
    status: str = ""
    href: str = ""


def case_link(c: LinkedCase | None, base: str = "/cases") -> CaseLink:
    return CaseLink(str(c.id), c.subject, c.status, f"{base}/{c.id}") if c else CaseLink()


@dataclass(frozen=True)
class PaymentRow:
    id: str = ""
    href: str = ""
    reference: str = ""
    vendor: str = ""
    amount: str = ""
    status: str = ""
    held_by_case: bool = False
    scheduled: str = ""
    created: str = ""
    paid: str = ""


def payment_row(v: PaymentView, base: str = "/payments") -> PaymentRow:
    return PaymentRow(
        str(v.id),
        f"{base}/{v.id}",
        v.reference,
        v.vendor_name,
        amount(v.amount, v.currency),
        v.status,
        v.status == "on_hold" and v.auto_hold,
        fmt.when(v.scheduled_for, time=False),
        fmt.when(v.created_at),
        f"{v.paid_reference or ''} · {fmt.when(v.paid_at, time=False)}" if v.paid_at else "",
    )


@dataclass(frozen=True)
class AllocationRow:
    invoice: str = ""
    payment: str = ""
    payment_status: str = ""
    amount: str = ""
    invoice_href: str = ""
    payment_href: str = ""


def allocation_rows(items: list[AllocationView], currency: str = "") -> list[AllocationRow]:
    return [
        AllocationRow(
            a.invoice_number,
            a.payment_reference,
            a.payment_status,
            amount(a.amount, currency),
            f"/invoices/{a.invoice_id}",
            f"/payments/{a.payment_id}",
        )
        for a in items
    ]


@dataclass(frozen=True)
class EventRow:
    action: str = ""
    moved: str = ""
    reason: str = ""
    who: str = ""
    at: str = ""


def event_rows(items: list[EventView]) -> list[EventRow]:
    return [
        EventRow(
            e.action.replace("_", " "),
            f"{fmt.label(e.from_status)} → {fmt.label(e.to_status)}",
            e.reason or "",
            e.actor_name or e.actor_role,
            fmt.when(e.at),
        )
        for e in items
    ]


@dataclass(frozen=True)
class InvoiceRow:
    id: str = ""
    number: str = ""
    vendor: str = ""
    issued: str = ""
    total: str = ""
    paid: str = ""
    state: str = ""
    state_words: str = ""
    exceptions: str = ""
    pack_href: str = ""
    href: str = ""


def invoice_row(v: InvoiceView, pack_base: str = "/match-packs") -> InvoiceRow:
    return InvoiceRow(
        str(v.id),
        v.number,
        v.vendor_name,
        fmt.when(v.issued_at, time=False),
        amount(v.total, v.currency),
        amount(v.paid, v.currency),
        v.state,
        INVOICE_WORDS.get(v.state, v.state),
        str(v.exceptions) if v.exceptions else "",
        f"{pack_base}/{v.match_pack_id}" if v.match_pack_id else "",
        f"/invoices/{v.id}",
    )


@dataclass(frozen=True)
class PackRow:
    id: str = ""
    href: str = ""
    title: str = ""
    vendor: str = ""
    status: str = ""
    invoices: str = ""
    lines: str = ""
    exceptions: str = ""
    invoiced: str = ""
    variance: str = ""
    created: str = ""


def pack_row(v: PackView, base: str = "/match-packs") -> PackRow:
    return PackRow(
        str(v.id),
        f"{base}/{v.id}",
        v.title,
        v.vendor_name,
        v.status,
        str(v.invoice_count),
        str(v.line_count),
        str(v.exception_lines),
        amount(v.invoiced_amount, v.currency),
        amount(v.variance, v.currency),
        fmt.when(v.created_at),
    )


@dataclass(frozen=True)
class LineRow:
    id: str = ""
    invoice: str = ""
    po: str = ""
    description: str = ""
    quantity: str = ""
    price: str = ""
    variance: str = ""
    exceptions: str = ""  # the exception types, comma-separated ("" when the line matched)
    has_exceptions: bool = False
    explanation: str = ""  # one line per check: label — rule · tolerance · what was found
    dispute_subject: str = ""
    dispute_status: str = ""
    dispute_href: str = ""
    can_dispute: bool = False


def line_rows(items: list[MatchLineView], currency: str = "", case_base: str = "/cases") -> list[LineRow]:
    out = []
    for ln in items:
        shown = [c for c in ln.checks if c.exception] or ln.checks
        explanation = "\n".join(
            f"{'✗' if c.exception else '✓'} {c.label}: {c.variance} — tolerance {c.tolerance}. {c.rule}" for c in shown
        )
        labels = [c.label for c in ln.checks if c.exception]
        out.append(
            LineRow(
                str(ln.id),
                f"{ln.invoice_number} / {ln.line_no}",
                f"{ln.po_number} / {ln.po_line_no}" if ln.po_number else "none",
                ln.description,
                f"{qty(ln.quantity)} billed · {qty(ln.received_qty)} received · {qty(ln.accepted_qty)} accepted",
                f"{qty(ln.unit_price)} vs {qty(ln.po_price)}",
                amount(ln.variance, currency),
                ", ".join(labels),
                bool(labels),
                explanation,
                ln.dispute.subject if ln.dispute else "",
                ln.dispute.status if ln.dispute else "",
                f"{case_base}/{ln.dispute.id}" if ln.dispute else "",
                ln.can_dispute,
            )
        )
    return out


@dataclass(frozen=True)
class ToleranceRow:
    code: str = ""
    label: str = ""
    enabled: bool = False
    absolute: str = ""
    percent: str = ""
    words: str = ""
    source: str = ""
    rule: str = ""


def tolerance_rows(items: list[ToleranceView]) -> list[ToleranceRow]:
    return [
        ToleranceRow(t.exception_type, t.label, t.enabled, qty(t.absolute), qty(t.percent), t.words, t.source, t.rule)
        for t in items
    ]


@dataclass(frozen=True)
class StatementRow:
    id: str = ""
    href: str = ""
    reference: str = ""
    vendor: str = ""
    as_of: str = ""
    vendor_balance: str = ""
    ledger_balance: str = ""
    difference: str = ""
    balanced: bool = False
    lines: str = ""
    answered: str = ""


def statement_row(v: StatementView, base: str = "/statements") -> StatementRow:
    return StatementRow(
        str(v.id),
        f"{base}/{v.id}",
        v.reference,
        v.vendor_name,
        fmt.when(v.as_of, time=False),
        amount(v.vendor_balance, v.currency),
        amount(v.ledger_balance, v.currency),
        amount(v.difference, v.currency),
        v.difference == 0,
        f"{v.matched_count} of {v.line_count} matched",
        f"{v.confirmed} confirmed · {v.disputed} disputed",
    )


@dataclass(frozen=True)
class SoaLineRow:
    id: str = ""
    no: str = ""
    document: str = ""
    date: str = ""
    amount: str = ""
    ledger: str = ""
    state: str = ""
    difference: str = ""
    response: str = ""
    note: str = ""
    dispute_href: str = ""
    dispute_status: str = ""
    can_answer: bool = False


def soa_line_rows(items: list[SoaLineView], currency: str = "", case_base: str = "/cases") -> list[SoaLineRow]:
    from engine.cases.ledger import DOC_TYPES

    return [
        SoaLineRow(
            str(ln.id),
            str(ln.line_no),
            f"{DOC_TYPES.get(ln.doc_type, ln.doc_type)} {ln.doc_number}",
            fmt.when(ln.doc_date, time=False),
            amount(ln.amount, currency),
            amount(ln.ledger_amount, currency),
            ln.recon_state,
            amount(ln.difference, currency) if ln.difference else "",
            ln.response,
            ln.response_note,
            f"{case_base}/{ln.dispute.id}" if ln.dispute else "",
            ln.dispute.status if ln.dispute else "",
            not (ln.dispute is not None and ln.dispute.status in ("open", "waiting_vendor", "in_review")),
        )
        for ln in items
    ]
