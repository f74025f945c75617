"""Organizations (manufacturers, distributors, dealers, suppliers, competitors, service partners)
and the relationships between them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from engine.catalog.machines import ORG_STATUS
from engine.catalog.profiles import validate_profile
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.catalog.inputs import OrgCreate, OrgUpdate, RelationshipCreate
from models.catalog.listing import matching
from models.catalog.tables import Organization, OrgRelationship
from models.core.base import utcnow
from models.core.decisions import decide
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.repo import create, get_in_tenant, reference, update


def list_orgs(
    session: Session,
    ctx: TenantContext,
    *,
    type: str | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Organization]:
    query = select(Organization).where(Organization.tenant_id == ctx.tenant_id)
    if type:
        query = query.where(Organization.type == type)
    if status:
        query = query.where(Organization.status == status)
    query = matching(query, q, Organization.name, Organization.code)
    return keyset_page(session, query, Organization.name, Organization.id, limit=limit, cursor=cursor)


def get_org(session: Session, ctx: TenantContext, org_id: uuid.UUID | str) -> Organization:
    return get_in_tenant(session, ctx, Organization, org_id, "organization")


def orgs_by_id(session: Session, ctx: TenantContext, ids: set[uuid.UUID]) -> dict[uuid.UUID, Organization]:
    if not ids:
        return {}
    rows = session.exec(
        select(Organization).where(Organization.tenant_id == ctx.tenant_id, col(Organization.id).in_(ids))
    ).all()
    return {r.id: r for r in rows}


def create_org(
    session: Session, ctx: TenantContext, data: OrgCreate, *, org_id: uuid.UUID | None = None
) -> Organization:
    profile = validate_profile(data.type, data.profile)
    row = Organization(
        id=org_id or uuid.uuid4(),
        tenant_id=ctx.tenant_id,
        type=data.type,
        code=data.code,
        name=data.name,
        profile=profile,
    )
    return create(session, ctx, row, action="organization.create")


def update_org(session: Session, ctx: TenantContext, org_id: uuid.UUID | str, data: OrgUpdate) -> Organization:
    """Audited edit of code, name and profile (the profile is replaced and validated for the org's type)."""
    org = get_org(session, ctx, org_id)
    extra = {"profile": validate_profile(org.type, data.profile)} if "profile" in data.model_fields_set else None
    return update(session, ctx, org, data, action="organization.update", extra=extra)


def change_org_status(
    session: Session,
    ctx: TenantContext,
    org_id: uuid.UUID | str,
    action: str,
    reason: str | None,
    expected_status: str | None = None,
) -> Organization:
    """Hold / suspend / reinstate / archive, through the decision path. `expected_status`: the
    status the user saw; a stale one is refused with 409 naming the current status."""
    org = get_org(session, ctx, org_id)
    decide(
        session,
        ctx,
        ORG_STATUS,
        org,
        action,
        reason=reason,
        details={"org_type": org.type, "code": org.code},
        expected_status=expected_status,
    )
    return org


def list_relationships(
    session: Session,
    ctx: TenantContext,
    org_id: uuid.UUID | str,
    *,
    direction: str = "both",
    type: str | None = None,
    at: datetime | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[OrgRelationship]:
    """Relationships from and/or to the organization; `at` keeps only those effective then."""
    org = get_org(session, ctx, org_id)
    query = select(OrgRelationship).where(OrgRelationship.tenant_id == ctx.tenant_id)
    if direction == "from":
        query = query.where(OrgRelationship.from_org_id == org.id)
    elif direction == "to":
        query = query.where(OrgRelationship.to_org_id == org.id)
    else:
        query = query.where(or_(col(OrgRelationship.from_org_id) == org.id, col(OrgRelationship.to_org_id) == org.id))
    if type:
        query = query.where(OrgRelationship.type == type)
    if at is not None:
        query = query.where(
            OrgRelationship.effective_from <= at,
            or_(col(OrgRelationship.effective_to).is_(None), col(OrgRelationship.effective_to) > at),
        )
    return keyset_page(
        session,
        query,
        OrgRelationship.effective_from,
        OrgRelationship.id,
        limit=limit,
        cursor=cursor,
        parse=parse_instant,
    )


def create_relationship(
    session: Session, ctx: TenantContext, data: RelationshipCreate, *, rel_id: uuid.UUID | None = None
) -> OrgRelationship:
    if data.from_org_id == data.to_org_id:
        raise ValidationFailed("an organization cannot relate to itself", fields={"to_org_id": "same as from_org_id"})
    start = data.effective_from or utcnow()
    if data.effective_to is not None and data.effective_to <= start:
        raise ValidationFailed("effective_to must be after effective_from", fields={"effective_to": "not after start"})
    reference(session, ctx, Organization, data.from_org_id, "from_org_id", "organization")
    reference(session, ctx, Organization, data.to_org_id, "to_org_id", "organization")
    row = OrgRelationship(
        id=rel_id or uuid.uuid4(),
        tenant_id=ctx.tenant_id,
        from_org_id=data.from_org_id,
        to_org_id=data.to_org_id,
        type=data.type,
        effective_from=start,
        effective_to=data.effective_to,
        note=data.note,
    )
    return create(session, ctx, row, action="org_relationship.create", unique_field="id")
