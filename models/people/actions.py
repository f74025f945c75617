"""Writes of the people area for routes, pages and the CLI: each checks the permission, owns the
transaction, and after the commit carries the change into live sessions (a deactivated member's
sessions in the tenant end now; a role change reaches the member's next request or event)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from engine.context import TenantContext
from engine.people.permissions import USERS_MANAGE
from models.core import sessions
from models.core.db import tenant_session
from models.core.decision_actions import DecisionOutcome, take_decision
from models.people import invitations, members
from models.people.invitations import INVITATIONS, InvitationView, accept_path, invitation_view
from models.people.members import MemberView


@dataclass(frozen=True)
class InvitationCreated:
    invitation: InvitationView
    accept_path: str  # holds the raw token: shown to the inviter once, never stored


def invite(ctx: TenantContext, email: str, role: str, organization_id: uuid.UUID | None = None) -> InvitationCreated:
    ctx.require(USERS_MANAGE)
    with tenant_session(ctx) as session:
        row, token = invitations.create_invitation(session, ctx, email, role, organization_id)
        return InvitationCreated(invitation_view(row), accept_path(token))


def decide_invitation(
    ctx: TenantContext, invitation_id: uuid.UUID, action: str, reason: str | None, expected_status: str | None = None
) -> DecisionOutcome:
    """CANCEL / WITHDRAW / RESEND, the same path as `POST /api/invitations/{id}/update`."""
    return take_decision(ctx, INVITATIONS, invitation_id, action, reason, expected_status)


def change_role(ctx: TenantContext, user_id: uuid.UUID, role: str) -> MemberView:
    ctx.require(USERS_MANAGE)
    with tenant_session(ctx) as session:
        membership = members.change_role(session, ctx, user_id, role)
        view = members.member_view(session, ctx, membership)
    sessions.set_member_role(ctx.tenant_id, user_id, view.role)
    return view


def deactivate(ctx: TenantContext, user_id: uuid.UUID, reason: str | None) -> MemberView:
    ctx.require(USERS_MANAGE)
    with tenant_session(ctx) as session:
        membership = members.deactivate(session, ctx, user_id, reason)
        view = members.member_view(session, ctx, membership)
    sessions.revoke_member_sessions(ctx.tenant_id, user_id)
    return view
