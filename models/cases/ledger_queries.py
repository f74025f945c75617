"""Reads of the money side of vendor cases for routes and pages: purchase orders, invoices with
their reconciliation, tolerances, match packs explained line by line, payments with their holds,
statements of account reconciled. Each takes ctx, checks `cases.read`, opens its own transaction;
a vendor reads its own organization's records only (code scope and RLS)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from engine.cases import matching
from engine.cases.machines import ACTIVE, MATCH_MACHINE, MP_CANCELLED, PAYMENT_MACHINE
from engine.cases.permissions import READ
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.cases import ledger, links, match_packs, payments
from models.cases.cases import is_vendor, scoped, staff_only
from models.cases.ledger_views import (
    AllocationView,
    CheckView,
    InvoiceDetail,
    InvoiceLineView,
    InvoiceView,
    LinkedCase,
    MatchLineView,
    PackDetail,
    PackView,
    PaymentAsOf,
    PaymentDetail,
    PaymentView,
    POLineView,
    POView,
    ReconciliationView,
    ToleranceView,
)
from models.cases.queries import _events, _org_names
from models.cases.tables import (
    MATCH_PACK_EVENTS,
    PAYMENT_EVENTS,
    Case,
    Invoice,
    InvoiceLine,
    MatchLine,
    MatchPack,
    Payment,
    PaymentInvoice,
    PurchaseOrder,
    PurchaseOrderLine,
)
from models.core.db import tenant_session
from models.core.decision_actions import ActionView
from models.core.pagination import Page

ZERO = Decimal(0)


def _linked(c: Case) -> LinkedCase:
    return LinkedCase(c.id, c.subject, c.status, c.opened_at)


def _latest(found: list[Case], link: str) -> dict[uuid.UUID, Case]:
    """Per linked record, its case: the active one, else the newest (`found` is newest first)."""
    out: dict[uuid.UUID, Case] = {}
    for c in found:
        key = getattr(c, link)
        current = out.get(key)
        if current is None or (c.status in ACTIVE and current.status not in ACTIVE):
            out[key] = c
    return out


def _actions(transitions: Iterable[Any]) -> list[ActionView]:
    return [ActionView(t.action, t.display, t.reason_required) for t in transitions]


# ---- purchase orders ------------------------------------------------------------------------------


def _po_view(session: Session, ctx: TenantContext, po: PurchaseOrder) -> POView:
    lines = ledger.po_lines(session, ctx, [po.id])
    got: dict[uuid.UUID, Decimal] = {}
    for r in ledger.receipts_of(session, ctx, [ln.id for ln in lines]):
        got[r.po_line_id] = got.get(r.po_line_id, ZERO) + r.quantity
    return POView(
        po.id,
        po.vendor_org_id,
        _org_names(session, ctx, [po.vendor_org_id]).get(po.vendor_org_id, ""),
        po.number,
        po.currency,
        po.ordered_at,
        [
            POLineView(ln.id, ln.line_no, ln.description, ln.quantity, ln.unit_price, ln.tax_rate, got.get(ln.id, ZERO))
            for ln in lines
        ],
    )


def get_po(ctx: TenantContext, po_id: uuid.UUID) -> POView:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return _po_view(session, ctx, ledger.get_po(session, ctx, po_id))


def po_view(session: Session, ctx: TenantContext, po: PurchaseOrder) -> POView:
    return _po_view(session, ctx, po)


# ---- invoices -------------------------------------------------------------------------------------


def _invoice_views(session: Session, ctx: TenantContext, rows: list[Invoice]) -> list[InvoiceView]:
    orgs = _org_names(session, ctx, {r.vendor_org_id for r in rows})
    recs = ledger.reconciliations(session, ctx, [r.id for r in rows])
    paid = ledger.paid_amounts(session, ctx, [r.id for r in rows])
    out = []
    for r in rows:
        rec = recs.get(r.id)
        out.append(
            InvoiceView(
                r.id,
                r.vendor_org_id,
                orgs.get(r.vendor_org_id, ""),
                r.number,
                r.currency,
                r.issued_at,
                r.due_at,
                r.net_total,
                r.tax_total,
                r.total,
                rec.state if rec else "unmatched",
                rec.match_pack_id if rec else None,
                rec.exceptions if rec else 0,
                rec.variance if rec else ZERO,
                paid.get(r.id, ZERO),
            )
        )
    return out


def invoice_view(session: Session, ctx: TenantContext, row: Invoice) -> InvoiceView:
    return _invoice_views(session, ctx, [row])[0]


def invoice_page(
    ctx: TenantContext,
    *,
    vendor_id: uuid.UUID | None = None,
    state: str | None = None,
    q: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[InvoiceView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = ledger.invoice_page(session, ctx, vendor_id=vendor_id, state=state, q=q, limit=limit, cursor=cursor)
        return Page(_invoice_views(session, ctx, page.items), page.next_cursor)


def _allocations(session: Session, ctx: TenantContext, allocs: list[Any]) -> list[AllocationView]:
    if not allocs:
        return []
    pays = {
        p.id: p
        for p in session.exec(
            select(Payment).where(
                Payment.tenant_id == ctx.tenant_id, col(Payment.id).in_({a.payment_id for a in allocs})
            )
        ).all()
    }
    invs = {
        i.id: i.number
        for i in session.exec(
            select(Invoice).where(
                Invoice.tenant_id == ctx.tenant_id, col(Invoice.id).in_({a.invoice_id for a in allocs})
            )
        ).all()
    }
    return [
        AllocationView(
            a.payment_id,
            a.invoice_id,
            invs.get(a.invoice_id, ""),
            pays[a.payment_id].reference if a.payment_id in pays else "",
            pays[a.payment_id].status if a.payment_id in pays else "",
            a.amount,
        )
        for a in allocs
    ]


def invoice_detail(ctx: TenantContext, invoice_id: uuid.UUID) -> InvoiceDetail:
    """The invoice as received, its lines, the payments that pay it, its reconciliation record,
    every match pack with a line of it, and the cases about it (a disputed line, or one of its
    payments): newest first."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = ledger.get_invoice(session, ctx, invoice_id)
        lines = ledger.invoice_lines(session, ctx, [row.id])
        allocs = list(
            session.exec(
                select(PaymentInvoice).where(
                    PaymentInvoice.tenant_id == ctx.tenant_id, PaymentInvoice.invoice_id == row.id
                )
            ).all()
        )
        rec = ledger.reconciliations(session, ctx, [row.id]).get(row.id)
        matched = list(
            session.exec(scoped(select(MatchLine), MatchLine, ctx).where(MatchLine.invoice_id == row.id)).all()
        )
        packs = (
            list(
                session.exec(
                    scoped(select(MatchPack), MatchPack, ctx)
                    .where(col(MatchPack.id).in_({m.pack_id for m in matched}))
                    .order_by(col(MatchPack.created_at).desc())
                ).all()
            )
            if matched
            else []
        )
        about = links.cases_on(session, ctx, "match_line_id", [m.id for m in matched])
        about += links.cases_on(session, ctx, "payment_id", sorted({a.payment_id for a in allocs}))
        return InvoiceDetail(
            invoice_view(session, ctx, row),
            [
                InvoiceLineView(
                    ln.id,
                    ln.line_no,
                    ln.po_line_id,
                    ln.description,
                    ln.quantity,
                    ln.unit_price,
                    ln.tax_amount,
                    ln.amount,
                )
                for ln in lines
            ],
            _allocations(session, ctx, allocs),
            ReconciliationView(
                rec.state, rec.match_pack_id, rec.exceptions, rec.expected_amount, rec.variance, rec.updated_at
            )
            if rec
            else None,
            _pack_views(session, ctx, packs),
            [_linked(c) for c in sorted(about, key=lambda c: c.opened_at, reverse=True)],
        )


