"""All statements of a run as one ZIP, made by the `comp.statements` job (run here on the worker's
own code path): one PDF per employee under a safe, unique name, each naming its employee and
payout as the run stored them; progress and download through REST, comp.export only, tenant-scoped,
every request and download audited."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader
from sqlalchemy import text

from models.core.db import owner_session
from tests.support.api_clients import api_error
from tests.support.comp_runs import HEADER, import_employees, start_run, upload_employees

PEOPLE = [
    ("E000001", "Ana Müller", "4", "1"),
    ("E000002", "Zoë Łukasiewicz", "3", "2"),
    ("E000003", "Bob Stone", "2", "0"),  # divisor 0: a row error, a statement without payout
    ("x/../E 4", "Дмитрий Иванов", "5", "1"),  # a reference that is no safe file name
    ("E000005", "Carla Diaz", "4.5", "4"),
]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _audits(run_id: str, action: str) -> int:
    with owner_session() as s:
        query = text("select count(*) from audit_events where entity_id = :e and action = :a")
        return s.execute(query, {"e": run_id, "a": action}).scalar_one()


def test_bundle_holds_one_statement_per_employee(comp):
    from models.jobs.runner import run_job_sync

    tenant, hr, finance = comp["tenant"], comp["hr"], comp["finance"]
    lines = [",".join(HEADER)]
    for i, (ref, name, perf, divisor) in enumerate(PEOPLE, start=1):
        lines.append(f"{ref},{name},Team A,{50_000 + i * 1234}.25,{perf},{divisor},research,true")
    upload = upload_employees(hr, comp["plan"].plan_id, ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    import_employees(hr, tenant, upload)
    run_id = start_run(hr, tenant, comp["plan"].plan_id, upload, "Bundle")["run_id"]
    results = {r["employee_ref"]: r for r in hr.get(f"/api/v1/runs/{run_id}/results").json()["items"]}
    assert len(results) == len(PEOPLE)

    api_error(comp["viewer"].post(f"/api/v1/runs/{run_id}/statements/bundle"), 403, "forbidden")
    api_error(comp["b_hr"].post(f"/api/v1/runs/{run_id}/statements/bundle"), 404, "not_found")
    api_error(hr.get(f"/api/v1/runs/{run_id}/statements/bundle"), 404, "not_found")

    res = hr.post(f"/api/v1/runs/{run_id}/statements/bundle")
    assert res.status_code == 202, res.text
    queued = res.json()
    job_id = queued["job_id"]
    assert (queued["status"], queued["total"], queued["done"], queued["download"]) == ("queued", 5, 0, "")
    api_error(hr.get(f"/api/v1/runs/{run_id}/statements/bundle/{job_id}.zip"), 409, "conflict")
    api_error(comp["b_hr"].get(f"/api/v1/runs/{run_id}/statements/bundle/{job_id}"), 404, "not_found")

    run_job_sync(tenant.tenant_id, job_id)

    status = finance.get(f"/api/v1/runs/{run_id}/statements/bundle/{job_id}").json()
    href = f"/api/v1/runs/{run_id}/statements/bundle/{job_id}.zip"
    assert (status["status"], status["done"], status["total"], status["percent"]) == ("completed", 5, 5, 100)
    assert status["download"] == href
    assert hr.get(f"/api/v1/runs/{run_id}/statements/bundle").json()["job_id"] == job_id
    api_error(comp["viewer"].get(href), 403, "forbidden")
    api_error(comp["b_hr"].get(href), 404, "not_found")

    res = finance.get(href)
    assert res.status_code == 200 and res.headers["content-type"] == "application/zip"
    assert int(res.headers["content-length"]) == status["size"] == len(res.content)
    bundle = zipfile.ZipFile(io.BytesIO(res.content))
    names = bundle.namelist()
    assert names == [
        "000001-E000001.pdf",
        "000002-E000002.pdf",
        "000003-E000003.pdf",
        "000004-x_.._E_4.pdf",
        "000005-E000005.pdf",
    ]
    for name, (ref, person, _, _) in zip(names, PEOPLE, strict=True):
        body = _text(bundle.read(name))
        assert f"Employee: {ref} - {person}" in body, name
        stored = results[ref]
        if stored["error"]:
            assert "No payout was computed" in body and stored["error"] in body
        else:
            assert f"Exact value: {stored['payout']}" in body, name
            assert f"(exact {stored['allocated']})" in body, name
    # the bundle's statement is the one the single statement route answers
    one = hr.post("/api/v1/reports/individual-statement", json={"run_id": run_id, "employee_ref": "E000002"})
    assert _text(one.content) == _text(bundle.read("000002-E000002.pdf"))

    assert _audits(run_id, "comp_run.statements_bundle") == 1
    assert _audits(run_id, "comp_run.statements_bundled") == 1
    assert _audits(run_id, "comp_run.statements_download") == 1
