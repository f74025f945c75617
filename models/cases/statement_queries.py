"""Reads of statements of account for routes and pages: a statement with its counts of confirmed
and disputed lines, and one statement line by line against the ledger with the case each dispute
opened and what the ledger has that the statement lacks. Each takes ctx, checks `cases.read` and
opens its own transaction; a vendor reads its own organization's only (and RLS again)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel import Session

from engine.cases.permissions import READ
from engine.context import TenantContext
from models.cases import links, statements
from models.cases.ledger_queries import _latest, _linked
from models.cases.ledger_views import MissingEntry, SoaLineView, StatementDetail, StatementView
from models.cases.queries import _org_names
from models.cases.tables import SoaStatement
from models.core.db import tenant_session
from models.core.pagination import Page


def _statement_views(session: Session, ctx: TenantContext, rows: list[SoaStatement]) -> list[StatementView]:
    orgs = _org_names(session, ctx, {r.vendor_org_id for r in rows})
    out = []
    for r in rows:
        lines = statements.lines_of(session, ctx, r)
        out.append(
            StatementView(
                r.id,
                r.vendor_org_id,
                orgs.get(r.vendor_org_id, ""),
                r.reference,
                r.currency,
                r.as_of,
                r.vendor_balance,
                r.ledger_balance,
                r.difference,
                r.line_count,
                r.matched_count,
                sum(1 for ln in lines if ln.response == "confirmed"),
                sum(1 for ln in lines if ln.response == "disputed"),
                r.reconciled_at,
            )
        )
    return out


def statement_view(session: Session, ctx: TenantContext, row: SoaStatement) -> StatementView:
    return _statement_views(session, ctx, [row])[0]


def statement_page(
    ctx: TenantContext, *, vendor_id: uuid.UUID | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[StatementView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = statements.statement_page(session, ctx, vendor_id=vendor_id, limit=limit, cursor=cursor)
        return Page(_statement_views(session, ctx, page.items), page.next_cursor)


def statement_detail(ctx: TenantContext, statement_id: uuid.UUID) -> StatementDetail:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        st = statements.get_statement(session, ctx, statement_id)
        lines = statements.lines_of(session, ctx, st)
        disputes = _latest(links.cases_on(session, ctx, "soa_line_id", [ln.id for ln in lines]), "soa_line_id")
        return StatementDetail(
            statement_view(session, ctx, st),
            [
                SoaLineView(
                    ln.id,
                    ln.line_no,
                    ln.doc_type,
                    ln.doc_number,
                    ln.doc_date,
                    ln.amount,
                    ln.recon_state,
                    ln.ledger_amount,
                    ln.difference,
                    ln.response,
                    ln.response_note,
                    ln.responded_at,
                    _linked(disputes[ln.id]) if ln.id in disputes else None,
                )
                for ln in lines
            ],
            [MissingEntry(m["kind"], m["number"], m["at"], Decimal(m["amount"])) for m in st.missing],
        )
