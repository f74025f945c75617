"""Uploads tests: a data dir of their own (so "nothing left behind" can be checked), the sample
import target, and signed-in clients of two tenants."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.api_clients import role_clients
from tests.support.env import settings_env
from tests.support.sample_targets import SAMPLE_TARGET

TARGET = SAMPLE_TARGET


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, services) -> Path:
    folder = tmp_path_factory.mktemp("uploads-data")
    with settings_env() as configure:
        configure(PHAROS_DATA_DIR=str(folder), PHAROS_IMPORT_TARGET_MODULES="tests.support.sample_targets")
        yield folder


@pytest.fixture(scope="module")
def clients(api, data_dir):
    from tests.support.tenants import make_tenant

    tenant, other = make_tenant("upa"), make_tenant("upb")
    made = role_clients(api, tenant, ("ops", "sales", "viewer"), others={"b_owner": other})
    made["tenant"] = tenant
    return made


def stored_files(data_dir: Path) -> list[Path]:
    return (
        sorted(p for p in (data_dir / "uploads").rglob("*") if p.is_file()) if (data_dir / "uploads").exists() else []
    )


def audit_actions(ctx, entity_id) -> list[str]:
    """The audit actions recorded about `entity_id`, in order."""
    from sqlalchemy import text

    from models.core.db import tenant_session

    with tenant_session(ctx) as s:
        query = text("select action from audit_events where entity_id::text = :e order by seq")
        return list(s.execute(query, {"e": str(entity_id)}).scalars())
