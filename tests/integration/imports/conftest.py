"""Import tests: a data dir of their own, the test target and loader (tests/support/import_*.py),
signed-in clients of two tenants, and helpers that upload a file and run the queued job here."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.jobs.runner import run_job_sync
from tests.support.api_clients import role_clients
from tests.support.env import settings_env
from tests.support.import_loader import MODULE_ENV, create_sample_table
from tests.support.tenants import make_tenant

TARGET = "tests.sales"
HEADER = "Customer,Item code,Net price,Qty,Invoice date,Currency\r\n"
MAPPING = {
    "dealer": "Customer",
    "sku": "Item code",
    "unit_price": "Net price",
    "qty": "Qty",
    "sold_on": "Invoice date",
    "currency": "Currency",
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, services) -> Path:
    folder = tmp_path_factory.mktemp("imports-data")
    create_sample_table()
    with settings_env() as configure:
        configure(PHAROS_DATA_DIR=str(folder), **MODULE_ENV)
        yield folder


@pytest.fixture(scope="module")
def clients(api, data_dir):
    tenant, other = make_tenant("ima"), make_tenant("imb")
    made = role_clients(api, tenant, ("ops", "sales", "viewer"), others={"b_owner": other})
    made["tenant"] = tenant
    return made


def upload(client, data: bytes, *, name: str = "sales.csv", target: str = TARGET) -> str:
    res = client.post("/api/v1/uploads", data={"target": target}, files={"file": (name, data, "text/csv")})
    assert res.status_code in (200, 201), res.text
    return res.json()["upload_id"]


def run_job(tenant, job_id: str) -> None:
    """The queued job run to its end in this process (the worker's own code path)."""
    run_job_sync(tenant.tenant_id, job_id)


def map_and_validate(client, tenant, upload_id: str, mapping=None) -> dict:
    res = client.post(f"/api/v1/uploads/{upload_id}/map", json=mapping or MAPPING)
    assert res.status_code == 200, res.text
    run_job(tenant, res.json()["job_id"])
    report = client.get(f"/api/v1/uploads/{upload_id}/report")
    assert report.status_code == 200, report.text
    return report.json()
