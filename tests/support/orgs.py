"""Catalog organizations for tests that need a real one (a vendor membership's organization is a
foreign key since migration 0022)."""

from __future__ import annotations

import uuid


def add_org(tenant, code: str, name: str, org_type: str = "supplier") -> uuid.UUID:
    """A new organization in `tenant` (a TenantFixture), made as its owner; returns its id."""
    from models.catalog.inputs import OrgCreate
    from models.catalog.orgs import create_org
    from models.core.db import owner_tenant_session

    ctx = tenant.ctx()
    with owner_tenant_session(ctx) as session:
        return create_org(session, ctx, OrgCreate(type=org_type, code=code, name=name)).id
