"""Members and invitations through the REST API: invite → accept → sign in → role change →
deactivation ends the session at once → sign-in refused; and every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from models.core.base import utcnow
from models.core.db import owner_session
from tests.integration.people.conftest import accept, invite, token_of
from tests.support.api_clients import api_error, login_client
from tests.support.effects import rows, trail, unchanged
from tests.support.tenants import make_tenant
from tests.support.users import add_user


def _member(client, email: str) -> dict:
    items = client.get("/api/members", params={"limit": 200}).json()["items"]
    return next(m for m in items if m["email"] == email)


def _everyone(tenant) -> tuple[int, int, int]:
    ctx = tenant.ctx()
    return (
        rows(ctx, "memberships"),
        rows(ctx, "users"),
        rows(ctx, "audit_events"),
    )


def _sign_in(api, email: str, password: str):
    return TestClient(api).post("/api/auth/login", json={"email": email, "password": password})


def test_invite_accept_sign_in_role_change_deactivate(api, people):
    tenant, owner = people
    created = invite(owner, "Colleague@Example.test", "ops")
    assert created["invitation"]["email"] == "colleague@example.test"
    assert created["invitation"]["status"] == "pending"
    assert created["accept_url"].startswith("http://testserver/invite/accept?token=")
    inv_id = created["invitation"]["id"]
    # only the SHA-256 is stored; the e-mail is queued in the outbox, without the token
    token = token_of(created["accept_url"])
    with owner_session() as s:
        stored = s.execute(text("select token_hash from invitations where id = :i"), {"i": inv_id}).scalar()
        payload = s.execute(
            text("select payload::text from outbox_events where topic = 'invitation.email' and entity_id = :i"),
            {"i": inv_id},
        ).scalar()
    assert stored != token and len(stored) == 64
    assert payload is not None and token not in payload and "colleague@example.test" in payload

    res = accept(api, created["accept_url"], password="colleague-pw", name="Cora Colleague")
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["user"]["email"], body["role"], body["tenant"]["slug"]) == (
        "colleague@example.test",
        "ops",
        tenant.slug,
    )
    assert "pharos_session" in res.cookies

    invitations = owner.get("/api/members/invitations").json()["items"]
    assert [(i["id"], i["status"]) for i in invitations] == [(inv_id, "accepted")]
    member = _member(owner, "colleague@example.test")
    assert (member["role"], member["status"], member["display_name"]) == ("ops", "active", "Cora Colleague")
    assert member["last_sign_in_at"] is not None

    colleague = login_client(api, "colleague@example.test", "colleague-pw")
    assert colleague.get("/api/auth/me").json()["role"] == "ops"
    # a role change reaches the live session at its next request
    res = owner.patch(f"/api/members/{colleague.user_id}", json={"role": "viewer"})
    assert res.status_code == 200 and res.json()["role"] == "viewer", res.text
    assert colleague.get("/api/auth/me").json()["role"] == "viewer"
    api_error(colleague.post("/api/jobs/00000000-0000-0000-0000-000000000000/cancel", json={}), 403, "forbidden")

    res = owner.post(f"/api/members/{colleague.user_id}/deactivate", json={"reason": "left the company"})
    assert res.status_code == 200 and res.json()["status"] == "deactivated", res.text
    # the session ends at once, not at its TTL
    api_error(colleague.get("/api/auth/me"), 401, "unauthenticated")
    api_error(_sign_in(api, "colleague@example.test", "colleague-pw"), 401, "unauthenticated")
    assert trail(tenant.ctx(), inv_id)["decision_events"] == 1  # accept


def test_deactivation_keeps_the_members_other_tenants(api, people):
    tenant, owner = people
    other = make_tenant("elsewhere")
    email = add_user(other, "sales")
    add_user(tenant, "ops", email)
    both = login_client(api, email)
    assert len(both.get("/api/auth/me").json()["tenants"]) == 2
    res = both.post("/api/auth/switch", json={"tenant_id": str(tenant.tenant_id)})
    assert res.status_code == 200, res.text
    user_id = both.user_id
    assert owner.post(f"/api/members/{user_id}/deactivate", json={"reason": "moved"}).status_code == 200
    api_error(both.get("/api/auth/me"), 401, "unauthenticated")
    again = login_client(api, email)  # one tenant left: chosen at once
    me = again.get("/api/auth/me").json()
    assert (me["tenant"]["slug"], [t["slug"] for t in me["tenants"]]) == (other.slug, [other.slug])


def test_viewer_cannot_invite_or_manage(api, people):
    tenant, owner = people
    viewer = login_client(api, add_user(tenant, "viewer"))
    ops_email = add_user(tenant, "ops")
    ops_id = _member(owner, ops_email)["user_id"]
    with unchanged(lambda: _everyone(tenant), lambda: rows(tenant.ctx(), "invitations")):
        api_error(viewer.post("/api/members/invitations", json={"email": "x@y.test", "role": "ops"}), 403, "forbidden")
        api_error(viewer.get("/api/members"), 403, "forbidden")
        api_error(viewer.patch(f"/api/members/{ops_id}", json={"role": "admin"}), 403, "forbidden")
        api_error(viewer.post(f"/api/members/{ops_id}/deactivate", json={"reason": "x"}), 403, "forbidden")


def test_accept_twice_unknown_and_other_tenant_create_nothing(api, people):
    tenant, owner = people
    created = invite(owner, "twice@example.test")
    assert accept(api, created["accept_url"]).status_code == 200
    with unchanged(lambda: _everyone(tenant), lambda: trail(tenant.ctx(), created["invitation"]["id"])):
        error = api_error(accept(api, created["accept_url"]), 409, "conflict")
        assert error["fields"] == {"token": "accepted"}
    other = make_tenant("othertenant")
    second = invite(owner, "second@example.test")
    probes = (lambda: _everyone(tenant), lambda: _everyone(other), lambda: rows(other.ctx(), "invitations"))
    with unchanged(*probes):
        api_error(accept(api, second["accept_url"], tenant=other.slug), 404, "not_found")
        api_error(accept(api, "http://x/invite/accept?token=not-a-real-token"), 404, "not_found")
    # the right tenant named: it works
    assert accept(api, second["accept_url"], tenant=tenant.slug).status_code == 200


def test_an_expired_invitation_is_refused_and_expired(api, people):
    tenant, owner = people
    created = invite(owner, "late@example.test")
    inv_id = created["invitation"]["id"]
    with owner_session() as s:
        s.execute(
            text("update invitations set expires_at = :t where id = :i"),
            {"t": utcnow() - timedelta(minutes=1), "i": inv_id},
        )
    listed = owner.get("/api/members/invitations").json()["items"][0]
    assert (listed["status"], listed["overdue"]) == ("pending", True)
    with unchanged(lambda: _everyone(tenant)[:2]):
        error = api_error(accept(api, created["accept_url"]), 409, "conflict")
    assert error["fields"] == {"token": "expired"}
    assert owner.get("/api/members/invitations").json()["items"][0]["status"] == "expired"
    # RESEND revives it with a fresh token; the old link stays dead
    res = owner.post(f"/api/invitations/{inv_id}/update", json={"action": "resend", "expected_status": "expired"})
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "pending"
    fresh = res.json()["details"]["accept_path"]
    api_error(accept(api, created["accept_url"]), 404, "not_found")
    assert accept(api, "http://testserver" + fresh).status_code == 200


def test_a_short_ttl_setting_expires_invitations(api, people, monkeypatch):
    tenant, owner = people
    monkeypatch.setenv("PHAROS_INVITATION_TTL_SECONDS", "0.001")
    created = invite(owner, "quick@example.test")
    monkeypatch.delenv("PHAROS_INVITATION_TTL_SECONDS")
    with unchanged(lambda: _everyone(tenant)[:2]):
        api_error(accept(api, created["accept_url"]), 409, "conflict")


def test_existing_account_joins_with_its_own_password(api, people):
    tenant, owner = people
    other = make_tenant("home")
    email = add_user(other, "sales")
    created = invite(owner, email, "finance")
    with unchanged(lambda: _everyone(tenant)):
        error = api_error(accept(api, created["accept_url"], password="wrong-password"), 422, "validation_error")
    assert "password" in error["fields"]
    res = accept(api, created["accept_url"], password="correct-horse")
    assert res.status_code == 200, res.text
    assert (res.json()["tenant"]["slug"], res.json()["role"]) == (tenant.slug, "finance")
    assert sorted(t["slug"] for t in res.json()["tenants"]) == sorted([tenant.slug, other.slug])


def test_invitation_decisions_cancel_and_resend(api, people):
    tenant, owner = people
    created = invite(owner, "cancel-me@example.test")
    inv_id = created["invitation"]["id"]
    res = owner.post(f"/api/invitations/{inv_id}/update", json={"action": "cancel", "expected_status": "pending"})
    assert res.status_code == 200 and res.json()["status"] == "cancelled", res.text
    assert res.json()["actions"] == []
    with unchanged(lambda: _everyone(tenant)[:2], lambda: trail(tenant.ctx(), inv_id)):
        error = api_error(accept(api, created["accept_url"]), 409, "conflict")
        assert error["fields"] == {"token": "cancelled"}
        api_error(owner.post(f"/api/invitations/{inv_id}/update", json={"action": "resend"}), 409, "invalid_transition")
        api_error(owner.post(f"/api/invitations/{inv_id}/update", json={"action": "accept"}), 409, "invalid_transition")
    # a new invitation to the same address is fine once the old one is closed
    assert invite(owner, "cancel-me@example.test")["invitation"]["status"] == "pending"
    api_error(
        owner.post("/api/members/invitations", json={"email": "cancel-me@example.test", "role": "ops"}), 409, "conflict"
    )


def test_system_only_actions_are_refused(api, people):
    tenant, owner = people
    inv_id = invite(owner, "sys@example.test")["invitation"]["id"]
    with unchanged(lambda: trail(tenant.ctx(), inv_id)):
        for action in ("accept", "expire"):
            api_error(owner.post(f"/api/invitations/{inv_id}/update", json={"action": action}), 403, "forbidden")


def test_vendor_invitation_needs_an_organization(api, people):
    tenant, owner = people
    with unchanged(lambda: rows(tenant.ctx(), "invitations")):
        error = api_error(
            owner.post("/api/members/invitations", json={"email": "v@example.test", "role": "vendor"}),
            422,
            "validation_error",
        )
        assert error["fields"] == {"organization_id": "required"}
        error = api_error(
            owner.post(
                "/api/members/invitations",
                json={"email": "s@example.test", "role": "ops", "organization_id": str(tenant.tenant_id)},
            ),
            422,
            "validation_error",
        )
        assert error["fields"] == {"organization_id": "vendor only"}
