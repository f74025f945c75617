"""A tenant with the demo catalog (flags on) for repository and API tests, and its signed-in clients."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from engine.context import TenantContext
from engine.rbac import Role
from tests.support.api_clients import role_clients
from tests.support.tenants import TenantFixture, make_tenant

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
    from models.core.db import tenant_session
    from models.core.flags import set_flags
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


@pytest.fixture(scope="module")
def clients(api, cat_a: CatalogTenant, cat_b: CatalogTenant):
    """Tenant A's owner and one user per role, and tenant B's owner ("b_owner"), signed in."""
    return role_clients(
        api, cat_a.tenant, ("admin", "ops", "sales", "viewer", "vendor"), others={"b_owner": cat_b.tenant}
    )


def ids_of(body) -> list[str]:
    return [item["id"] for item in body["items"]]
