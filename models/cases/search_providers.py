"""What vendor cases add to the one search (models/core/search.py): cases by subject, invoices and
payments by number, match packs and statements by title or reference. A vendor finds its own
organization's rows only (`vendor_where`), RLS again; portal links for a vendor, staff links else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Findable:
    """One kind of row the search finds: matched on `code`, newest first by `at`, shown with
    `sub(row)`, opened at `path` (`{id}` is the row's id; staff paths get `/portal` for a vendor)."""

    kind: str
    label: str
    model: Any
    code: Any
    at: Any
    sub: Callable[[Any], str]
    path: str
    order: int

    def find(self, session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
        found = ranked(
            session,
            ctx,
            self.model,
            terms,
            limit,
            code=self.code,
            texts=(),
            where=vendor_where(self.model, ctx),
            order=(col(self.at).desc(),),
        )
        base = _base(ctx)
        return [
            SearchHit(
                self.kind, str(r.id), getattr(r, self.code.key), self.sub(r), base + self.path.format(id=r.id), rank
            )
            for r, rank in found
        ]

    def provider(self) -> SearchProvider:
        return SearchProvider(self.kind, self.label, READ, self.find, order=self.order)


def _words(status: str) -> str:
    return status.replace("_", " ")


FINDABLE = (
    Findable(
        "cases", "Vendor cases", Case, Case.subject, Case.opened_at, lambda c: _words(c.status), "/cases/{id}", 30
    ),
    Findable(
        "invoices",
        "Invoices",
        Invoice,
        Invoice.number,
        Invoice.issued_at,
        lambda i: f"{i.total:,.2f} {i.currency}",
        "/invoices",
        31,
    ),
    Findable(
        "payments",
        "Payments",
        Payment,
        Payment.reference,
        Payment.created_at,
        lambda p: f"{p.amount:,.2f} {p.currency} · {_words(p.status)}",
        "/payments/{id}",
        32,
    ),
    Findable(
        "match_packs",
        "Match packs",
        MatchPack,
        MatchPack.title,
        MatchPack.created_at,
        lambda p: _words(p.status),
        "/match-packs/{id}",
        33,
    ),
    Findable(
        "statements",
        "Statements of account",
        SoaStatement,
        SoaStatement.reference,
        SoaStatement.as_of,
        lambda s: f"as of {s.as_of:%Y-%m-%d}",
        "/statements/{id}",
        34,
    ),
)
PROVIDERS = tuple(f.provider() for f in FINDABLE)
