"""Match packs as repositories taking (session, ctx): a vendor's invoices matched line by line
against purchase orders and goods receipts (engine.cases.matching, Polars, exact Decimal), the
pack's decisions (MATCH_MACHINE) and the vendor's dispute of one line, which opens a linked case.

Quantities are cumulative per PO line across every invoice of the vendor that bills it (the
invoices of this pack and any other, in invoice order), so two packs never accept the same goods
twice. The lines are written once (`match_lines`: no UPDATE for the app role) with the figures and
flags of the match; the tolerances in force are kept on the pack, so every exception is explained
later with the rule, tolerance and variance it was found with. Each invoice's reconciliation record
follows its pack's status (`unmatched` again when the pack is cancelled).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import polars as pl
from sqlmodel import Session, col, select

from engine.cases import matching
from engine.cases.machines import ACTIVE, MATCH_MACHINE, MP_CANCELLED, RESPOND
from engine.cases.machines import CASE_MACHINE as CASES
from engine.context import TenantContext
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.cases import cases, links
from models.cases.cases import check_choice, is_vendor, newest_first, scoped, staff_only
from models.cases.ledger import reconciliations, tolerances_for, vendor_org
from models.cases.ledger_inputs import PackCreate
from models.cases.tables import (
    Case,
    GoodsReceipt,
    Invoice,
    InvoiceLine,
    InvoiceReconciliation,
    MatchLine,
    MatchPack,
    PurchaseOrder,
    PurchaseOrderLine,
)
from models.core import audit, mutations
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.decisions import decide
from models.core.pagination import Page

ZERO = Decimal(0)
LIVE_PACK = ("open", "matched", "mismatch", "evidence_requested")


def get_pack(session: Session, ctx: TenantContext, pack_id: uuid.UUID) -> MatchPack:
    row = session.exec(scoped(select(MatchPack), MatchPack, ctx).where(MatchPack.id == pack_id)).first()
    if row is None:
        raise NotFound("match pack not found")
    return row


def lines_of(session: Session, ctx: TenantContext, pack: MatchPack) -> list[MatchLine]:
    return list(
        session.exec(
            scoped(select(MatchLine), MatchLine, ctx).where(MatchLine.pack_id == pack.id).order_by(col(MatchLine.seq))
        ).all()
    )


def get_line(session: Session, ctx: TenantContext, line_id: uuid.UUID) -> MatchLine:
    row = session.exec(scoped(select(MatchLine), MatchLine, ctx).where(MatchLine.id == line_id)).first()
    if row is None:
        raise NotFound("match line not found")
    return row


def pack_page(
    session: Session,
    ctx: TenantContext,
    *,
    status: str | None = None,
    vendor_id: uuid.UUID | None = None,
    limit: int | None,
    cursor: str | None,
) -> Page[MatchPack]:
    check_choice("status", status, MATCH_MACHINE.statuses)
    query = scoped(select(MatchPack), MatchPack, ctx)
    if status:
        query = query.where(MatchPack.status == status)
    if vendor_id:
        query = query.where(MatchPack.vendor_org_id == vendor_id)
    return newest_first(session, query, MatchPack.created_at, MatchPack.id, limit=limit, cursor=cursor)


# ---- building a pack ----------------------------------------------------------------------------------


def _frames(
    session: Session, ctx: TenantContext, vendor_id: uuid.UUID, invoices: list[Invoice]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[uuid.UUID, InvoiceLine]]:
    """The match's three frames: this pack's invoice lines plus every other line of the vendor that
    bills the same PO lines (for cumulative quantities), the PO lines, their receipts."""
    t = ctx.tenant_id
    mine = list(
        session.exec(
            select(InvoiceLine).where(
                InvoiceLine.tenant_id == t, col(InvoiceLine.invoice_id).in_([i.id for i in invoices])
            )
        ).all()
    )
    po_line_ids = sorted({ln.po_line_id for ln in mine if ln.po_line_id is not None}, key=str)
    others = (
        list(
            session.exec(
                select(InvoiceLine).where(
                    InvoiceLine.tenant_id == t,
                    InvoiceLine.vendor_org_id == vendor_id,
                    col(InvoiceLine.po_line_id).in_(po_line_ids),
                    col(InvoiceLine.invoice_id).not_in([i.id for i in invoices]),
                )
            ).all()
        )
        if po_line_ids
        else []
    )
    every = {i.id: i for i in invoices}
    missing = {ln.invoice_id for ln in others} - set(every)
    if missing:
        every.update(
            {
                i.id: i
                for i in session.exec(select(Invoice).where(Invoice.tenant_id == t, col(Invoice.id).in_(missing))).all()
            }
        )
    order = {
        inv.id: n for n, inv in enumerate(sorted(every.values(), key=lambda i: (i.issued_at, i.number, str(i.id))))
    }
    lines = pl.DataFrame(
        [
            {
                "line_id": str(ln.id),
                "invoice_id": str(ln.invoice_id),
                "invoice_seq": order[ln.invoice_id],
                "line_no": ln.line_no,
                "currency": every[ln.invoice_id].currency,
                "po_line_id": str(ln.po_line_id) if ln.po_line_id else None,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
                "tax_amount": ln.tax_amount,
            }
            for ln in mine + others
        ],
        schema=matching.INVOICE_LINES,
    )
    po_rows = (
        session.exec(
            select(PurchaseOrderLine, PurchaseOrder.currency)
            .join(
                PurchaseOrder,
                (col(PurchaseOrder.id) == col(PurchaseOrderLine.po_id))
                & (col(PurchaseOrder.tenant_id) == col(PurchaseOrderLine.tenant_id)),
            )
            .where(PurchaseOrderLine.tenant_id == t, col(PurchaseOrderLine.id).in_(po_line_ids))
        ).all()
        if po_line_ids
        else []
    )
    po = pl.DataFrame(
        [
            {
                "po_line_id": str(p.id),
                "po_id": str(p.po_id),
                "po_currency": currency,
                "ordered_qty": p.quantity,
                "po_price": p.unit_price,
                "tax_rate": p.tax_rate,
            }
            for p, currency in po_rows
        ],
        schema=matching.PO_LINES,
    )
    received = (
        session.exec(
            select(GoodsReceipt).where(GoodsReceipt.tenant_id == t, col(GoodsReceipt.po_line_id).in_(po_line_ids))
        ).all()
        if po_line_ids
        else []
    )
    rec = pl.DataFrame(
        [{"po_line_id": str(r.po_line_id), "received_qty": r.quantity} for r in received], schema=matching.RECEIPTS
    )
    return lines, po, rec, {ln.id: ln for ln in mine}


def build_pack(
    session: Session, ctx: TenantContext, body: PackCreate, *, pack_id: uuid.UUID | None = None
) -> MatchPack:
    """Match `body.invoice_ids` (the vendor's, in no other live pack) into a new `open` pack."""
    staff_only(ctx, "match invoices")
    vendor_org(session, ctx, body.vendor_id)
    found = {
        i.id: i
        for i in session.exec(
            select(Invoice).where(Invoice.tenant_id == ctx.tenant_id, col(Invoice.id).in_(list(body.invoice_ids)))
        ).all()
    }
    invoices: list[Invoice] = []
    for k, iid in enumerate(body.invoice_ids):
        inv = found.get(iid)
        if inv is None or inv.vendor_org_id != body.vendor_id:
            raise ValidationFailed(
                f"invoice_ids[{k}]: no invoice {iid} of this vendor", fields={f"invoice_ids[{k}]": "not found"}
            )
        if inv in invoices:
            raise ValidationFailed(
                f"invoice_ids[{k}]: invoice {inv.number} is named twice", fields={f"invoice_ids[{k}]": "duplicate"}
            )
        invoices.append(inv)
    recs = {
        r.invoice_id: r
        for r in session.exec(
            select(InvoiceReconciliation)
            .where(
                InvoiceReconciliation.tenant_id == ctx.tenant_id,
                col(InvoiceReconciliation.invoice_id).in_([i.id for i in invoices]),
            )
            .order_by(col(InvoiceReconciliation.id))
            .with_for_update()
        ).all()
    }
    for k, inv in enumerate(invoices):
        rec = recs.get(inv.id)
        if rec is not None and rec.match_pack_id is not None and rec.state in LIVE_PACK:
            raise Conflict(
                f"invoice_ids[{k}]: invoice {inv.number} is already in match pack {rec.match_pack_id} ({rec.state})",
                fields={f"invoice_ids[{k}]": "in another pack"},
            )
    tolerances = tolerances_for(session, ctx, body.vendor_id)
    lines, po, received, mine = _frames(session, ctx, body.vendor_id, invoices)
    result = matching.match(lines, po, received, tolerances).filter(pl.col("line_id").is_in([str(i) for i in mine]))
    title = (body.title or "").strip() or f"Invoices {', '.join(i.number for i in invoices[:3])}" + (
        f" and {len(invoices) - 3} more" if len(invoices) > 3 else ""
    )
    pack = MatchPack(
        tenant_id=ctx.tenant_id,
        vendor_org_id=body.vendor_id,
        title=title[:200],
        tolerances=[t.as_json() for t in tolerances.values()],
        invoice_count=len(invoices),
        created_by=ctx.user_id,
    )
    if pack_id is not None:
        pack.id = pack_id
    rows: list[dict[str, Any]] = []
    per_invoice: dict[uuid.UUID, dict[str, Any]] = {
        i.id: {"exceptions": 0, "expected": ZERO, "variance": ZERO} for i in invoices
    }
    for seq, r in enumerate(result.iter_rows(named=True)):
        source = mine[uuid.UUID(r["line_id"])]
        rows.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": ctx.tenant_id,
                "pack_id": pack.id,
                "vendor_org_id": body.vendor_id,
                "seq": seq,
                "invoice_id": source.invoice_id,
                "invoice_line_id": source.id,
                "po_line_id": source.po_line_id if r["po_id"] is not None else None,
                "quantity": source.quantity,
                "unit_price": source.unit_price,
                "tax_amount": source.tax_amount,
                **{k: r[k] for k in ("ordered_qty", "po_price")},
                **{
                    k: r[k]
                    for k in (
                        "received_qty",
                        "billed_before",
                        "accepted_qty",
                        "qty_over",
                        "price_diff",
                        "expected_tax",
                        "tax_over",
                        "expected_amount",
                        "invoiced_amount",
                        "variance",
                    )
                },
                **{flag: bool(r[flag]) for flag in matching.FLAGS.values()},
                "exceptions": int(r["exceptions"]),
            }
        )
        agg = per_invoice[source.invoice_id]
        agg["exceptions"] += 1 if r["exceptions"] else 0
        agg["expected"] += r["expected_amount"]
        agg["variance"] += r["variance"]
    pack.line_count = len(rows)
    pack.exception_lines = sum(1 for r in rows if r["exceptions"])
    pack.invoiced_amount = sum((r["invoiced_amount"] for r in rows), ZERO)
    pack.expected_amount = sum((r["expected_amount"] for r in rows), ZERO)
    pack.variance = sum((r["variance"] for r in rows), ZERO)
    session.add(pack)
    session.flush()
    insert_rows(session, table_of(MatchLine), rows)
    audit.record(
        session,
        ctx,
        action="match_pack.create",
        entity="match_pack",
        entity_id=pack.id,
        after={**mutations.snapshot(pack), "invoices": [str(i.id) for i in invoices]},
    )
    for inv in invoices:
        agg = per_invoice[inv.id]
        changes = {
            "match_pack_id": pack.id,
            "state": pack.status,
            "exceptions": agg["exceptions"],
            "expected_amount": agg["expected"],
            "variance": agg["variance"],
            "updated_at": utcnow(),
        }
        rec = recs.get(inv.id)
        if rec is None:
            mutations.create(
                session,
                ctx,
                InvoiceReconciliation(
                    tenant_id=ctx.tenant_id, invoice_id=inv.id, vendor_org_id=inv.vendor_org_id, **changes
                ),
                action="invoice_reconciliation.create",
            )
        else:
            mutations.update(session, ctx, rec, changes, action="invoice_reconciliation.match")
    return pack


