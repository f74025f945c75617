"""A tenant with the demo catalog (flags on) for repository and API tests, plus login helpers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from engine.context import TenantContext
from engine.rbac import Role
from tests.conftest import TenantFixture, make_tenant

ALL_FLAGS = {
    "ENABLE_ORG": True,
    "ENABLE_CHANNELS": True,
    "ENABLE_CATALOG_PUBLISHING": True,
    "ENABLE_PRICE_BOOKS": True,
    "ENABLE_PRICE_RESOLUTION": True,
}


@dataclass(frozen=True)
class CatalogTenant:
    tenant: TenantFixture
    ids: object  # seeds.catalog.CatalogIds

    def ctx(self, role: str = "owner") -> TenantContext:
        return TenantContext(
            tenant_id=self.tenant.tenant_id, user_id=None, role=Role(role), tenant_slug=self.tenant.slug
        )


def build(label: str, flags: dict[str, bool] | None = None) -> CatalogTenant:
    from models.db import tenant_session
    from models.flags import set_flags
    from seeds.catalog import build_catalog, tenant_ids

    tenant = make_tenant(label)
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    with tenant_session(ctx) as session:
        wanted = ALL_FLAGS if flags is None else flags
        if wanted:
            set_flags(session, ctx, wanted)
        ids = build_catalog(session, ctx, tenant_ids(tenant.tenant_id))
    return CatalogTenant(tenant, ids)


@pytest.fixture(scope="module")
def cat_a() -> CatalogTenant:
    return build("cata")


@pytest.fixture(scope="module")
def cat_b() -> CatalogTenant:
    return build("catb")


def add_user(tenant: TenantFixture, role: str) -> tuple[str, str]:
    """A user with `role` in the tenant; returns (email, password)."""
    from models.db import owner_tenant_session
    from models.identity import add_membership, ensure_user

    email = f"{role}-{uuid.uuid4().hex[:8]}@{tenant.slug}.test"
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    with owner_tenant_session(ctx) as session:
        user = ensure_user(session, email=email, display_name=role, password="correct-horse")
        add_membership(session, ctx, user, Role(role))
    return email, "correct-horse"
