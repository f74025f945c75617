"""What field service adds to the one inbox (models/core/inbox.py), for those who work tickets
(service.tickets.assign: owner, admin, ops): the tenant's unfinished tickets that need a hand — past
their response or resolution SLA, or with no engineer assigned yet. Past-SLA first; each shows the
due time it is measured against. Nothing while ENABLE_SERVICE_POLICIES is off."""

from __future__ import annotations

from sqlalchemy import case, or_
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.service.flags import ENABLE_SERVICE_POLICIES
from engine.service.permissions import TICKETS_ASSIGN
from models.core.flags import is_enabled
from models.core.inbox import InboxItem, InboxProvider
from models.service.tables import Ticket

UNFINISHED = ("open", "acknowledged", "in_progress")


def why_waiting(t: Ticket) -> str:
    """The one reason a ticket is in the inbox (the most urgent one when several hold)."""
    if t.resolution_breached:
        return "Past its resolution SLA"
    if t.response_breached:
        return "Past its response SLA" + ("" if t.assigned_engineer_id else " · no engineer assigned")
    return "No engineer assigned"


def _tickets(session: Session, ctx: TenantContext, limit: int) -> list[InboxItem]:
    if not is_enabled(session, ctx, ENABLE_SERVICE_POLICIES):
        return []
    late = or_(col(Ticket.response_breached), col(Ticket.resolution_breached))
    found = session.exec(
        select(Ticket)
        .where(
            Ticket.tenant_id == ctx.tenant_id,
            col(Ticket.status).in_(UNFINISHED),
            or_(late, col(Ticket.assigned_engineer_id).is_(None)),
        )
        .order_by(case((late, 0), else_=1), col(Ticket.opened_at), col(Ticket.id))
        .limit(limit)
    ).all()
    return [
        InboxItem(
            "tickets",
            str(t.id),
            f"{t.code} {t.title}",
            why_waiting(t),
            f"/service/tickets/{t.id}",
            t.opened_at,
            t.response_due_at if t.first_response_at is None else t.resolution_due_at,
        )
        for t in found
    ]


PROVIDERS = (InboxProvider("tickets", "Service tickets needing a hand", TICKETS_ASSIGN, _tickets),)
