"""A tenant with the demo catalog and the demo field service (every service flag on, tickets opened
relative to a fixed anchor: the build time), and its signed-in clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from engine.context import TenantContext
from engine.rbac import Role
from tests.support.api_clients import role_clients
from tests.support.tenants import TenantFixture, make_tenant

CATALOG_FLAGS = {
    "ENABLE_ORG": True,
    "ENABLE_CHANNELS": True,
    "ENABLE_CATALOG_PUBLISHING": True,
    "ENABLE_PRICE_BOOKS": True,
    "ENABLE_PRICE_RESOLUTION": True,
}
SERVICE_FLAGS = {"ENABLE_SERVICE_POLICIES": True, "ENABLE_RESP_ORG_ASSIGNMENT": True, "ENABLE_ENGINEERS": True}


@dataclass(frozen=True)
class ServiceTenant:
    tenant: TenantFixture
    ids: object  # seeds.service.ServiceIds
    built_at: datetime

    def ctx(self, role: str = "owner") -> TenantContext:
        return TenantContext(
            tenant_id=self.tenant.tenant_id, user_id=None, role=Role(role), tenant_slug=self.tenant.slug
        )


def build(label: str, flags: dict[str, bool] | None = None, *, with_service: bool = True) -> ServiceTenant:
    from models.core.base import utcnow
    from models.core.db import tenant_session
    from models.core.flags import set_flags
    from seeds.catalog import build_catalog, tenant_ids
    from seeds.service import ServiceIds, build_service

    tenant = make_tenant(label)
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    now = utcnow()
    with tenant_session(ctx) as session:
        set_flags(session, ctx, {**CATALOG_FLAGS, **(SERVICE_FLAGS if flags is None else flags)})
        id_for = tenant_ids(tenant.tenant_id)
        catalog = build_catalog(session, ctx, id_for)
        ids = (
            build_service(session, ctx, id_for, catalog, now=now)
            if with_service
            else ServiceIds(catalog, id_for("organization", "partner"))
        )
    return ServiceTenant(tenant, ids, now)


@pytest.fixture(scope="module")
def svc_a() -> ServiceTenant:
    return build("sva")


@pytest.fixture(scope="module")
def svc_b() -> ServiceTenant:
    return build("svb")


@pytest.fixture(scope="module")
def clients(api, svc_a: ServiceTenant, svc_b: ServiceTenant):
    """Tenant A's owner and one user per role, and tenant B's owner ("b_owner"), signed in."""
    return role_clients(
        api, svc_a.tenant, ("admin", "ops", "sales", "viewer", "vendor"), others={"b_owner": svc_b.tenant}
    )