# ---- decisions and disputes -------------------------------------------------------------------------


def _follow(session: Session, ctx: TenantContext, pack: MatchPack) -> None:
    """Each invoice's reconciliation takes the pack's new status (a cancelled pack frees them)."""
    recs = session.exec(
        select(InvoiceReconciliation).where(
            InvoiceReconciliation.tenant_id == ctx.tenant_id, InvoiceReconciliation.match_pack_id == pack.id
        )
    ).all()
    for rec in recs:
        if pack.status == MP_CANCELLED:
            changes: dict[str, Any] = {"state": "unmatched", "match_pack_id": None, "exceptions": 0}
            changes |= {"expected_amount": ZERO, "variance": ZERO}
        else:
            changes = {"state": pack.status}
        mutations.update(session, ctx, rec, {**changes, "updated_at": utcnow()}, action="invoice_reconciliation.follow")


def active_disputes(session: Session, ctx: TenantContext, pack: MatchPack) -> list[Case]:
    return list(
        session.exec(
            select(Case)
            .join(
                MatchLine,
                (col(MatchLine.id) == col(Case.match_line_id)) & (col(MatchLine.tenant_id) == col(Case.tenant_id)),
            )
            .where(Case.tenant_id == ctx.tenant_id, MatchLine.pack_id == pack.id, col(Case.status).in_(sorted(ACTIVE)))
        ).all()
    )


