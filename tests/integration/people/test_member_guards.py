"""The guard rails of member management and tenant isolation, each refusal writing nothing."""

from __future__ import annotations

from tests.integration.people.conftest import invite
from tests.support.api_clients import api_error, login_client
from tests.support.effects import rows, trail, unchanged
from tests.support.tenants import make_tenant
from tests.support.users import add_user


def _id(client, email: str) -> str:
    items = client.get("/api/members", params={"limit": 200}).json()["items"]
    return next(m["user_id"] for m in items if m["email"] == email)


def _state(tenant):
    ctx = tenant.ctx()
    return rows(ctx, "memberships", "role = 'owner' and status = 'active'"), rows(ctx, "audit_events")


def test_the_last_active_owner_cannot_be_demoted_or_deactivated(api, people):
    tenant, owner = people
    admin = login_client(api, add_user(tenant, "admin"))
    with unchanged(lambda: _state(tenant)):
        error = api_error(owner.patch(f"/api/members/{owner.user_id}", json={"role": "admin"}), 409, "conflict")
        assert "last active owner" in error["message"]
        api_error(owner.post(f"/api/members/{owner.user_id}/deactivate", json={"reason": "x"}), 409, "conflict")
        # an admin may not touch an owner at all
        api_error(admin.post(f"/api/members/{owner.user_id}/deactivate", json={"reason": "x"}), 403, "forbidden")
    # with a second owner, one may step down
    second = add_user(tenant, "owner")
    res = owner.patch(f"/api/members/{owner.user_id}", json={"role": "admin"})
    assert res.status_code == 200 and res.json()["role"] == "admin", res.text
    second_client = login_client(api, second)
    with unchanged(lambda: _state(tenant)):
        api_error(second_client.patch(f"/api/members/{second_client.user_id}", json={"role": "ops"}), 409, "conflict")


def test_an_admin_cannot_make_or_touch_an_owner(api, people):
    tenant, owner = people
    admin = login_client(api, add_user(tenant, "admin"))
    ops_email = add_user(tenant, "ops")
    ops_id = _id(owner, ops_email)
    with unchanged(lambda: _state(tenant), lambda: rows(tenant.ctx(), "invitations")):
        api_error(admin.patch(f"/api/members/{ops_id}", json={"role": "owner"}), 403, "forbidden")
        api_error(admin.patch(f"/api/members/{owner.user_id}", json={"role": "viewer"}), 403, "forbidden")
        api_error(admin.post("/api/members/invitations", json={"email": "o@x.test", "role": "owner"}), 403, "forbidden")
    # what an admin may do
    res = admin.patch(f"/api/members/{ops_id}", json={"role": "sales"})
    assert res.status_code == 200 and res.json()["role"] == "sales", res.text
    assert admin.post("/api/members/invitations", json={"email": "a@x.test", "role": "admin"}).status_code == 201


def test_nobody_deactivates_themselves(api, people):
    tenant, owner = people
    admin = login_client(api, add_user(tenant, "admin"))
    with unchanged(lambda: _state(tenant)):
        error = api_error(admin.post(f"/api/members/{admin.user_id}/deactivate", json={"reason": "x"}), 409, "conflict")
    assert "yourself" in error["message"]
    assert admin.get("/api/auth/me").status_code == 200


def test_bad_input_names_the_field(api, people):
    tenant, owner = people
    ops_id = _id(owner, add_user(tenant, "ops"))
    with unchanged(lambda: _state(tenant), lambda: rows(tenant.ctx(), "invitations")):
        error = api_error(
            owner.post("/api/members/invitations", json={"email": "nope", "role": "ops"}), 422, "validation_error"
        )
        assert error["fields"] == {"email": "invalid e-mail"}
        error = api_error(
            owner.post("/api/members/invitations", json={"email": "a@b.test", "role": "boss"}), 422, "validation_error"
        )
        assert "role" in error["fields"]
        error = api_error(owner.post(f"/api/members/{ops_id}/deactivate", json={"reason": ""}), 422, "validation_error")
        assert "reason" in error["fields"]
        api_error(owner.patch(f"/api/members/{ops_id}", json={"role": "vendor"}), 422, "validation_error")
        api_error(owner.patch("/api/members/not-a-uuid", json={"role": "ops"}), 404, "not_found")  # no such address
    # an active member is not invited again
    api_error(
        owner.post("/api/members/invitations", json={"email": tenant.owner_email, "role": "ops"}), 409, "conflict"
    )


def test_tenant_b_cannot_see_or_decide_tenant_a_invitations(api, people):
    tenant, owner = people
    other = make_tenant("peopleb")
    b_owner = login_client(api, other.owner_email, other.password)
    inv_id = invite(owner, "only-a@example.test")["invitation"]["id"]
    assert b_owner.get("/api/members/invitations").json()["items"] == []
    assert [m["email"] for m in b_owner.get("/api/members").json()["items"]] == [other.owner_email]
    with unchanged(lambda: trail(tenant.ctx(), inv_id), lambda: owner.get("/api/members/invitations").json()):
        for action in ("cancel", "resend"):
            api_error(b_owner.post(f"/api/invitations/{inv_id}/update", json={"action": action}), 404, "not_found")
        api_error(b_owner.patch(f"/api/members/{owner.user_id}", json={"role": "viewer"}), 404, "not_found")
        api_error(b_owner.post(f"/api/members/{owner.user_id}/deactivate", json={"reason": "x"}), 404, "not_found")


def test_a_vendor_withdraws_only_its_own_organizations_invitations(api, people):
    import uuid

    from engine.context import TenantContext
    from engine.rbac import Role
    from models.core.db import owner_tenant_session
    from models.core.identity import add_membership, ensure_user
    from tests.support.orgs import add_org
    from tests.support.tenants import PASSWORD

    tenant, owner = people
    tag = uuid.uuid4().hex[:6].upper()
    org, other_org = (
        add_org(tenant, f"V1-{tag}", f"Vendor one {tag}"),
        add_org(tenant, f"V2-{tag}", f"Vendor two {tag}"),
    )
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    with owner_tenant_session(ctx) as session:
        user = ensure_user(session, email=f"vendor-{org.hex[:6]}@v.test", display_name="V", password=PASSWORD)
        add_membership(session, ctx, user, Role.VENDOR, org)
        vendor_email = user.email
    vendor = login_client(api, vendor_email)
    mine = owner.post(
        "/api/members/invitations", json={"email": "colleague@v.test", "role": "vendor", "organization_id": str(org)}
    ).json()["invitation"]["id"]
    theirs = owner.post(
        "/api/members/invitations",
        json={"email": "x@other.test", "role": "vendor", "organization_id": str(other_org)},
    ).json()["invitation"]["id"]
    with unchanged(lambda: trail(tenant.ctx(), theirs), lambda: trail(tenant.ctx(), mine)):
        api_error(vendor.post(f"/api/invitations/{theirs}/update", json={"action": "withdraw"}), 404, "not_found")
        api_error(vendor.post(f"/api/invitations/{mine}/update", json={"action": "cancel"}), 403, "forbidden")
        api_error(owner.post(f"/api/invitations/{mine}/update", json={"action": "withdraw"}), 403, "forbidden")
    res = vendor.post(f"/api/invitations/{mine}/update", json={"action": "withdraw", "expected_status": "pending"})
    assert res.status_code == 200 and res.json()["status"] == "withdrawn", res.text
