"""The shared test fixtures, loaded as a pytest plugin (`pytest_plugins` in tests/conftest.py).

- `services` (session): a real PostgreSQL database and Redis db for this run, migrated. Not autouse:
  tests/integration and tests/e2e switch it on for their trees; tests/unit never touches a server.
- `tenant_a`, `tenant_b`: a fresh tenant each (they pull in `services`).
- `api` (session): the REST app in process; sign in with `tests.support.api_clients`.
- `idp` (module): a running local OpenID Connect provider (`tests.support.oidc_provider`).
- `kill_harness`: a factory of `WorkerHarness` (real worker processes to SIGKILL); it stops them at
  teardown.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.support.database import (
    TEST_DATA_DIR,
    create_test_database,
    drop_test_database,
    prepare_services,
    redis_test_url,
)
from tests.support.kill import WorkerHarness
from tests.support.tenants import TenantFixture, make_tenant


@pytest.fixture(scope="session")
def services() -> Iterator[dict[str, str]]:
    embedded, server_url = prepare_services()
    db_url = create_test_database(server_url)
    os.environ["DATABASE_URL"] = db_url
    redis_base = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = redis_test_url(redis_base)
    # workers started by tests run no schedules: a cron tick would queue detection for tenants that
    # other tests build and count (the schedule's own tests call it with a chosen `now`)
    os.environ["PHAROS_JOB_SCHEDULES"] = "off"
    from models.core.bootstrap import migrate
    from models.core.db import dispose_engines
    from models.core.redis_client import reset_redis_clients, sync_redis
    from models.core.settings import reset_settings_cache

    reset_settings_cache()
    dispose_engines()
    reset_redis_clients()
    migrate()
    sync_redis().flushdb()
    yield {"database_url": db_url, "redis_url": os.environ["REDIS_URL"]}
    dispose_engines()
    drop_test_database(db_url)
    os.environ["REDIS_URL"] = redis_base
    embedded.stop()
    shutil.rmtree(TEST_DATA_DIR / f"session-{os.getpid()}", ignore_errors=True)  # this session's Redis


@pytest.fixture
def tenant_a(services) -> TenantFixture:
    return make_tenant("alpha")


@pytest.fixture
def tenant_b(services) -> TenantFixture:
    return make_tenant("beta")


@pytest.fixture(scope="session")
def api(services):
    """One in-process REST app for the session (it holds no state of its own)."""
    from tests.support.api_clients import create_test_api

    return create_test_api()


@pytest.fixture(scope="module")
def idp(services):
    """A local OIDC provider on 127.0.0.1 for one test file; `idp.reset(user, *faults)` per test."""
    from tests.support.oidc_provider import LocalOidcProvider

    with LocalOidcProvider() as provider:
        yield provider


@pytest.fixture
def kill_harness(services, tmp_path):
    """`kill_harness(lease_seconds=…, chunk_size=…)` → a WorkerHarness logging to tmp_path."""
    made: list[WorkerHarness] = []

    def make(**settings) -> WorkerHarness:
        harness = WorkerHarness(tmp_path / f"worker-{len(made)}.log", **settings)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.stop()
