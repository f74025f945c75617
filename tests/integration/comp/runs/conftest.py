"""Compensation run tests: a data dir for uploads, a tenant with a locked plan and signed-in clients of
every role that takes part (HR runs; the manager, HR and finance approve), plus a second tenant."""

from __future__ import annotations

from pathlib import Path

import pytest

import models.comp.kinds  # noqa: F401 - the comp.run kind, for jobs run in this process
from tests.support.api_clients import role_clients
from tests.support.comp_runs import build_plan
from tests.support.env import settings_env
from tests.support.tenants import make_tenant


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, services) -> Path:
    folder = tmp_path_factory.mktemp("comp-data")
    with settings_env() as configure:
        configure(PHAROS_DATA_DIR=str(folder))
        yield folder


@pytest.fixture(scope="module")
def comp(api, data_dir):
    tenant, other = make_tenant("cra"), make_tenant("crb")
    clients = role_clients(
        api, tenant, ("hr", "manager", "finance", "viewer", "auditor", "admin"), others={"b_owner": other}
    )
    clients["b_hr"] = role_clients(api, other, ("hr",))["hr"]
    return {"tenant": tenant, "other": other, "plan": build_plan(tenant), "b_plan": build_plan(other), **clients}
