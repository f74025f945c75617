"""Root of the suite: the shared fixtures plugin, markers by folder, and browser tests last.

Real services are NOT started here: tests/integration and tests/e2e switch `services` on in their own
conftest, so `pytest tests/unit` runs with no PostgreSQL or Redis at all. See docs/testing.md.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.support.tenants import TenantFixture, make_tenant  # noqa: F401  (older imports of tests.conftest)

# the shared fixtures, and test-only pieces outside the product's schema: the "sample" job kind and
# a per-entity event table
pytest_plugins = ["tests.support.fixtures", "tests.support.sample_job", "tests.support.sample_events"]

os.environ.setdefault("PHAROS_LOGIN_FAILURES_PER_MINUTE", "10")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

# property tests assert results, never speed: no per-example deadline (a loaded CI machine made
# Hypothesis's default 200 ms fail a correct test); benchmarks measure speed (bench/)
settings.register_profile("pharos", deadline=None)
settings.load_profile("pharos")

LAYERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(config, items):
    """Mark each test by its folder (`-m unit`, `-m "not e2e"`) and hypothesis tests as `property`
    (`-m "not property"` for a quick unit run), and run browser tests last:
    Playwright's sync API keeps an event loop running in the main thread for the rest of the
    session, which asyncio-based tests must not run under."""
    root = config.rootpath / "tests"
    for item in items:
        layer = item.path.relative_to(root).parts[0] if item.path.is_relative_to(root) else None
        if layer in LAYERS:
            item.add_marker(getattr(pytest.mark, layer))
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path).replace("\\", "/"))
