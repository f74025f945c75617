"""Websocket sweep: every registered Reflex event handler, called by hostile clients.

Any client can send any event name with any payload over the websocket, so this calls every
event handler of every State class in the app's tree — enumerated from the classes, not listed
by hand — as (1) a client with no session cookie, (2) a client with a forged cookie and (3) a
signed-in owner of tenant B who passes tenant A's ids as every argument. After each call the whole
public state tree (a superset of the delta the server would send) must contain nothing of tenant
A, no backend-only var may appear in it, and the handler must not raise.

How: handlers are called directly on State instances built under pytest (the websocket transport
is not driven; the cookie reaches the state through router headers exactly as the socket's
handshake headers do). `setvar` is Reflex's generic setter: with auto setters off it refuses
every name (AttributeError, reported by Reflex as a client error), which the test asserts
instead — it must never reach a backend-only var.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import inspect
import json
import secrets
import uuid
from typing import Any


def _state_classes():
    from reflex.state import State

    import app.app  # noqa: F401  (registers every page and its state)

    seen, todo = [], [State]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(sorted(cls.get_substates(), key=lambda c: c.get_full_name()))
    return seen


def _handlers() -> list[tuple[type, str]]:
    """Handlers of the app's own states (declared or inherited). Reflex's framework states (the
    root State: hydrate, frontend exception reporting, …) need the live event context and hold
    no tenant data; they are exercised by the browser tests instead."""
    return [
        (cls, name)
        for cls in _state_classes()
        if cls.__module__.startswith("app.")
        for name in sorted(cls.event_handlers)
    ]


def _tenant_a_markers(tenant) -> list[str]:
    from engine.context import TenantContext
    from models.core.audit_log import AuditFilter, list_events
    from models.core.db import owner_session, owner_tenant_session
    from models.core.identity import find_user_by_email

    with owner_session() as session:
        owner = find_user_by_email(session, tenant.owner_email)
        owner_id, name = str(owner.id), None
        from models.core.tables import Tenant

        name = session.get(Tenant, tenant.tenant_id).name
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    with owner_tenant_session(ctx) as session:
        events = list_events(session, ctx, AuditFilter(), limit=200).items
        entity_ids = [e.entity_id for e in events]
        hashes = [e.hash for e in events]
    return [str(tenant.tenant_id), tenant.slug, name, tenant.owner_email, owner_id, *entity_ids, *hashes]


def _hostile_values(tenant, markers: list[str]) -> list[Any]:
    return [
        str(tenant.tenant_id),
        markers[4],  # tenant A owner's user id
        markers[5] if len(markers) > 5 else str(uuid.uuid4()),
        "/audit",
        {"ok": True, "status": 200, "tenant_id": str(tenant.tenant_id)},
        "",
        None,
    ]


def _root_with_cookie(cookie: str | None, path: str = "/audit"):
    from reflex.istate.data import RouterData
    from reflex.state import State

    root = State(_reflex_internal_init=True)
    headers = {"host": "testserver", "origin": "http://testserver"}
    if cookie:
        headers["cookie"] = cookie
    root.router = RouterData.from_router_data({"headers": headers, "pathname": path, "query": {}, "asPath": path})
    return root


def _substate(root, cls):
    return root if cls is type(root) else root.get_substate(cls.get_full_name().split("."))


async def _run(handler_fn, state, kwargs: dict[str, Any]) -> None:
    result = handler_fn(state, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    if inspect.isasyncgen(result):
        async for _ in result:
            pass
    elif inspect.isgenerator(result):
        for _ in result:
            pass


def _public_tree(root) -> str:
    return json.dumps(root.dict(), default=str, sort_keys=True)


def _backend_var_names(cls) -> list[str]:
    """Backend-only vars declared by this class itself (leading underscore, a Reflex field)."""
    return [
        name
        for name, value in vars(cls).items()
        if name.startswith("_") and not name.startswith("__") and type(value).__name__ == "Field"
    ]


def _backend_values(root) -> dict[str, Any]:
    values = {}
    for cls in _state_classes():
        state = _substate(root, cls)
        for name in _backend_var_names(cls):
            values[f"{cls.__name__}.{name}"] = getattr(state, name, None)
    return values


def _calls(cls, name: str, hostile: list[Any]) -> list[dict[str, Any]]:
    fn = cls.event_handlers[name].fn
    params = [p for p in list(inspect.signature(fn).parameters.values())[1:] if p.kind is not p.VAR_KEYWORD]
    if not params:
        return [{}]
    return [{p.name: value for p in params} for value in hostile]


async def _sweep(root, tenant_a, markers: list[str]) -> list[str]:
    problems: list[str] = []
    hostile = _hostile_values(tenant_a, markers)
    # what tenant B must never learn: everything of A's it did not send itself
    secret = [m for m in markers if m not in {v for v in hostile if isinstance(v, str)}]
    for cls, name in _handlers():
        if name == "setvar":
            continue
        for kwargs in _calls(cls, name, hostile):
            state = _substate(root, cls)
            try:
                await _run(cls.event_handlers[name].fn, state, kwargs)
            except Exception as exc:  # any raise is a server error the client could trigger
                problems.append(f"{cls.__name__}.{name}({kwargs!r}) raised {type(exc).__name__}: {exc}")
                continue
            tree = _public_tree(root)
            leaked = [m for m in secret if m and m in tree]
            if leaked:
                problems.append(f"{cls.__name__}.{name}({kwargs!r}) exposed tenant A data: {leaked[:3]}")
            hidden = [k for cls_ in _state_classes() for k in _backend_var_names(cls_) if f'"{k}' in tree]
            if hidden:
                problems.append(f"{cls.__name__}.{name}: backend vars in the public tree: {hidden}")
            held = [k for k, v in _backend_values(root).items() if isinstance(v, str) and v and v in markers]
            if held:
                problems.append(f"{cls.__name__}.{name}({kwargs!r}) put tenant A ids in backend vars: {held}")
    return problems


async def _setvar_refused(root, tenant_a) -> list[str]:
    problems = []
    for cls in _state_classes():
        state = _substate(root, cls)
        names = [*_backend_var_names(cls), *[v for v in cls.base_vars if not v.startswith("rx_")]]
        for var in names:
            before = _backend_values(root)
            with contextlib.suppress(AttributeError):
                await _run(cls.event_handlers["setvar"].fn, state, {"var_name": var, "value": str(tenant_a.tenant_id)})
            if _backend_values(root) != before:
                problems.append(f"{cls.__name__}.setvar({var!r}) changed a backend var")
    return problems


def test_every_handler_is_enumerated():
    names = {f"{cls.__name__}.{name}" for cls, name in _handlers()}
    for expected in (
        "AuthState.guard",
        "AuthState.choose_tenant",
        "AuditState.load",
        "AuditState.load_more",
        "AuditState.set_filter",
        "LoginState.finish",
        "HomeState.load",
    ):
        assert expected in names
    assert not any(n.endswith("._require") for n in names)


def _in_own_loop(coro) -> Any:
    """Run a coroutine on a fresh loop in a worker thread (independent of Playwright's or
    pytest-asyncio's loop when the suites run in one session)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(contextvars.copy_context().run, asyncio.run, coro).result()


def test_unauthenticated_client_gets_nothing(tenant_a):
    _in_own_loop(_unauthenticated(tenant_a))


def test_tenant_b_client_passing_tenant_a_ids_sees_only_b(tenant_a, tenant_b):
    _in_own_loop(_tenant_b_with_a_ids(tenant_a, tenant_b))


async def _unauthenticated(tenant_a):
    markers = await asyncio.to_thread(_tenant_a_markers, tenant_a)
    for cookie in (None, f"pharos_session={secrets.token_urlsafe(32)}", "pharos_session=; other=1"):
        root = _root_with_cookie(cookie)
        assert await _sweep(root, tenant_a, markers) == []
        assert await _setvar_refused(root, tenant_a) == []
        assert "Tenant alpha" not in _public_tree(root)


async def _tenant_b_with_a_ids(tenant_a, tenant_b):
    from app.web.core.audit import AuditState
    from app.web.shell.auth import AuthState
    from models.core import sessions

    markers = await asyncio.to_thread(_tenant_a_markers, tenant_a)
    token, data, _ = await asyncio.to_thread(
        sessions.login, tenant_b.owner_email, tenant_b.password, f"10.9.{secrets.randbelow(250)}.1"
    )
    root = _root_with_cookie(f"pharos_session={token}")

    # sanity: this client really is signed in to B and can read B's audit log
    audit = _substate(root, AuditState)
    await _run(AuthState.event_handlers["guard"].fn, _substate(root, AuthState), {"route": "/audit"})
    await _run(AuditState.event_handlers["load"].fn, audit, {})
    assert audit.rows, "tenant B's owner should see B's own audit events"
    assert _substate(root, AuthState)._tenant_id == str(tenant_b.tenant_id)

    assert await _sweep(root, tenant_a, markers) == []
    assert await _setvar_refused(root, tenant_a) == []

    # the session itself was not moved to tenant A by choose_tenant(tenant A's id)
    session = await asyncio.to_thread(sessions.load, token)
    assert session is not None and session.tenant_id == str(tenant_b.tenant_id)
    # and the audit list, reloaded after the sweep, still holds B's events only
    await _run(AuditState.event_handlers["clear_filters"].fn, audit, {})
    tree = _public_tree(root)
    sent = {v for v in _hostile_values(tenant_a, markers) if isinstance(v, str)}
    leaked = [m for m in markers if m and m not in sent and m in tree]
    where = [ln for ln in json.dumps(root.dict(), default=str, indent=1).splitlines() if any(m in ln for m in leaked)]
    assert not leaked, where
    assert audit.rows
