"""Field service REST routes (`/api/...`, docs/service.md): service policies and "why this
organization?", organizations' certifications, tickets (open, decide, eligible engineers, assign),
engineers and eligibility, agreements and SLA policies.

Policies, certifications, tickets, agreements and SLA policies sit behind ENABLE_SERVICE_POLICIES;
engineers, eligibility and assignment behind ENABLE_ENGINEERS (404 while off, for every role). Reads
need service.read; writes their own permission (403). Routes only call the module's queries and
actions (which own the transaction and check again); list / get / create / update are declared from
them with app/api/declare.py.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from app.api import declare
from app.api.core.settings import feature
from app.api.declare import Entity, Filter, flagged
from app.api.deps import InstantParam, SearchText
from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.service.flags import ENABLE_ENGINEERS, ENABLE_SERVICE_POLICIES
from engine.service.permissions import (
    AGREEMENTS_WRITE,
    ENGINEERS_WRITE,
    POLICIES_WRITE,
    SERVICE_READ,
    TICKETS_ASSIGN,
    TICKETS_WRITE,
)
from engine.service.types import SKILL_PATTERN
from models.service import actions, queries
from models.service.inputs import (
    AgreementCreate,
    AssignInput,
    CertificationCreate,
    EngineerCreate,
    EngineerUpdate,
    PolicyInput,
    Priority,
    SlaPolicyCreate,
    SlaTry,
    TicketCreate,
    TicketDecision,
    TicketStatus,
)
from models.service.public import (
    AgreementPublic,
    CertificationPublic,
    EligibilityPublic,
    EngineerPublic,
    PolicyPublic,
    SlaPolicyPublic,
    TicketDetailPublic,
    TicketPublic,
)

router = APIRouter(prefix="/api", tags=["service"])

Q: Filter = ("q", SearchText, None)
RegionParam = Annotated[str | None, Query(min_length=1, max_length=100, description="a region name")]

POLICIES = flagged(
    "/service-policies", "service_policy", PolicyPublic, ENABLE_SERVICE_POLICIES, SERVICE_READ, POLICIES_WRITE
)
CERTIFICATIONS = Entity(
    "/service-certifications",
    "service_certification",
    "certification_id",
    CertificationPublic,
    POLICIES.read,
    POLICIES.write,
)
TICKETS = flagged("/tickets", "ticket", TicketDetailPublic, ENABLE_SERVICE_POLICIES, SERVICE_READ, TICKETS_WRITE)
ENGINEERS = flagged("/engineers", "engineer", EngineerPublic, ENABLE_ENGINEERS, SERVICE_READ, ENGINEERS_WRITE)
AGREEMENTS = flagged(
    "/agreements", "agreement", AgreementPublic, ENABLE_SERVICE_POLICIES, SERVICE_READ, AGREEMENTS_WRITE
)
SLA_POLICIES = Entity(
    "/sla-policies", "sla_policy", "sla_policy_id", SlaPolicyPublic, AGREEMENTS.read, AGREEMENTS.write
)

# service policies and "why this organization?" (declared before /{id}: "resolve" is no id)


@router.get("/service-policies/resolve")
def resolve_responsibility(
    ctx: TenantContext = Depends(POLICIES.read),
    dealer_org_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    region: RegionParam = None,
    at: InstantParam = None,  # default: now
) -> dict[str, Any]:
    """The responsible organization the policies name for a ticket like this one, with every policy
    (winner / outranked / excluded and why) and every step of the winner (chosen / skipped and why)."""
    return queries.explain_responsibility(ctx, dealer_org_id=dealer_org_id, sku_id=sku_id, region=region, at=at)


declare.lists(router, POLICIES, queries.policy_page)
declare.create(router, POLICIES, PolicyInput, actions.create_policy)

# `{id:uuid}`: "resolve" (and "eligible" below) never reach an id route, so another method on those
# paths is a 405 naming the allowed ones, not a lookup of an id called "resolve"


@router.get("/service-policies/{service_policy_id:uuid}")
def get_service_policy(service_policy_id: uuid.UUID, ctx: TenantContext = Depends(POLICIES.read)) -> PolicyPublic:
    return queries.policy(ctx, service_policy_id)


@router.put("/service-policies/{service_policy_id:uuid}")
def replace_service_policy(
    service_policy_id: uuid.UUID, body: PolicyInput, ctx: TenantContext = Depends(POLICIES.write)
) -> PolicyPublic:
    """Replace the whole policy (audited with the before/after of what changed)."""
    return actions.replace_policy(ctx, service_policy_id, body)


declare.lists(router, CERTIFICATIONS, queries.certification_page, [("org_id", uuid.UUID | None, None)])
declare.create(router, CERTIFICATIONS, CertificationCreate, actions.create_certification)

# tickets

declare.lists(
    router,
    TICKETS,
    queries.ticket_page,
    [
        ("status", TicketStatus | None, None),
        ("priority", Priority | None, None),
        ("responsible_org_id", uuid.UUID | None, None),
        ("engineer_id", uuid.UUID | None, None),
        ("breached", bool | None, None),
        Q,
    ],
    item=TicketPublic,
)
declare.get(router, TICKETS, queries.ticket)
declare.create(router, TICKETS, TicketCreate, actions.create_ticket)


@router.post("/tickets/{ticket_id}/status")
def decide_ticket_status(
    ticket_id: uuid.UUID, body: TicketDecision, ctx: TenantContext = Depends(TICKETS.read)
) -> TicketDetailPublic:
    """A status decision (the decision path checks the role: service.tickets.write)."""
    return actions.decide_ticket(ctx, ticket_id, body.action, body.reason, body.expected_status)


@router.get("/tickets/{ticket_id}/eligible-engineers")
def ticket_eligible_engineers(
    ticket_id: uuid.UUID, ctx: TenantContext = Depends(feature(ENABLE_ENGINEERS, SERVICE_READ))
) -> EligibilityPublic:
    """Every engineer for this ticket: the eligible ranked (rank 1 best) with what placed each, then
    the others with the reason they are not eligible."""
    return queries.ticket_eligible_engineers(ctx, ticket_id)


@router.post("/tickets/{ticket_id}/assign")
def assign_ticket(
    ticket_id: uuid.UUID, body: AssignInput, ctx: TenantContext = Depends(feature(ENABLE_ENGINEERS, TICKETS_ASSIGN))
) -> TicketDetailPublic:
    """Assign an eligible engineer by hand (audited `ticket.assign`; webhook event `ticket.assigned`)."""
    return actions.assign_engineer(ctx, ticket_id, body.engineer_id, body.note)


# engineers (eligibility declared before /{id})


def _skills(raw: str | None) -> list[str]:
    skills = [s.strip() for s in (raw or "").split(",") if s.strip()]
    bad = [s for s in skills if not re.fullmatch(SKILL_PATTERN, s)]
    if bad:
        raise ValidationFailed(
            f"skills: {', '.join(bad[:3])} is not a skill code (lower-case letters, digits, '-' or '_')",
            fields={"skills": "not a skill code"},
        )
    if len(skills) > 20:
        raise ValidationFailed("skills: at most 20", fields={"skills": "too many"})
    return skills


@router.get("/engineers/eligible")
def eligible_engineers(
    ctx: TenantContext = Depends(ENGINEERS.read),
    skills: Annotated[str | None, Query(max_length=900, description="comma-separated skill codes")] = None,
    region: RegionParam = None,
    org_id: uuid.UUID | None = None,
    at: InstantParam = None,
) -> EligibilityPublic:
    """Every engineer ranked for work needing `skills` in `region` (members of `org_id` when given)."""
    return queries.eligible_engineers(ctx, skills=_skills(skills), region=region, org_id=org_id, at=at)


declare.lists(
    router,
    ENGINEERS,
    queries.engineer_page,
    [
        Q,
        ("org_id", uuid.UUID | None, None),
        ("skill", Annotated[str | None, Query(pattern=SKILL_PATTERN)], None),
        ("region", RegionParam, None),
    ],
)
declare.create(router, ENGINEERS, EngineerCreate, actions.create_engineer)


@router.get("/engineers/{engineer_id:uuid}")
def get_engineer(engineer_id: uuid.UUID, ctx: TenantContext = Depends(ENGINEERS.read)) -> EngineerPublic:
    return queries.engineer(ctx, engineer_id)


@router.patch("/engineers/{engineer_id:uuid}")
def update_engineer(
    engineer_id: uuid.UUID, body: EngineerUpdate, ctx: TenantContext = Depends(ENGINEERS.write)
) -> EngineerPublic:
    """Only the keys sent change; a list sent replaces the engineer's whole list."""
    return actions.update_engineer(ctx, engineer_id, body)


# agreements and SLA policies


@router.post("/sla-policies/try")
def try_sla_rules(body: SlaTry, ctx: TenantContext = Depends(AGREEMENTS.read)) -> dict[str, Any]:
    """Check and evaluate SLA rules for a made-up ticket; nothing is stored."""
    return queries.try_sla(
        ctx,
        response_hours_expr=body.response_hours_expr,
        resolution_hours_expr=body.resolution_hours_expr,
        priority=body.priority,
        channel=body.channel,
        region=body.region,
    )


declare.lists(router, AGREEMENTS, queries.agreement_page, [("org_id", uuid.UUID | None, None)])
declare.get(router, AGREEMENTS, queries.agreement)
declare.create(router, AGREEMENTS, AgreementCreate, actions.create_agreement)
declare.lists(router, SLA_POLICIES, queries.sla_policy_page, [("agreement_id", uuid.UUID | None, None)])
declare.create(router, SLA_POLICIES, SlaPolicyCreate, actions.create_sla_policy)
