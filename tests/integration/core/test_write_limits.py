"""Write budgets (issue 10): every REST write and every page write spends the user's and the tenant's
budgets before it runs; a refused call is a 429 `rate_limited` with Retry-After (REST) or the page's
notice, and writes nothing. Budgets are set small here through the environment the product reads."""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid

from tests.integration.core.test_websocket_sweep import _in_own_loop, _root_with_cookie, _run, _substate
from tests.support.api_clients import api_error, login_client
from tests.support.effects import rows, unchanged
from tests.support.env import settings_env
from tests.support.users import add_user


def _channel(client, label: str):
    code = f"CH-{label}-{uuid.uuid4().hex[:6]}".upper()
    return client.post("/api/channels", json={"code": code, "name": f"Channel {label}", "kind": "online"})


def _ctx(tenant):
    from engine.context import TenantContext
    from models.core.flags import update_flags

    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    update_flags(ctx, {"ENABLE_CHANNELS": True})  # the catalog's channels: a simple audited write
    return ctx


def assert_refused(res) -> int:
    error = api_error(res, 429, "rate_limited")
    retry = int(res.headers["retry-after"])
    assert 1 <= retry <= 60
    assert re.fullmatch(r"Too many changes in a short time — try again in \d+ s", error["message"])
    return retry


def test_a_users_budget_refuses_the_next_write_and_writes_nothing(api, tenant_a):
    with settings_env() as configure:
        configure(PHAROS_WRITE_LIMIT_USER="2/minute", PHAROS_WRITE_LIMIT_TENANT="100/minute")
        ctx = _ctx(tenant_a)
        owner = login_client(api, tenant_a.owner_email, tenant_a.password)
        assert _channel(owner, "one").status_code == 201
        assert _channel(owner, "two").status_code == 201
        with unchanged(lambda: rows(ctx, "channels"), lambda: rows(ctx, "audit_events")):
            assert_refused(_channel(owner, "three"))
            # any write method counts, valid or not, and is refused before the route runs
            assert_refused(owner.patch(f"/api/channels/{uuid.uuid4()}", json={"name": "x"}))
        assert owner.get("/api/channels").status_code == 200  # reads are free
        # another user of the same tenant has a budget of their own
        ops = login_client(api, add_user(tenant_a, "ops"))
        assert _channel(ops, "ops").status_code == 201


def test_the_tenant_budget_is_shared_by_its_users_and_no_other_tenant(api, tenant_a, tenant_b):
    with settings_env() as configure:
        configure(PHAROS_WRITE_LIMIT_USER="100/minute", PHAROS_WRITE_LIMIT_TENANT="3/minute")
        ctx, _ = _ctx(tenant_a), _ctx(tenant_b)
        owner = login_client(api, tenant_a.owner_email, tenant_a.password)
        ops = login_client(api, add_user(tenant_a, "ops"))
        assert _channel(owner, "a1").status_code == 201
        assert _channel(ops, "a2").status_code == 201
        assert _channel(owner, "a3").status_code == 201
        with unchanged(lambda: rows(ctx, "channels"), lambda: rows(ctx, "audit_events")):
            assert_refused(_channel(ops, "a4"))
            assert_refused(_channel(owner, "a5"))
        b_owner = login_client(api, tenant_b.owner_email, tenant_b.password)
        assert _channel(b_owner, "b1").status_code == 201


def test_signing_in_is_not_a_write(api, tenant_a):
    with settings_env() as configure:
        configure(PHAROS_WRITE_LIMIT_USER="1/minute", PHAROS_WRITE_LIMIT_TENANT="100/minute")
        _ctx(tenant_a)
        owner = login_client(api, tenant_a.owner_email, tenant_a.password)
        assert _channel(owner, "one").status_code == 201
        again = login_client(api, tenant_a.owner_email, tenant_a.password)  # asserts a 200 itself
        assert_refused(_channel(again, "two"))


async def _save_channel(root, code: str) -> str:
    from app.web.catalog.skus import SkusState
    from app.web.shell.auth import AuthState

    state = _substate(root, SkusState)
    await _run(AuthState.event_handlers["guard"].fn, _substate(root, AuthState), {"route": "/catalog/skus"})
    await _run(SkusState.event_handlers["open_new"].fn, state, {"kind": "channel"})
    for name, value in (("code", code), ("name", f"Channel {code}"), ("kind", "online")):
        await _run(SkusState.event_handlers["set_value"].fn, state, {"name": name, "value": value})
    await _run(SkusState.event_handlers["save"].fn, state, {})
    return state.form_message


async def _page_writes(tenant) -> tuple[str, str]:
    from models.core import sessions

    token, _, _ = await asyncio.to_thread(
        sessions.login, tenant.owner_email, tenant.password, f"10.8.{secrets.randbelow(250)}.1"
    )
    root = _root_with_cookie(f"pharos_session={token}", "/catalog/skus")
    first = await _save_channel(root, f"UI-{uuid.uuid4().hex[:6]}".upper())
    second = await _save_channel(root, f"UI-{uuid.uuid4().hex[:6]}".upper())
    return first, second


def test_a_page_write_over_budget_shows_the_notice_and_writes_nothing(tenant_a):
    import app.app  # noqa: F401  (registers every page and its state before a root is built)

    ctx = _ctx(tenant_a)
    with settings_env() as configure:
        configure(PHAROS_WRITE_LIMIT_USER="1/minute", PHAROS_WRITE_LIMIT_TENANT="100/minute")
        before = rows(ctx, "channels")
        first, second = _in_own_loop(_page_writes(tenant_a))
        assert first == ""  # saved: the dialog closed without a message
        assert re.fullmatch(r"Too many changes in a short time — try again in \d+ s", second), second
        assert rows(ctx, "channels") == before + 1
