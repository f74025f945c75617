"""Transport headers (issue 17, item 9): API answers are never cached; HSTS and Secure cookies when
the request came over https — which a client proves by connecting with TLS, or a trusted proxy by
X-Forwarded-Proto; an untrusted client's X-Forwarded-Proto changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.api_clients import create_test_api
from tests.support.env import settings_env

PROXY = ("192.0.2.10", 5000)


@pytest.fixture(scope="module")
def api():
    return create_test_api()


def sign_in(client, tenant, **headers):
    return client.post(
        "/api/auth/login", json={"email": tenant.owner_email, "password": tenant.password}, headers=headers
    )


def test_private_api_answers_are_not_stored(api, tenant_a):
    client = TestClient(api, raise_server_exceptions=False)
    signed_in = sign_in(client, tenant_a)
    token = signed_in.json()["token"]
    answers = [
        signed_in,
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}),
        client.get("/api/audit", headers={"Authorization": f"Bearer {token}"}),
        client.get("/api/auth/me"),  # via the cookie
        client.get("/api/auth/me", headers={"Authorization": "Bearer forged"}),  # 401
        client.get("/api/nope"),
    ]
    for response in answers:
        assert response.headers["cache-control"] == "no-store", response.request.url


def test_plain_http_gets_no_hsts_and_no_secure_cookie(api, tenant_a):
    client = TestClient(api, raise_server_exceptions=False)
    response = sign_in(client, tenant_a, **{"X-Forwarded-Proto": "https"})  # an untrusted client's word
    assert response.status_code == 200
    assert "strict-transport-security" not in response.headers
    assert "secure" not in response.headers["set-cookie"].lower()


def test_tls_to_the_app_gets_hsts_and_a_secure_cookie(api, tenant_a):
    client = TestClient(api, base_url="https://testserver", raise_server_exceptions=False)
    response = sign_in(client, tenant_a)
    assert response.status_code == 200
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    cookie = response.headers["set-cookie"]
    assert "pharos_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_https_reported_by_a_trusted_proxy_gets_hsts_and_a_secure_cookie(api, tenant_a):
    proxy = TestClient(api, raise_server_exceptions=False, client=PROXY)
    with settings_env() as configure:
        configure(PHAROS_TRUSTED_PROXIES="192.0.2.10")
        response = sign_in(proxy, tenant_a, **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.20"})
        health = proxy.get("/api/health", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    assert "Secure" in response.headers["set-cookie"]
    assert health.headers["strict-transport-security"] == "max-age=31536000"
