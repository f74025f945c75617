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


def add_user(tenant: TenantFixture, role: str) -> tuple[str, str]:
    """A user with `role` in the tenant; returns (email, password)."""
    from models.core.db import owner_tenant_session
    from models.core.identity import add_membership, ensure_user

    email = f"{role}-{uuid.uuid4().hex[:8]}@{tenant.slug}.test"
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    with owner_tenant_session(ctx) as session:
        user = ensure_user(session, email=email, display_name=role, password="correct-horse")
        add_membership(session, ctx, user, Role(role))
    return email, "correct-horse"


# REST clients of tenant A (every role the tests need) and tenant B's owner


@pytest.fixture(scope="module")
def api():
    from app.api.main import create_api

    return create_api()


def login_client(api, email: str, password: str):
    from fastapi.testclient import TestClient

    client = TestClient(api)
    res = client.post("/api/auth/login", json={"email": email, "password": password})
    assert res.status_code == 200, res.text
    client.headers["Authorization"] = f"Bearer {res.json()['token']}"
    return client


@pytest.fixture(scope="module")
def clients(api, cat_a: CatalogTenant, cat_b: CatalogTenant):
    made = {
        "owner": login_client(api, cat_a.tenant.owner_email, cat_a.tenant.password),
        "b_owner": login_client(api, cat_b.tenant.owner_email, cat_b.tenant.password),
    }
    for role in ("admin", "ops", "sales", "viewer", "vendor"):
        made[role] = login_client(api, *add_user(cat_a.tenant, role))
    return made


def ids_of(body) -> list[str]:
    return [item["id"] for item in body["items"]]


def api_error(res, status: int, code: str) -> dict:
    assert res.status_code == status, res.text
    body = res.json()["error"]
    assert body["code"] == code
    return body
