"""Payments as repositories taking (session, ctx): a payment to a vendor for some of its invoices
(`payment_invoices`: how much settles which invoice), proposed by staff and decided on the
decision path (PAYMENT_MACHINE: approve, reject, withdraw — the vendor's own —, cancel).

HOLD is a status. The system holds a submitted payment while a case about it, or a disputed line
of one of its invoices, is active (`hold_for`), and releases it when the last such case closes
(`release_for`: only holds it took itself, `auto_hold`); staff hold and release by hand with a note
(`hold`, `release`), and record the remittance (`settle`: approved → paid). Each of these moves is a
system-only transition of the machine, so it leaves an event, an audit row and an outbox row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.cases import ledger as rules
from engine.cases.machines import (
    ACTIVE,
    HOLD,
    PAY_APPROVED,
    PAY_ON_HOLD,
    PAY_PAID,
    PAY_SUBMITTED,
    PAYMENT_MACHINE,
    RELEASE,
    SETTLE,
)
from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from models.cases.cases import check_choice, newest_first, scoped, staff_only
from models.cases.ledger import get_invoice, vendor_org
from models.cases.ledger_inputs import PaymentCreate
from models.cases.tables import Case, Invoice, MatchLine, Payment, PaymentInvoice
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide, lock_for_decision
from models.core.pagination import Page
from models.core.text_search import like_pattern

LIVE = (PAY_SUBMITTED, PAY_ON_HOLD, PAY_APPROVED, PAY_PAID)  # payments that count against an invoice


def system(ctx: TenantContext) -> TenantContext:
    return TenantContext.system(ctx.tenant_id, ctx.tenant_slug)


def get_payment(session: Session, ctx: TenantContext, payment_id: uuid.UUID) -> Payment:
    row = session.exec(scoped(select(Payment), Payment, ctx).where(Payment.id == payment_id)).first()
    if row is None:
        raise NotFound("payment not found")
    return row


def allocations_of(session: Session, ctx: TenantContext, payment_ids: Iterable[uuid.UUID]) -> list[PaymentInvoice]:
    ids = list(payment_ids)
    if not ids:
        return []
    return list(
        session.exec(
            scoped(select(PaymentInvoice), PaymentInvoice, ctx).where(col(PaymentInvoice.payment_id).in_(ids))
        ).all()
    )


def allocated(
    session: Session, ctx: TenantContext, invoice_ids: Iterable[uuid.UUID], *, besides: uuid.UUID | None = None
) -> dict[uuid.UUID, Decimal]:
    """How much live payments (submitted, on hold, approved, paid) already give each invoice."""
    ids = list(invoice_ids)
    if not ids:
        return {}
    query = (
        select(PaymentInvoice.invoice_id, func.sum(PaymentInvoice.amount))
        .join(
            Payment,
            (col(Payment.id) == col(PaymentInvoice.payment_id))
            & (col(Payment.tenant_id) == col(PaymentInvoice.tenant_id)),
        )
        .where(
            PaymentInvoice.tenant_id == ctx.tenant_id,
            col(PaymentInvoice.invoice_id).in_(ids),
            col(Payment.status).in_(LIVE),
        )
        .group_by(col(PaymentInvoice.invoice_id))
    )
    if besides is not None:
        query = query.where(Payment.id != besides)
    return {r[0]: r[1] for r in session.exec(query).all()}


def create_payment(
    session: Session, ctx: TenantContext, body: PaymentCreate, *, payment_id: uuid.UUID | None = None
) -> Payment:
    """A `submitted` payment of the allocations' sum; each invoice the vendor's, in the payment's
    currency, never paid beyond its total. Held at once when one of its invoices is disputed."""
    staff_only(ctx, "propose payments")
    vendor_org(session, ctx, body.vendor_id)
    reference = body.reference.strip()
    if not reference:
        raise ValidationFailed("reference is required", fields={"reference": "required"})
    currency = rules.check_currency(body.currency)
    if session.exec(
        select(Payment.id).where(Payment.tenant_id == ctx.tenant_id, Payment.reference == reference)
    ).first():
        raise Conflict(f"reference: payment {reference} already exists", fields={"reference": "taken"})
    seen: set[uuid.UUID] = set()
    invoices: list[tuple[Invoice, Decimal]] = []
    for i, a in enumerate(body.allocations):
        field = f"allocations[{i}]"
        if a.invoice_id in seen:
            raise ValidationFailed(
                f"{field}.invoice_id: the invoice is named twice", fields={f"{field}.invoice_id": "duplicate"}
            )
        seen.add(a.invoice_id)
        invoice = get_invoice(session, ctx, a.invoice_id, field=f"{field}.invoice_id")
        if invoice.vendor_org_id != body.vendor_id:
            raise ValidationFailed(
                f"{field}.invoice_id: invoice {invoice.number} is not this vendor's",
                fields={f"{field}.invoice_id": "other vendor"},
            )
        if invoice.currency != currency:
            raise ValidationFailed(
                f"{field}.invoice_id: invoice {invoice.number} is in {invoice.currency}, the payment in {currency}",
                fields={f"{field}.invoice_id": "currency"},
            )
        invoices.append((invoice, rules.parse_amount(a.amount, f"{field}.amount", positive=True)))
    already = allocated(session, ctx, seen)
    for i, (invoice, amount) in enumerate(invoices):
        left = invoice.total - already.get(invoice.id, Decimal(0))
        if amount > left:
            raise ValidationFailed(
                f"allocations[{i}].amount: {amount} is more than is left to pay on invoice {invoice.number} ({left})",
                fields={f"allocations[{i}].amount": "more than left to pay"},
            )
    row = Payment(
        tenant_id=ctx.tenant_id,
        vendor_org_id=body.vendor_id,
        reference=reference,
        currency=currency,
        amount=sum((a for _, a in invoices), Decimal(0)),
        scheduled_for=body.scheduled_for,
        note=body.note.strip(),
        created_by=ctx.user_id,
    )
    if payment_id is not None:
        row.id = payment_id
    mutations.create(session, ctx, row, action="payment.create")
    for invoice, amount in invoices:
        mutations.create(
            session,
            ctx,
            PaymentInvoice(
                tenant_id=ctx.tenant_id,
                payment_id=row.id,
                invoice_id=invoice.id,
                vendor_org_id=body.vendor_id,
                amount=amount,
            ),
            action="payment_invoice.create",
        )
    disputed = disputed_invoices(session, ctx, [i.id for i, _ in invoices])
    if disputed:
        _hold(session, ctx, row, f"invoice {', '.join(sorted(disputed.values()))} is disputed in an open case")
    return row


def payment_page(
    session: Session,
    ctx: TenantContext,
    *,
    status: str | None = None,
    vendor_id: uuid.UUID | None = None,
    q: str | None = None,
    limit: int | None,
    cursor: str | None,
) -> Page[Payment]:
    check_choice("status", status, PAYMENT_MACHINE.statuses)
    query = scoped(select(Payment), Payment, ctx)
    if status:
        query = query.where(Payment.status == status)
    if vendor_id:
        query = query.where(Payment.vendor_org_id == vendor_id)
    if q:
        query = query.where(col(Payment.reference).ilike(like_pattern(q)))
    return newest_first(session, query, Payment.created_at, Payment.id, limit=limit, cursor=cursor)


# ---- holds ------------------------------------------------------------------------------------------


def disputed_invoices(session: Session, ctx: TenantContext, invoice_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Invoices (id → number) with a line disputed in an active case."""
    ids = list(invoice_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Invoice.id, Invoice.number)
        .join(
            MatchLine,
            (col(MatchLine.invoice_id) == col(Invoice.id)) & (col(MatchLine.tenant_id) == col(Invoice.tenant_id)),
        )
        .join(Case, (col(Case.match_line_id) == col(MatchLine.id)) & (col(Case.tenant_id) == col(MatchLine.tenant_id)))
        .where(Invoice.tenant_id == ctx.tenant_id, col(Invoice.id).in_(ids), col(Case.status).in_(sorted(ACTIVE)))
    ).all()
    return {r[0]: r[1] for r in rows}


