"""Who a verified ID token signs in: a verified e-mail maps to an active member of the provider's
tenant. Nobody signs themselves up, unless the provider lets the e-mail's domain in: then the user
(without a password) and the membership with the provider's default role are created in one
transaction, audited. Refusals are audited in the tenant's chain as `auth.sso.refused`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import text

from engine.context import TenantContext
from engine.rbac import Role
from engine.sign_in import SignInRefused, domain_allowed
from models.core import audit
from models.core.db import identity_session, tenant_session
from models.core.identity import EMAIL_RE, Identity, add_membership, memberships_of, normalise_email
from models.core.sign_in_config import ProviderConfig
from models.core.tables import User

log = logging.getLogger("pharos.sign_in")


def verified_email(claims: dict[str, Any]) -> str:
    """The token's e-mail when the provider says it verified it (`email_verified` true)."""
    email = claims.get("email")
    if not isinstance(email, str) or not EMAIL_RE.match(normalise_email(email)):
        raise SignInRefused("unverified_email", "the ID token carries no e-mail")
    if claims.get("email_verified") is not True:
        raise SignInRefused("unverified_email", f"email_verified is {claims.get('email_verified')!r}")
    return normalise_email(email)


def member_identity(provider: ProviderConfig, claims: dict[str, Any]) -> Identity:
    """The identity to open a session for, or SignInRefused (nothing written)."""
    email = verified_email(claims)
    with identity_session() as session:
        row = session.execute(text("select * from pharos_login_lookup(:email)"), {"email": email}).first()
    if row is not None and not row.is_active:
        raise SignInRefused("unknown_user", "the user is deactivated")
    if row is not None and any(m.tenant_id == provider.tenant_id for m in memberships_of(row.id)):
        return Identity(user_id=row.id, email=row.email, display_name=row.display_name)
    if not domain_allowed(email, provider.allowed_domains):
        raise SignInRefused("unknown_user", "no membership and the domain may not sign up")
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    return _sign_up(provider, email, (name or email.split("@")[0])[:200], row.id if row else None)


def _sign_up(provider: ProviderConfig, email: str, display_name: str, user_id: uuid.UUID | None) -> Identity:
    role = Role(provider.default_role)
    ctx = TenantContext(
        tenant_id=provider.tenant_id, user_id=user_id or uuid.uuid4(), role=role, tenant_slug=provider.tenant_slug
    )
    with tenant_session(ctx) as session:
        created = session.execute(
            text("select pharos_sign_up_user(:id, :email, :name)"),
            {"id": str(ctx.user_id), "email": email, "name": display_name},
        ).scalar_one()
        held = session.execute(
            text("select 1 from memberships where tenant_id = :t and user_id = :u"),
            {"t": str(ctx.tenant_id), "u": str(created)},
        ).first()
        if held is not None:  # a membership that memberships_of did not list: deactivated
            raise SignInRefused("unknown_user", "the membership is not active")
        user = User(id=created, email=email, display_name=display_name)
        add_membership(session, ctx, user, role)
        audit.record(
            session,
            ctx,
            action="auth.sso.sign_up",
            entity="users",
            entity_id=created,
            after={"email": email, "role": role.value, "provider": provider.name, "provider_id": provider.id},
        )
    return Identity(user_id=created, email=email, display_name=display_name)


def record_refusal(provider: ProviderConfig, refused: SignInRefused, email: str | None) -> None:
    """A failed sign-in in the tenant's audit chain (who tried, through which provider, why)."""
    ctx = TenantContext.system(provider.tenant_id, provider.tenant_slug)
    with tenant_session(ctx) as session:
        audit.record(
            session,
            ctx,
            action="auth.sso.refused",
            entity="oidc_providers",
            entity_id=provider.id,
            after={"code": refused.code, "email": email, "provider": provider.name, "detail": refused.detail[:500]},
        )
    log.info("single sign-on refused", extra={"code": refused.code, "provider": provider.id})
