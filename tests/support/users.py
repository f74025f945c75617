"""Users by role in a test tenant: the one `add_user` every test uses."""

from __future__ import annotations

import uuid

from tests.support.tenants import PASSWORD

__all__ = ["PASSWORD", "add_user"]


def add_user(tenant, role: str, email: str | None = None) -> str:
    """Give `email` (a new address by default) `role` in `tenant` (a TenantFixture); returns the email.

    Every test user signs in with PASSWORD. An existing email gains a second membership, which is
    how tests build a user of two tenants.
    """
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.core.db import owner_tenant_session
    from models.core.identity import add_membership, ensure_user

    email = email or f"{role}-{uuid.uuid4().hex[:8]}@{tenant.slug}.test"
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    with owner_tenant_session(ctx) as session:
        user = ensure_user(session, email=email, display_name=role.title(), password=PASSWORD)
        add_membership(session, ctx, user, Role(role))
    return email
