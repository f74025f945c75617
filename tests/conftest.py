"""Session-wide real services and the two-tenant fixtures most tests need."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.database import TEST_DATA_DIR, create_test_database, drop_test_database, prepare_services

# test-only pieces outside the product's schema: the "sample" job kind, a per-entity event table
pytest_plugins = ["tests.support.sample_job", "tests.support.sample_events"]

os.environ.setdefault("PHAROS_LOGIN_FAILURES_PER_MINUTE", "10")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session", autouse=True)
def services() -> Iterator[dict[str, str]]:
    embedded, server_url = prepare_services()
    db_url = create_test_database(server_url)
    os.environ["DATABASE_URL"] = db_url
    redis_base = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = _redis_test_db(redis_base)
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


def _redis_test_db(url: str) -> str:
    """Use Redis database 13 (or PHAROS_TEST_REDIS_DB, so parallel local sessions do not flush each
    other) for tests, so a developer's data in db 0 is never flushed."""
    db = int(os.environ.get("PHAROS_TEST_REDIS_DB", "13"))
    if url.startswith("unix://"):
        return url.split("?")[0] + f"?db={db}"
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    return f"{base}/{db}"


@dataclass(frozen=True)
class TenantFixture:
    tenant_id: uuid.UUID
    slug: str
    owner_email: str
    password: str

    def ctx(self, role: str = "owner"):
        from engine.context import TenantContext
        from engine.rbac import Role

        return TenantContext(tenant_id=self.tenant_id, user_id=None, role=Role(role), tenant_slug=self.slug)


def make_tenant(label: str) -> TenantFixture:
    from models.core.identity import create_tenant

    suffix = uuid.uuid4().hex[:8]
    slug = f"{label}-{suffix}"
    email = f"owner-{suffix}@{label}.test"
    tenant = create_tenant(name=f"Tenant {label} {suffix}", owner_email=email, owner_password="correct-horse", slug=slug)
    return TenantFixture(tenant.id, slug, email, "correct-horse")


@pytest.fixture
def tenant_a() -> TenantFixture:
    return make_tenant("alpha")


@pytest.fixture
def tenant_b() -> TenantFixture:
    return make_tenant("beta")


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, which asyncio-based tests must not run under."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path).replace("\\", "/"))