# ---- tolerances -------------------------------------------------------------------------------------


def tolerances(ctx: TenantContext, vendor_id: uuid.UUID | None = None) -> list[ToleranceView]:
    """The tolerances in force for the tenant, or for one vendor, each with where it comes from."""
    ctx.require(READ)
    staff_only(ctx, "read the tolerance settings (each match pack explains the ones it used)")
    with tenant_session(ctx) as session:
        if vendor_id is not None:
            ledger.vendor_org(session, ctx, vendor_id)
        rows = ledger.tolerance_rows(session, ctx, vendor_id)
        source = {r.exception_type: "tenant" for r in rows if r.vendor_org_id is None}
        source |= {r.exception_type: "vendor" for r in rows if r.vendor_org_id is not None}
        tenant = [ledger._as_tolerance(r) for r in rows if r.vendor_org_id is None]
        vendor = [ledger._as_tolerance(r) for r in rows if r.vendor_org_id is not None]
        return [
            _tolerance_view(t, vendor_id, source.get(code, "default"))
            for code, t in matching.resolve(tenant, vendor).items()
        ]


def _tolerance_view(t: matching.Tolerance, vendor_id: uuid.UUID | None, source: str) -> ToleranceView:
    kind = matching.EXCEPTION_TYPES[t.code]
    return ToleranceView(vendor_id, t.code, kind.label, kind.rule, t.enabled, t.absolute, t.percent, t.words(), source)


