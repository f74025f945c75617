"""The origin policy on the real app (issue 17, item 3): a Socket.IO client opens Reflex's `/_event`
exactly as a browser page on another site would, with the victim's session cookie — refused for a
foreign or `null` Origin, served for the app's own origin; CORS preflights through Reflex's own
CORS layer get no allow headers from a foreign origin. Allow-listed origins: tests/integration/core/test_origins.py."""

from __future__ import annotations

import asyncio
import threading
import uuid

import httpx
import pytest
import socketio

pytestmark = pytest.mark.e2e

VICTIM = "owner@demo.test"
PASSWORD = "pharos-demo"


@pytest.fixture(scope="module")
def victim_cookie(live_app) -> str:
    response = httpx.post(f"{live_app.url}/api/auth/login", json={"email": VICTIM, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return f"pharos_session={response.json()['token']}"


def _open_socket(url: str, origin: str, cookie: str) -> dict:
    """Connect to /_event with this Origin and cookie; when connected, ask for the session (the
    auth guard, as a page load does) and return what the server sent back."""
    from app.web.shell.auth import AuthState

    outcome: dict = {"connected": False, "error": None, "updates": []}

    async def run() -> None:
        client = socketio.AsyncClient(reconnection=False)
        answered = asyncio.Event()

        def received(data: dict) -> None:
            outcome["updates"].append(data)
            if VICTIM in str(data):
                answered.set()

        client.on("event", received, namespace="/_event")
        token = str(uuid.uuid4())
        try:
            await client.connect(
                f"{url}?token={token}",
                socketio_path="/_event",
                transports=["websocket"],
                headers={"Origin": origin, "Cookie": cookie},
                namespaces=["/_event"],
                wait_timeout=10,
            )
        except socketio.exceptions.ConnectionError as exc:
            outcome["error"] = str(exc)
            return
        outcome["connected"] = True
        try:
            await client.emit(
                "event",
                {
                    "name": f"{AuthState.get_full_name()}.guard",
                    "payload": {"route": "/"},
                    "handler": None,
                    "token": token,
                    "router_data": {"pathname": "/", "query": {}, "asPath": "/"},
                },
                namespace="/_event",
            )
            await asyncio.wait_for(answered.wait(), 30)
        finally:
            await client.disconnect()

    def main() -> None:
        asyncio.run(run())

    worker = threading.Thread(target=main)
    worker.start()
    worker.join(timeout=90)
    assert not worker.is_alive(), "websocket client did not finish"
    return outcome


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_a_foreign_page_cannot_open_the_victims_socket(live_app, victim_cookie, origin):
    outcome = _open_socket(live_app.url, origin, victim_cookie)
    assert outcome["connected"] is False
    assert outcome["error"]
    assert outcome["updates"] == []


def test_the_apps_own_page_opens_the_socket_and_gets_the_session(live_app, victim_cookie):
    outcome = _open_socket(live_app.url, live_app.url, victim_cookie)
    assert outcome["error"] is None and outcome["connected"] is True
    assert any(VICTIM in str(update) for update in outcome["updates"])


def test_foreign_preflight_gets_no_cors_headers_on_the_live_app(live_app):
    response = httpx.options(
        f"{live_app.url}/api/auth/login",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 403
    assert [k for k in response.headers if k.lower().startswith("access-control-")] == []
    read = httpx.get(f"{live_app.url}/api/health", headers={"Origin": "https://evil.example"})
    assert [k for k in read.headers if k.lower().startswith("access-control-")] == []


def test_metrics_are_off_on_the_live_app(live_app):
    assert httpx.get(f"{live_app.url}/metrics").status_code == 404