def _hold(session: Session, ctx: TenantContext, row: Payment, reason: str) -> None:
    """The system's hold of a submitted payment (`auto_hold`)."""
    decide(session, system(ctx), PAYMENT_MACHINE, row, HOLD, reason=reason)
    mutations.update(session, system(ctx), row, {"auto_hold": True}, action="payment.auto_hold")


def payments_touching(session: Session, ctx: TenantContext, case: Case) -> list[Payment]:
    """The payments a case is about: the one it names, and those paying the invoice of the match
    line it disputes."""
    found: dict[uuid.UUID, Payment] = {}
    if case.payment_id is not None:
        p = session.exec(
            select(Payment).where(Payment.tenant_id == ctx.tenant_id, Payment.id == case.payment_id)
        ).first()
        if p is not None:
            found[p.id] = p
    if case.match_line_id is not None:
        rows = session.exec(
            select(Payment)
            .join(
                PaymentInvoice,
                (col(PaymentInvoice.payment_id) == col(Payment.id))
                & (col(PaymentInvoice.tenant_id) == col(Payment.tenant_id)),
            )
            .join(
                MatchLine,
                (col(MatchLine.invoice_id) == col(PaymentInvoice.invoice_id))
                & (col(MatchLine.tenant_id) == col(Payment.tenant_id)),
            )
            .where(Payment.tenant_id == ctx.tenant_id, MatchLine.id == case.match_line_id)
        ).all()
        found.update({p.id: p for p in rows})
    return sorted(found.values(), key=lambda p: str(p.id))


