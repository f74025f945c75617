"""What vendor cases add to the one search (models/core/search.py): cases by subject, invoices and
payments by number, match packs and statements by title or reference. A vendor finds its own
organization's rows only (`vendor_where`), RLS again; portal links for a vendor, staff links else."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col

from engine.cases.permissions import READ
from engine.context import TenantContext
from models.cases.cases import is_vendor, vendor_of
from models.cases.tables import Case, Invoice, MatchPack, Payment, SoaStatement
from models.core.search import SearchHit, SearchProvider, Terms, ranked


def vendor_where(model: Any, ctx: TenantContext) -> tuple[Any, ...]:
    return (model.vendor_org_id == vendor_of(ctx),) if is_vendor(ctx) else ()


def _base(ctx: TenantContext) -> str:
    return "/portal" if is_vendor(ctx) else ""


def _cases(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    found = ranked(
        session,
        ctx,
        Case,
        terms,
        limit,
        code=Case.subject,
        texts=(),
        where=vendor_where(Case, ctx),
        order=(col(Case.opened_at).desc(),),
    )
    return [
        SearchHit("cases", str(c.id), c.subject, c.status.replace("_", " "), f"{_base(ctx)}/cases/{c.id}", r)
        for c, r in found
    ]


def _invoices(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    found = ranked(
        session,
        ctx,
        Invoice,
        terms,
        limit,
        code=Invoice.number,
        texts=(),
        where=vendor_where(Invoice, ctx),
        order=(col(Invoice.issued_at).desc(),),
    )
    url = "/portal/invoices" if is_vendor(ctx) else "/invoices"
    return [SearchHit("invoices", str(i.id), i.number, f"{i.total:,.2f} {i.currency}", url, r) for i, r in found]


def _payments(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    found = ranked(
        session,
        ctx,
        Payment,
        terms,
        limit,
        code=Payment.reference,
        texts=(),
        where=vendor_where(Payment, ctx),
        order=(col(Payment.created_at).desc(),),
    )
    return [
        SearchHit(
            "payments",
            str(p.id),
            p.reference,
            f"{p.amount:,.2f} {p.currency} · {p.status.replace('_', ' ')}",
            f"{_base(ctx)}/payments/{p.id}",
            r,
        )
        for p, r in found
    ]


def _packs(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    found = ranked(
        session,
        ctx,
        MatchPack,
        terms,
        limit,
        code=MatchPack.title,
        texts=(),
        where=vendor_where(MatchPack, ctx),
        order=(col(MatchPack.created_at).desc(),),
    )
    return [
        SearchHit("match_packs", str(p.id), p.title, p.status.replace("_", " "), f"{_base(ctx)}/match-packs/{p.id}", r)
        for p, r in found
    ]


def _statements(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    found = ranked(
        session,
        ctx,
        SoaStatement,
        terms,
        limit,
        code=SoaStatement.reference,
        texts=(),
        where=vendor_where(SoaStatement, ctx),
        order=(col(SoaStatement.as_of).desc(),),
    )
    return [
        SearchHit(
            "statements", str(s.id), s.reference, f"as of {s.as_of:%Y-%m-%d}", f"{_base(ctx)}/statements/{s.id}", r
        )
        for s, r in found
    ]


PROVIDERS = (
    SearchProvider("cases", "Vendor cases", READ, _cases, order=30),
    SearchProvider("invoices", "Invoices", READ, _invoices, order=31),
    SearchProvider("payments", "Payments", READ, _payments, order=32),
    SearchProvider("match_packs", "Match packs", READ, _packs, order=33),
    SearchProvider("statements", "Statements of account", READ, _statements, order=34),
)
