"""Redis frozen (SIGSTOP of a private redis-server): nothing hangs. `/api/health` answers at once
with 503 "degraded" naming Redis, calls that need a session answer a 503 JSON error, and after
SIGCONT everything works again with the same session.

The API runs as a real server (uvicorn subprocess) on its own Redis; every call is bounded by
the HTTP client's own timeout, so a hang fails the test instead of stalling it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis

from app.cli.embedded import EmbeddedServices, start_redis
from tests.support.live_api import running_api

CALL_TIMEOUT = 8.0  # an upper bound on any one call: Redis calls give up after 0.5 s here


@pytest.fixture
def private_redis() -> Iterator[tuple[str, int]]:
    """A redis-server of this test's own (unix socket), as (url, pid)."""
    services = EmbeddedServices()
    with tempfile.TemporaryDirectory(prefix="phz-") as data_dir:  # short: socket paths are limited
        url = start_redis(Path(data_dir), services)
        assert services._redis_proc is not None
        pid = services._redis_proc.pid
        try:
            yield url, pid
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
            services.stop()


@pytest.fixture
def api_on_private_redis(private_redis, tmp_path) -> Iterator[tuple[str, int]]:
    """The REST API (uvicorn) on the test database and the private Redis; yields (base url, redis pid)."""
    url, redis_pid = private_redis
    env = {
        "REDIS_URL": url,
        "PHAROS_REDIS_TIMEOUT_SECONDS": "0.5",
        "PHAROS_REDIS_CONNECT_TIMEOUT_SECONDS": "0.5",
        "PHAROS_QUEUE_NAME": f"pharos:test:freeze:{uuid.uuid4().hex[:8]}",
    }
    with running_api(tmp_path / "api.log", **env) as api:
        yield api.base, redis_pid


def _get(base: str, path: str, **kwargs) -> httpx.Response:
    return httpx.get(base + path, timeout=CALL_TIMEOUT, **kwargs)


def test_frozen_redis_degrades_health_and_refuses_session_calls_with_503_then_recovers(api_on_private_redis, tenant_a):
    base, redis_pid = api_on_private_redis
    login = httpx.post(
        base + "/api/auth/login",
        json={"email": tenant_a.owner_email, "password": tenant_a.password},
        timeout=CALL_TIMEOUT,
    )
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    assert _get(base, "/api/auth/me", headers=auth).status_code == 200
    before = _get(base, "/api/health")
    assert before.status_code == 200
    assert before.json()["redis"] == "ok" and before.json()["db"] == "ok"

    os.kill(redis_pid, signal.SIGSTOP)
    try:
        health = _get(base, "/api/health")
        assert health.status_code == 503
        assert health.json() == {
            "status": "degraded",
            "ok": False,
            "db": "ok",
            "redis": "timeout",
            "worker": "unknown",
            "workers": None,
            "worker_last_seen_seconds": None,
            "degraded": ["redis", "worker"],
        }

        # several session calls at once, and health meanwhile: each answers (none waits for Redis)
        with ThreadPoolExecutor(max_workers=6) as pool:
            calls = [pool.submit(_get, base, "/api/auth/me", headers=auth) for _ in range(4)]
            calls.append(pool.submit(_get, base, "/api/health"))
            calls.append(pool.submit(_get, base, "/api/openapi.json"))  # needs no Redis: served
            answers = [c.result(timeout=CALL_TIMEOUT * 2) for c in calls]
        for answer in answers[:4]:
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "5"
            assert answer.json()["error"]["code"] == "unavailable"
            assert "Redis" in answer.json()["error"]["message"]
        assert answers[4].status_code == 503 and answers[4].json()["redis"] == "timeout"
        assert answers[5].status_code == 200 and answers[5].json()["info"]["title"] == "PharOS API"

        refused = httpx.post(
            base + "/api/auth/login",
            json={"email": tenant_a.owner_email, "password": tenant_a.password},
            timeout=CALL_TIMEOUT,
        )
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "unavailable"
    finally:
        os.kill(redis_pid, signal.SIGCONT)

    deadline = time.monotonic() + 30
    while (health := _get(base, "/api/health")).json()["redis"] != "ok":
        assert time.monotonic() < deadline, health.text
        time.sleep(0.1)
    assert health.status_code == 200 and health.json()["ok"] is True
    assert _get(base, "/api/auth/me", headers=auth).json()["user"]["email"] == tenant_a.owner_email


def test_enqueue_on_a_frozen_redis_gives_up_instead_of_hanging(private_redis, monkeypatch):
    """The after-commit enqueue (a request's last step) is bounded; the sweep re-enqueues later."""
    url, redis_pid = private_redis
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("PHAROS_REDIS_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("PHAROS_REDIS_CONNECT_TIMEOUT_SECONDS", "0.3")
    from models.core.redis_client import reset_redis_clients
    from models.core.settings import reset_settings_cache
    from models.jobs.queue import enqueue_run_sync

    reset_settings_cache()
    reset_redis_clients()
    os.kill(redis_pid, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            attempt = pool.submit(
                enqueue_run_sync, "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"
            )
            with pytest.raises(redis.TimeoutError, match="did not take job"):
                attempt.result(timeout=CALL_TIMEOUT)
    finally:
        os.kill(redis_pid, signal.SIGCONT)
        monkeypatch.undo()
        reset_settings_cache()
        reset_redis_clients()


def test_a_write_budget_on_a_frozen_redis_gives_up_instead_of_hanging(private_redis, monkeypatch):
    """REST sees redis.TimeoutError (answered 503 `unavailable`); a page sees Unavailable."""
    import uuid

    from engine.context import TenantContext
    from engine.errors import Unavailable
    from engine.rbac import Role
    from models.core import write_limits
    from models.core.redis_client import reset_redis_clients
    from models.core.settings import reset_settings_cache

    url, redis_pid = private_redis
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("PHAROS_REDIS_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("PHAROS_REDIS_CONNECT_TIMEOUT_SECONDS", "0.3")
    reset_settings_cache()
    reset_redis_clients()
    ctx = TenantContext(tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), role=Role.OWNER)
    write_limits.spend_for(ctx)  # answers while Redis runs
    os.kill(redis_pid, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            with pytest.raises(redis.TimeoutError):
                pool.submit(write_limits.spend, str(ctx.user_id), str(ctx.tenant_id)).result(timeout=CALL_TIMEOUT)
            with pytest.raises(Unavailable, match="try again shortly"):
                pool.submit(write_limits.spend_for, ctx).result(timeout=CALL_TIMEOUT)
    finally:
        os.kill(redis_pid, signal.SIGCONT)
        monkeypatch.undo()
        reset_settings_cache()
        reset_redis_clients()
