"""Read models of the people area for routes and pages: each takes ctx (or, for the public accept
page, a token), checks the permission and opens its own transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from engine.context import TenantContext
from engine.errors import DomainError
from engine.people.machines import INVITATION_MACHINE
from engine.people.permissions import INVITATIONS_READ, USERS_MANAGE
from models.core.base import utcnow
from models.core.db import tenant_session
from models.core.identity import validate_email
from models.core.pagination import Page
from models.people import accept, invitations, members
from models.people.invitations import InvitationView
from models.people.members import MemberView
from models.people.tables import Invitation


def member_page(ctx: TenantContext, *, limit: int | None = None, cursor: str | None = None) -> Page[MemberView]:
    ctx.require(USERS_MANAGE)
    with tenant_session(ctx) as session:
        return members.member_page(session, ctx, limit=limit, cursor=cursor)


def invitation_page(ctx: TenantContext, *, limit: int | None = None, cursor: str | None = None) -> Page[InvitationView]:
    ctx.require(USERS_MANAGE)
    with tenant_session(ctx) as session:
        return invitations.invitation_page(session, ctx, limit=limit, cursor=cursor)


@dataclass(frozen=True)
class InvitationDetail:
    invitation: InvitationView
    actions: list[dict[str, str]]  # the buttons this user has now (from the machine)


def invitation_detail(ctx: TenantContext, invitation_id: uuid.UUID) -> InvitationDetail:
    ctx.require(INVITATIONS_READ)
    with tenant_session(ctx) as session:
        row = invitations.get_invitation(session, ctx, invitation_id)
        buttons = [
            {"action": t.action, "label": t.display, "reason_required": "yes" if t.reason_required else ""}
            for t in INVITATION_MACHINE.actions_for(row, ctx)
        ]
        return InvitationDetail(invitations.invitation_view(row), buttons)


@dataclass(frozen=True)
class InvitePreview:
    """What the public accept page shows before anyone signs in: whom, where, as what."""

    tenant_name: str
    email: str
    role: str
    usable: bool
    problem: str  # why it cannot be accepted (empty when usable)


def invite_preview(token: str) -> InvitePreview:
    """The invitation a token names, as the person holding the link may see it."""
    try:
        found = accept.lookup(token)
    except DomainError as exc:
        return InvitePreview("", "", "", False, exc.message)
    with tenant_session(TenantContext.system(found.tenant_id, found.tenant_slug)) as session:
        row = session.get(Invitation, found.invitation_id)
        if row is None:
            return InvitePreview("", "", "", False, accept.UNKNOWN)
        problem = accept.REFUSED.get(row.status, "") if row.status != "pending" else ""
        if not problem and row.expires_at <= utcnow():
            problem = accept.REFUSED["expired"]
        return InvitePreview(found.tenant_name, row.email, row.role, not problem, problem)


def member_by_email(ctx: TenantContext, email: str) -> MemberView:
    ctx.require(USERS_MANAGE)
    with tenant_session(ctx) as session:
        return members.member_by_email(session, ctx, validate_email(email))
