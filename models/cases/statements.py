"""Statements of account as repositories taking (session, ctx): a vendor's statement as of a day
(its lines as the vendor states them), reconciled against the shadow ledger
(engine.cases.ledger.reconcile: matched, amount differs, not in the ledger; and the ledger's
entries the statement does not list), and the vendor's word on each line — confirmed, or disputed
with a note, which opens a linked case (an invoice dispute about the statement line).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from engine.cases import ledger as rules
from engine.cases.machines import CASE_MACHINE, RESPOND
from engine.context import TenantContext
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.cases import cases, links
from models.cases.cases import is_vendor, newest_first, own_or_staff, scoped
from models.cases.ledger import ledger_entries, vendor_org
from models.cases.ledger_inputs import StatementCreate
from models.cases.tables import Case, SoaLine, SoaStatement
from models.core import audit, mutations
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.core.decisions import decide
from models.core.pagination import Page

ZERO = Decimal(0)


def get_statement(session: Session, ctx: TenantContext, statement_id: uuid.UUID) -> SoaStatement:
    row = session.exec(scoped(select(SoaStatement), SoaStatement, ctx).where(SoaStatement.id == statement_id)).first()
    if row is None:
        raise NotFound("statement not found")
    return row


def lines_of(session: Session, ctx: TenantContext, statement: SoaStatement) -> list[SoaLine]:
    return list(
        session.exec(
            scoped(select(SoaLine), SoaLine, ctx)
            .where(SoaLine.statement_id == statement.id)
            .order_by(col(SoaLine.line_no))
        ).all()
    )


def get_line(session: Session, ctx: TenantContext, line_id: uuid.UUID) -> SoaLine:
    row = session.exec(scoped(select(SoaLine), SoaLine, ctx).where(SoaLine.id == line_id)).first()
    if row is None:
        raise NotFound("statement line not found")
    return row


def statement_page(
    session: Session, ctx: TenantContext, *, vendor_id: uuid.UUID | None = None, limit: int | None, cursor: str | None
) -> Page[SoaStatement]:
    query = scoped(select(SoaStatement), SoaStatement, ctx)
    if vendor_id:
        query = query.where(SoaStatement.vendor_org_id == vendor_id)
    return newest_first(session, query, SoaStatement.as_of, SoaStatement.id, limit=limit, cursor=cursor)


def create_statement(
    session: Session,
    ctx: TenantContext,
    body: StatementCreate,
    *,
    statement_id: uuid.UUID | None = None,
    by_vendor: bool = False,
) -> SoaStatement:
    """Record a vendor's statement (staff, or `by_vendor` the vendor's own) and reconcile it at once."""
    own_or_staff(ctx, body.vendor_id, by_vendor, "record statements of account")
    vendor_org(session, ctx, body.vendor_id)
    reference = body.reference.strip()
    if not reference:
        raise ValidationFailed("reference is required", fields={"reference": "required"})
    parsed: list[dict[str, Any]] = []
    for i, line in enumerate(body.lines):
        number = line.doc_number.strip()
        if not number:
            raise ValidationFailed(f"lines[{i}].doc_number is required", fields={f"lines[{i}].doc_number": "required"})
        parsed.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": ctx.tenant_id,
                "vendor_org_id": body.vendor_id,
                "line_no": i + 1,
                "doc_type": line.doc_type,
                "doc_number": number,
                "doc_date": line.doc_date,
                "amount": rules.parse_amount(line.amount, f"lines[{i}].amount", signed=True),
                "recon_state": "not_in_ledger",
                "ledger_amount": None,
                "difference": ZERO,
                "invoice_id": None,
                "payment_id": None,
                "response": "pending",
                "response_note": "",
                "responded_by": None,
                "responded_at": None,
            }
        )
    st = SoaStatement(
        tenant_id=ctx.tenant_id,
        vendor_org_id=body.vendor_id,
        reference=reference,
        currency=rules.check_currency(body.currency),
        as_of=body.as_of,
        vendor_balance=rules.balance(p["amount"] for p in parsed),
        line_count=len(parsed),
        created_by=ctx.user_id,
    )
    if statement_id is not None:
        st.id = statement_id
    for p in parsed:
        p["statement_id"] = st.id
    session.add(st)
    session.flush()
    insert_rows(session, table_of(SoaLine), parsed)
    audit.record(
        session,
        ctx,
        action="soa_statement.create",
        entity="soa_statements",
        entity_id=st.id,
        after={**mutations.snapshot(st), "lines": len(parsed)},
    )
    return reconcile(session, ctx, st, by_vendor=by_vendor)


def reconcile(session: Session, ctx: TenantContext, st: SoaStatement, *, by_vendor: bool = False) -> SoaStatement:
    """The statement against the ledger as of its day: each line's state, ledger figure and
    difference, the balances, and the ledger entries the statement does not list. Staff; a vendor
    only as its own statement arrives (`by_vendor`: the ledger it reads is its own)."""
    own_or_staff(ctx, st.vendor_org_id, by_vendor, "reconcile statements")
    session.refresh(st, with_for_update=True)
    entries = ledger_entries(session, ctx, st.vendor_org_id, st.currency, st.as_of)
    lines = lines_of(session, ctx, st)
    results, missing = rules.reconcile(
        (rules.StatementLine(ln.line_no, ln.doc_type, ln.doc_number, ln.amount) for ln in lines), entries
    )
    by_no = {r.line_no: r for r in results}
    for ln in lines:
        r = by_no[ln.line_no]
        changes = {
            "recon_state": r.state,
            "ledger_amount": r.ledger_amount,
            "difference": r.difference,
            "invoice_id": uuid.UUID(r.entry.ref_id) if r.entry and r.entry.kind == "invoice" else None,
            "payment_id": uuid.UUID(r.entry.ref_id) if r.entry and r.entry.kind == "payment" else None,
        }
        changes = {k: v for k, v in changes.items() if getattr(ln, k) != v}
        if changes:
            mutations.update(session, ctx, ln, changes, action="soa_line.reconcile")
    ledger = rules.balance(e.amount for e in entries)
    return mutations.update(
        session,
        ctx,
        st,
        {
            "ledger_balance": ledger,
            "difference": st.vendor_balance - ledger,
            "matched_count": sum(1 for r in results if r.state == "matched"),
            "missing": [
                {"kind": e.kind, "id": e.ref_id, "number": e.number, "at": e.at.isoformat(), "amount": str(e.amount)}
                for e in missing
            ],
            "reconciled_at": utcnow(),
        },
        action="soa_statement.reconcile",
    )


def respond(
    session: Session, ctx: TenantContext, line: SoaLine, response: str, note: str | None
) -> tuple[SoaLine, Case | None]:
    """The vendor confirms a line, or disputes it with a note (a linked case, in review). A line
    disputed in a case still active cannot be confirmed or disputed again."""
    if not is_vendor(ctx):
        raise Forbidden("only the vendor confirms or disputes its statement lines")
    if response not in ("confirmed", "disputed"):
        raise ValidationFailed("response: confirmed or disputed", fields={"response": "unknown"})
    session.refresh(line, with_for_update=True)
    active = links.active_case_on(session, ctx, soa_line_id=line.id)
    if active is not None:
        raise Conflict(
            f"this line is disputed in case {active.id} ({active.status}); the case decides it first",
            fields={"response": "disputed in an open case"},
        )
    text = (note or "").strip()
    if response == "disputed" and not text:
        raise ValidationFailed("note is required to dispute a line: say what is wrong", fields={"note": "required"})
    if response == line.response and response == "confirmed":
        return line, None
    st = session.exec(
        select(SoaStatement).where(SoaStatement.tenant_id == ctx.tenant_id, SoaStatement.id == line.statement_id)
    ).one()
    changes = {"response": response, "response_note": text, "responded_by": ctx.user_id, "responded_at": utcnow()}
    mutations.update(session, ctx, line, changes, action=f"soa_line.{response}")
    case = None
    if response == "disputed":
        document = f"{rules.DOC_TYPES[line.doc_type]} {line.doc_number}"
        case = links.open_about(
            session,
            ctx,
            vendor_id=line.vendor_org_id,
            subject=f"Statement {st.reference}: line {line.line_no} ({document})"[:200],
            case_type="invoice_dispute",
            by_vendor=True,
            soa_line_id=line.id,
        )
        cases.add_message(session, ctx, case, text, kind="response")
        decide(session, ctx, CASE_MACHINE, case, RESPOND, details={"soa_line_id": line.id})
    return line, case
