"""The money side of vendor cases over REST (docs/cases.md, "Money"): purchase orders and goods
receipts, invoices (the shadow ledger), match tolerances, match packs (the 3-way match, explained
line by line; a vendor disputes one line), payments (hold, release, settlement) and statements of
account (reconciled; the vendor confirms or disputes each line). Decisions only through
`POST /api/payments/{id}/update` and `POST /api/match-packs/{id}/update` (decisions.py). Every
route calls one query or action; another vendor's or tenant's id is a 404."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.deps import Cursor, Limit, SearchText, require
from engine.cases.ledger import RECONCILIATION_STATES
from engine.cases.machines import MATCH_MACHINE, PAYMENT_MACHINE
from engine.cases.permissions import READ, WRITE
from engine.context import TenantContext
from engine.inputs import Instant
from models.cases import ledger_actions as actions
from models.cases import ledger_queries as queries
from models.cases import statement_queries
from models.cases.ledger_inputs import (
    HoldNote,
    InvoiceCreate,
    LineDispute,
    LineResponse,
    PackCreate,
    PaymentCreate,
    POCreate,
    ReceiptCreate,
    Settlement,
    StatementCreate,
    ToleranceSet,
)
from models.cases.ledger_views import (
    DisputeOpened,
    InvoiceDetail,
    InvoiceView,
    PackDetail,
    PackView,
    PaymentAsOf,
    PaymentDetail,
    PaymentView,
    POView,
    ReceiptView,
    SoaLineView,
    StatementDetail,
    StatementView,
    ToleranceView,
)
from models.cases.views import EventView
from models.core.pagination import Page

router = APIRouter(prefix="/api", tags=["cases money"])

InvoiceState = Annotated[str | None, Query(description=f"one of: {', '.join(RECONCILIATION_STATES)}", max_length=30)]
PaymentStatus = Annotated[
    str | None, Query(description=f"one of: {', '.join(PAYMENT_MACHINE.statuses)}", max_length=30)
]
PackStatus = Annotated[str | None, Query(description=f"one of: {', '.join(MATCH_MACHINE.statuses)}", max_length=30)]


# ---- purchase orders and receipts -----------------------------------------------------------------


@router.post("/purchase-orders", status_code=201, response_model=POView)
def create_po(body: POCreate, ctx: TenantContext = Depends(require(WRITE))) -> POView:
    """A purchase order with its lines (staff)."""
    return actions.create_po(ctx, body)


@router.get("/purchase-orders/{po_id}", response_model=POView)
def get_po(po_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> POView:
    """The order with each line's quantity received so far."""
    return queries.get_po(ctx, po_id)


@router.post("/goods-receipts", status_code=201, response_model=ReceiptView)
def add_receipt(body: ReceiptCreate, ctx: TenantContext = Depends(require(WRITE))) -> ReceiptView:
    """Goods received on one PO line (staff)."""
    return actions.add_receipt(ctx, body)


# ---- invoices ---------------------------------------------------------------------------------------


@router.get("/invoices", response_model=Page[InvoiceView])
def list_invoices(
    vendor_id: uuid.UUID | None = None,
    state: InvoiceState = None,
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = Depends(require(READ)),
) -> Page[InvoiceView]:
    """Newest first, each with its reconciliation (unmatched, or its match pack's status)."""
    return queries.invoice_page(ctx, vendor_id=vendor_id, state=state, q=q, limit=limit, cursor=cursor)


@router.post("/invoices", status_code=201, response_model=InvoiceView)
def create_invoice(body: InvoiceCreate, ctx: TenantContext = Depends(require(WRITE))) -> InvoiceView:
    """Record a vendor's invoice as received (staff); it never changes afterwards."""
    return actions.create_invoice(ctx, body)


