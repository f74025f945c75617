"""What field service adds to the one search (models/core/search.py): tickets by code or title, in
the caller's tenant (RLS again), for every role that reads service, while ENABLE_SERVICE_POLICIES is
on. A hit opens the ticket page (its "why this organization?", SLA and engineers)."""

from __future__ import annotations

from sqlmodel import Session, col

from engine.context import TenantContext
from engine.service.flags import ENABLE_SERVICE_POLICIES
from engine.service.permissions import SERVICE_READ
from models.core.search import SearchHit, SearchProvider, Terms, ranked
from models.service.tables import Ticket


def ticket_subtitle(t: Ticket) -> str:
    """`TK-0003 · open · normal priority` (· past its SLA, when it is)."""
    late = " · past its SLA" if t.response_breached or t.resolution_breached else ""
    return f"{t.code} · {t.status.replace('_', ' ')} · {t.priority} priority{late}"


def _tickets(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    found = ranked(
        session,
        ctx,
        Ticket,
        terms,
        limit,
        code=Ticket.code,
        texts=(Ticket.title,),
        order=(col(Ticket.opened_at).desc(), col(Ticket.id)),
    )
    return [
        SearchHit("tickets", str(t.id), t.title, ticket_subtitle(t), f"/service/tickets/{t.id}", r) for t, r in found
    ]


PROVIDERS = (
    SearchProvider("tickets", "Service tickets", SERVICE_READ, _tickets, order=45, flag=ENABLE_SERVICE_POLICIES),
)
