"""Service policies and organizations' certifications (repositories), and the facts the policy
resolver reads about a ticket: its product's manufacturer and category, its dealer, the dealer's
distributors at the ticket's instant, every organization a policy names, their coverage (from the
catalog profiles) and certifications (this module's table)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.service import policy as engine_policy
from models.catalog.orgs import orgs_by_id
from models.catalog.tables import Organization, OrgRelationship, Product, Sku
from models.core.pagination import Page, keyset_page
from models.core.repo import create, get_in_tenant, reference, update
from models.service.inputs import CertificationCreate, PolicyInput
from models.service.tables import OrgCertification, ServicePolicy

LIST_LIMIT = 200


# policies


def list_policies(
    session: Session, ctx: TenantContext, *, limit: int | None = None, cursor: str | None = None
) -> Page[ServicePolicy]:
    query = select(ServicePolicy).where(ServicePolicy.tenant_id == ctx.tenant_id)
    return keyset_page(session, query, ServicePolicy.code, ServicePolicy.id, limit=limit, cursor=cursor)


def all_policies(session: Session, ctx: TenantContext) -> list[ServicePolicy]:
    return list(session.exec(select(ServicePolicy).where(ServicePolicy.tenant_id == ctx.tenant_id)).all())


def get_policy(session: Session, ctx: TenantContext, policy_id: uuid.UUID | str) -> ServicePolicy:
    return get_in_tenant(session, ctx, ServicePolicy, policy_id, "service policy")


def _checked(session: Session, ctx: TenantContext, data: PolicyInput) -> dict[str, Any]:
    """The policy's columns, every organization it names checked in this tenant (422 naming it)."""
    if data.manufacturer_org_id:
        maker = reference(session, ctx, Organization, data.manufacturer_org_id, "manufacturer_org_id", "organization")
        if maker.type != "manufacturer":
            raise ValidationFailed(
                f"manufacturer_org_id: {maker.name} is a {maker.type}, not a manufacturer",
                fields={"manufacturer_org_id": "not a manufacturer"},
            )
    if data.default_org_id:
        reference(session, ctx, Organization, data.default_org_id, "default_org_id", "organization")
    for i, step in enumerate(data.steps):
        if step.org_id:
            reference(session, ctx, Organization, step.org_id, f"steps.{i}.org_id", "organization")
    return {
        **data.model_dump(exclude={"steps"}),
        "steps": [s.model_dump(mode="json") for s in data.steps],
    }


def create_policy(
    session: Session, ctx: TenantContext, data: PolicyInput, *, policy_id: uuid.UUID | None = None
) -> ServicePolicy:
    row = ServicePolicy(id=policy_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **_checked(session, ctx, data))
    return create(session, ctx, row, action="service_policy.create")


def replace_policy(
    session: Session, ctx: TenantContext, policy_id: uuid.UUID | str, data: PolicyInput
) -> ServicePolicy:
    """PUT: every field replaced (audited with the before/after of the fields that changed)."""
    row = get_policy(session, ctx, policy_id)
    values = _checked(session, ctx, data)
    return update(session, ctx, row, data, action="service_policy.update", extra=values)


def engine_policies(rows: Iterable[ServicePolicy]) -> list[engine_policy.ServicePolicy]:
    return [
        engine_policy.ServicePolicy(
            id=str(r.id),
            code=r.code,
            name=r.name,
            steps=tuple(
                engine_policy.PolicyStep(
                    role=s["role"],
                    org_id=s.get("org_id"),
                    territories=tuple(s.get("territories") or ()),
                    certification=s.get("certification"),
                )
                for s in r.steps
            ),
            effective_from=r.effective_from,
            effective_to=r.effective_to,
            manufacturer_org_id=str(r.manufacturer_org_id) if r.manufacturer_org_id else None,
            category=r.category,
            default_org_id=str(r.default_org_id) if r.default_org_id else None,
            priority=r.priority,
            enabled=r.enabled,
        )
        for r in rows
    ]


# certifications


