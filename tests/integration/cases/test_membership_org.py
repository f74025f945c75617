"""A vendor membership's organization is a row of its tenant's catalog (migration 0022): a missing
organization or another tenant's is refused by the database, and a vendor invitation naming one is
422 naming `organization_id` (not a failed accept later), with nothing written."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.support.effects import unchanged


def _count(world, table: str) -> int:
    from models.core.db import owner_tenant_session

    with owner_tenant_session(world.tenant.ctx()) as s:
        return s.execute(
            text(f"select count(*) from {table} where tenant_id = :t"), {"t": world.tenant.tenant_id}
        ).scalar()


@pytest.mark.parametrize("whose", ["missing", "other tenant's"])
def test_a_membership_cannot_name_an_organization_outside_its_tenant(world, whose):
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.core.db import owner_tenant_session
    from models.core.identity import add_membership, ensure_user
    from tests.support.tenants import PASSWORD

    org = uuid.uuid4() if whose == "missing" else world.other_org
    ctx = TenantContext.system(world.tenant.tenant_id, world.tenant.slug)
    with unchanged(lambda: _count(world, "memberships")):
        with pytest.raises(IntegrityError, match="fk_memberships_organization"):
            with owner_tenant_session(ctx) as session:
                user = ensure_user(
                    session, email=f"v-{uuid.uuid4().hex[:6]}@x.test", display_name="V", password=PASSWORD
                )
                add_membership(session, ctx, user, Role.VENDOR, org)


def test_a_vendor_invitation_names_an_organization_of_the_tenant(world):
    owner = world.clients["owner"]
    with unchanged(lambda: (_count(world, "invitations"), _count(world, "audit_events"))):
        for org in (uuid.uuid4(), world.other_org):
            res = owner.post(
                "/api/members/invitations",
                json={"email": f"v-{uuid.uuid4().hex[:6]}@x.test", "role": "vendor", "organization_id": str(org)},
            )
            assert res.status_code == 422, res.text
            assert res.json()["error"]["fields"] == {"organization_id": "not found"}
    res = owner.post(
        "/api/members/invitations",
        json={"email": f"v-{uuid.uuid4().hex[:6]}@x.test", "role": "vendor", "organization_id": str(world.org1)},
    )
    assert res.status_code == 201, res.text
