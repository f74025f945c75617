"""Display rows of the members page: members and invitations as the tables show them, and the
role choices a role may give (an admin never offers "owner")."""

from __future__ import annotations

from app.web.kit import format as fmt
from engine.context import TenantContext
from engine.people.machines import INVITATION_MACHINE
from engine.rbac import Role
from models.people import queries
from models.people.invitations import InvitationView
from models.people.members import MemberView

STAFF_ROLES = [r.value for r in Role if r is not Role.VENDOR]


def role_choices(actor: str) -> list[str]:
    """Roles the page offers to `actor` (vendor access needs an organization: REST or CLI)."""
    return [r for r in STAFF_ROLES if r != Role.OWNER.value or actor == Role.OWNER.value]


def member_row(m: MemberView, ctx: TenantContext) -> dict[str, str]:
    touchable = m.role != Role.OWNER.value or ctx.role is Role.OWNER
    return {
        "user_id": str(m.user_id),
        "email": m.email,
        "name": m.display_name,
        "role": m.role,
        "status": m.status,
        "last_sign_in": fmt.when(m.last_sign_in_at) or "never",
        "joined": fmt.when(m.joined_at, time=False),
        # what the row offers this user (the actions check again)
        "editable": "yes" if touchable and m.status == "active" and m.role != Role.VENDOR.value else "",
        "removable": "yes" if touchable and m.status == "active" and str(m.user_id) != str(ctx.user_id) else "",
    }


def member_page(ctx: TenantContext, cursor: str | None) -> tuple[list[dict[str, str]], str | None]:
    page = queries.member_page(ctx, cursor=cursor)
    return [member_row(m, ctx) for m in page.items], page.next_cursor


def invitation_row(i: InvitationView, ctx: TenantContext) -> dict[str, str]:
    status = "expired" if i.overdue else i.status
    actions = [t.action for t in INVITATION_MACHINE.available_actions(i.status, ctx)]
    return {
        "id": str(i.id),
        "email": i.email,
        "role": i.role,
        "status": status,
        "expires": fmt.when(i.expires_at),
        "can_cancel": "yes" if "cancel" in actions else "",
        "can_resend": "yes" if "resend" in actions else "",
    }


def open_invitations(ctx: TenantContext) -> list[dict[str, str]]:
    """Pending and expired invitations (the ones with something left to do), newest first."""
    page = queries.invitation_page(ctx, limit=200)
    return [invitation_row(i, ctx) for i in page.items if i.status in ("pending", "expired")]
