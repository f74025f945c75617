"""The websocket sweep over the real transport: hostile Socket.IO clients against the live app.

Complements tests/integration/core/test_websocket_sweep.py (which calls handlers in-process): here
each client connects to `/_event` exactly as a browser would and sends every event handler of
every app State, with tenant A's ids as every argument. Every delta the server sends back is
collected; none may carry tenant A's data, and no handler may fail on the server.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import uuid

import httpx
import pytest
import socketio

from tests.support.tenants import make_tenant

pytestmark = pytest.mark.e2e

DEMO_TENANT_SLUG = "demo"


def _app_handlers() -> list[tuple[str, str, list[str]]]:
    from reflex.state import State

    import app.app  # noqa: F401  (registers every page and its state)

    found, todo = [], [State]
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        if not cls.__module__.startswith("app."):
            continue
        for name, handler in sorted(cls.event_handlers.items()):
            if name == "setvar":  # Reflex's generic setter; its refusals are covered in-process
                continue
            params = [p for p in list(inspect.signature(handler.fn).parameters)[1:]]
            found.append((cls.get_full_name(), name, params))
    return found


def _demo_markers() -> list[str]:
    """Ids and names that belong to the demo tenant (tenant A) and must never reach tenant B."""
    from sqlalchemy import text

    from engine.context import TenantContext
    from models.core.db import owner_tenant_session
    from seeds.demo import DEMO_TENANT_ID

    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_TENANT_SLUG)
    with owner_tenant_session(ctx) as session:
        entity_ids = [
            r[0]
            for r in session.execute(
                text("select distinct entity_id from audit_events where tenant_id = :t"), {"t": str(DEMO_TENANT_ID)}
            )
        ]
        hashes = [
            r[0]
            for r in session.execute(
                text("select hash from audit_events where tenant_id = :t limit 50"), {"t": str(DEMO_TENANT_ID)}
            )
        ]
    # short ids (e.g. "1", a row number some entities use) would match any number: keep distinctive ones
    distinctive = [e for e in entity_ids if len(e) >= 16]
    return [str(DEMO_TENANT_ID), "owner@demo.test", "Demo Brand Co.", *distinctive, *hashes]


SENTINEL_ROUNDS = 5


def _sweep(url: str, cookie: str, handlers, hostile_ids: list[str]) -> list[dict]:
    """Connect like the browser does, send every handler, return every update received.

    The end is a positive signal, not a pause: a sentinel event (the error notice's `show` with a
    fresh reference) is sent after the others, and Reflex handles one client's events in order, so
    its answer arrives after every handler sent before it has answered. Events those handlers chain
    are queued behind the sentinel, so rounds repeat until one brings nothing but the sentinel.
    """
    from app.web.shell.error_notice import ErrorNoticeState

    updates: list[dict] = []
    current = {"handler": "connect"}
    sentinel: dict = {"reference": None, "answered": None}

    def received(data: dict) -> None:
        updates.append({**data, "_after": current["handler"]})
        if sentinel["reference"] and sentinel["reference"] in json.dumps(data.get("delta", {})):
            sentinel["answered"].set()

    def is_sentinel_round_noise(update: dict) -> bool:
        delta = update.get("delta") or {}
        return not delta or sentinel["reference"] in json.dumps(delta)

    async def run() -> None:
        client = socketio.AsyncClient(reconnection=False)
        client.on("event", received, namespace="/_event")
        token = str(uuid.uuid4())
        await client.connect(
            f"{url}?token={token}",
            socketio_path="/_event",
            transports=["websocket"],
            headers={"Cookie": cookie} if cookie else {},
            namespaces=["/_event"],
            wait_timeout=10,
        )
        try:
            for index, (state, name, params) in enumerate(handlers):
                payload = {p: hostile_ids[(index + i) % len(hostile_ids)] for i, p in enumerate(params)}
                event = {
                    "name": f"{state}.{name}",
                    "payload": payload,
                    "handler": None,
                    "token": token,
                    "router_data": {"pathname": "/audit", "query": {"id": hostile_ids[0]}, "asPath": "/audit"},
                }
                current["handler"] = event["name"].rsplit(".", 1)[-1] + " of " + state.rsplit("____", 1)[-1]
                await client.emit("event", event, namespace="/_event")
                await asyncio.sleep(0.05)
            for _ in range(SENTINEL_ROUNDS):
                seen = len(updates)
                sentinel["reference"], sentinel["answered"] = uuid.uuid4().hex[:16], asyncio.Event()
                current["handler"] = "the sentinel"
                await client.emit(
                    "event",
                    {
                        "name": f"{ErrorNoticeState.get_full_name()}.show",
                        "payload": {"reference": sentinel["reference"]},
                        "handler": None,
                        "token": token,
                        "router_data": {"pathname": "/login", "query": {}, "asPath": "/login"},
                    },
                    namespace="/_event",
                )  # fmt: skip
                await asyncio.wait_for(sentinel["answered"].wait(), timeout=60)
                if all(is_sentinel_round_noise(u) for u in updates[seen:]):
                    break
            else:
                raise AssertionError(f"handlers kept answering after {SENTINEL_ROUNDS} sentinel rounds")
        finally:
            await client.disconnect()

    errors: list[BaseException] = []

    def thread_main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    worker = threading.Thread(target=thread_main)
    worker.start()
    worker.join(timeout=180)
    assert not worker.is_alive(), "websocket sweep did not finish"
    assert not errors, errors
    return updates


def _server_failures(updates: list[dict]) -> list[str]:
    """Handlers (approximately: the last one sent) after which the server reported a failure."""
    markers = ("Traceback", "An error occurred", "Internal Server Error")
    return sorted({u["_after"] for u in updates if any(m in json.dumps(u) for m in markers)})


@pytest.fixture(scope="module")
def tenant_b_cookie(live_app):
    tenant_b = make_tenant("wsb")
    response = httpx.post(
        f"{live_app.url}/api/auth/login", json={"email": tenant_b.owner_email, "password": tenant_b.password}
    )
    assert response.status_code == 200, response.text
    return f"pharos_session={response.json()['token']}"


@pytest.mark.parametrize("who", ["anonymous", "tenant_b_owner"])
def test_every_handler_over_the_socket_leaks_nothing_of_another_tenant(live_app, tenant_b_cookie, who):
    handlers = _app_handlers()
    assert len(handlers) >= 20
    markers = _demo_markers()
    hostile = [m for m in markers[:1] + markers[3:10] if m] + [str(uuid.uuid4())]
    cookie = "" if who == "anonymous" else tenant_b_cookie
    updates = _sweep(live_app.url, cookie, handlers, hostile)
    assert updates, "the server answered no event at all"
    # what the client sent (router data, echoed query) may come back; nothing else of tenant A may
    received = json.dumps([u.get("delta", {}) for u in updates])
    sent_back = set(hostile)
    leaked = [m for m in markers if m not in sent_back and m in received]
    assert leaked == []
    assert _server_failures(updates) == []
