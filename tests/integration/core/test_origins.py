"""The origin policy of the port (issue 17, item 3; app/api/edge.py) on the REST API: same-origin by
default, an explicit allow-list, foreign preflights and writes refused without CORS headers, foreign
websocket handshakes refused. The real Reflex websocket is covered in tests/e2e/core/test_origins_live.py."""

from __future__ import annotations

import pytest
from fastapi import WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.api.edge import normalise_origin
from tests.support.api_clients import create_test_api
from tests.support.env import settings_env

EVIL = "https://evil.example"
OWN = "http://testserver"  # TestClient's base URL: scheme + Host of every request
LISTED = "https://app.example.com"


@pytest.fixture(scope="module")
def api():
    api = create_test_api()

    @api.websocket("/api/test-ws")
    async def echo(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    return api


@pytest.fixture
def client(api):
    return TestClient(api, raise_server_exceptions=False)


def cors_headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def preflight(client, origin, path="/api/auth/login", method="POST"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


@pytest.mark.parametrize(
    "origin", [EVIL, "null", "http://testserver.evil.example", "https://testserver", "http://testserver:8080"]
)
def test_a_foreign_preflight_is_refused_without_any_cors_header(client, origin):
    response = preflight(client, origin)
    assert response.status_code == 403
    assert cors_headers(response) == {}
    assert response.json()["error"]["code"] == "forbidden"


def test_a_foreign_read_runs_but_carries_no_cors_header(client, tenant_a):
    token = client.post("/api/auth/login", json={"email": tenant_a.owner_email, "password": tenant_a.password}).json()[
        "token"
    ]
    response = client.get("/api/auth/me", headers={"Origin": EVIL, "Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert cors_headers(response) == {}  # the browser keeps the answer from evil.example's page


@pytest.mark.parametrize("origin", [EVIL, "null"])
def test_a_foreign_write_is_refused_before_it_runs(client, tenant_a, origin):
    response = client.post(
        "/api/auth/login",
        json={"email": tenant_a.owner_email, "password": tenant_a.password},
        headers={"Origin": origin},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "set-cookie" not in response.headers and "token" not in response.text
    assert cors_headers(response) == {}


def test_the_apps_own_origin_signs_in(client, tenant_a):
    response = client.post(
        "/api/auth/login", json={"email": tenant_a.owner_email, "password": tenant_a.password}, headers={"Origin": OWN}
    )
    assert response.status_code == 200
    assert "pharos_session=" in response.headers["set-cookie"]
    assert cors_headers(response) == {}  # same-origin needs no CORS


def test_requests_without_origin_are_not_cross_origin(client, tenant_a):
    response = client.post("/api/auth/login", json={"email": tenant_a.owner_email, "password": tenant_a.password})
    assert response.status_code == 200


def test_an_allow_listed_origin_gets_cors_with_credentials(client, tenant_a):
    with settings_env() as configure:
        configure(PHAROS_ALLOWED_ORIGINS=f"{LISTED}, https://admin.example.com:8443/")
        answer = preflight(client, LISTED)
        other = preflight(client, "https://admin.example.com:8443", path="/api/auth/me", method="GET")
        signed_in = client.post(
            "/api/auth/login",
            json={"email": tenant_a.owner_email, "password": tenant_a.password},
            headers={"Origin": LISTED},
        )
        still_foreign = preflight(client, EVIL)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == LISTED
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert {"authorization", "content-type"} <= {
        h.strip() for h in answer.headers["access-control-allow-headers"].split(",")
    }
    assert other.status_code == 200 and other.headers["access-control-allow-origin"] == "https://admin.example.com:8443"
    assert signed_in.status_code == 200
    assert signed_in.headers["access-control-allow-origin"] == LISTED
    assert signed_in.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in signed_in.headers["vary"]
    assert still_foreign.status_code == 403 and cors_headers(still_foreign) == {}


def test_an_allow_list_entry_must_be_an_origin():
    from models.core.settings import get_settings

    for bad in ("*", "evil.example", "https://app.example.com/path"):
        with settings_env() as configure, pytest.raises(RuntimeError, match="PHAROS_ALLOWED_ORIGINS"):
            configure(PHAROS_ALLOWED_ORIGINS=bad)
            get_settings()


@pytest.mark.parametrize("origin", [EVIL, "null", "https://testserver"])
def test_a_foreign_websocket_handshake_is_refused(client, origin):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/api/test-ws", headers={"Origin": origin}),
    ):
        pass
    assert refused.value.code == 1008


def test_same_origin_and_listed_websockets_are_accepted(client):
    with client.websocket_connect("/api/test-ws", headers={"Origin": OWN}) as ws:
        assert ws.receive_text() == "hello"
    with settings_env() as configure:
        configure(PHAROS_ALLOWED_ORIGINS=LISTED)
        with client.websocket_connect("/api/test-ws", headers={"Origin": LISTED}) as ws:
            assert ws.receive_text() == "hello"


def test_https_behind_a_trusted_proxy_is_the_apps_own_origin(api, tenant_a):
    body = {"email": tenant_a.owner_email, "password": tenant_a.password}
    headers = {"Origin": "https://testserver", "X-Forwarded-Proto": "https"}
    direct = TestClient(api, raise_server_exceptions=False, client=("198.51.100.7", 5000))
    proxy = TestClient(api, raise_server_exceptions=False, client=("192.0.2.10", 5000))
    with settings_env() as configure:
        configure(PHAROS_TRUSTED_PROXIES="192.0.2.0/24")
        assert (
            direct.post("/api/auth/login", json=body, headers=headers).status_code == 403
        )  # its X-Forwarded-Proto is not believed
        assert proxy.post("/api/auth/login", json=body, headers=headers).status_code == 200


def test_origins_compare_in_canonical_form():
    assert normalise_origin("HTTPS://App.Example.com:443") == "https://app.example.com"
    assert normalise_origin("http://[::1]:80") == "http://[::1]"
    assert normalise_origin("http://host:3000/") == "http://host:3000"
    for opaque in ("null", "file://", "https://", "chrome-extension://abc", "http://host:99999", "http://h/x"):
        assert normalise_origin(opaque) is None
