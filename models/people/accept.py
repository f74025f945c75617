"""Accepting an invitation: the one path that turns a token into a member, with no session yet.

The link carries no tenant: `pharos_invitation_lookup` (an owner function) maps the token's SHA-256
to its invitation and tenant, and everything after runs in that tenant's transaction as the person
accepting. A new e-mail gets an account (the app may insert only the user it acts as); an existing
account must prove its password, and gains a membership (or has its deactivated one reactivated).
The invitation is decided `accept` in the same transaction, so a token works once. A refusal
creates nothing; an overdue invitation is expired (committed) and then refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, RateLimited, ValidationFailed
from engine.people import rules
from engine.people.machines import INVITATION_MACHINE, MEMBERSHIP_MACHINE
from engine.rbac import Role
from models.core import audit, login_limits, mutations
from models.core.base import utcnow
from models.core.db import identity_session, tenant_session
from models.core.decisions import decide
from models.core.identity import Identity, add_membership, authenticate, validate_password
from models.core.passwords import hash_password
from models.core.tables import Membership, User
from models.people.invitations import expire
from models.people.tables import Invitation

UNKNOWN = "this invitation link is not valid (wrong, replaced by a newer one, or for another tenant)"
REFUSED = {
    "accepted": "this invitation was already accepted: sign in instead",
    "cancelled": "this invitation was cancelled: ask for a new one",
    "withdrawn": "this invitation was withdrawn: ask for a new one",
    "expired": "this invitation has expired: ask for a new one",
}


@dataclass(frozen=True)
class Found:
    tenant_id: uuid.UUID
    tenant_slug: str
    tenant_name: str
    invitation_id: uuid.UUID


@dataclass(frozen=True)
class Accepted:
    identity: Identity
    tenant_id: uuid.UUID


def lookup(token: str, tenant_slug: str | None = None) -> Found:
    """The invitation a token names (any status), or NotFound; `tenant_slug`: the tenant the
    caller meant, refused when the token belongs to another one."""
    if not token:
        raise NotFound(UNKNOWN, fields={"token": "unknown"})
    with identity_session() as session:
        row = session.execute(
            text("select * from pharos_invitation_lookup(:d)"), {"d": rules.token_digest(token)}
        ).first()
    if row is None or (tenant_slug and row.tenant_slug != tenant_slug):
        raise NotFound(UNKNOWN, fields={"token": "unknown"})
    return Found(row.tenant_id, row.tenant_slug, row.tenant_name, row.invitation_id)


def _existing_account(email: str) -> uuid.UUID | None:
    with identity_session() as session:
        row = session.execute(text("select id from pharos_login_lookup(:e)"), {"e": email}).first()
    return row.id if row else None


def _locked_invitation(session: Session, found: Found, token: str) -> Invitation:
    row = session.exec(
        select(Invitation)
        .where(Invitation.tenant_id == found.tenant_id, Invitation.id == found.invitation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    digest = rules.token_digest(token)
    if row is None or digest not in (row.token_hash, row.email_token_hash):
        raise NotFound(UNKNOWN, fields={"token": "unknown"})
    if row.status != "pending":
        raise Conflict(REFUSED.get(row.status, UNKNOWN), fields={"token": row.status})
    return row


def _prove_account(email: str, password: str, ip: str) -> Identity:
    verdict = login_limits.check(email, ip)
    if not verdict.allowed:
        raise RateLimited(
            f"too many failed attempts; try again in {verdict.retry_after} s", retry_after=verdict.retry_after
        )
    identity = authenticate(email, password)
    if identity is None:
        login_limits.record_failure(email, ip)
        raise ValidationFailed(
            f"{email} already has an account: enter that account's password",
            fields={"password": "does not match the existing account"},
        )
    return identity


def _join(session: Session, ctx: TenantContext, user: User, invitation: Invitation) -> None:
    """The membership: new, or a deactivated one reactivated in the invited role."""
    membership = session.exec(
        select(Membership).where(Membership.tenant_id == ctx.tenant_id, Membership.user_id == user.id).with_for_update()
    ).first()
    if membership is None:
        add_membership(session, ctx, user, Role(invitation.role), invitation.organization_id)
        return
    if membership.status == "active":
        raise Conflict("you are already a member of this tenant: sign in instead", fields={"token": "member"})
    decide(session, ctx, MEMBERSHIP_MACHINE, membership, "reactivate", details={"invitation_id": invitation.id})
    mutations.update(
        session,
        ctx,
        membership,
        {"role": invitation.role, "organization_id": invitation.organization_id},
        action="membership.rejoin",
    )


def accept(token: str, password: str, display_name: str, ip: str, tenant_slug: str | None = None) -> Accepted:
    found = lookup(token, tenant_slug)
    base = TenantContext.system(found.tenant_id, found.tenant_slug)
    with tenant_session(base) as session:
        invitation = _locked_invitation(session, found, token)
        email, role, org, overdue = invitation.email, Role(invitation.role), invitation.organization_id, False
        if invitation.expires_at <= utcnow():
            expire(session, base, invitation)
            overdue = True
    if overdue:
        raise Conflict(REFUSED["expired"], fields={"token": "expired"})
    existing = _existing_account(email)
    if existing is not None:
        identity = _prove_account(email, password, ip)
    else:
        validate_password(password)
        name = display_name.strip() or email.split("@")[0]
        identity = Identity(user_id=uuid.uuid4(), email=email, display_name=name[:200])
    # the transaction acts as the person accepting (RLS: they may create only their own user row);
    # what it records is the system's, on the token's proof, naming them
    ctx = TenantContext(found.tenant_id, identity.user_id, role, org, found.tenant_slug)
    try:
        with tenant_session(ctx) as session:
            invitation = _locked_invitation(session, found, token)
            if existing is None:
                user = User(
                    id=identity.user_id,
                    email=email,
                    display_name=identity.display_name,
                    password_hash=hash_password(password),
                )
                session.add(user)
                session.flush()
                audit.record(
                    session,
                    base,
                    action="user.create",
                    entity="users",
                    entity_id=user.id,
                    after={"email": email, "display_name": user.display_name, "invitation_id": invitation.id},
                )
            else:
                user = session.get(User, identity.user_id)
                if user is None:
                    raise NotFound(UNKNOWN, fields={"token": "unknown"})
            _join(session, base, user, invitation)
            decide(session, base, INVITATION_MACHINE, invitation, "accept", details={"user_id": user.id})
            invitation.accepted_by = user.id
            session.add(invitation)
    except IntegrityError:
        raise Conflict(f"{email} signed up a moment ago: accept again to join", fields={"token": "retry"}) from None
    return Accepted(identity, found.tenant_id)
