"""Upload throughput and mapping error rate (GET /api/v1/reports/upload-metrics), from what the
uploads, imports and jobs stored: a clean file (error rate 0) and a file with two rows the mapping's
validation rejects (2 of 8), each rate equal to the stored sizes, counts and instants; the totals over
both; another tenant sees none of it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from sqlalchemy import text

from models.core.db import owner_session
from models.jobs.runner import run_job_sync
from tests.support.api_clients import api_error
from tests.support.comp_runs import HEADER, MAPPING, employees_csv, import_employees, upload_employees


def _bad_csv() -> bytes:
    lines = [",".join(HEADER)]
    for i in range(1, 9):
        perf = "9" if i == 2 else "4"  # above the catalog's maximum of 5
        salary = "-5" if i == 6 else "70000"  # below its minimum of 0
        lines.append(f"B{i:05d},Person {i},Alpha,{salary},{perf},1,research,true")
    return ("\r\n".join(lines) + "\r\n").encode()


def _stored(upload_id: str) -> tuple[int, Decimal, int, Decimal | None]:
    """size, receive seconds, rows, job seconds — read straight from the tables."""
    with owner_session() as s:
        size, created, stored, rows, started, finished = s.execute(
            text(
                "select u.size_received, u.created_at, u.stored_at, i.rows_total, j.started_at, j.finished_at"
                " from uploads u join imports i on i.upload_id = u.id join jobs j on j.id = i.job_id"
                " where u.id = :u"
            ),
            {"u": upload_id},
        ).one()
    micro = timedelta(microseconds=1)
    return size, Decimal((stored - created) // micro) / 10**6, rows, Decimal((finished - started) // micro) / 10**6


def _rate(amount: int, seconds: Decimal) -> str:
    return str((Decimal(amount) / seconds).quantize(Decimal("0.01"), ROUND_HALF_EVEN))


@pytest.fixture(scope="module")
def uploads(comp):
    hr, tenant, plan = comp["hr"], comp["tenant"], comp["plan"].plan_id
    clean_data, bad_data = employees_csv(10, seed=5), _bad_csv()
    clean = upload_employees(hr, plan, clean_data, name="clean.csv")
    import_employees(hr, tenant, clean)
    bad = upload_employees(hr, plan, bad_data, name="bad.csv")
    mapped = hr.post(f"/api/v1/uploads/{bad}/map", json=MAPPING)  # validated, not imported
    assert mapped.status_code == 200, mapped.text
    run_job_sync(tenant.tenant_id, mapped.json()["job_id"])
    return {"clean": (clean, clean_data), "bad": (bad, bad_data)}


def test_each_upload_and_the_totals(comp, uploads):
    res = comp["viewer"].get("/api/v1/reports/upload-metrics")
    assert res.status_code == 200, res.text
    body = res.json()
    items = {i["upload_id"]: i for i in body["items"]}
    assert [i["filename"] for i in body["items"]] == ["bad.csv", "clean.csv"]  # newest first
    for key, rows, invalid, rate, status in (
        ("clean", 10, 0, "0.0000", "imported"),
        ("bad", 8, 2, "0.2500", "invalid"),
    ):
        upload_id, data = uploads[key]
        item = items[upload_id]
        size, receive, stored_rows, job = _stored(upload_id)
        assert item["size_bytes"] == size == len(data)
        assert (item["rows_total"], item["rows_invalid"], item["error_rate"]) == (rows, invalid, rate)
        assert item["import_status"] == status and item["issues"] >= invalid
        assert Decimal(item["receive_seconds"]) == receive
        assert item["bytes_per_second"] == _rate(size, receive)
        assert job is not None and Decimal(item["import_seconds"]) == job
        assert item["rows_per_second"] == _rate(stored_rows, job)
    clean, bad = items[uploads["clean"][0]], items[uploads["bad"][0]]
    assert (body["uploads"], body["rows_total"], body["rows_invalid"]) == (2, 18, 2)
    assert body["error_rate"] == "0.1111"  # 2 / 18
    assert body["size_bytes"] == clean["size_bytes"] + bad["size_bytes"]
    seconds = Decimal(clean["receive_seconds"]) + Decimal(bad["receive_seconds"])
    assert body["bytes_per_second"] == _rate(body["size_bytes"], seconds)
    job_seconds = Decimal(clean["import_seconds"]) + Decimal(bad["import_seconds"])
    assert body["rows_per_second"] == _rate(18, job_seconds)


def test_limit_and_other_tenants(comp, uploads):
    one = comp["hr"].get("/api/v1/reports/upload-metrics", params={"limit": 1}).json()
    assert [i["filename"] for i in one["items"]] == ["bad.csv"] and one["uploads"] == 2
    api_error(comp["hr"].get("/api/v1/reports/upload-metrics", params={"limit": 0}), 422, "validation_error")
    other = comp["b_owner"].get("/api/v1/reports/upload-metrics").json()
    assert other["uploads"] == 0 and other["items"] == [] and other["error_rate"] is None
    assert str(uuid.UUID(uploads["bad"][0])) not in str(other)
