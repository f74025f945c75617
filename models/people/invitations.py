"""Invitations as repositories taking (session, ctx): create (the raw token is returned once and
never stored), load for the decision path, apply a decision (RESEND rotates the token), expire.

Every invitation e-mail is queued in the outbox (`invitation.email`) without the token: the
dispatcher makes the link when it sends (models/people/delivery_routes.py). Status changes go
through models.core.decisions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.people import rules
from engine.people.machines import INVITATION_MACHINE
from engine.people.permissions import INVITATIONS_READ
from engine.rbac import Role
from models.core import audit
from models.core.base import utcnow
from models.core.decision_actions import DecisionTarget
from models.core.decisions import StatusEntity, decide
from models.core.identity import validate_email
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.settings import invitation_ttl
from models.core.tables import Membership, OutboxEvent, User
from models.people.tables import Invitation

ACCEPT_PATH = "/invite/accept"
EMAIL_TOPIC = "invitation.email"


@dataclass(frozen=True)
class InvitationView:
    id: uuid.UUID
    email: str
    role: str
    status: str
    organization_id: uuid.UUID | None
    expires_at: datetime
    invited_by: uuid.UUID | None
    created_at: datetime
    overdue: bool  # pending but past its expiry: accepting it expires it instead


def invitation_view(row: Invitation) -> InvitationView:
    return InvitationView(
        id=row.id,
        email=row.email,
        role=row.role,
        status=row.status,
        organization_id=row.organization_id,
        expires_at=row.expires_at,
        invited_by=row.invited_by,
        created_at=row.created_at,
        overdue=row.status == "pending" and row.expires_at <= utcnow(),
    )


def accept_path(token: str) -> str:
    """The link's path and query; the route or page puts its own origin in front."""
    return f"{ACCEPT_PATH}?token={quote(token, safe='')}"


def _queue_email(session: Session, ctx: TenantContext, row: Invitation, why: str) -> None:
    session.add(
        OutboxEvent(
            tenant_id=ctx.tenant_id,
            topic=EMAIL_TOPIC,
            entity="invitation",
            entity_id=str(row.id),
            payload={
                "invitation_id": str(row.id),
                "email": row.email,
                "role": row.role,
                "expires_at": row.expires_at.isoformat(),
                "why": why,
            },
            idempotency_key=f"{EMAIL_TOPIC}:{uuid.uuid4()}",
        )
    )
    session.flush()


def _is_member(session: Session, ctx: TenantContext, email: str) -> bool:
    found = session.exec(
        select(Membership.id)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.tenant_id == ctx.tenant_id, Membership.status == "active")
        .where(func.lower(col(User.email)) == email)
    ).first()
    return found is not None


def expire(session: Session, ctx: TenantContext, row: Invitation) -> None:
    """The system expires an overdue invitation (its own context: no user decided it)."""
    decide(session, TenantContext.system(ctx.tenant_id, ctx.tenant_slug), INVITATION_MACHINE, row, "expire")


def _check_organization_exists(session: Session, ctx: TenantContext, organization_id: uuid.UUID) -> None:
    """A vendor invitation names an organization of the tenant's catalog (the membership it becomes
    has a foreign key to it, migration 0022): else 422 naming the field, not a failed accept later.
    Read by name, so people does not import the catalog module."""
    found = session.execute(
        text("select 1 from organizations where tenant_id = :t and id = :o"),
        {"t": ctx.tenant_id, "o": organization_id},
    ).first()
    if found is None:
        raise ValidationFailed(
            f"organization_id: no organization {organization_id} in this tenant",
            fields={"organization_id": "not found"},
        )


def create_invitation(
    session: Session, ctx: TenantContext, email: str, role: str, organization_id: uuid.UUID | None
) -> tuple[Invitation, str]:
    """A pending invitation and its raw token (return it once; only its SHA-256 is stored)."""
    email = validate_email(email)
    wanted = rules.parse_role(role)
    rules.check_may_grant(ctx.role, wanted)
    rules.check_organization(wanted, organization_id)
    if organization_id is not None:
        _check_organization_exists(session, ctx, organization_id)
    if _is_member(session, ctx, email):
        raise Conflict(f"{email} is already an active member of this tenant", fields={"email": "already a member"})
    open_one = session.exec(
        select(Invitation)
        .where(Invitation.tenant_id == ctx.tenant_id, Invitation.status == "pending")
        .where(col(Invitation.email) == email)
    ).first()
    if open_one is not None:
        if open_one.expires_at > utcnow():
            raise Conflict(
                f"{email} already has a pending invitation: resend or cancel it", fields={"email": "already invited"}
            )
        expire(session, ctx, open_one)
    token = rules.new_token()
    row = Invitation(
        tenant_id=ctx.tenant_id,
        email=email,
        role=wanted.value,
        organization_id=organization_id,
        token_hash=rules.token_digest(token),
        expires_at=utcnow() + invitation_ttl(),
        invited_by=ctx.user_id,
    )
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"{email} was just invited by someone else", fields={"email": "already invited"}) from None
    audit.record(
        session,
        ctx,
        action="invitation.create",
        entity="invitation",
        entity_id=row.id,
        after={"email": email, "role": wanted.value, "organization_id": organization_id, "expires_at": row.expires_at},
    )
    _queue_email(session, ctx, row, "invited")
    return row, token


def get_invitation(session: Session, ctx: TenantContext, invitation_id: uuid.UUID) -> Invitation:
    """The tenant side sees every invitation; a vendor only those to its own organization."""
    row = session.exec(
        select(Invitation).where(Invitation.tenant_id == ctx.tenant_id, Invitation.id == invitation_id)
    ).first()
    if row is None or (ctx.role is Role.VENDOR and row.organization_id != ctx.organization_id):
        raise NotFound("invitation not found")
    return row


def apply_decision(
    session: Session, ctx: TenantContext, row: StatusEntity, action: str, reason: str | None
) -> dict[str, str]:
    """CANCEL / WITHDRAW decide only; RESEND also gives a fresh token and expiry and queues the
    e-mail again. Returns what the caller may show once: the new accept link's path."""
    if not isinstance(row, Invitation):
        raise TypeError("apply_decision decides invitations only")
    if action != "resend":
        decide(session, ctx, INVITATION_MACHINE, row, action, reason=reason)
        return {}
    expires_at = utcnow() + invitation_ttl()
    decide(
        session, ctx, INVITATION_MACHINE, row, action, reason=reason, details={"expires_at": expires_at, "token": "new"}
    )
    token = rules.new_token()
    row.token_hash = rules.token_digest(token)
    row.email_token_hash = None  # the link of an earlier e-mail stops working too
    row.expires_at = expires_at
    session.add(row)
    session.flush()
    _queue_email(session, ctx, row, "resent")
    return {"accept_path": accept_path(token)}


def invitation_page(
    session: Session, ctx: TenantContext, *, limit: int | None, cursor: str | None
) -> Page[InvitationView]:
    """Newest first."""
    page = keyset_page(
        session,
        select(Invitation).where(Invitation.tenant_id == ctx.tenant_id),
        col(Invitation.created_at),
        col(Invitation.id),
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=parse_instant,
    )
    return Page([invitation_view(r) for r in page.items], page.next_cursor)


INVITATIONS = DecisionTarget(
    "invitations", INVITATION_MACHINE, INVITATIONS_READ, load=get_invitation, apply=apply_decision
)
