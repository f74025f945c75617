"""Display rows of the members page: members and invitations as the tables show them, and the
role choices a role may give (an admin never offers "owner")."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.kit import format as fmt
from app.web.kit.rows import Option
from engine.context import TenantContext
from engine.people.machines import INVITATION_MACHINE
from engine.rbac import Role
from models.people import queries
from models.people.invitations import InvitationView
from models.people.members import MemberView

STAFF_ROLES = [r.value for r in Role if r is not Role.VENDOR]


@dataclass(frozen=True)
class MemberRow:
    user_id: str
    email: str
    name: str
    role: str
    status: str
    last_sign_in: str
    joined: str
    # what the row offers this user (the actions check again)
    editable: bool
    removable: bool


@dataclass(frozen=True)
class InvitationRow:
    id: str
    email: str
    role: str
    status: str
    expires: str
    can_cancel: bool
    can_resend: bool


def role_choices(actor: str) -> list[Option]:
    """Roles the page offers to `actor` (vendor access needs an organization: REST or CLI)."""
    return [Option.same(r) for r in STAFF_ROLES if r != Role.OWNER.value or actor == Role.OWNER.value]


def member_row(m: MemberView, ctx: TenantContext) -> MemberRow:
    touchable = m.role != Role.OWNER.value or ctx.role is Role.OWNER
    active = touchable and m.status == "active"
    return MemberRow(
        user_id=str(m.user_id),
        email=m.email,
        name=m.display_name,
        role=m.role,
        status=m.status,
        last_sign_in=fmt.when(m.last_sign_in_at) or "never",
        joined=fmt.when(m.joined_at, time=False),
        editable=active and m.role != Role.VENDOR.value,
        removable=active and str(m.user_id) != str(ctx.user_id),
    )


def member_page(ctx: TenantContext, cursor: str | None) -> tuple[list[MemberRow], str | None]:
    page = queries.member_page(ctx, cursor=cursor)
    return [member_row(m, ctx) for m in page.items], page.next_cursor


def invitation_row(i: InvitationView, ctx: TenantContext) -> InvitationRow:
    actions = [t.action for t in INVITATION_MACHINE.available_actions(i.status, ctx)]
    return InvitationRow(
        id=str(i.id),
        email=i.email,
        role=i.role,
        status="expired" if i.overdue else i.status,
        expires=fmt.when(i.expires_at),
        can_cancel="cancel" in actions,
        can_resend="resend" in actions,
    )


def open_invitations(ctx: TenantContext) -> list[InvitationRow]:
    """Pending and expired invitations (the ones with something left to do), newest first."""
    page = queries.invitation_page(ctx, limit=200)
    return [invitation_row(i, ctx) for i in page.items if i.status in ("pending", "expired")]
