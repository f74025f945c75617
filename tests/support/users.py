"""Create users with a given role in a test tenant."""

from __future__ import annotations

import uuid

from engine.rbac import Role
from models.core.db import owner_tenant_session
from models.core.identity import add_membership, ensure_user

PASSWORD = "correct-horse"


def add_user(tenant, role: str, email: str | None = None) -> str:
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@{tenant.slug}.test"
    ctx = tenant.ctx()
    with owner_tenant_session(ctx) as session:
        user = ensure_user(session, email=email, display_name=role.title(), password=PASSWORD)
        add_membership(session, ctx, user, Role(role))
    return email
