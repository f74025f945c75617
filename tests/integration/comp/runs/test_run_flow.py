"""The §14 happy path through the REST API: upload → map → validate → import → run → approvals by
role → finalize → export, and the run's figures against the reference engine on every cell."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import polars as pl

from engine.comp.run_frame import typed_rows
from engine.formula import reference
from engine.formula.validator import validate as validate_formula
from tests.support.comp_runs import MAPPING, employees_csv, import_employees, start_run, upload_employees


def _all_results(client, run_id: str) -> list[dict]:
    found, cursor = [], None
    while True:
        res = client.get(
            f"/api/v1/runs/{run_id}/results", params={"limit": 7, **({"cursor": cursor} if cursor else {})}
        )
        assert res.status_code == 200, res.text
        body = res.json()
        found += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return found


def test_happy_path_upload_to_export(comp):
    tenant, hr, plan = comp["tenant"], comp["hr"], comp["plan"]
    upload_id = upload_employees(hr, plan.plan_id, employees_csv(20))
    suggestions = hr.get(f"/api/v1/uploads/{upload_id}/suggestions").json()
    fields = {f["name"] for f in suggestions["fields"]}
    assert fields == {
        "employee_ref",
        "employee_name",
        "team",
        "fund",
        "role",
        "salary",
        "perf_score",
        "divisor",
        "dept",
        "active",
    }
    state = import_employees(hr, tenant, upload_id)
    assert state["status"] == "imported", state
    assert state["counts"]["inserted"] == 20

    run = start_run(hr, tenant, plan.plan_id, upload_id)
    assert run["status"] == "draft"
    assert run["progress"]["phase"] == "computed" and run["progress"]["percent"] == 100, run
    assert run["employees"] == 20
    assert run["errors"] == 1  # E000003 divides by zero
    assert len(run["snapshot_hash"]) == 64
    results = _all_results(hr, run["run_id"])
    assert [r["employee_ref"] for r in results] == [f"E{i:06d}" for i in range(1, 21)]
    failed = [r for r in results if r["error"]]
    assert [(r["employee_ref"], r["error_step"]) for r in failed] == [("E000003", "ratio")]
    assert failed[0]["error"] == "ratio: division by zero"
    intern = next(r for r in results if r["employee_ref"] == "E000005")
    assert intern["values"]["payout"] == "0.0000000000"

    # the pool is allocated to the cent: the shares add up to the pool exactly
    pool = run["totals"]["pool"]
    assert pool["amount"] == "10000.0000000000" and pool["allocated"] == "10000.0000000000"
    assert sum(Decimal(r["allocated"]) for r in results if r["allocated"]) == Decimal("10000")
    assert run["totals"]["payout_total"] == str(
        sum(Decimal(r["payout"]) for r in results if r["payout"]).quantize(Decimal("1E-10"))
    )

    # one employee's tape: every step's value as text, equal to the stored results
    tape = hr.get(f"/api/v1/runs/{run['run_id']}/results", params={"employee_ref": "E000001"}).json()
    stored = results[0]
    assert {s["name"]: s["value"] for s in tape["steps"]} == stored["values"]
    assert tape["payout"] == stored["payout"] and tape["inputs"]["salary"]

    # approvals by role, in order, then finalize
    rid = run["run_id"]
    first = comp["manager"].post(f"/api/v1/runs/{rid}/approve", json={"action": "manager_approve"})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "manager_approved"
    assert first.json()["run"]["frozen_hash"] == run["snapshot_hash"]
    second = hr.post(f"/api/v1/runs/{rid}/approve", json={"action": "hr_approve"})
    assert second.status_code == 200, second.text
    assert second.json()["verification"] == "nothing changed since the manager's approval"
    third = comp["finance"].post(f"/api/v1/runs/{rid}/approve", json={"action": "finance_approve"})
    assert third.status_code == 200 and third.json()["verification"] == "nothing changed since HR's approval"
    final = comp["finance"].post(f"/api/v1/runs/{rid}/finalize", json={})
    assert final.status_code == 200, final.text
    assert final.json()["status"] == "finalized"
    assert [a["action"] for a in final.json()["run"]["approvals"]] == [
        "manager_approve", "hr_approve", "finance_approve", "finalize",
    ]  # fmt: skip

    # exports of the frozen run
    exported = hr.get(f"/api/v1/runs/{rid}/export.csv")
    assert exported.status_code == 200, exported.text
    table = list(csv.reader(io.StringIO(exported.text)))
    assert table[0][:2] == ["employee_ref", "employee_name"]
    by_ref = {row[0]: row for row in table[1:]}
    payout_col = table[0].index("payout")
    assert {ref: (row[payout_col] or None) for ref, row in by_ref.items()} == {
        r["employee_ref"]: r["payout"] for r in results
    }
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        res = hr.get(f"/api/v1/runs/{rid}/export.{fmt}")
        assert res.status_code == 200 and res.content.startswith(magic)


def test_results_equal_the_reference_engine_on_every_cell(comp):
    """The stored results against engine.formula.reference on the same typed rows, cell by cell."""
    from models.comp import plans
    from models.comp.runs import store
    from models.core.db import tenant_session

    tenant, hr, plan = comp["tenant"], comp["hr"], comp["plan"]
    upload_id = upload_employees(hr, plan.plan_id, employees_csv(120, seed=11))
    import_employees(hr, tenant, upload_id)
    run = start_run(hr, tenant, plan.plan_id, upload_id)
    ctx = tenant.ctx()
    with tenant_session(ctx) as session:
        spec = plans.spec_of(session, ctx, plans.get_plan(session, ctx, plan.plan_id))
        raw = store.read_employee_rows(session, ctx, __import__("uuid").UUID(upload_id), [i.key for i in spec.inputs])
    compiled = validate_formula(spec.formula_plan())
    typed = typed_rows(spec.inputs, raw)
    expected = reference.run(compiled, typed.frame.drop("row_no")).frame
    results = {r["employee_ref"]: r for r in _all_results(hr, run["run_id"])}
    cells = 0
    for record in expected.iter_rows(named=True):
        got = results[record["employee_ref"]]
        for step in compiled.display:
            want = None if record[step] is None else format(record[step], "f")
            assert got["values"][step] == want, (record["employee_ref"], step)
            cells += 1
        assert got["error"] == record["error"]
    assert cells == 120 * len(compiled.display)
    assert pl.DataFrame({"n": [1]}).height == 1


def test_same_inputs_same_hash_and_byte_identical_results(comp):
    tenant, hr, plan = comp["tenant"], comp["hr"], comp["plan"]
    data = employees_csv(30, seed=5)
    first_upload = upload_employees(hr, plan.plan_id, data)
    import_employees(hr, tenant, first_upload)
    second_upload = upload_employees(hr, plan.plan_id, data, name="again.csv")
    import_employees(hr, tenant, second_upload)
    a = start_run(hr, tenant, plan.plan_id, first_upload, "A")
    b = start_run(hr, tenant, plan.plan_id, second_upload, "B")
    assert a["snapshot_hash"] == b["snapshot_hash"]
    csv_a = hr.get(f"/api/v1/runs/{a['run_id']}/export.csv").content
    csv_b = hr.get(f"/api/v1/runs/{b['run_id']}/export.csv").content
    assert csv_a == csv_b
    changed = upload_employees(hr, plan.plan_id, data.replace(b"E000001,Person 1", b"E000001,Person 1x"))
    import_employees(hr, tenant, changed)
    c = start_run(hr, tenant, plan.plan_id, changed, "C")
    assert c["snapshot_hash"] != a["snapshot_hash"]
    assert MAPPING["employee_ref"] == "Emp ID"
