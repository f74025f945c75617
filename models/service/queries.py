"""Reads of the service module for the REST API and the pages. Each function takes `ctx`, checks the
permission and the feature flag (an off flag answers NotFound, as the routes do), owns its
transaction (`tenant_session`) and returns typed read models (models.service.public)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import NotFound, ValidationFailed
from engine.service import eligibility, sla
from engine.service.flags import ENABLE_ENGINEERS, ENABLE_RESP_ORG_ASSIGNMENT, ENABLE_SERVICE_POLICIES
from engine.service.machines import TICKET_MACHINE
from engine.service.permissions import SERVICE_READ
from models.catalog.lookups import names_by_id
from models.catalog.tables import Channel, Organization, Sku
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.flags import is_enabled
from models.core.pagination import Page
from models.service import agreements, engineers, policies, tickets
from models.service.engineers import EngineerParts
from models.service.public import (
    ActionPublic,
    AgreementPublic,
    CertificationPublic,
    CoveragePublic,
    EligibilityPublic,
    EngineerPublic,
    MembershipPublic,
    NeedPublic,
    PolicyPublic,
    RankedPublic,
    SkillPublic,
    SlaPolicyPublic,
    StepPublic,
    TicketDetailPublic,
    TicketPublic,
)
from models.service.tables import Engineer, ServiceAgreement, ServicePolicy, SlaPolicy, Ticket


def require_flag(session: Session, ctx: TenantContext, flag: str) -> None:
    """An off flag hides the feature: NotFound, whatever the role (the routes' 404)."""
    if not is_enabled(session, ctx, flag):
        raise NotFound("Not Found")


def flags(ctx: TenantContext) -> dict[str, bool]:
    """The service flags of the tenant (what the pages show or hide)."""
    with tenant_session(ctx) as session:
        return {
            f: is_enabled(session, ctx, f)
            for f in (ENABLE_SERVICE_POLICIES, ENABLE_RESP_ORG_ASSIGNMENT, ENABLE_ENGINEERS)
        }


# policies


def policy_public(row: ServicePolicy) -> PolicyPublic:
    return PolicyPublic(
        id=row.id,
        code=row.code,
        name=row.name,
        manufacturer_org_id=row.manufacturer_org_id,
        category=row.category,
        steps=[StepPublic.model_validate(s) for s in row.steps],
        default_org_id=row.default_org_id,
        priority=row.priority,
        enabled=row.enabled,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        created_at=row.created_at,
    )


def policy_page(ctx: TenantContext, *, limit: int | None = None, cursor: str | None = None) -> Page[PolicyPublic]:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        page = policies.list_policies(session, ctx, limit=limit, cursor=cursor)
        return Page([policy_public(p) for p in page.items], page.next_cursor)


def policy(ctx: TenantContext, policy_id: uuid.UUID) -> PolicyPublic:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        return policy_public(policies.get_policy(session, ctx, policy_id))


def certification_page(
    ctx: TenantContext, *, org_id: uuid.UUID | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[CertificationPublic]:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        page = policies.list_certifications(session, ctx, org_id=org_id, limit=limit, cursor=cursor)
        return Page([CertificationPublic.model_validate(c, from_attributes=True) for c in page.items], page.next_cursor)


def explain_responsibility(
    ctx: TenantContext,
    *,
    dealer_org_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    region: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """ "Why this organization?" for a ticket not opened yet: the responsible organization the
    policies name for this dealer, SKU, region and instant (default now), every policy and step
    explained (engine.service.policy.Responsibility.to_dict)."""
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        answer = policies.resolve_responsibility(
            session, ctx, at=at or utcnow(), dealer_org_id=dealer_org_id, sku_id=sku_id, region=region
        )
        return answer.to_dict()


# tickets


def _ticket_names(session: Session, ctx: TenantContext, rows: list[Ticket]):
    org_ids = {r.responsible_org_id for r in rows} | {r.dealer_org_id for r in rows}
    orgs, skus = names_by_id(session, ctx, org_ids, {r.sku_id for r in rows})
    eng_ids = [r.assigned_engineer_id for r in rows if r.assigned_engineer_id]
    names: dict[uuid.UUID, str] = {}
    if eng_ids:
        found = session.exec(select(Engineer).where(Engineer.tenant_id == ctx.tenant_id, col(Engineer.id).in_(eng_ids)))
        names = {e.id: e.name for e in found}
    return orgs, skus, names


def _name(orgs: dict[uuid.UUID, Any], org_id: uuid.UUID | None) -> str | None:
    found = orgs.get(org_id) if org_id is not None else None
    return found.name if found is not None else None


def _ticket_fields(t: Ticket, orgs, names, now: datetime) -> dict[str, Any]:
    def org_name(org_id):
        return orgs[org_id].name if org_id in orgs else None

    return {
        "id": t.id,
        "code": t.code,
        "title": t.title,
        "priority": t.priority,
        "status": t.status,
        "region": t.region,
        "dealer_org_id": t.dealer_org_id,
        "dealer": org_name(t.dealer_org_id),
        "responsible_org_id": t.responsible_org_id,
        "responsible_org": org_name(t.responsible_org_id),
        "assigned_engineer_id": t.assigned_engineer_id,
        "assigned_engineer": names.get(t.assigned_engineer_id),
        "opened_at": t.opened_at,
        "response_due_at": t.response_due_at,
        "resolution_due_at": t.resolution_due_at,
        "first_response_at": t.first_response_at,
        "resolved_at": t.resolved_at,
        "response_breached": tickets.is_breached(t, "response", now),
        "resolution_breached": tickets.is_breached(t, "resolution", now),
    }


def ticket_page(
    ctx: TenantContext,
    *,
    status: str | None = None,
    priority: str | None = None,
    responsible_org_id: uuid.UUID | None = None,
    engineer_id: uuid.UUID | None = None,
    breached: bool | None = None,
    q: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[TicketPublic]:
    ctx.require(SERVICE_READ)
    now = utcnow()
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        page = tickets.list_tickets(
            session,
            ctx,
            status=status,
            priority=priority,
            responsible_org_id=responsible_org_id,
            engineer_id=engineer_id,
            breached=breached,
            q=q,
            now=now,
            limit=limit,
            cursor=cursor,
        )
        orgs, _, names = _ticket_names(session, ctx, page.items)
        return Page([TicketPublic(**_ticket_fields(t, orgs, names, now)) for t in page.items], page.next_cursor)


def ticket_detail_of(session: Session, ctx: TenantContext, t: Ticket) -> TicketDetailPublic:
    now = utcnow()
    orgs, skus, names = _ticket_names(session, ctx, [t])
    channel = session.get(Channel, t.channel_id) if t.channel_id else None
    return TicketDetailPublic(
        **_ticket_fields(t, orgs, names, now),
        description=t.description,
        sku_id=t.sku_id,
        sku=skus[t.sku_id].code if t.sku_id is not None and t.sku_id in skus else None,
        channel_id=t.channel_id,
        channel=channel.code if channel is not None and channel.tenant_id == ctx.tenant_id else None,
        required_skills=list(t.required_skills or []),
        policy_id=t.policy_id,
        policy_provenance=t.policy_provenance,
        agreement_id=t.agreement_id,
        sla_policy_id=t.sla_policy_id,
        sla_provenance=t.sla_provenance,
        assigned_at=t.assigned_at,
        assignment_note=t.assignment_note,
        opened_by=t.opened_by,
        actions=[
            ActionPublic(action=a.action, label=a.display, reason_required=a.reason_required)
            for a in TICKET_MACHINE.actions_for(t, ctx)
        ],
    )


def ticket(ctx: TenantContext, ticket_id: uuid.UUID | str) -> TicketDetailPublic:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        return ticket_detail_of(session, ctx, tickets.get_ticket(session, ctx, ticket_id))


def _ranked(r: eligibility.Ranked) -> RankedPublic:
    return RankedPublic.model_validate(r.to_dict())


def ticket_eligible_engineers(ctx: TenantContext, ticket_id: uuid.UUID | str) -> EligibilityPublic:
    """Every engineer for the ticket: the eligible ranked (rank 1 best), then the others, each with why."""
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        require_flag(session, ctx, ENABLE_ENGINEERS)
        t = tickets.get_ticket(session, ctx, ticket_id)
        ranked = tickets.eligible_engineers(session, ctx, t, utcnow())
        orgs, _, _ = _ticket_names(session, ctx, [t])
        need = NeedPublic(
            skills=list(t.required_skills or []),
            region=t.region,
            org_id=t.responsible_org_id,
            org_name=_name(orgs, t.responsible_org_id),
        )
        return EligibilityPublic(need=need, rule=eligibility.RANK_RULE, items=[_ranked(r) for r in ranked])


# engineers


def engineer_public(p: EngineerParts) -> EngineerPublic:
    e = p.engineer
    return EngineerPublic(
        id=e.id,
        code=e.code,
        name=e.name,
        email=e.email,
        home_region=e.home_region,
        is_active=e.is_active,
        memberships=[
            MembershipPublic(
                org_id=m.org_id,
                org_name=name,
                role=m.role,
                effective_from=m.effective_from,
                effective_to=m.effective_to,
            )
            for m, name in p.memberships
        ],
        skills=[SkillPublic(skill=s.skill, level=s.level) for s in p.skills],
        coverage=[CoveragePublic(region=c.region, primary=c.is_primary) for c in p.coverage],
        open_tickets=p.open_tickets,
    )


def engineer_page(
    ctx: TenantContext,
    *,
    q: str | None = None,
    org_id: uuid.UUID | None = None,
    skill: str | None = None,
    region: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[EngineerPublic]:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_ENGINEERS)
        page = engineers.list_engineers(
            session, ctx, q=q, org_id=org_id, skill=skill, region=region, limit=limit, cursor=cursor
        )
        return Page([engineer_public(p) for p in engineers.parts_of(session, ctx, page.items)], page.next_cursor)


def engineer(ctx: TenantContext, engineer_id: uuid.UUID | str) -> EngineerPublic:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_ENGINEERS)
        [parts] = engineers.parts_of(session, ctx, [engineers.get_engineer(session, ctx, engineer_id)])
        return engineer_public(parts)


def eligible_engineers(
    ctx: TenantContext,
    *,
    skills: list[str],
    region: str | None = None,
    org_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> EligibilityPublic:
    """`GET /engineers/eligible`: every engineer ranked for work needing `skills` in `region` (for
    `org_id`'s members when given)."""
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_ENGINEERS)
        org_name = None
        if org_id is not None:
            orgs, _ = names_by_id(session, ctx, {org_id})
            if org_id not in orgs:
                raise ValidationFailed(
                    f"org_id: no organization {org_id} in this tenant", fields={"org_id": "not found"}
                )
            org_name = orgs[org_id].name
        need = eligibility.Need(
            skills=tuple(dict.fromkeys(skills)),
            region=region,
            org_id=str(org_id) if org_id else None,
            org_name=org_name,
        )
        ranked = eligibility.rank(need, engineers.engineer_facts(engineers.candidates(session, ctx), at or utcnow()))
        return EligibilityPublic(
            need=NeedPublic(skills=list(need.skills), region=region, org_id=org_id, org_name=org_name),
            rule=eligibility.RANK_RULE,
            items=[_ranked(r) for r in ranked],
        )


# agreements and SLA policies


def sla_public(p: SlaPolicy) -> SlaPolicyPublic:
    return SlaPolicyPublic.model_validate(p, from_attributes=True)


def agreement_public(session: Session, ctx: TenantContext, rows: list[ServiceAgreement]) -> list[AgreementPublic]:
    orgs, _ = names_by_id(session, ctx, {a.provider_org_id for a in rows} | {a.customer_org_id for a in rows})
    slas = agreements.policies_of(session, ctx, [a.id for a in rows])
    return [
        AgreementPublic(
            id=a.id,
            code=a.code,
            name=a.name,
            provider_org_id=a.provider_org_id,
            provider=orgs[a.provider_org_id].name if a.provider_org_id in orgs else str(a.provider_org_id),
            customer_org_id=a.customer_org_id,
            customer=_name(orgs, a.customer_org_id),
            effective_from=a.effective_from,
            effective_to=a.effective_to,
            notes=a.notes,
            sla_policies=[sla_public(p) for p in slas[a.id]],
        )
        for a in rows
    ]


def agreement_page(
    ctx: TenantContext, *, org_id: uuid.UUID | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[AgreementPublic]:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        page = agreements.list_agreements(session, ctx, org_id=org_id, limit=limit, cursor=cursor)
        return Page(agreement_public(session, ctx, page.items), page.next_cursor)


def agreement(ctx: TenantContext, agreement_id: uuid.UUID | str) -> AgreementPublic:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        [found] = agreement_public(session, ctx, [agreements.get_agreement(session, ctx, agreement_id)])
        return found


def sla_policy_page(
    ctx: TenantContext, *, agreement_id: uuid.UUID | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[SlaPolicyPublic]:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        page = agreements.list_sla_policies(session, ctx, agreement_id=agreement_id, limit=limit, cursor=cursor)
        return Page([sla_public(p) for p in page.items], page.next_cursor)


def try_sla(
    ctx: TenantContext,
    *,
    response_hours_expr: str,
    resolution_hours_expr: str,
    priority: str,
    channel: str | None,
    region: str | None,
) -> dict[str, Any]:
    """Check and evaluate SLA rules for a made-up ticket (nothing is stored): the formula engine's
    values and tape, or a 422 naming the rule with line and column."""
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
    compiled = sla.compile_rules(response_hours_expr, resolution_hours_expr)
    return sla.evaluate(compiled, priority=priority, channel=channel, region=region).to_dict()


# pickers of the pages


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class Pickers:
    """What the service pages offer in their pickers: dealers, active SKUs, active channels, and the
    organizations that provide service (distributors, service partners, manufacturers)."""

    dealers: list[Choice]
    skus: list[Choice]
    channels: list[Choice]
    providers: list[Choice]


def pickers(ctx: TenantContext) -> Pickers:
    ctx.require(SERVICE_READ)
    with tenant_session(ctx) as session:
        require_flag(session, ctx, ENABLE_SERVICE_POLICIES)
        org_rows = session.exec(
            select(Organization).where(Organization.tenant_id == ctx.tenant_id).order_by(col(Organization.name))
        ).all()
        sku_rows = session.exec(
            select(Sku).where(Sku.tenant_id == ctx.tenant_id, col(Sku.is_active)).order_by(col(Sku.code))
        ).all()
        channel_rows = session.exec(
            select(Channel)
            .where(Channel.tenant_id == ctx.tenant_id, col(Channel.is_active))
            .order_by(col(Channel.code))
        ).all()
    return Pickers(
        dealers=[Choice(str(o.id), o.name) for o in org_rows if o.type == "dealer"],
        skus=[Choice(str(s.id), f"{s.code} — {s.name}") for s in sku_rows],
        channels=[Choice(str(c.id), f"{c.code} — {c.name}") for c in channel_rows],
        providers=[
            Choice(str(o.id), f"{o.name} ({o.type.replace('_', ' ')})")
            for o in org_rows
            if o.type in ("manufacturer", "distributor", "service_partner", "dealer")
        ],
    )
