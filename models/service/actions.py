"""Writes of the service module: each takes `ctx`, checks the permission and the feature flag (an
off flag: NotFound), owns its transaction (`tenant_session`: everything or nothing) and goes through
the audited repositories (ticket status through the decision path). The REST routes, the pages and
the worker's SLA check call these."""

from __future__ import annotations

import uuid
from datetime import datetime

from engine.context import TenantContext
from engine.service.flags import ENABLE_ENGINEERS, ENABLE_RESP_ORG_ASSIGNMENT, ENABLE_SERVICE_POLICIES
from engine.service.permissions import (
    AGREEMENTS_WRITE,
    ENGINEERS_WRITE,
    POLICIES_WRITE,
    SERVICE_READ,
    TICKETS_ASSIGN,
    TICKETS_WRITE,
)
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.flags import is_enabled
from models.service import agreements, engineers, policies, tickets
from models.service.inputs import (
    AgreementCreate,
    CertificationCreate,
    EngineerCreate,
    EngineerUpdate,
    PolicyInput,
    SlaPolicyCreate,
    TicketCreate,
)
from models.service.public import (
    AgreementPublic,
    CertificationPublic,
    EngineerPublic,
    PolicyPublic,
    SlaPolicyPublic,
    TicketDetailPublic,
)
from models.service.queries import (
    agreement_public,
    engineer_public,
    policy_public,
    require_flag,
    sla_public,
    ticket_detail_of,
)

# policies and certifications


def create_policy(ctx: TenantContext, data: PolicyInput) -> PolicyPublic:
    ctx.require(POLICIES_WRITE)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        return policy_public(policies.create_policy(session, ctx, data))


def replace_policy(ctx: TenantContext, policy_id: uuid.UUID | str, data: PolicyInput) -> PolicyPublic:
    ctx.require(POLICIES_WRITE)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        return policy_public(policies.replace_policy(session, ctx, policy_id, data))


def create_certification(ctx: TenantContext, data: CertificationCreate) -> CertificationPublic:
    ctx.require(POLICIES_WRITE)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        row = policies.create_certification(session, ctx, data)
        return CertificationPublic.model_validate(row, from_attributes=True)


# tickets


def create_ticket(ctx: TenantContext, data: TicketCreate) -> TicketDetailPublic:
    """Open a ticket; its responsible organization comes from the policies when the tenant has
    ENABLE_RESP_ORG_ASSIGNMENT on, and its due times from that organization's agreement."""
    ctx.require(TICKETS_WRITE)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        assign = is_enabled(session, ctx, ENABLE_RESP_ORG_ASSIGNMENT)
        row = tickets.create_ticket(session, ctx, data, assign_responsible=assign)
        return ticket_detail_of(session, ctx, row)


def decide_ticket(
    ctx: TenantContext,
    ticket_id: uuid.UUID | str,
    action: str,
    reason: str | None,
    expected_status: str | None = None,
) -> TicketDetailPublic:
    """Acknowledge / start / resolve / reopen / close / cancel through the decision path (the
    machine checks the role; a stale `expected_status` is 409, nothing written)."""
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        row = tickets.decide_ticket(session, ctx, ticket_id, action, reason, expected_status)
        return ticket_detail_of(session, ctx, row)


def assign_engineer(
    ctx: TenantContext, ticket_id: uuid.UUID | str, engineer_id: uuid.UUID, note: str | None = None
) -> TicketDetailPublic:
    """Assign an eligible engineer by hand (audited `ticket.assign`; event `ticket.assigned`)."""
    ctx.require(TICKETS_ASSIGN)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        require_flag(session, ctx, ENABLE_ENGINEERS)
        row = tickets.assign(session, ctx, ticket_id, engineer_id, note)
        return ticket_detail_of(session, ctx, row)


def check_breaches(ctx: TenantContext, now: datetime | None = None) -> int:
    """Mark the tickets whose response or resolution is now past due (the worker's SLA check)."""
    ctx.require(TICKETS_WRITE)
    with tenant_session(ctx) as session:
        if not is_enabled(session, ctx, ENABLE_SERVICE_POLICIES):
            return 0
        return tickets.mark_breaches(session, ctx, now or utcnow())


# engineers


def create_engineer(ctx: TenantContext, data: EngineerCreate) -> EngineerPublic:
    ctx.require(ENGINEERS_WRITE)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_ENGINEERS)
        row = engineers.create_engineer(session, ctx, data)
        [parts] = engineers.parts_of(session, ctx, [row])
        return engineer_public(parts)


def update_engineer(ctx: TenantContext, engineer_id: uuid.UUID | str, data: EngineerUpdate) -> EngineerPublic:
    ctx.require(ENGINEERS_WRITE)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_ENGINEERS)
        row = engineers.update_engineer(session, ctx, engineer_id, data)
        [parts] = engineers.parts_of(session, ctx, [row])
        return engineer_public(parts)


# agreements and SLA policies


def create_agreement(ctx: TenantContext, data: AgreementCreate) -> AgreementPublic:
    ctx.require(AGREEMENTS_WRITE)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        [found] = agreement_public(session, ctx, [agreements.create_agreement(session, ctx, data)])
        return found


def create_sla_policy(ctx: TenantContext, data: SlaPolicyCreate) -> SlaPolicyPublic:
    ctx.require(AGREEMENTS_WRITE)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        return sla_public(agreements.create_sla_policy(session, ctx, data))
