"""Integration tests run against the real PostgreSQL and Redis of this session (never mocks)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _real_services(services):
    return services
