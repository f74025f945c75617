"""A tenant with the demo catalog and the demo margin observations (tenant-scoped ids)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from engine.context import TenantContext
from engine.rbac import Role
from tests.support.api_clients import role_clients
from tests.support.tenants import TenantFixture, make_tenant


@dataclass(frozen=True)
class MarginTenant:
    tenant: TenantFixture

    def ctx(self, role: str = "owner") -> TenantContext:
        return TenantContext(
            tenant_id=self.tenant.tenant_id, user_id=None, role=Role(role), tenant_slug=self.tenant.slug
        )

    def id(self, kind: str, key: str) -> uuid.UUID:
        from seeds.catalog import tenant_ids

        return tenant_ids(self.tenant.tenant_id)(kind, key)


def build(label: str, *, seed: bool = True) -> MarginTenant:
    """Catalog + observations; with seed=True also the scan, tasks and statuses (seeds.margin)."""
    from models.core.db import tenant_session
    from seeds.catalog import build_catalog, tenant_ids
    from seeds.margin import add_observations, build_margin

    tenant = make_tenant(label)
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    id_for = tenant_ids(tenant.tenant_id)
    with tenant_session(ctx) as session:
        build_catalog(session, ctx, id_for)
        if seed:
            build_margin(session, ctx, id_for)
        else:
            add_observations(session, ctx, id_for)
    return MarginTenant(tenant)


@pytest.fixture(scope="module")
def margin_a() -> MarginTenant:
    return build("marga")


@pytest.fixture(scope="module")
def margin_b() -> MarginTenant:
    return build("margb")


@pytest.fixture(scope="module")
def clients(api, margin_a: MarginTenant, margin_b: MarginTenant):
    """Tenant A's owner, ops, sales and viewer, and tenant B's owner ("b_owner"), signed in."""
    return role_clients(
        api,
        margin_a.tenant,
        ("ops", "sales", "viewer"),
        others={"b_owner": margin_b.tenant},
        raise_server_exceptions=False,
    )


def refused(res, field: str) -> dict:
    """Assert a 422 validation error that names `field`; returns the error body."""
    assert res.status_code == 422, res.text
    error = res.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    return error


def open_alert_id(clients) -> str:
    items = clients["owner"].get("/api/alerts", params={"status": "open", "limit": 1}).json()["items"]
    return items[0]["id"]


def task_by_id(clients, task_id: str) -> dict:
    items = clients["owner"].get("/api/tasks", params={"limit": 200}).json()["items"]
    return next(t for t in items if t["id"] == task_id)


def day_at_noon(days: int) -> str:
    """Today + `days` at 12:00 UTC, as the API takes instants."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT12:00:00Z")
