"""Users, tenants and memberships: creating tenants and authenticating people."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.rbac import Role
from models.core import audit
from models.core.db import identity_session, owner_session, tenant_session
from models.core.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from models.core.tables import Membership, Tenant, User

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: uuid.UUID
    email: str
    display_name: str


@dataclass(frozen=True, slots=True)
class MembershipView:
    tenant_id: uuid.UUID
    tenant_slug: str
    tenant_name: str
    role: Role
    organization_id: uuid.UUID | None

    def context(self, user_id: uuid.UUID) -> TenantContext:
        return TenantContext(
            tenant_id=self.tenant_id,
            user_id=user_id,
            role=self.role,
            organization_id=self.organization_id,
            tenant_slug=self.tenant_slug,
        )


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:63].strip("-")


def normalise_email(email: str) -> str:
    """The one form of an e-mail for lookups, rate-limit keys and storage: trimmed of whitespace of
    any kind and casefolded, so " Sales@Demo.test" is the same account (and budget) as
    "sales@demo.test"."""
    return email.strip().casefold()


def validate_email(email: str) -> str:
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise ValidationFailed(f"'{email}' is not a valid e-mail address", fields={"email": "invalid e-mail"})
    return email


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters", fields={"password": "too short"}
        )


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(text("lower(email) = lower(:email)")).params(email=email)).first()


def ensure_user(
    session: Session, *, email: str, display_name: str, password: str | None, user_id: uuid.UUID | None = None
) -> User:
    """Return the global user for this e-mail, creating it when new (owner session)."""
    email = validate_email(email)
    user = find_user_by_email(session, email)
    if user:
        return user
    user = User(
        id=user_id or uuid.uuid4(),
        email=email,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def add_membership(
    session: Session,
    ctx: TenantContext,
    user: User,
    role: Role,
    organization_id: uuid.UUID | None = None,
) -> Membership:
    membership = Membership(tenant_id=ctx.tenant_id, user_id=user.id, role=role.value, organization_id=organization_id)
    session.add(membership)
    session.flush()
    audit.record(
        session,
        ctx,
        action="membership.create",
        entity="memberships",
        entity_id=membership.id,
        after={"user_id": user.id, "email": user.email, "role": role.value},
    )
    return membership


def create_tenant(
    *,
    name: str,
    owner_email: str,
    owner_password: str,
    slug: str | None = None,
    tenant_id: uuid.UUID | None = None,
    owner_display_name: str = "",
    owner_user_id: uuid.UUID | None = None,
    flags: dict | None = None,
) -> Tenant:
    """Create a tenant and its first owner (CLI, owner connection), audited in the new chain."""
    name = name.strip()
    if not name:
        raise ValidationFailed("tenant name is required", fields={"name": "required"})
    slug = slug or slugify(name)
    if not SLUG_RE.match(slug):
        raise ValidationFailed(f"'{slug}' is not a valid tenant slug (a-z, 0-9, '-')", fields={"slug": "invalid"})
    owner_email = validate_email(owner_email)
    validate_password(owner_password)
    with owner_session() as session:
        if session.exec(select(Tenant).where(Tenant.slug == slug)).first():
            raise Conflict(f"a tenant with slug '{slug}' already exists", fields={"slug": "taken"})
        tenant = Tenant(id=tenant_id or uuid.uuid4(), slug=slug, name=name, flags=flags or {})
        session.add(tenant)
        session.flush()
        ctx = TenantContext.system(tenant.id, slug)
        session.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant.id)})
        audit.record(
            session,
            ctx,
            action="tenant.create",
            entity="tenants",
            entity_id=tenant.id,
            after={"slug": slug, "name": name},
        )
        owner = ensure_user(
            session, email=owner_email, display_name=owner_display_name, password=owner_password, user_id=owner_user_id
        )
        add_membership(session, ctx, owner, Role.OWNER)
        return tenant


def system_context(slug: str) -> TenantContext:
    """The platform's context in the active tenant with this slug (CLI maintenance, owner connection)."""
    with owner_session() as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == slug, Tenant.is_active == True)).first()  # noqa: E712
    if tenant is None:
        raise NotFound(f"no active tenant with slug '{slug}'", fields={"tenant": "unknown"})
    return TenantContext.system(tenant.id, tenant.slug)


def authenticate(email: str, password: str) -> Identity | None:
    """Check a password. Unknown e-mail, inactive user and wrong password look the same."""
    with identity_session() as session:
        row = session.execute(
            text("select * from pharos_login_lookup(:email)"), {"email": normalise_email(email)}
        ).first()
    if row is None:
        verify_password(password, None)
        return None
    if not verify_password(password, row.password_hash) or not row.is_active:
        return None
    return Identity(user_id=row.id, email=row.email, display_name=row.display_name)


def memberships_of(user_id: uuid.UUID) -> list[MembershipView]:
    """Tenants this user may enter (active memberships of active tenants), visible through the
    own-memberships policy: a deactivated member is not offered the tenant and cannot switch to it."""
    with identity_session(user_id) as session:
        rows = session.execute(
            text(
                "select m.tenant_id, t.slug, t.name, m.role, m.organization_id "
                "from memberships m join tenants t on t.id = m.tenant_id "
                "where m.user_id = :uid and m.status = 'active' and t.is_active order by t.name"
            ),
            {"uid": str(user_id)},
        ).all()
    return [MembershipView(r.tenant_id, r.slug, r.name, Role(r.role), r.organization_id) for r in rows]


def record_sign_in(user_id: uuid.UUID, membership: MembershipView) -> None:
    """Note when a session entered the tenant (the members list shows it). Not audited: like the
    sign-in itself, it changes nothing anyone decided."""
    with tenant_session(membership.context(user_id)) as session:
        session.execute(
            text("update memberships set last_sign_in_at = now() where tenant_id = :t and user_id = :u"),
            {"t": str(membership.tenant_id), "u": str(user_id)},
        )


@dataclass(frozen=True, slots=True)
class Member:
    user_id: str
    email: str
    display_name: str
    role: str


def tenant_members(session: Session, ctx: TenantContext) -> list[Member]:
    """Users with a membership in the context's tenant (for labels, filters and assignees)."""
    rows = session.execute(
        text(
            "select u.id, u.email, u.display_name, m.role from memberships m "
            "join users u on u.id = m.user_id where m.tenant_id = :tenant order by lower(u.display_name), u.email"
        ),
        {"tenant": str(ctx.tenant_id)},
    ).all()
    return [Member(str(r.id), r.email, r.display_name, r.role) for r in rows]
