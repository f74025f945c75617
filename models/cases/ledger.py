"""The shadow ledger as repositories taking (session, ctx): purchase orders and goods receipts,
invoices (the original never changes; what the tenant concluded is its `InvoiceReconciliation`),
the match tolerances of the tenant and of each vendor, and the ledger's entries for a statement.

Staff record these documents (a vendor reads its own: `scoped`, and RLS again). Every write is
audited; an invoice's lines are written with the invoice in one statement and listed in its audit
event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.cases import ledger as rules
from engine.cases import matching
from engine.cases.machines import PAY_PAID
from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from models.cases.cases import check_choice, newest_first, own_or_staff, scoped, staff_only
from models.cases.ledger_inputs import InvoiceCreate, POCreate, ReceiptCreate, ToleranceSet
from models.cases.tables import (
    GoodsReceipt,
    Invoice,
    InvoiceLine,
    InvoiceReconciliation,
    MatchTolerance,
    Payment,
    PurchaseOrder,
    PurchaseOrderLine,
)
from models.catalog.tables import Organization
from models.core import audit, mutations
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.pagination import Page
from models.core.text_search import like_pattern

ZERO = Decimal(0)


def vendor_org(session: Session, ctx: TenantContext, org_id: uuid.UUID, field: str = "vendor_id") -> Organization:
    org = session.exec(
        select(Organization).where(Organization.tenant_id == ctx.tenant_id, Organization.id == org_id)
    ).first()
    if org is None:
        raise ValidationFailed(f"{field}: no organization {org_id} in this tenant", fields={field: "not found"})
    return org


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    from engine.cases.rules import clean_text

    return clean_text(value or "", field, limit, required=required)


def _unique_numbers(numbers: Sequence[int], field: str) -> None:
    seen: set[int] = set()
    for i, n in enumerate(numbers):
        if n in seen:
            raise ValidationFailed(
                f"{field}[{i}].line_no: line {n} appears twice", fields={f"{field}[{i}]": "duplicate"}
            )
        seen.add(n)


# ---- purchase orders and receipts -------------------------------------------------------------------


def create_po(session: Session, ctx: TenantContext, body: POCreate, *, po_id: uuid.UUID | None = None) -> PurchaseOrder:
    staff_only(ctx, "record purchase orders")
    vendor_org(session, ctx, body.vendor_id)
    number = _text(body.number, "number", rules.NUMBER_MAX)
    exists = session.exec(
        select(PurchaseOrder.id).where(
            PurchaseOrder.tenant_id == ctx.tenant_id,
            PurchaseOrder.vendor_org_id == body.vendor_id,
            PurchaseOrder.number == number,
        )
    ).first()
    if exists is not None:
        raise Conflict(f"number: purchase order {number} already exists for this vendor", fields={"number": "taken"})
    _unique_numbers([line.line_no for line in body.lines], "lines")
    po = PurchaseOrder(
        tenant_id=ctx.tenant_id,
        vendor_org_id=body.vendor_id,
        number=number,
        currency=rules.check_currency(body.currency),
        ordered_at=body.ordered_at or utcnow(),
        created_by=ctx.user_id,
    )
    if po_id is not None:
        po.id = po_id
    lines = [
        {
            "id": uuid.uuid4(),
            "tenant_id": ctx.tenant_id,
            "po_id": po.id,
            "vendor_org_id": body.vendor_id,
            "line_no": line.line_no,
            "description": _text(line.description, f"lines[{i}].description", rules.DESCRIPTION_MAX, required=False),
            "quantity": rules.parse_amount(line.quantity, f"lines[{i}].quantity", positive=True),
            "unit_price": rules.parse_amount(line.unit_price, f"lines[{i}].unit_price"),
            "tax_rate": rules.parse_amount(line.tax_rate, f"lines[{i}].tax_rate"),
        }
        for i, line in enumerate(body.lines)
    ]
    for i, line in enumerate(lines):
        if line["tax_rate"] > 1:
            raise ValidationFailed(
                f"lines[{i}].tax_rate: a fraction between 0 and 1 (0.18 for 18 %)",
                fields={f"lines[{i}].tax_rate": "out of range"},
            )
    session.add(po)
    session.flush()
    insert_rows(session, table_of(PurchaseOrderLine), lines)
    audit.record(
        session,
        ctx,
        action="purchase_order.create",
        entity="purchase_orders",
        entity_id=po.id,
        after={**mutations.snapshot(po), "lines": len(lines)},
    )
    return po


def get_po(session: Session, ctx: TenantContext, po_id: uuid.UUID) -> PurchaseOrder:
    row = session.exec(scoped(select(PurchaseOrder), PurchaseOrder, ctx).where(PurchaseOrder.id == po_id)).first()
    if row is None:
        raise NotFound("purchase order not found")
    return row


def po_lines(session: Session, ctx: TenantContext, po_ids: Iterable[uuid.UUID]) -> list[PurchaseOrderLine]:
    ids = list(po_ids)
    if not ids:
        return []
    return list(
        session.exec(
            scoped(select(PurchaseOrderLine), PurchaseOrderLine, ctx)
            .where(col(PurchaseOrderLine.po_id).in_(ids))
            .order_by(col(PurchaseOrderLine.po_id), col(PurchaseOrderLine.line_no))
        ).all()
    )


def get_po_line(
    session: Session, ctx: TenantContext, line_id: uuid.UUID, field: str = "po_line_id"
) -> PurchaseOrderLine:
    row = session.exec(
        scoped(select(PurchaseOrderLine), PurchaseOrderLine, ctx).where(PurchaseOrderLine.id == line_id)
    ).first()
    if row is None:
        raise ValidationFailed(f"{field}: no purchase order line {line_id}", fields={field: "not found"})
    return row


def add_receipt(session: Session, ctx: TenantContext, body: ReceiptCreate) -> GoodsReceipt:
    staff_only(ctx, "record goods receipts")
    line = get_po_line(session, ctx, body.po_line_id)
    row = GoodsReceipt(
        tenant_id=ctx.tenant_id,
        po_line_id=line.id,
        vendor_org_id=line.vendor_org_id,
        number=_text(body.number, "number", rules.NUMBER_MAX),
        quantity=rules.parse_amount(body.quantity, "quantity", positive=True),
        received_at=body.received_at or utcnow(),
    )
    return mutations.create(session, ctx, row, action="goods_receipt.create")


def receipts_of(session: Session, ctx: TenantContext, line_ids: Iterable[uuid.UUID]) -> list[GoodsReceipt]:
    ids = list(line_ids)
    if not ids:
        return []
    return list(
        session.exec(
            scoped(select(GoodsReceipt), GoodsReceipt, ctx)
            .where(col(GoodsReceipt.po_line_id).in_(ids))
            .order_by(col(GoodsReceipt.received_at))
        ).all()
    )


# ---- invoices ---------------------------------------------------------------------------------------


def create_invoice(
    session: Session,
    ctx: TenantContext,
    body: InvoiceCreate,
    *,
    invoice_id: uuid.UUID | None = None,
    by_vendor: bool = False,
) -> Invoice:
    """The vendor's invoice as received (staff record it, or `by_vendor` the vendor itself sends its
    own, models/cases/vendor_files.py): lines may name PO lines of the same vendor; totals are
    computed; an `unmatched` reconciliation is its companion record."""
    own_or_staff(ctx, body.vendor_id, by_vendor, "record invoices")
    vendor_org(session, ctx, body.vendor_id)
    number = _text(body.number, "number", rules.NUMBER_MAX)
    currency = rules.check_currency(body.currency)
    taken = session.exec(
        select(Invoice.id).where(
            Invoice.tenant_id == ctx.tenant_id, Invoice.vendor_org_id == body.vendor_id, Invoice.number == number
        )
    ).first()
    if taken is not None:
        raise Conflict(f"number: invoice {number} is already recorded for this vendor", fields={"number": "taken"})
    _unique_numbers([line.line_no for line in body.lines], "lines")
    named = {line.po_line_id for line in body.lines if line.po_line_id is not None}
    known = (
        {
            r.id: r
            for r in session.exec(
                select(PurchaseOrderLine).where(
                    PurchaseOrderLine.tenant_id == ctx.tenant_id, col(PurchaseOrderLine.id).in_(list(named))
                )
            ).all()
        }
        if named
        else {}
    )
    if body.due_at is not None and body.due_at < body.issued_at:
        raise ValidationFailed(
            "due_at: the invoice cannot fall due before it was issued", fields={"due_at": "before issued_at"}
        )
    invoice = Invoice(
        tenant_id=ctx.tenant_id,
        vendor_org_id=body.vendor_id,
        number=number,
        currency=currency,
        issued_at=body.issued_at,
        due_at=body.due_at,
        net_total=ZERO,
        tax_total=ZERO,
        total=ZERO,
        created_by=ctx.user_id,
    )
    if invoice_id is not None:
        invoice.id = invoice_id
    rows: list[dict[str, Any]] = []
    for i, line in enumerate(body.lines):
        field = f"lines[{i}]"
        if line.po_line_id is not None:
            po_line = known.get(line.po_line_id)
            if po_line is None or po_line.vendor_org_id != body.vendor_id:
                raise ValidationFailed(
                    f"{field}.po_line_id: no purchase order line {line.po_line_id} of this vendor",
                    fields={f"{field}.po_line_id": "not found"},
                )
        quantity = rules.parse_amount(line.quantity, f"{field}.quantity", positive=True)
        price = rules.parse_amount(line.unit_price, f"{field}.unit_price")
        tax = rules.parse_amount(line.tax_amount, f"{field}.tax_amount")
        net = quantity * price
        invoice.net_total += net
        invoice.tax_total += tax
        rows.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": ctx.tenant_id,
                "invoice_id": invoice.id,
                "vendor_org_id": body.vendor_id,
                "line_no": line.line_no,
                "po_line_id": line.po_line_id,
                "description": _text(line.description, f"{field}.description", rules.DESCRIPTION_MAX, required=False),
                "quantity": quantity,
                "unit_price": price,
                "tax_amount": tax,
                "amount": net + tax,
            }
        )
    invoice.total = invoice.net_total + invoice.tax_total
    if invoice.total > rules.AMOUNT_MAX:
        raise ValidationFailed(f"lines: the invoice's total is above {rules.AMOUNT_MAX}", fields={"lines": "too large"})
    session.add(invoice)
    session.flush()
    insert_rows(session, table_of(InvoiceLine), rows)
    audit.record(
        session,
        ctx,
        action="invoice.create",
        entity="invoices",
        entity_id=invoice.id,
        after={**mutations.snapshot(invoice), "lines": len(rows)},
    )
    mutations.create(
        session,
        ctx,
        InvoiceReconciliation(tenant_id=ctx.tenant_id, invoice_id=invoice.id, vendor_org_id=body.vendor_id),
        action="invoice_reconciliation.create",
    )
    return invoice


def get_invoice(session: Session, ctx: TenantContext, invoice_id: uuid.UUID, field: str | None = None) -> Invoice:
    row = session.exec(scoped(select(Invoice), Invoice, ctx).where(Invoice.id == invoice_id)).first()
    if row is None:
        if field:
            raise ValidationFailed(f"{field}: no invoice {invoice_id}", fields={field: "not found"})
        raise NotFound("invoice not found")
    return row


def invoice_lines(session: Session, ctx: TenantContext, invoice_ids: Iterable[uuid.UUID]) -> list[InvoiceLine]:
    ids = list(invoice_ids)
    if not ids:
        return []
    return list(
        session.exec(
            scoped(select(InvoiceLine), InvoiceLine, ctx)
            .where(col(InvoiceLine.invoice_id).in_(ids))
            .order_by(col(InvoiceLine.invoice_id), col(InvoiceLine.line_no))
        ).all()
    )


def reconciliations(
    session: Session, ctx: TenantContext, invoice_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, InvoiceReconciliation]:
    ids = list(invoice_ids)
    if not ids:
        return {}
    rows = session.exec(
        scoped(select(InvoiceReconciliation), InvoiceReconciliation, ctx).where(
            col(InvoiceReconciliation.invoice_id).in_(ids)
        )
    ).all()
    return {r.invoice_id: r for r in rows}


def invoice_page(
    session: Session,
    ctx: TenantContext,
    *,
    vendor_id: uuid.UUID | None = None,
    state: str | None = None,
    q: str | None = None,
    limit: int | None,
    cursor: str | None,
) -> Page[Invoice]:
    check_choice("state", state, rules.RECONCILIATION_STATES)
    query = scoped(select(Invoice), Invoice, ctx)
    if vendor_id:
        query = query.where(Invoice.vendor_org_id == vendor_id)
    if state:
        query = query.join(
            InvoiceReconciliation,
            (col(InvoiceReconciliation.invoice_id) == col(Invoice.id))
            & (col(InvoiceReconciliation.tenant_id) == col(Invoice.tenant_id)),
        ).where(InvoiceReconciliation.state == state)
    if q:
        query = query.where(col(Invoice.number).ilike(like_pattern(q)))
    return newest_first(session, query, Invoice.issued_at, Invoice.id, limit=limit, cursor=cursor)


def paid_amounts(session: Session, ctx: TenantContext, invoice_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    """How much of each invoice payments have paid (`paid` payments only)."""
    from models.cases.tables import PaymentInvoice

    ids = list(invoice_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(PaymentInvoice.invoice_id, func.sum(PaymentInvoice.amount))
        .join(
            Payment,
            (col(Payment.id) == col(PaymentInvoice.payment_id))
            & (col(Payment.tenant_id) == col(PaymentInvoice.tenant_id)),
        )
        .where(
            PaymentInvoice.tenant_id == ctx.tenant_id,
            col(PaymentInvoice.invoice_id).in_(ids),
            Payment.status == PAY_PAID,
        )
        .group_by(col(PaymentInvoice.invoice_id))
    ).all()
    return {r[0]: r[1] for r in rows}


# ---- tolerances ---------------------------------------------------------------------------------------


def tolerance_rows(session: Session, ctx: TenantContext, vendor_id: uuid.UUID | None = None) -> list[MatchTolerance]:
    """The tenant's rows and, with `vendor_id`, that vendor's."""
    query = select(MatchTolerance).where(MatchTolerance.tenant_id == ctx.tenant_id)
    if vendor_id is None:
        query = query.where(col(MatchTolerance.vendor_org_id).is_(None))
    else:
        query = query.where(
            (col(MatchTolerance.vendor_org_id).is_(None)) | (col(MatchTolerance.vendor_org_id) == vendor_id)
        )
    return list(session.exec(query.order_by(col(MatchTolerance.exception_type))).all())


def _as_tolerance(row: MatchTolerance) -> matching.Tolerance:
    return matching.Tolerance(row.exception_type, row.enabled, row.absolute, row.percent)


def tolerances_for(session: Session, ctx: TenantContext, vendor_id: uuid.UUID) -> dict[str, matching.Tolerance]:
    """In force for `vendor_id`: the defaults, the tenant's, then the vendor's own."""
    rows = tolerance_rows(session, ctx, vendor_id)
    tenant = [_as_tolerance(r) for r in rows if r.vendor_org_id is None]
    vendor = [_as_tolerance(r) for r in rows if r.vendor_org_id == vendor_id]
    return matching.resolve(tenant, vendor)


def set_tolerance(session: Session, ctx: TenantContext, body: ToleranceSet) -> MatchTolerance:
    staff_only(ctx, "change match tolerances")
    if body.vendor_id is not None:
        vendor_org(session, ctx, body.vendor_id)
    t = matching.check_tolerance(
        body.exception_type,
        body.enabled,
        rules.parse_amount(body.absolute, "absolute"),
        rules.parse_amount(body.percent, "percent"),
    )
    query = select(MatchTolerance).where(
        MatchTolerance.tenant_id == ctx.tenant_id, MatchTolerance.exception_type == t.code
    )
    query = query.where(
        col(MatchTolerance.vendor_org_id).is_(None)
        if body.vendor_id is None
        else col(MatchTolerance.vendor_org_id) == body.vendor_id
    )
    row = session.exec(query.with_for_update()).first()
    values = {"enabled": t.enabled, "absolute": t.absolute, "percent": t.percent}
    if row is None:
        row = MatchTolerance(
            tenant_id=ctx.tenant_id,
            vendor_org_id=body.vendor_id,
            exception_type=t.code,
            updated_by=ctx.user_id,
            **values,
        )
        return mutations.create(session, ctx, row, action="match_tolerance.create")
    return mutations.update(
        session,
        ctx,
        row,
        {**values, "updated_by": ctx.user_id, "updated_at": utcnow()},
        action="match_tolerance.update",
    )


# ---- the ledger's entries ---------------------------------------------------------------------------


def ledger_entries(
    session: Session, ctx: TenantContext, vendor_id: uuid.UUID, currency: str, as_of: datetime
) -> list[rules.LedgerEntry]:
    """The vendor's ledger in one currency as of a moment: invoices issued by then (+ total) and
    payments paid by then (− amount)."""
    invoices = session.exec(
        select(Invoice).where(
            Invoice.tenant_id == ctx.tenant_id,
            Invoice.vendor_org_id == vendor_id,
            Invoice.currency == currency,
            Invoice.issued_at <= as_of,
        )
    ).all()
    payments = session.exec(
        select(Payment).where(
            Payment.tenant_id == ctx.tenant_id,
            Payment.vendor_org_id == vendor_id,
            Payment.currency == currency,
            Payment.status == PAY_PAID,
            col(Payment.paid_at) <= as_of,
        )
    ).all()
    return [rules.LedgerEntry("invoice", str(i.id), i.number, i.issued_at, i.total) for i in invoices] + [
        rules.LedgerEntry("payment", str(p.id), p.reference, p.paid_at or p.created_at, -p.amount) for p in payments
    ]
