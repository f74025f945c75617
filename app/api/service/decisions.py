"""The ticket's decision route from the core factory: `POST /api/tickets/{id}/update` (the same
decisions as `POST /api/tickets/{id}/status`), behind ENABLE_SERVICE_POLICIES like every ticket route."""

from __future__ import annotations

from app.api.core.decisions import decision_router
from app.api.core.settings import feature
from engine.service.flags import ENABLE_SERVICE_POLICIES
from engine.service.machines import TICKET_MACHINE
from engine.service.permissions import SERVICE_READ
from models.core.decision_actions import DecisionTarget
from models.service import tickets

TICKETS = DecisionTarget(
    "tickets",
    TICKET_MACHINE,
    SERVICE_READ,
    load=tickets.get_ticket,
    apply=lambda s, ctx, row, action, reason: tickets.decide_ticket(s, ctx, row.id, action, reason),
)

router = decision_router(TICKETS, context=feature(ENABLE_SERVICE_POLICIES, SERVICE_READ))
