"""margin.sales through the import pipeline with margin's own loader: the suggestions map a
distributor's export, the unknown dealer is reported, the valid row is merged and detection queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.integration.imports.conftest import run_job
from tests.integration.margin.conftest import build
from tests.support.api_clients import role_clients


def _first(mt, sql: str) -> str:
    from models.core.db import tenant_session

    with tenant_session(mt.ctx()) as session:
        return session.execute(text(sql), {"t": str(mt.tenant.tenant_id)}).scalar()


def _uploaded(api, prefix: str, dealer_cell):
    """A tenant, its ops client and an uploaded two-row sales export: a known dealer, then
    `dealer_cell(mt)`."""
    mt = build(prefix)
    dealer = _first(mt, "select name from organizations where tenant_id = :t and type = 'dealer' order by name limit 1")
    sku = _first(mt, "select code from skus where tenant_id = :t order by code limit 1")
    ops = role_clients(api, mt.tenant, ("ops",))["ops"]
    sold = datetime.now(UTC).date() - timedelta(days=30)
    body = (
        "Stockist,Product code,Invoice date,Qty,Net rate,Currency\r\n"
        f"{dealer},{sku},{sold - timedelta(days=1)},3,12.50,INR\r\n"
        f"{dealer_cell(mt)},{sku},{sold},1,11.00,INR\r\n"
    )
    res = ops.post(
        "/api/v1/uploads", data={"target": "margin.sales"}, files={"file": ("s.csv", body.encode(), "text/csv")}
    )
    return mt, ops, res.json()["upload_id"]


def test_a_sales_export_imports_into_margin(api, data_dir):
    mt, ops, upload_id = _uploaded(api, "mimp", lambda mt: "Nope Dealer")
    suggested = ops.get(f"/api/v1/uploads/{upload_id}/suggestions").json()["suggestions"]
    mapping = {s["target"]: s["column"] for s in suggested}
    assert mapping == {
        "dealer": "Stockist",
        "sku": "Product code",
        "date": "Invoice date",
        "qty": "Qty",
        "transaction_price": "Net rate",
        "currency": "Currency",
    }
    mapped = ops.post(f"/api/v1/uploads/{upload_id}/map", json=mapping).json()
    run_job(mt.tenant, mapped["job_id"])
    report = ops.get(f"/api/v1/uploads/{upload_id}/report").json()
    assert report["import"]["status"] == "invalid"
    assert [(i["row"], i["column"], i["value"]) for i in report["items"]] == [(3, "dealer", "Nope Dealer")]
    started = ops.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": True})
    run_job(mt.tenant, started.json()["job_id"])
    status = ops.get(f"/api/v1/uploads/{upload_id}").json()["import"]
    assert (status["status"], status["counts"]["inserted"], status["counts"]["skipped"]) == ("imported", 1, 1)
    assert status["merge"] == {"detection_runs_queued": 1}


def _job_result(mt, job_id: str) -> dict:
    from models.core.db import tenant_session

    with tenant_session(mt.ctx()) as session:
        return session.execute(text("select result from job_items where job_id = :j"), {"j": job_id}).scalar_one()


def _validated(api, prefix: str, dealer_cell):
    """`_uploaded`, mapped with the suggested columns and validated."""
    mt, ops, upload_id = _uploaded(api, prefix, dealer_cell)
    mapping = {
        s["target"]: s["column"] for s in ops.get(f"/api/v1/uploads/{upload_id}/suggestions").json()["suggestions"]
    }
    run_job(mt.tenant, ops.post(f"/api/v1/uploads/{upload_id}/map", json=mapping).json()["job_id"])
    return mt, ops, upload_id


def test_the_import_reuses_the_validated_check_and_removes_it(api, data_dir):
    mt, ops, upload_id = _validated(
        api,
        "mkeep",
        lambda mt: _first(
            mt, "select code from organizations where tenant_id = :t and type = 'dealer' order by code desc limit 1"
        ),
    )
    import_id = ops.get(f"/api/v1/uploads/{upload_id}").json()["import"]["id"]
    kept = data_dir / "cache" / "imports" / f"{import_id}.parquet"
    assert kept.is_file()
    started = ops.post(f"/api/v1/uploads/{upload_id}/import", json={}).json()
    run_job(mt.tenant, started["job_id"])
    result = _job_result(mt, started["job_id"])
    assert (result["status"], result["inserted"], result["check"]) == ("imported", 2, "reused")
    assert not kept.exists() and not kept.with_suffix(".json").exists()


def test_a_dealer_added_after_validation_makes_the_import_check_the_file_again(api, data_dir):
    mt, ops, upload_id = _validated(api, "mrechk", lambda mt: "Late Dealer Pharma")
    report = ops.get(f"/api/v1/uploads/{upload_id}/report").json()
    assert [(i["row"], i["value"]) for i in report["items"]] == [(3, "Late Dealer Pharma")]
    from models.catalog.actions import create_org
    from models.catalog.inputs import OrgCreate

    create_org(mt.ctx("ops"), OrgCreate(type="dealer", code="LATE-1", name="Late Dealer Pharma"))
    started = ops.post(f"/api/v1/uploads/{upload_id}/import", json={"valid_rows_only": True}).json()
    run_job(mt.tenant, started["job_id"])
    result = _job_result(mt, started["job_id"])
    # checked again against today's dealers: the row reported at validation now imports
    assert (result["status"], result["inserted"], result["rows_invalid"], result["check"]) == ("imported", 2, 0, "read")
    assert ops.get(f"/api/v1/uploads/{upload_id}/report").json()["items"] == []