def apply_decision(session: Session, ctx: TenantContext, row: Any, action: str, reason: str | None) -> None:
    """A match pack's decision (the decision route's `apply`): the machine's checks first, then
    confirming a pack with exceptions needs a note, and no line may be disputed in an active case;
    then the decision, and the invoices' reconciliations follow."""
    pack: MatchPack = row
    session.refresh(pack, with_for_update=True)
    MATCH_MACHINE.check(pack.status, action, ctx, reason, is_owner=MATCH_MACHINE.is_owner(pack, ctx))
    if action == "confirm_match":
        if pack.exception_lines and not (reason and reason.strip()):
            raise ValidationFailed(
                f"a note is required to confirm a match with {pack.exception_lines} exception line(s)",
                fields={"reason": "required"},
            )
        disputed = active_disputes(session, ctx, pack)
        if disputed:
            raise Conflict(
                f"a line of this pack is disputed in an open case ({disputed[0].subject}); resolve it first",
                fields={"action": "line disputed"},
            )
    decide(session, ctx, MATCH_MACHINE, pack, action, reason=reason)
    _follow(session, ctx, pack)


def dispute_line(session: Session, ctx: TenantContext, line_id: uuid.UUID, note: str) -> Case:
    """The vendor disputes one line of its pack: a linked case (invoice dispute) opened by the
    vendor with its note as the response, so it is `in_review` for staff; the payments of the
    line's invoice go on hold while it is active."""
    if not is_vendor(ctx):
        raise Forbidden("only the vendor disputes a line; staff mark the pack a mismatch or ask for evidence")
    line = get_line(session, ctx, line_id)
    pack = get_pack(session, ctx, line.pack_id)
    if pack.status == MP_CANCELLED:
        raise Conflict("this match pack is cancelled: there is nothing to dispute", fields={"line_id": "cancelled"})
    open_case = links.active_case_on(session, ctx, match_line_id=line.id)
    if open_case is not None:
        raise Conflict(
            f"this line is already disputed in case {open_case.id} ({open_case.status})", fields={"line_id": "disputed"}
        )
    invoice = session.exec(
        select(Invoice).where(Invoice.tenant_id == ctx.tenant_id, Invoice.id == line.invoice_id)
    ).one()
    source = session.exec(
        select(InvoiceLine).where(InvoiceLine.tenant_id == ctx.tenant_id, InvoiceLine.id == line.invoice_line_id)
    ).one()
    text = note.strip()
    if not text:
        raise ValidationFailed("note is required: say what you dispute", fields={"note": "required"})
    row = links.open_about(
        session,
        ctx,
        vendor_id=line.vendor_org_id,
        subject=f"Dispute: invoice {invoice.number} line {source.line_no} ({pack.title})"[:200],
        case_type="invoice_dispute",
        by_vendor=True,
        match_line_id=line.id,
    )
    cases.add_message(session, ctx, row, text, kind="response")
    decide(session, ctx, CASES, row, RESPOND, details={"match_line_id": line.id})
    return row


def reconciliation_of(session: Session, ctx: TenantContext, invoice_id: uuid.UUID) -> InvoiceReconciliation | None:
    return reconciliations(session, ctx, [invoice_id]).get(invoice_id)
