"""Core REST behaviour: login/sessions, 401/403/404, rate limit, error contract, headers, health, metrics."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.support.api_clients import create_test_api
from tests.support.env import settings_env
from tests.support.users import PASSWORD, add_user


@pytest.fixture
def client(api):
    return TestClient(api, raise_server_exceptions=False)


def login(client, email, password=PASSWORD):
    return client.post("/api/auth/login", json={"email": email, "password": password})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_login_returns_session_and_sets_httponly_cookie(client, tenant_a):
    response = login(client, tenant_a.owner_email.upper(), tenant_a.password)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "user", "tenant", "role", "tenants"}
    assert body["role"] == "owner"
    assert body["tenant"]["slug"] == tenant_a.slug
    assert body["user"]["email"] == tenant_a.owner_email
    cookie = response.headers["set-cookie"]
    assert "pharos_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_me_works_with_bearer_and_cookie_and_401_without(client, tenant_a):
    token = login(client, tenant_a.owner_email, tenant_a.password).json()["token"]
    assert client.get("/api/auth/me", headers=bearer(token)).json()["role"] == "owner"
    assert client.get("/api/auth/me").status_code == 200  # cookie kept by the client
    anonymous = TestClient(client.app)
    response = anonymous.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthenticated", "message": "sign in first", "fields": {}}}
    assert anonymous.get("/api/auth/me", headers=bearer("forged-token")).status_code == 401


def test_wrong_password_and_unknown_user_answer_the_same(client, tenant_a):
    wrong = login(client, tenant_a.owner_email, "not-the-password")
    unknown = login(client, f"nobody-{uuid.uuid4().hex}@x.test", "whatever-pass")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_logout_ends_the_session(client, tenant_a):
    token = login(client, tenant_a.owner_email, tenant_a.password).json()["token"]
    assert client.post("/api/auth/logout", headers=bearer(token)).json() == {"ok": True}
    assert client.get("/api/auth/me", headers=bearer(token)).status_code == 401


def test_login_is_rate_limited_per_email_and_ip(client, tenant_a):
    for _ in range(10):
        assert login(client, tenant_a.owner_email, "bad-password").status_code == 401
    blocked = login(client, tenant_a.owner_email, tenant_a.password)
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(blocked.headers["retry-after"]) <= 60


def test_validation_errors_name_the_field(client):
    response = client.post("/api/auth/login", json={"email": "a@b.c", "password": "x", "admin": True})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert "admin" in response.json()["error"]["fields"]
    missing = client.post("/api/auth/login", json={"email": "a@b.c"})
    assert "password" in missing.json()["error"]["fields"]


def test_role_without_permission_gets_403(client, tenant_a):
    viewer = add_user(tenant_a, "viewer")
    token = login(client, viewer).json()["token"]
    response = client.get("/api/audit", headers=bearer(token))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_audit_api_lists_only_own_tenant_with_cursor_pagination(client, tenant_a, tenant_b):
    auditor = add_user(tenant_a, "auditor")
    token = login(client, auditor).json()["token"]
    first = client.get("/api/audit?limit=2", headers=bearer(token)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert first["items"][0]["seq"] > first["items"][1]["seq"]
    second = client.get(f"/api/audit?limit=2&cursor={first['next_cursor']}", headers=bearer(token)).json()
    assert second["items"][0]["seq"] < first["items"][1]["seq"]
    everything = client.get("/api/audit?limit=200", headers=bearer(token)).json()["items"]
    assert {e["entity_id"] for e in everything}.isdisjoint({str(tenant_b.tenant_id)})
    assert client.get("/api/audit?cursor=%%%", headers=bearer(token)).status_code == 422
    assert client.get("/api/audit?limit=0", headers=bearer(token)).status_code == 422


def test_user_with_two_tenants_picks_and_switches(client, tenant_a, tenant_b):
    email = add_user(tenant_a, "ops")
    add_user(tenant_b, "viewer", email=email)
    body = login(client, email).json()
    assert body["tenant"] is None and body["role"] is None
    assert {t["slug"] for t in body["tenants"]} == {tenant_a.slug, tenant_b.slug}
    token = body["token"]
    assert client.get("/api/audit", headers=bearer(token)).status_code == 403  # no tenant chosen yet
    switched = client.post(
        "/api/auth/switch", json={"tenant_id": str(tenant_b.tenant_id)}, headers=bearer(token)
    ).json()
    assert switched["role"] == "viewer" and switched["tenant"]["slug"] == tenant_b.slug
    assert (
        client.post("/api/auth/switch", json={"tenant_id": str(uuid.uuid4())}, headers=bearer(token)).status_code == 404
    )


def test_cannot_switch_into_a_tenant_without_membership(client, tenant_a, tenant_b):
    token = login(client, tenant_a.owner_email, tenant_a.password).json()["token"]
    response = client.post("/api/auth/switch", json={"tenant_id": str(tenant_b.tenant_id)}, headers=bearer(token))
    assert response.status_code == 404


def test_security_headers_on_every_response(client):
    for response in (client.get("/api/health"), client.get("/api/nope"), client.post("/api/auth/login", json={})):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert response.headers["x-request-id"]


def test_unknown_api_route_uses_the_error_contract(client):
    response = client.get("/api/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unexpected_errors_hide_the_stack_trace():
    api = create_test_api()  # its own app: the test adds a route

    def explode():
        raise RuntimeError("secret internals")

    api.add_api_route("/api/test-explode", explode)
    api.router.routes.insert(0, api.router.routes.pop())  # ahead of the `/api/...` fallback (errors.py)

    response = TestClient(api, raise_server_exceptions=False).get(
        "/api/test-explode", headers={"x-request-id": "req-123"}
    )
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "internal_error"
    assert "req-123" in body["error"]["message"]
    assert "secret" not in response.text and "Traceback" not in response.text


def test_health_reports_db_redis_and_the_worker_heartbeat(client, monkeypatch):
    """No worker on this (fresh) queue: degraded but serving (200); a heartbeat makes it ok; a
    worker leaving makes it missing again."""
    import asyncio

    from models.core import heartbeat
    from models.core.redis_client import new_async_redis

    monkeypatch.setenv("PHAROS_QUEUE_NAME", f"pharos:test:health:{uuid.uuid4().hex[:8]}")
    missing = client.get("/api/health")
    assert missing.status_code == 200
    assert missing.json() == {
        "status": "degraded", "ok": True, "db": "ok", "redis": "ok", "worker": "missing",
        "workers": 0, "worker_last_seen_seconds": None, "degraded": ["worker"],
    }  # fmt: skip

    async def beat_then(action):
        redis = new_async_redis()
        try:
            await action(redis, "test-worker-1")
        finally:
            await redis.aclose()

    asyncio.run(beat_then(heartbeat.beat))
    alive = client.get("/api/health").json()
    assert (alive["status"], alive["worker"], alive["workers"], alive["degraded"]) == ("ok", "ok", 1, [])
    assert 0 <= alive["worker_last_seen_seconds"] < heartbeat.gone_after_seconds()

    asyncio.run(beat_then(heartbeat.forget))
    assert client.get("/api/health").json()["worker"] == "missing"


def test_metrics_exposes_request_latency_and_queue_depth(client):
    with settings_env() as configure:
        configure(PHAROS_METRICS_TOKEN="scrape-secret")
        client.get("/api/health")
        response = client.get("/metrics", headers=bearer("scrape-secret"))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert 'pharos_http_request_seconds_count{method="GET",route="/api/health",status="2xx"}' in response.text
    assert "pharos_job_queue_depth" in response.text


def test_metrics_are_off_without_a_token_and_need_the_right_one_with_it(client):
    off = client.get("/metrics")
    assert off.status_code == 404
    assert off.json()["error"]["code"] == "not_found"
    with settings_env() as configure:
        configure(PHAROS_METRICS_TOKEN="scrape-secret")
        missing = client.get("/metrics")
        wrong = client.get("/metrics", headers=bearer("scrape-secreT"))
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "unauthenticated"
        assert "pharos_http" not in response.text
