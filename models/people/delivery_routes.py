"""Invitation e-mails: each `invitation.email` outbox row goes to the invitee's address.

The link is made when the e-mail is sent, never stored: its token is derived from the platform key,
the invitation and its current token (models.delivery.secret_box.derive), so every attempt and replay
of one e-mail carries the same link, a RESEND (a new token) makes the old e-mail's link stop working,
and only the token's SHA-256 is kept (`email_token_hash`, accepted like the inviter's copy of the link).
An invitation no longer pending sends nothing.
"""

from __future__ import annotations

import base64

from sqlalchemy import text
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.people import rules
from models.core.base import utcnow
from models.core.settings import delivery_settings
from models.delivery.routes import Destination, EmailContent, EmailTo, OutboxRow, Route
from models.delivery.secret_box import derive
from models.people.invitations import EMAIL_TOPIC, accept_path
from models.people.tables import Invitation


def _tenant_name(session: Session, ctx: TenantContext) -> str:
    found = session.execute(text("select name from tenants where id = :t"), {"t": ctx.tenant_id}).first()
    return str(found[0]) if found else "PharOS"


def _destinations(session: Session, ctx: TenantContext, row: OutboxRow) -> list[Destination]:
    email = str(row.payload.get("email") or "")
    if not email:
        return []
    return [EmailTo(email, f"You are invited to {_tenant_name(session, ctx)} on PharOS")]


def email_token(invitation: Invitation) -> str:
    """The e-mailed link's token: the same for every attempt until the invitation's token changes."""
    raw = derive(f"invitation-email:{invitation.tenant_id}:{invitation.id}:{invitation.token_hash}")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _render(session: Session, ctx: TenantContext, row: OutboxRow) -> EmailContent | None:
    invitation = session.exec(
        select(Invitation)
        .where(Invitation.tenant_id == ctx.tenant_id, Invitation.id == row.entity_id)
        .with_for_update()
    ).first()
    if invitation is None or invitation.status != "pending" or invitation.expires_at <= utcnow():
        return None
    token = email_token(invitation)
    digest = rules.token_digest(token)
    if invitation.email_token_hash != digest:
        invitation.email_token_hash = digest
        session.add(invitation)
        session.flush()
    tenant = _tenant_name(session, ctx)
    link = delivery_settings().public_url + accept_path(token)
    expires = invitation.expires_at.strftime("%d %b %Y %H:%M UTC")
    text_body = (
        f"Hello,\n\nYou are invited to join {tenant} on PharOS as {invitation.role}.\n\n"
        f"Accept the invitation here (the link works once, until {expires}):\n{link}\n\n"
        "If you did not expect this invitation, ignore this e-mail.\n"
    )
    return EmailContent(f"You are invited to {tenant} on PharOS", text_body)


ROUTES = (Route(EMAIL_TOPIC, _destinations, _render),)
