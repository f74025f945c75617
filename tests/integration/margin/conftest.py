"""A tenant with the demo catalog and the demo margin observations (tenant-scoped ids)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from engine.context import TenantContext
from engine.rbac import Role
from tests.conftest import TenantFixture, make_tenant
from tests.support.api_clients import create_test_api, login_client


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


def add_user(tenant: TenantFixture, role: str) -> tuple[str, str]:
    from models.core.db import owner_tenant_session
    from models.core.identity import add_membership, ensure_user

    email = f"{role}-{uuid.uuid4().hex[:8]}@{tenant.slug}.test"
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    with owner_tenant_session(ctx) as session:
        user = ensure_user(session, email=email, display_name=role, password="correct-horse")
        add_membership(session, ctx, user, Role(role))
    return email, "correct-horse"


@pytest.fixture(scope="module")
def api():
    return create_test_api()


@pytest.fixture(scope="module")
def clients(api, margin_a: MarginTenant, margin_b: MarginTenant):
    """Tenant A's owner, ops, sales and viewer, and tenant B's owner ("b_owner"), signed in."""

    def signed_in(email: str, password: str):
        return login_client(api, email, password, raise_server_exceptions=False)

    made = {
        "owner": signed_in(margin_a.tenant.owner_email, margin_a.tenant.password),
        "b_owner": signed_in(margin_b.tenant.owner_email, margin_b.tenant.password),
    }
    for role in ("ops", "sales", "viewer"):
        made[role] = signed_in(*add_user(margin_a.tenant, role))
    return made


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