@router.get("/invoices/{invoice_id}", response_model=InvoiceDetail)
def get_invoice(invoice_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> InvoiceDetail:
    return queries.invoice_detail(ctx, invoice_id)


# ---- tolerances -------------------------------------------------------------------------------------


@router.get("/match-tolerances", response_model=list[ToleranceView])
def list_tolerances(
    vendor_id: uuid.UUID | None = None, ctx: TenantContext = Depends(require(READ))
) -> list[ToleranceView]:
    """The tolerances in force for the tenant, or for one vendor (staff), with their source."""
    return queries.tolerances(ctx, vendor_id)


@router.put("/match-tolerances", response_model=ToleranceView)
def set_tolerance(body: ToleranceSet, ctx: TenantContext = Depends(require(READ))) -> ToleranceView:
    """Set one exception type's tolerance for the tenant or a vendor (reviewers)."""
    return actions.set_tolerance(ctx, body)


# ---- match packs ------------------------------------------------------------------------------------


@router.get("/match-packs", response_model=Page[PackView])
def list_packs(
    status: PackStatus = None,
    vendor_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = Depends(require(READ)),
) -> Page[PackView]:
    return queries.pack_page(ctx, status=status, vendor_id=vendor_id, limit=limit, cursor=cursor)


@router.post("/match-packs", status_code=201, response_model=PackView)
def build_pack(body: PackCreate, ctx: TenantContext = Depends(require(WRITE))) -> PackView:
    """Match a vendor's invoices against their POs and goods receipts (staff)."""
    return actions.build_pack(ctx, body)


@router.get("/match-packs/{pack_id}", response_model=PackDetail)
def get_pack(pack_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> PackDetail:
    """The pack explained: every line's checks (rule, tolerance, variance), disputes, decisions."""
    return queries.pack_detail(ctx, pack_id)


@router.get("/match-packs/{pack_id}/events", response_model=Page[EventView])
def pack_events(pack_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> Page[EventView]:
    return queries.pack_events(ctx, pack_id)


@router.post("/match-lines/{line_id}/disputes", status_code=201, response_model=DisputeOpened)
def dispute_line(line_id: uuid.UUID, body: LineDispute, ctx: TenantContext = Depends(require(WRITE))) -> DisputeOpened:
    """The vendor disputes one line of its pack: a linked case opens (in review)."""
    return actions.dispute_line(ctx, line_id, body.note)


# ---- payments ---------------------------------------------------------------------------------------


@router.get("/payments", response_model=Page[PaymentView])
def list_payments(
    status: PaymentStatus = None,
    vendor_id: uuid.UUID | None = None,
    q: SearchText = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = Depends(require(READ)),
) -> Page[PaymentView]:
    return queries.payment_page(ctx, status=status, vendor_id=vendor_id, q=q, limit=limit, cursor=cursor)


@router.post("/payments", status_code=201, response_model=PaymentView)
def create_payment(body: PaymentCreate, ctx: TenantContext = Depends(require(WRITE))) -> PaymentView:
    """Propose a payment of some of a vendor's invoices (staff): `submitted`, or `on_hold` at
    once when one of its invoices is disputed."""
    return actions.create_payment(ctx, body)


@router.get("/payments/{payment_id}", response_model=PaymentDetail)
def get_payment(payment_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> PaymentDetail:
    return queries.payment_detail(ctx, payment_id)


@router.get("/payments/{payment_id}/events", response_model=Page[EventView])
def payment_events(payment_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> Page[EventView]:
    return queries.payment_events(ctx, payment_id)


@router.get("/payments/{payment_id}/as-of", response_model=PaymentAsOf)
def payment_as_of(
    payment_id: uuid.UUID, at: Annotated[Instant, Query()], ctx: TenantContext = Depends(require(READ))
) -> PaymentAsOf:
    """The payment's status at a past moment, rebuilt from its events."""
    return queries.payment_as_of(ctx, payment_id, at)


@router.post("/payments/{payment_id}/hold", response_model=PaymentView)
def hold_payment(payment_id: uuid.UUID, body: HoldNote, ctx: TenantContext = Depends(require(READ))) -> PaymentView:
    """Put a submitted payment on hold by hand (reviewers; not a decision, a status)."""
    return actions.hold_payment(ctx, payment_id, body.note)


@router.post("/payments/{payment_id}/release", response_model=PaymentView)
def release_payment(payment_id: uuid.UUID, body: HoldNote, ctx: TenantContext = Depends(require(READ))) -> PaymentView:
    """Release a held payment (refused while an open case holds it)."""
    return actions.release_payment(ctx, payment_id, body.note)


@router.post("/payments/{payment_id}/settlement", response_model=PaymentView)
def settle_payment(payment_id: uuid.UUID, body: Settlement, ctx: TenantContext = Depends(require(READ))) -> PaymentView:
    """Record the remittance of an approved payment: it is `paid`."""
    return actions.settle_payment(ctx, payment_id, body.reference, body.paid_at)


# ---- statements of account ------------------------------------------------------------------------


@router.get("/statements", response_model=Page[StatementView])
def list_statements(
    vendor_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    ctx: TenantContext = Depends(require(READ)),
) -> Page[StatementView]:
    return statement_queries.statement_page(ctx, vendor_id=vendor_id, limit=limit, cursor=cursor)


@router.post("/statements", status_code=201, response_model=StatementView)
def create_statement(body: StatementCreate, ctx: TenantContext = Depends(require(WRITE))) -> StatementView:
    """Record a vendor's statement of account (staff); it is reconciled against the ledger at once."""
    return actions.create_statement(ctx, body)


@router.get("/statements/{statement_id}", response_model=StatementDetail)
def get_statement(statement_id: uuid.UUID, ctx: TenantContext = Depends(require(READ))) -> StatementDetail:
    return statement_queries.statement_detail(ctx, statement_id)


@router.post("/statements/{statement_id}/reconcile", response_model=StatementView)
def reconcile_statement(statement_id: uuid.UUID, ctx: TenantContext = Depends(require(WRITE))) -> StatementView:
    """Reconcile again against the ledger as it is now (staff)."""
    return actions.reconcile_statement(ctx, statement_id)


@router.post("/statement-lines/{line_id}/response", response_model=SoaLineView)
def respond_line(line_id: uuid.UUID, body: LineResponse, ctx: TenantContext = Depends(require(WRITE))) -> SoaLineView:
    """The vendor confirms a line of its statement, or disputes it with a note (a linked case)."""
    return actions.respond_line(ctx, line_id, body.response, body.note)
