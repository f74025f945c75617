"""Vendor cases: a tenant with two vendor organizations (a user each), staff of every role that
matters, a second tenant, and the REST app in process. `CasesWorld.new_case` opens a case for a
test (its own row, so tests never share state)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.api_clients import login_client
from tests.support.orgs import add_org
from tests.support.tenants import PASSWORD, TenantFixture, make_tenant
from tests.support.users import add_user

STAFF = ("admin", "ops", "finance", "sales", "viewer", "auditor")


def add_vendor(tenant: TenantFixture, org_id: uuid.UUID, email: str | None = None) -> str:
    """A vendor membership of `org_id` in `tenant` (signs in with PASSWORD); returns the e-mail."""
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.core.db import owner_tenant_session
    from models.core.identity import add_membership, ensure_user

    email = email or f"vendor-{uuid.uuid4().hex[:8]}@{tenant.slug}.test"
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    with owner_tenant_session(ctx) as session:
        user = ensure_user(session, email=email, display_name="Vendor person", password=PASSWORD)
        add_membership(session, ctx, user, Role.VENDOR, org_id)
    return email


@dataclass
class CasesWorld:
    tenant: TenantFixture
    other: TenantFixture
    org1: uuid.UUID
    org2: uuid.UUID
    other_org: uuid.UUID
    clients: dict[str, Any] = field(default_factory=dict)
    vendor_emails: dict[str, str] = field(default_factory=dict)

    def ctx(self, role: str = "owner", org: uuid.UUID | None = None):
        from engine.context import TenantContext
        from engine.rbac import Role

        return TenantContext(tenant_id=self.tenant.tenant_id, user_id=None, role=Role(role), organization_id=org)

    def new_case(self, org: uuid.UUID | None = None, subject: str = "Short shipment on PO 4411", **extra) -> str:
        body = {"vendor_id": str(org or self.org1), "subject": subject, **extra}
        res = self.clients["ops"].post("/api/cases", json=body)
        assert res.status_code == 201, res.text
        return res.json()["id"]

    def in_review(self, org: uuid.UUID | None = None) -> str:
        """A case the vendor has answered (`in_review`)."""
        case_id = self.new_case(org)
        vendor = self.clients["vendor1" if (org or self.org1) == self.org1 else "vendor2"]
        res = vendor.post(f"/api/cases/{case_id}/responses", json={"body": "Here is our answer."})
        assert res.status_code == 201, res.text
        return case_id


@pytest.fixture(scope="module")
def world(services) -> CasesWorld:
    from app.api.main import create_api

    api = create_api()
    tenant, other = make_tenant("cases"), make_tenant("casesb")
    org1 = add_org(tenant, "SUP-ONE", "Apex Packaging")
    org2 = add_org(tenant, "SUP-TWO", "BlueLine Logistics")
    other_org = add_org(other, "SUP-X", "Other tenant's vendor")
    w = CasesWorld(tenant, other, org1, org2, other_org)

    def sign_in(email: str):
        return login_client(api, email, PASSWORD, raise_server_exceptions=False)

    w.clients["owner"] = sign_in(tenant.owner_email)
    for role in STAFF:
        w.clients[role] = sign_in(add_user(tenant, role))
    w.vendor_emails = {"vendor1": add_vendor(tenant, org1), "vendor2": add_vendor(tenant, org2)}
    w.clients["vendor1"] = sign_in(w.vendor_emails["vendor1"])
    w.clients["vendor2"] = sign_in(w.vendor_emails["vendor2"])
    w.clients["b_owner"] = sign_in(other.owner_email)
    w.clients["b_vendor"] = sign_in(add_vendor(other, other_org))
    w.clients["api"] = api
    return w
