"""Engineers, their organization memberships, skills and coverage (repositories), and the facts the
eligibility ranking reads (engine.service.eligibility)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.service import eligibility
from engine.service.machines import TICKET_MACHINE
from models.catalog.listing import matching
from models.catalog.orgs import orgs_by_id
from models.catalog.tables import Organization
from models.core import mutations
from models.core.base import utcnow
from models.core.pagination import Page, keyset_page
from models.core.repo import create, get_in_tenant, reference, update
from models.service.inputs import CoverageInput, EngineerCreate, EngineerUpdate, MembershipInput, SkillInput
from models.service.tables import Engineer, EngineerCoverage, EngineerMembership, EngineerSkill, Ticket

OPEN_STATUSES = tuple(s for s in TICKET_MACHINE.statuses if s not in TICKET_MACHINE.terminal and s != "resolved")


@dataclass(frozen=True)
class EngineerParts:
    """An engineer with its lists (memberships with the organizations' names)."""

    engineer: Engineer
    memberships: list[tuple[EngineerMembership, str]]
    skills: list[EngineerSkill]
    coverage: list[EngineerCoverage]
    open_tickets: int


def list_engineers(
    session: Session,
    ctx: TenantContext,
    *,
    q: str | None = None,
    org_id: uuid.UUID | None = None,
    skill: str | None = None,
    region: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Engineer]:
    query = select(Engineer).where(Engineer.tenant_id == ctx.tenant_id)
    if org_id:
        query = query.where(
            col(Engineer.id).in_(
                select(EngineerMembership.engineer_id).where(
                    EngineerMembership.tenant_id == ctx.tenant_id, EngineerMembership.org_id == org_id
                )
            )
        )
    if skill:
        query = query.where(
            col(Engineer.id).in_(
                select(EngineerSkill.engineer_id).where(
                    EngineerSkill.tenant_id == ctx.tenant_id, EngineerSkill.skill == skill
                )
            )
        )
    if region:
        query = query.where(
            col(Engineer.id).in_(
                select(EngineerCoverage.engineer_id).where(
                    EngineerCoverage.tenant_id == ctx.tenant_id,
                    func.lower(EngineerCoverage.region) == region.strip().lower(),
                )
            )
        )
    query = matching(query, q, Engineer.name, Engineer.code)
    return keyset_page(session, query, Engineer.name, Engineer.id, limit=limit, cursor=cursor)


def get_engineer(session: Session, ctx: TenantContext, engineer_id: uuid.UUID | str) -> Engineer:
    return get_in_tenant(session, ctx, Engineer, engineer_id, "engineer")


def _by_engineer(session: Session, ctx: TenantContext, model, ids: list[uuid.UUID]) -> dict[uuid.UUID, list]:
    found: dict[uuid.UUID, list] = {i: [] for i in ids}
    if not ids:
        return found
    for row in session.exec(select(model).where(model.tenant_id == ctx.tenant_id, col(model.engineer_id).in_(ids))):
        found[row.engineer_id].append(row)
    return found


def open_ticket_counts(session: Session, ctx: TenantContext, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(Ticket.assigned_engineer_id, func.count())
        .where(
            Ticket.tenant_id == ctx.tenant_id,
            col(Ticket.assigned_engineer_id).in_(ids),
            col(Ticket.status).in_(OPEN_STATUSES),
        )
        .group_by(col(Ticket.assigned_engineer_id))
    ).all()
    return {engineer_id: int(n) for engineer_id, n in rows if engineer_id is not None}


def parts_of(session: Session, ctx: TenantContext, engineers: list[Engineer]) -> list[EngineerParts]:
    ids = [e.id for e in engineers]
    members = _by_engineer(session, ctx, EngineerMembership, ids)
    skills = _by_engineer(session, ctx, EngineerSkill, ids)
    cover = _by_engineer(session, ctx, EngineerCoverage, ids)
    names = orgs_by_id(session, ctx, {m.org_id for ms in members.values() for m in ms})
    counts = open_ticket_counts(session, ctx, ids)
    return [
        EngineerParts(
            e,
            sorted(
                ((m, names[m.org_id].name if m.org_id in names else str(m.org_id)) for m in members[e.id]),
                key=lambda mn: (mn[1], mn[0].effective_from),
            ),
            sorted(skills[e.id], key=lambda s: s.skill),
            sorted(cover[e.id], key=lambda c: (not c.is_primary, c.region)),
            counts.get(e.id, 0),
        )
        for e in engineers
    ]


def _add_lists(
    session: Session,
    ctx: TenantContext,
    engineer: Engineer,
    memberships: list[MembershipInput] | None,
    skills: list[SkillInput] | None,
    coverage: list[CoverageInput] | None,
) -> None:
    """Replace the lists that were sent (each old row deleted and each new row created, audited)."""
    pairs = (
        (memberships, EngineerMembership),
        (skills, EngineerSkill),
        (coverage, EngineerCoverage),
    )
    for items, model in pairs:
        if items is None:
            continue
        for old in session.exec(
            select(model).where(model.tenant_id == ctx.tenant_id, model.engineer_id == engineer.id)
        ).all():
            mutations.delete(session, ctx, old)
    session.flush()
    for i, m in enumerate(memberships or []):
        reference(session, ctx, Organization, m.org_id, f"memberships.{i}.org_id", "organization")
        row = EngineerMembership(
            tenant_id=ctx.tenant_id,
            engineer_id=engineer.id,
            org_id=m.org_id,
            role=m.role,
            effective_from=m.effective_from or utcnow(),
            effective_to=m.effective_to,
        )
        mutations.create(session, ctx, row)
    for s in skills or []:
        mutations.create(
            session, ctx, EngineerSkill(tenant_id=ctx.tenant_id, engineer_id=engineer.id, skill=s.skill, level=s.level)
        )
    for c in coverage or []:
        mutations.create(
            session,
            ctx,
            EngineerCoverage(tenant_id=ctx.tenant_id, engineer_id=engineer.id, region=c.region, is_primary=c.primary),
        )


def create_engineer(
    session: Session, ctx: TenantContext, data: EngineerCreate, *, engineer_id: uuid.UUID | None = None
) -> Engineer:
    row = Engineer(
        id=engineer_id or uuid.uuid4(),
        tenant_id=ctx.tenant_id,
        code=data.code,
        name=data.name,
        email=data.email,
        home_region=data.home_region,
    )
    engineer = create(session, ctx, row, action="engineer.create")
    _add_lists(session, ctx, engineer, data.memberships, data.skills, data.coverage)
    return engineer


def update_engineer(
    session: Session, ctx: TenantContext, engineer_id: uuid.UUID | str, data: EngineerUpdate
) -> Engineer:
    engineer = get_engineer(session, ctx, engineer_id)
    scalar = EngineerUpdate.model_validate(
        data.model_dump(exclude_unset=True, exclude={"memberships", "skills", "coverage"})
    )
    update(session, ctx, engineer, scalar, action="engineer.update", required=("name",))
    sent = data.model_fields_set
    _add_lists(
        session,
        ctx,
        engineer,
        data.memberships if "memberships" in sent else None,
        data.skills if "skills" in sent else None,
        data.coverage if "coverage" in sent else None,
    )
    return engineer


# eligibility


def memberships_at(members: Iterable[tuple[EngineerMembership, str]], at: datetime) -> dict[str, str]:
    return {
        str(m.org_id): name
        for m, name in members
        if m.effective_from <= at and (m.effective_to is None or at < m.effective_to)
    }


def engineer_facts(parts: Iterable[EngineerParts], at: datetime) -> list[eligibility.EngineerFacts]:
    return [
        eligibility.EngineerFacts(
            id=str(p.engineer.id),
            code=p.engineer.code,
            name=p.engineer.name,
            active=p.engineer.is_active,
            orgs=memberships_at(p.memberships, at),
            skills={s.skill: s.level for s in p.skills},
            coverage={c.region: c.is_primary for c in p.coverage},
            open_tickets=p.open_tickets,
        )
        for p in parts
    ]


def candidates(session: Session, ctx: TenantContext) -> list[EngineerParts]:
    """Every engineer of the tenant with its lists (the ineligible are listed too, with their reason)."""
    query = select(Engineer).where(Engineer.tenant_id == ctx.tenant_id).order_by(col(Engineer.name), col(Engineer.id))
    return parts_of(session, ctx, list(session.exec(query).all()))
