"""Writes of the money side of vendor cases for routes and pages: each checks the permission, owns
its transaction and answers a read model. Decisions go through the core action
(models.core.decision_actions.take_decision) with the targets below — the same path as
`POST /api/payments/{id}/update` and `POST /api/match-packs/{id}/update`."""

from __future__ import annotations

import uuid
from datetime import datetime

from engine.cases.machines import MATCH_MACHINE, PAYMENT_MACHINE
from engine.cases.permissions import APPROVE, READ, WRITE
from engine.context import TenantContext
from models.cases import ledger, ledger_queries, match_packs, payments, statement_queries, statements
from models.cases.ledger_inputs import (
    InvoiceCreate,
    PackCreate,
    PaymentCreate,
    POCreate,
    ReceiptCreate,
    StatementCreate,
    ToleranceSet,
)
from models.cases.ledger_views import (
    DisputeOpened,
    InvoiceView,
    PackView,
    PaymentView,
    POView,
    ReceiptView,
    SoaLineView,
    StatementView,
    ToleranceView,
)
from models.core.db import tenant_session
from models.core.decision_actions import DecisionOutcome, DecisionTarget, take_decision

PAYMENTS = DecisionTarget("payments", PAYMENT_MACHINE, READ, load=payments.get_payment)
MATCH_PACKS = DecisionTarget(
    "match-packs", MATCH_MACHINE, READ, load=match_packs.get_pack, apply=match_packs.apply_decision
)


def create_po(ctx: TenantContext, body: POCreate) -> POView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        return ledger_queries.po_view(session, ctx, ledger.create_po(session, ctx, body))


def add_receipt(ctx: TenantContext, body: ReceiptCreate) -> ReceiptView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        r = ledger.add_receipt(session, ctx, body)
        return ReceiptView(r.id, r.po_line_id, r.number, r.quantity, r.received_at)


def create_invoice(ctx: TenantContext, body: InvoiceCreate) -> InvoiceView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        return ledger_queries.invoice_view(session, ctx, ledger.create_invoice(session, ctx, body))


def set_tolerance(ctx: TenantContext, body: ToleranceSet) -> ToleranceView:
    ctx.require(APPROVE)
    with tenant_session(ctx) as session:
        ledger.set_tolerance(session, ctx, body)
    return next(t for t in ledger_queries.tolerances(ctx, body.vendor_id) if t.exception_type == body.exception_type)


def build_pack(ctx: TenantContext, body: PackCreate) -> PackView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        return ledger_queries.pack_view(session, ctx, match_packs.build_pack(session, ctx, body))


def decide_pack(
    ctx: TenantContext, pack_id: uuid.UUID, action: str, reason: str | None, expected_status: str | None = None
) -> DecisionOutcome:
    return take_decision(ctx, MATCH_PACKS, pack_id, action, reason, expected_status)


def dispute_line(ctx: TenantContext, line_id: uuid.UUID, note: str) -> DisputeOpened:
    """The vendor disputes one line of its match pack: a linked case, in review."""
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        case = match_packs.dispute_line(session, ctx, line_id, note)
        return DisputeOpened(case.id, case.subject, case.status)


def create_payment(ctx: TenantContext, body: PaymentCreate) -> PaymentView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        return ledger_queries.payment_view(session, ctx, payments.create_payment(session, ctx, body))


def decide_payment(
    ctx: TenantContext, payment_id: uuid.UUID, action: str, reason: str | None, expected_status: str | None = None
) -> DecisionOutcome:
    return take_decision(ctx, PAYMENTS, payment_id, action, reason, expected_status)


def hold_payment(ctx: TenantContext, payment_id: uuid.UUID, note: str) -> PaymentView:
    """Staff hold a submitted payment by hand (reviewers, with a note)."""
    ctx.require(APPROVE)
    with tenant_session(ctx) as session:
        row = payments.hold(session, ctx, payments.get_payment(session, ctx, payment_id), note)
        return ledger_queries.payment_view(session, ctx, row)


def release_payment(ctx: TenantContext, payment_id: uuid.UUID, note: str) -> PaymentView:
    ctx.require(APPROVE)
    with tenant_session(ctx) as session:
        row = payments.release(session, ctx, payments.get_payment(session, ctx, payment_id), note)
        return ledger_queries.payment_view(session, ctx, row)


def settle_payment(ctx: TenantContext, payment_id: uuid.UUID, reference: str, paid_at: datetime | None) -> PaymentView:
    ctx.require(APPROVE)
    with tenant_session(ctx) as session:
        row = payments.settle(session, ctx, payments.get_payment(session, ctx, payment_id), reference, paid_at)
        return ledger_queries.payment_view(session, ctx, row)


def create_statement(ctx: TenantContext, body: StatementCreate) -> StatementView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        return statement_queries.statement_view(session, ctx, statements.create_statement(session, ctx, body))


def reconcile_statement(ctx: TenantContext, statement_id: uuid.UUID) -> StatementView:
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        st = statements.reconcile(session, ctx, statements.get_statement(session, ctx, statement_id))
        return statement_queries.statement_view(session, ctx, st)


def respond_line(ctx: TenantContext, line_id: uuid.UUID, response: str, note: str | None) -> SoaLineView:
    """The vendor confirms or disputes one line of its statement (a dispute opens a linked case)."""
    ctx.require(WRITE)
    with tenant_session(ctx) as session:
        line = statements.get_line(session, ctx, line_id)
        statements.respond(session, ctx, line, response, note)
        st = statements.get_statement(session, ctx, line.statement_id)
    detail = statement_queries.statement_detail(ctx, st.id)
    return next(ln for ln in detail.lines if ln.id == line_id)
