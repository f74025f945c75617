"""Members of a tenant as repositories taking (session, ctx): the page of members, a role change
and a deactivation, each with the guard rails of engine.people.rules, audited, in the caller's
transaction. Live sessions are touched by the actions after the commit (models.people.actions)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound
from engine.people import rules
from engine.people.machines import MEMBERSHIP_MACHINE
from engine.rbac import Role
from models.core import mutations
from models.core.decisions import decide, lock_for_decision
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.tables import Membership, User


@dataclass(frozen=True)
class MemberView:
    user_id: uuid.UUID
    email: str
    display_name: str
    role: str
    status: str
    organization_id: uuid.UUID | None
    last_sign_in_at: datetime | None
    joined_at: datetime


def _view(membership: Membership, user: User) -> MemberView:
    return MemberView(
        user_id=membership.user_id,
        email=user.email,
        display_name=user.display_name,
        role=membership.role,
        status=membership.status,
        organization_id=membership.organization_id,
        last_sign_in_at=membership.last_sign_in_at,
        joined_at=membership.created_at,
    )


def member_page(session: Session, ctx: TenantContext, *, limit: int | None, cursor: str | None) -> Page[MemberView]:
    """Oldest membership first (the founding owner on top), keyset-paginated."""
    query = select(Membership).where(Membership.tenant_id == ctx.tenant_id)
    page = keyset_page(
        session, query, col(Membership.created_at), col(Membership.id), limit=limit, cursor=cursor, parse=parse_instant
    )
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_([m.user_id for m in page.items])))}
    return Page([_view(m, users[m.user_id]) for m in page.items], page.next_cursor)


def member_view(session: Session, ctx: TenantContext, membership: Membership) -> MemberView:
    user = session.get(User, membership.user_id)
    if user is None:
        raise NotFound("member not found")
    return _view(membership, user)


def member_by_email(session: Session, ctx: TenantContext, email: str) -> MemberView:
    row = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.tenant_id == ctx.tenant_id, func.lower(col(User.email)) == email)
    ).first()
    if row is None:
        raise NotFound(f"{email} is not a member of this tenant", fields={"email": "not a member"})
    return _view(*row)


def load_member(session: Session, ctx: TenantContext, user_id: uuid.UUID) -> Membership:
    row = session.exec(
        select(Membership).where(Membership.tenant_id == ctx.tenant_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound("member not found", fields={"user_id": "not a member of this tenant"})
    return row


def active_owners(session: Session, ctx: TenantContext) -> int:
    """Active owners, their rows locked: two owners demoting each other at once cannot both pass
    the last-owner check."""
    ids = session.execute(
        text(
            "select id from memberships where tenant_id = :t and role = 'owner' and status = 'active' "
            "order by id for update"
        ),
        {"t": str(ctx.tenant_id)},
    ).all()
    return len(ids)


def _guard(session: Session, ctx: TenantContext, membership: Membership, *, removing_owner: bool) -> None:
    rules.check_may_touch(ctx.role, Role(membership.role))
    if membership.status != "active":
        raise Conflict("this member is deactivated; invite them again to give them access")
    rules.check_keeps_an_owner(Role(membership.role), active_owners(session, ctx), removing=removing_owner)


def change_role(session: Session, ctx: TenantContext, user_id: uuid.UUID, role: str) -> Membership:
    new = rules.parse_role(role)
    membership = load_member(session, ctx, user_id)
    lock_for_decision(session, MEMBERSHIP_MACHINE, membership)
    current = Role(membership.role)
    rules.check_may_grant(ctx.role, new)
    rules.check_role_change(current, new)
    _guard(session, ctx, membership, removing_owner=new is not Role.OWNER)
    if new is current:
        return membership
    return mutations.update(session, ctx, membership, {"role": new.value}, action="membership.role_change")


def deactivate(session: Session, ctx: TenantContext, user_id: uuid.UUID, reason: str | None) -> Membership:
    membership = load_member(session, ctx, user_id)
    rules.check_not_self(ctx.user_id, membership.user_id)
    lock_for_decision(session, MEMBERSHIP_MACHINE, membership)
    _guard(session, ctx, membership, removing_owner=True)
    decide(session, ctx, MEMBERSHIP_MACHINE, membership, "deactivate", reason=reason)
    return membership
