"""Agreements between organizations and their SLA policies (repositories), and the SLA of a ticket:
which agreement and policy apply (engine.service.sla.choose) and what their rules give."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.service import sla
from models.catalog.tables import Organization
from models.core.pagination import Page, keyset_page
from models.core.repo import create, get_in_tenant, reference
from models.service.inputs import AgreementCreate, SlaPolicyCreate
from models.service.tables import ServiceAgreement, SlaPolicy


def list_agreements(
    session: Session,
    ctx: TenantContext,
    *,
    org_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[ServiceAgreement]:
    query = select(ServiceAgreement).where(ServiceAgreement.tenant_id == ctx.tenant_id)
    if org_id:
        query = query.where(
            (col(ServiceAgreement.provider_org_id) == org_id) | (col(ServiceAgreement.customer_org_id) == org_id)
        )
    return keyset_page(session, query, ServiceAgreement.code, ServiceAgreement.id, limit=limit, cursor=cursor)


def get_agreement(session: Session, ctx: TenantContext, agreement_id: uuid.UUID | str) -> ServiceAgreement:
    return get_in_tenant(session, ctx, ServiceAgreement, agreement_id, "agreement")


def create_agreement(
    session: Session, ctx: TenantContext, data: AgreementCreate, *, agreement_id: uuid.UUID | None = None
) -> ServiceAgreement:
    reference(session, ctx, Organization, data.provider_org_id, "provider_org_id", "organization")
    if data.customer_org_id:
        reference(session, ctx, Organization, data.customer_org_id, "customer_org_id", "organization")
    row = ServiceAgreement(id=agreement_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **data.model_dump())
    return create(session, ctx, row, action="service_agreement.create")


def list_sla_policies(
    session: Session,
    ctx: TenantContext,
    *,
    agreement_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[SlaPolicy]:
    query = select(SlaPolicy).where(SlaPolicy.tenant_id == ctx.tenant_id)
    if agreement_id:
        query = query.where(SlaPolicy.agreement_id == agreement_id)
    return keyset_page(session, query, SlaPolicy.code, SlaPolicy.id, limit=limit, cursor=cursor)


def policies_of(
    session: Session, ctx: TenantContext, agreement_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[SlaPolicy]]:
    found: dict[uuid.UUID, list[SlaPolicy]] = {i: [] for i in agreement_ids}
    if agreement_ids:
        rows = session.exec(
            select(SlaPolicy)
            .where(SlaPolicy.tenant_id == ctx.tenant_id, col(SlaPolicy.agreement_id).in_(agreement_ids))
            .order_by(col(SlaPolicy.code))
        ).all()
        for row in rows:
            found[row.agreement_id].append(row)
    return found


def get_sla_policy(session: Session, ctx: TenantContext, sla_policy_id: uuid.UUID | str) -> SlaPolicy:
    return get_in_tenant(session, ctx, SlaPolicy, sla_policy_id, "SLA policy")


def create_sla_policy(
    session: Session, ctx: TenantContext, data: SlaPolicyCreate, *, sla_policy_id: uuid.UUID | None = None
) -> SlaPolicy:
    """The rules are checked by the formula language's validator first (422 naming the rule)."""
    agreement = reference(session, ctx, ServiceAgreement, data.agreement_id, "agreement_id", "agreement")
    sla.compile_rules(data.response_hours_expr, data.resolution_hours_expr)
    if data.effective_from < agreement.effective_from:
        raise ValidationFailed(
            f"effective_from: an SLA policy cannot start before its agreement ({agreement.effective_from.isoformat()})",
            fields={"effective_from": "before the agreement starts"},
        )
    row = SlaPolicy(id=sla_policy_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **data.model_dump())
    return create(session, ctx, row, action="sla_policy.create")


# the SLA of a ticket


def _agreement(a: ServiceAgreement) -> sla.Agreement:
    return sla.Agreement(
        id=str(a.id),
        code=a.code,
        name=a.name,
        provider_org_id=str(a.provider_org_id),
        effective_from=a.effective_from,
        customer_org_id=str(a.customer_org_id) if a.customer_org_id else None,
        effective_to=a.effective_to,
    )


def _policy(p: SlaPolicy) -> sla.SlaPolicy:
    return sla.SlaPolicy(
        id=str(p.id),
        agreement_id=str(p.agreement_id),
        code=p.code,
        name=p.name,
        effective_from=p.effective_from,
        response_hours_expr=p.response_hours_expr,
        resolution_hours_expr=p.resolution_hours_expr,
        effective_to=p.effective_to,
        priority=p.priority,
    )


@dataclass(frozen=True)
class TicketSla:
    agreement_id: uuid.UUID | None
    sla_policy_id: uuid.UUID | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    provenance: dict[str, Any]


def ticket_sla(
    session: Session,
    ctx: TenantContext,
    *,
    at: datetime,
    responsible_org_id: uuid.UUID | None,
    dealer_org_id: uuid.UUID | None,
    manufacturer_org_id: uuid.UUID | None,
    priority: str,
    channel: str | None,
    region: str | None,
) -> TicketSla:
    """Which agreement and SLA policy apply to a ticket opened at `at`, and its due times."""
    rows: list[ServiceAgreement] = []
    if responsible_org_id is not None:
        rows = list(
            session.exec(
                select(ServiceAgreement).where(
                    ServiceAgreement.tenant_id == ctx.tenant_id, ServiceAgreement.provider_org_id == responsible_org_id
                )
            ).all()
        )
    pols = [p for ps in policies_of(session, ctx, [a.id for a in rows]).values() for p in ps]
    choice = sla.choose(
        at,
        str(responsible_org_id) if responsible_org_id else None,
        str(dealer_org_id) if dealer_org_id else None,
        str(manufacturer_org_id) if manufacturer_org_id else None,
        [_agreement(a) for a in rows],
        [_policy(p) for p in pols],
    )
    provenance: dict[str, Any] = choice.to_dict()
    if choice.policy is None:
        return TicketSla(None, None, None, None, provenance)
    compiled = sla.compile_rules(choice.policy.response_hours_expr, choice.policy.resolution_hours_expr)
    hours = sla.evaluate(compiled, priority=priority, channel=channel, region=region)
    provenance["evaluation"] = hours.to_dict()
    assert choice.agreement is not None
    return TicketSla(
        uuid.UUID(choice.agreement.id),
        uuid.UUID(choice.policy.id),
        sla.due_at(at, hours.response.hours),
        sla.due_at(at, hours.resolution.hours),
        provenance,
    )
