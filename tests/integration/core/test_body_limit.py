"""Request bodies over the budget are refused before they are read (issue 17, item 8): a declared
Content-Length at once, a chunked body as soon as it passes the budget; uploads have their own,
larger budget and stream. Refusals follow the API error contract."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from app.api import body_limit
from tests.support.api_clients import create_test_api
from tests.support.env import settings_env

MIB = 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def api():
    api = create_test_api()

    @api.post("/api/test-upload/files")
    async def upload(request: Request) -> dict:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return {"bytes": size}

    api.router.routes.insert(0, api.router.routes.pop())  # ahead of the `/api/...` fallback (errors.py)
    return api


@pytest.fixture
def upload_route():
    body_limit.allow_upload("/api/test-upload")
    yield
    body_limit.UPLOAD_PREFIXES.remove("/api/test-upload")


def call(api, *, path: str, chunks: int, chunk_size: int = CHUNK, content_length: int | None = None):
    """Drive the ASGI app directly: returns (status, headers, body, chunks the app pulled)."""
    pulled = {"n": 0}
    sent: list[dict] = []
    headers = [(b"content-type", b"application/json"), (b"host", b"testserver")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("198.51.100.1", 1234),
        "server": ("testserver", 80),
    }

    async def receive():
        if pulled["n"] >= chunks:
            await asyncio.sleep(3600)  # a client that never finishes; the app must not wait for it
        pulled["n"] += 1
        return {"type": "http.request", "body": b"x" * chunk_size, "more_body": pulled["n"] < chunks}

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(api(scope, receive, send), 60))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict((k.decode(), v.decode()) for k, v in start["headers"]), body, pulled["n"]


def assert_413(status, headers, body, budget):
    assert status == 413
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "error": {
            "code": "payload_too_large",
            "message": f"request body too large: at most {budget} bytes are accepted here",
            "fields": {},
        }
    }
    assert headers["x-request-id"] and "frame-ancestors 'none'" in headers["content-security-policy"]


def test_a_declared_oversized_body_is_refused_without_reading_a_byte(api):
    status, headers, body, pulled = call(api, path="/api/auth/login", chunks=320, content_length=20 * MIB)
    assert_413(status, headers, body, MIB)
    assert pulled == 0


def test_a_chunked_body_is_cut_off_once_it_passes_the_budget(api):
    status, headers, body, pulled = call(api, path="/api/auth/login", chunks=320)  # 20 MiB, no Content-Length
    assert_413(status, headers, body, MIB)
    assert pulled == MIB // CHUNK + 1  # the first chunk over the budget, not one more


def test_a_lying_content_length_is_cut_off_too(api):
    status, headers, body, pulled = call(api, path="/api/auth/login", chunks=320, content_length=100)
    assert_413(status, headers, body, MIB)
    assert pulled == MIB // CHUNK + 1


def test_routes_that_never_read_the_body_refuse_a_declared_oversize_too(api):
    status, headers, body, _ = call(api, path="/api/no-such-route", chunks=1, content_length=2 * MIB)
    assert_413(status, headers, body, MIB)


def test_the_budget_is_inclusive_and_configurable(api):
    client = TestClient(api, raise_server_exceptions=False)
    with settings_env() as configure:
        configure(PHAROS_MAX_BODY_BYTES="2048")
        padding = 2048 - len(json.dumps({"email": "a@b.test", "password": ""}))
        at_budget = json.dumps({"email": "a@b.test", "password": "p" * padding})
        assert len(at_budget) == 2048
        assert (
            client.post("/api/auth/login", content=at_budget, headers={"content-type": "application/json"}).status_code
            == 422
        )
        over = at_budget[:-2] + 'p"}'
        refused = client.post("/api/auth/login", content=over, headers={"content-type": "application/json"})
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "payload_too_large"


def test_upload_routes_have_their_own_budget_and_stream(api, upload_route):
    client = TestClient(api, raise_server_exceptions=False)
    with settings_env() as configure:
        configure(PHAROS_MAX_BODY_BYTES="1024", PHAROS_MAX_UPLOAD_BYTES="4096")
        assert client.post("/api/test-upload/files", content=b"u" * 4096).json() == {"bytes": 4096}
        too_big = client.post("/api/test-upload/files", content=b"u" * 4097)
        json_route = client.post("/api/auth/login", content=b"u" * 3000)
    assert too_big.status_code == 413 and "4096 bytes" in too_big.json()["error"]["message"]
    assert json_route.status_code == 413 and "1024 bytes" in json_route.json()["error"]["message"]


def test_reflex_upload_endpoint_is_an_upload_route():
    from models.core.settings import get_settings

    settings = get_settings()
    assert body_limit.budget_for("/_upload", settings) == settings.max_upload_bytes == 250 * MIB
    assert body_limit.budget_for("/_upload/x", settings) == settings.max_upload_bytes
    assert body_limit.budget_for("/_uploads", settings) == settings.max_body_bytes == MIB
    assert body_limit.budget_for("/api/auth/login", settings) == MIB