def list_certifications(
    session: Session,
    ctx: TenantContext,
    *,
    org_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[OrgCertification]:
    query = select(OrgCertification).where(OrgCertification.tenant_id == ctx.tenant_id)
    if org_id:
        query = query.where(OrgCertification.org_id == org_id)
    return keyset_page(session, query, OrgCertification.code, OrgCertification.id, limit=limit, cursor=cursor)


def create_certification(
    session: Session, ctx: TenantContext, data: CertificationCreate, *, cert_id: uuid.UUID | None = None
) -> OrgCertification:
    reference(session, ctx, Organization, data.org_id, "org_id", "organization")
    row = OrgCertification(id=cert_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **data.model_dump())
    return create(
        session,
        ctx,
        row,
        action="service_certification.create",
        unique_field="code",
        message="this organization already holds this certification from that date",
    )


def certifications_at(
    session: Session, ctx: TenantContext, org_ids: set[uuid.UUID], at: datetime
) -> dict[str, set[str]]:
    """org id (text) → certification codes valid at `at`."""
    if not org_ids:
        return {}
    rows = session.exec(
        select(OrgCertification.org_id, OrgCertification.code).where(
            OrgCertification.tenant_id == ctx.tenant_id,
            col(OrgCertification.org_id).in_(org_ids),
            OrgCertification.valid_from <= at,
            or_(col(OrgCertification.valid_to).is_(None), col(OrgCertification.valid_to) > at),
        )
    ).all()
    found: dict[str, set[str]] = {}
    for org_id, code in rows:
        found.setdefault(str(org_id), set()).add(code)
    return found


# the facts of a ticket


def coverage_of(org: Organization) -> tuple[str, ...] | None:
    """The regions an organization serves according to its catalog profile (None: it states none)."""
    profile = org.profile or {}
    if org.type == "distributor":
        regions = profile.get("regions") or []
    elif org.type == "dealer":
        regions = [profile["region"]] if profile.get("region") else []
    elif org.type == "service_partner":
        regions = profile.get("service_areas") or []
    else:
        regions = []
    return tuple(regions) or None


def _facts(org: Organization, certs: dict[str, set[str]]) -> engine_policy.OrgFacts:
    profile_certs = set((org.profile or {}).get("certifications") or []) if org.type == "service_partner" else set()
    return engine_policy.OrgFacts(
        id=str(org.id),
        name=org.name,
        type=org.type,
        status=org.status,
        coverage=coverage_of(org),
        certifications=frozenset(certs.get(str(org.id), set()) | profile_certs),
    )


def product_of(session: Session, ctx: TenantContext, sku_id: uuid.UUID | None) -> tuple[Sku | None, Product | None]:
    if sku_id is None:
        return None, None
    sku = reference(session, ctx, Sku, sku_id, "sku_id", "SKU")
    product = session.exec(
        select(Product).where(Product.tenant_id == ctx.tenant_id, Product.id == sku.product_id)
    ).first()
    return sku, product


def distributors_of(session: Session, ctx: TenantContext, dealer_id: uuid.UUID, at: datetime) -> list[uuid.UUID]:
    """Organizations with a `distributes_to` relationship to the dealer effective at `at`."""
    rows = session.exec(
        select(OrgRelationship.from_org_id).where(
            OrgRelationship.tenant_id == ctx.tenant_id,
            OrgRelationship.to_org_id == dealer_id,
            OrgRelationship.type == "distributes_to",
            OrgRelationship.effective_from <= at,
            or_(col(OrgRelationship.effective_to).is_(None), col(OrgRelationship.effective_to) > at),
        )
    ).all()
    return list(dict.fromkeys(rows))


def ticket_facts(
    session: Session,
    ctx: TenantContext,
    policies: list[engine_policy.ServicePolicy],
    *,
    at: datetime,
    dealer_org_id: uuid.UUID | None,
    sku_id: uuid.UUID | None,
    region: str | None,
) -> engine_policy.TicketFacts:
    """Everything the resolver needs about a ticket (ids checked in the tenant: 422 naming the field)."""
    dealer = (
        reference(session, ctx, Organization, dealer_org_id, "dealer_org_id", "organization") if dealer_org_id else None
    )
    if dealer is not None and dealer.type != "dealer":
        raise ValidationFailed(
            f"dealer_org_id: {dealer.name} is a {dealer.type}, not a dealer", fields={"dealer_org_id": "not a dealer"}
        )
    _, product = product_of(session, ctx, sku_id)
    maker_id = product.manufacturer_org_id if product else None
    dist_ids = distributors_of(session, ctx, dealer.id, at) if dealer else []
    named = {uuid.UUID(s.org_id) for p in policies for s in p.steps if s.org_id}
    named |= {uuid.UUID(p.default_org_id) for p in policies if p.default_org_id}
    wanted = named | set(dist_ids) | ({maker_id} if maker_id else set()) | ({dealer.id} if dealer else set())
    rows = orgs_by_id(session, ctx, wanted)
    certs = certifications_at(session, ctx, set(rows), at)
    facts = {str(k): _facts(v, certs) for k, v in rows.items()}
    distributors = sorted((facts[str(d)] for d in dist_ids if str(d) in facts), key=lambda o: (o.name, o.id))
    return engine_policy.TicketFacts(
        at=at,
        region=region,
        category=product.category if product else None,
        manufacturer=facts.get(str(maker_id)) if maker_id else None,
        distributors=tuple(distributors),
        dealer=facts.get(str(dealer.id)) if dealer else None,
        orgs=facts,
    )


def resolve_responsibility(
    session: Session,
    ctx: TenantContext,
    *,
    at: datetime,
    dealer_org_id: uuid.UUID | None,
    sku_id: uuid.UUID | None,
    region: str | None,
) -> engine_policy.Responsibility:
    """The responsible organization for a ticket like this one at `at`, explained."""
    policies = engine_policies(all_policies(session, ctx))
    facts = ticket_facts(session, ctx, policies, at=at, dealer_org_id=dealer_org_id, sku_id=sku_id, region=region)
    return engine_policy.resolve(facts, policies)