# ---- match packs -----------------------------------------------------------------------------------


def _pack_views(session: Session, ctx: TenantContext, rows: list[MatchPack]) -> list[PackView]:
    orgs = _org_names(session, ctx, {r.vendor_org_id for r in rows})
    currencies: dict[uuid.UUID, str] = {}
    if rows:
        from models.cases.tables import MatchLine

        found = session.exec(
            select(MatchLine.pack_id, Invoice.currency)
            .join(
                Invoice,
                (col(Invoice.id) == col(MatchLine.invoice_id)) & (col(Invoice.tenant_id) == col(MatchLine.tenant_id)),
            )
            .where(MatchLine.tenant_id == ctx.tenant_id, col(MatchLine.pack_id).in_([r.id for r in rows]))
            .distinct()
        ).all()
        for pack_id, currency in found:
            currencies.setdefault(pack_id, currency)
    return [
        PackView(
            r.id,
            r.vendor_org_id,
            orgs.get(r.vendor_org_id, ""),
            r.title,
            r.status,
            r.invoice_count,
            r.line_count,
            r.exception_lines,
            r.invoiced_amount,
            r.expected_amount,
            r.variance,
            currencies.get(r.id, ""),
            r.created_at,
        )
        for r in rows
    ]


def pack_page(
    ctx: TenantContext,
    *,
    status: str | None = None,
    vendor_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[PackView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = match_packs.pack_page(session, ctx, status=status, vendor_id=vendor_id, limit=limit, cursor=cursor)
        return Page(_pack_views(session, ctx, page.items), page.next_cursor)


def pack_view(session: Session, ctx: TenantContext, row: MatchPack) -> PackView:
    return _pack_views(session, ctx, [row])[0]


def pack_detail(ctx: TenantContext, pack_id: uuid.UUID) -> PackDetail:
    """The pack explained to either party: each line with the rule, tolerance and variance of every
    check (exceptions first), the case disputing it if any, and the pack's decisions."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        pack = match_packs.get_pack(session, ctx, pack_id)
        lines = match_packs.lines_of(session, ctx, pack)
        tol = matching.from_json(pack.tolerances)
        invoices = (
            {
                i.id: i
                for i in session.exec(
                    select(Invoice).where(
                        Invoice.tenant_id == ctx.tenant_id, col(Invoice.id).in_({ln.invoice_id for ln in lines})
                    )
                ).all()
            }
            if lines
            else {}
        )
        sources = (
            {
                s.id: s
                for s in session.exec(
                    select(InvoiceLine).where(
                        InvoiceLine.tenant_id == ctx.tenant_id,
                        col(InvoiceLine.id).in_([ln.invoice_line_id for ln in lines]),
                    )
                ).all()
            }
            if lines
            else {}
        )
        po_ids = [ln.po_line_id for ln in lines if ln.po_line_id]
        po_rows = (
            {
                p.id: (p, number, currency)
                for p, number, currency in session.exec(
                    select(PurchaseOrderLine, PurchaseOrder.number, PurchaseOrder.currency)
                    .join(
                        PurchaseOrder,
                        (col(PurchaseOrder.id) == col(PurchaseOrderLine.po_id))
                        & (col(PurchaseOrder.tenant_id) == col(PurchaseOrderLine.tenant_id)),
                    )
                    .where(PurchaseOrderLine.tenant_id == ctx.tenant_id, col(PurchaseOrderLine.id).in_(po_ids))
                ).all()
            }
            if po_ids
            else {}
        )
        disputes = links.cases_on(session, ctx, "match_line_id", [ln.id for ln in lines])
        by_line = _latest(disputes, "match_line_id")
        vendor_side = is_vendor(ctx)
        out = []
        for ln in lines:
            inv = invoices.get(ln.invoice_id)
            src = sources.get(ln.invoice_line_id)
            po = po_rows.get(ln.po_line_id) if ln.po_line_id else None
            figures = {
                "po_id": po[0].po_id if po else None,
                "po_price": ln.po_price,
                "price_diff": ln.price_diff,
                "received_qty": ln.received_qty,
                "billed_before": ln.billed_before,
                "accepted_qty": ln.accepted_qty,
                "qty_over": ln.qty_over,
                "expected_tax": ln.expected_tax,
                "tax_over": ln.tax_over,
                "invoice_currency": inv.currency if inv else "",
                "po_currency": po[2] if po else "",
                **{flag: getattr(ln, flag) for flag in matching.FLAGS.values()},
            }
            checks = matching.explain(figures, tol, inv.currency if inv else "")
            dispute = by_line.get(ln.id)
            out.append(
                MatchLineView(
                    ln.id,
                    ln.seq,
                    ln.invoice_id,
                    inv.number if inv else "",
                    src.line_no if src else 0,
                    src.description if src else "",
                    po[1] if po else "",
                    po[0].line_no if po else None,
                    ln.quantity,
                    ln.unit_price,
                    ln.tax_amount,
                    ln.ordered_qty,
                    ln.received_qty,
                    ln.accepted_qty,
                    ln.po_price,
                    ln.price_diff,
                    ln.qty_over,
                    ln.tax_over,
                    ln.expected_amount,
                    ln.invoiced_amount,
                    ln.variance,
                    matching.exception_codes(figures),
                    [CheckView(c.code, c.label, c.rule, c.tolerance, c.variance, c.exception) for c in checks],
                    _linked(dispute) if dispute else None,
                    vendor_side
                    and pack.status != MP_CANCELLED
                    and not (dispute is not None and dispute.status in ACTIVE),
                )
            )
        return PackDetail(
            pack_view(session, ctx, pack),
            _actions(MATCH_MACHINE.actions_for(pack, ctx)),
            out,
            [_tolerance_view(t, pack.vendor_org_id, "pack") for t in tol.values()],
            _events(session, ctx, MATCH_PACK_EVENTS, "match_pack", [pack.id]),
            [_linked(c) for c in disputes],
        )


def pack_events(ctx: TenantContext, pack_id: uuid.UUID) -> Page[Any]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        pack = match_packs.get_pack(session, ctx, pack_id)
        return Page(_events(session, ctx, MATCH_PACK_EVENTS, "match_pack", [pack.id]), None)


# ---- payments --------------------------------------------------------------------------------------


def _payment_views(session: Session, ctx: TenantContext, rows: list[Payment]) -> list[PaymentView]:
    orgs = _org_names(session, ctx, {r.vendor_org_id for r in rows})
    return [
        PaymentView(
            r.id,
            r.vendor_org_id,
            orgs.get(r.vendor_org_id, ""),
            r.reference,
            r.currency,
            r.amount,
            r.status,
            r.auto_hold,
            r.scheduled_for,
            r.note,
            r.paid_reference,
            r.paid_at,
            r.created_at,
        )
        for r in rows
    ]


def payment_view(session: Session, ctx: TenantContext, row: Payment) -> PaymentView:
    return _payment_views(session, ctx, [row])[0]


def payment_page(
    ctx: TenantContext,
    *,
    status: str | None = None,
    vendor_id: uuid.UUID | None = None,
    q: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[PaymentView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = payments.payment_page(session, ctx, status=status, vendor_id=vendor_id, q=q, limit=limit, cursor=cursor)
        return Page(_payment_views(session, ctx, page.items), page.next_cursor)


def payment_detail(ctx: TenantContext, payment_id: uuid.UUID) -> PaymentDetail:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = payments.get_payment(session, ctx, payment_id)
        allocs = payments.allocations_of(session, ctx, [row.id])
        return PaymentDetail(
            payment_view(session, ctx, row),
            _actions(PAYMENT_MACHINE.actions_for(row, ctx)),
            _allocations(session, ctx, allocs),
            _events(session, ctx, PAYMENT_EVENTS, "payment", [row.id]),
            [_linked(c) for c in payments.holding_cases(session, ctx, row)],
            [_linked(c) for c in links.cases_on(session, ctx, "payment_id", [row.id])],
        )


def payment_events(ctx: TenantContext, payment_id: uuid.UUID) -> Page[Any]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = payments.get_payment(session, ctx, payment_id)
        return Page(_events(session, ctx, PAYMENT_EVENTS, "payment", [row.id]), None)


def payment_as_of(ctx: TenantContext, payment_id: uuid.UUID, at: datetime) -> PaymentAsOf:
    """The payment as it stood at `at`, rebuilt from its events (its status then: the last event's
    target by then, or `submitted` when it existed with none)."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        row = payments.get_payment(session, ctx, payment_id)
        if at < row.created_at:
            raise ValidationFailed("at: the payment did not exist yet", fields={"at": "before the payment"})
        events = [e for e in _events(session, ctx, PAYMENT_EVENTS, "payment", [row.id]) if e.at <= at]
        return PaymentAsOf(row.id, at, events[-1].to_status if events else PAYMENT_MACHINE.initial, events)
