"""Fresh tenants for tests: each call makes a new tenant with its own owner, so tests never share rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

PASSWORD = "correct-horse"


@dataclass(frozen=True)
class TenantFixture:
    tenant_id: uuid.UUID
    slug: str
    owner_email: str
    password: str

    def ctx(self, role: str = "owner"):
        from engine.context import TenantContext
        from engine.rbac import Role

        return TenantContext(tenant_id=self.tenant_id, user_id=None, role=Role(role), tenant_slug=self.slug)


def make_tenant(label: str) -> TenantFixture:
    """A new tenant named `label-<random>` whose owner signs in with PASSWORD."""
    from models.core.identity import create_tenant

    suffix = uuid.uuid4().hex[:8]
    slug = f"{label}-{suffix}"
    email = f"owner-{suffix}@{label}.test"
    tenant = create_tenant(name=f"Tenant {label} {suffix}", owner_email=email, owner_password=PASSWORD, slug=slug)
    return TenantFixture(tenant.id, slug, email, PASSWORD)