def hold_for(session: Session, ctx: TenantContext, case: Case) -> list[Payment]:
    """A case about payments opened: the submitted ones go on hold (the system's hold)."""
    held = []
    for p in payments_touching(session, ctx, case):
        session.refresh(p, with_for_update=True)
        if p.status == PAY_SUBMITTED:
            _hold(session, ctx, p, f"case opened: {case.subject}")
            held.append(p)
    return held


def holding_cases(session: Session, ctx: TenantContext, payment: Payment) -> list[Case]:
    """Active cases that hold `payment`: about it, or disputing a line of one of its invoices."""
    invoice_ids = [a.invoice_id for a in allocations_of(session, ctx, [payment.id])]
    about = select(Case).where(Case.tenant_id == ctx.tenant_id, col(Case.status).in_(sorted(ACTIVE)))
    direct = list(session.exec(about.where(Case.payment_id == payment.id)).all())
    disputes = (
        list(
            session.exec(
                about.join(
                    MatchLine,
                    (col(MatchLine.id) == col(Case.match_line_id)) & (col(MatchLine.tenant_id) == col(Case.tenant_id)),
                ).where(col(MatchLine.invoice_id).in_(invoice_ids))
            ).all()
        )
        if invoice_ids
        else []
    )
    return sorted({c.id: c for c in direct + disputes}.values(), key=lambda c: c.opened_at)


def release_for(session: Session, ctx: TenantContext, case: Case) -> list[Payment]:
    """A case closed: payments the system held for it go back to `submitted` once no other active
    case holds them."""
    released = []
    for p in payments_touching(session, ctx, case):
        session.refresh(p, with_for_update=True)
        if p.status == PAY_ON_HOLD and p.auto_hold and not holding_cases(session, ctx, p):
            decide(session, system(ctx), PAYMENT_MACHINE, p, RELEASE, reason=f"case closed: {case.subject}")
            mutations.update(session, system(ctx), p, {"auto_hold": False}, action="payment.auto_release")
            released.append(p)
    return released


def hold(session: Session, ctx: TenantContext, row: Payment, note: str) -> Payment:
    """Staff hold a submitted payment by hand (reviewers; a note)."""
    staff_only(ctx, "hold a payment")
    decide(session, ctx, PAYMENT_MACHINE, row, HOLD, reason=note)
    return row


def release(session: Session, ctx: TenantContext, row: Payment, note: str) -> Payment:
    """Staff release a held payment (refused while a case still holds it)."""
    staff_only(ctx, "release a payment")
    lock_for_decision(session, PAYMENT_MACHINE, row)
    PAYMENT_MACHINE.check(row.status, RELEASE, ctx, note)
    blocking = holding_cases(session, ctx, row)
    if blocking:
        raise Conflict(
            f"the payment is held by an open case: {blocking[0].subject} ({blocking[0].id}); close it first",
            fields={"status": "held by a case"},
        )
    decide(session, ctx, PAYMENT_MACHINE, row, RELEASE, reason=note)
    if row.auto_hold:
        mutations.update(session, ctx, row, {"auto_hold": False}, action="payment.release")
    return row


def settle(session: Session, ctx: TenantContext, row: Payment, reference: str, paid_at: datetime | None) -> Payment:
    """The remittance is recorded: approved → paid, with the bank's reference."""
    staff_only(ctx, "record a remittance")
    reference = reference.strip()
    if not reference:
        raise ValidationFailed("reference is required", fields={"reference": "required"})
    decide(session, ctx, PAYMENT_MACHINE, row, SETTLE, reason=f"remittance {reference}")
    changes: dict[str, Any] = {"paid_reference": reference, "paid_at": paid_at or utcnow()}
    return mutations.update(session, ctx, row, changes, action="payment.settle")


def is_settled(row: Payment) -> bool:
    return row.status == PAY_PAID
