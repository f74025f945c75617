"""Members and invitations of the caller's tenant (`/api/members...`), for owners and admins
(`core.users.manage`). Routes only shape what models.people's queries and actions return; the
guard rails (last owner, admins and owners, oneself) and the audit live there.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from app.api.deps import Cursor, Limit, require
from engine.context import TenantContext
from engine.inputs import PlainText
from engine.people.permissions import USERS_MANAGE
from engine.rbac import Role
from engine.text import TextInput
from models.people import actions, queries
from models.people.invitations import InvitationView
from models.people.members import MemberView

router = APIRouter(prefix="/api/members", tags=["members"])
MANAGE = Depends(require(USERS_MANAGE))


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    role: Role
    status: str = Field(description="active or deactivated")
    organization_id: uuid.UUID | None
    last_sign_in_at: datetime | None = Field(description="when a session last entered this tenant, if known")
    joined_at: datetime

    @classmethod
    def of(cls, view: MemberView) -> MemberOut:
        return cls.model_validate(view, from_attributes=True)


class MembersPage(BaseModel):
    items: list[MemberOut]
    next_cursor: str | None


class InvitationOut(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    status: str
    organization_id: uuid.UUID | None
    expires_at: datetime
    invited_by: uuid.UUID | None
    created_at: datetime
    overdue: bool = Field(description="pending but past its expiry: it can no longer be accepted, only resent")

    @classmethod
    def of(cls, view: InvitationView) -> InvitationOut:
        return cls.model_validate(view, from_attributes=True)


class InvitationsPage(BaseModel):
    items: list[InvitationOut]
    next_cursor: str | None


class InvitationCreatedOut(BaseModel):
    invitation: InvitationOut
    accept_url: str = Field(description="the one-time link for the invitee; shown once, never stored")


class InviteRequest(TextInput):
    email: PlainText = Field(min_length=3, max_length=320)
    role: Role
    organization_id: uuid.UUID | None = Field(None, description="the vendor's organization (vendor role only)")


class RoleRequest(TextInput):
    role: Role


class DeactivateRequest(TextInput):
    reason: str = Field(min_length=1, max_length=1000)


def absolute(request: Request, path: str) -> str:
    """A link on the origin the caller used (behind a trusted proxy: the one it forwarded)."""
    return str(request.base_url).rstrip("/") + path


@router.get("", response_model=MembersPage)
def list_members(limit: Limit = 50, cursor: Cursor = None, ctx: TenantContext = MANAGE) -> MembersPage:
    page = queries.member_page(ctx, limit=limit, cursor=cursor)
    return MembersPage(items=[MemberOut.of(m) for m in page.items], next_cursor=page.next_cursor)


@router.get("/invitations", response_model=InvitationsPage)
def list_invitations(limit: Limit = 50, cursor: Cursor = None, ctx: TenantContext = MANAGE) -> InvitationsPage:
    page = queries.invitation_page(ctx, limit=limit, cursor=cursor)
    return InvitationsPage(items=[InvitationOut.of(i) for i in page.items], next_cursor=page.next_cursor)


@router.post("/invitations", status_code=201, response_model=InvitationCreatedOut)
def invite(body: InviteRequest, request: Request, ctx: TenantContext = MANAGE) -> InvitationCreatedOut:
    created = actions.invite(ctx, str(body.email), body.role.value, body.organization_id)
    return InvitationCreatedOut(
        invitation=InvitationOut.of(created.invitation), accept_url=absolute(request, created.accept_path)
    )


@router.patch("/{user_id:uuid}", response_model=MemberOut)
def change_role(user_id: uuid.UUID, body: RoleRequest, ctx: TenantContext = MANAGE) -> MemberOut:
    return MemberOut.of(actions.change_role(ctx, user_id, body.role.value))


@router.post("/{user_id:uuid}/deactivate", response_model=MemberOut)
def deactivate(user_id: uuid.UUID, body: DeactivateRequest, ctx: TenantContext = MANAGE) -> MemberOut:
    return MemberOut.of(actions.deactivate(ctx, user_id, body.reason))
