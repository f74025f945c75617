"""Test vectors and the impact preview over REST: values equal the formula engine's (run here on the
same plan, independently of the module), impact figures recomputed here in plain Decimal, a sample
read from an upload, and input errors naming the row and input."""

from __future__ import annotations

import uuid
from decimal import Decimal

import polars as pl

from engine.formula.plan import from_dict
from engine.formula.reference import run as reference_run
from engine.formula.result import DECIMAL
from engine.formula.validator import validate
from tests.integration.comp.conftest import STEPS, build_plan
from tests.support.api_clients import api_error

ROWS = [
    {"employee_ref": "E1", "salary": "100000", "employee_score": "0.85"},
    {"employee_ref": "E2", "salary": 80000, "employee_score": "0.5", "fund_return": "-0.01"},
    {"employee_ref": "E3", "salary": "123456.78", "employee_score": "0.8", "dept": "interns"},
    {"employee_ref": "E4", "salary": "90000", "employee_score": "1"},
]
CENT = Decimal("0.01")


def _bonus(row: dict, top: str = "1.2") -> Decimal:
    """The plan of conftest.STEPS by hand: target = salary * 0.15; multiplier = 1.2 (top) when the
    score is at least 0.8, else 0.9, and 0 when the fund return is negative; no bonus for interns."""
    if row.get("dept", "research") == "interns":
        return Decimal(0)
    target = Decimal(str(row["salary"])) * Decimal("0.15")
    if Decimal(row.get("fund_return", "0.12")) < 0:
        return Decimal(0)
    mult = Decimal(top) if Decimal(row["employee_score"]) >= Decimal("0.8") else Decimal("0.9")
    return (target * mult).quantize(CENT)


def _engine_values(steps) -> dict[str, dict[str, str]]:
    """The formula engine's own run of the same plan on ROWS (inputs and defaults typed by hand)."""
    plan = from_dict(
        {
            "name": "p",
            "version": "1",
            "inputs": [{"key": k, "dtype": d} for k, d in (("salary", "decimal"), ("employee_score", "decimal"),
                                                            ("fund_return", "decimal"), ("dept", "text"))],
            "steps": [{"order": s["step_order"], "name": s["name"], "expr": s["expr"],
                       "condition": s.get("condition_expr")} for s in steps],
        }
    )  # fmt: skip
    compiled = validate(plan)
    frame = pl.DataFrame(
        {
            "employee_ref": [r["employee_ref"] for r in ROWS],
            "salary": [Decimal(str(r["salary"])) for r in ROWS],
            "employee_score": [Decimal(r["employee_score"]) for r in ROWS],
            "fund_return": [Decimal(r.get("fund_return", "0.12")) for r in ROWS],
            "dept": [r.get("dept", "research") for r in ROWS],
        },
        schema={"employee_ref": pl.String, "salary": DECIMAL, "employee_score": DECIMAL, "fund_return": DECIMAL,
                "dept": pl.String},
    )  # fmt: skip
    out = reference_run(compiled, frame).frame
    return {r["employee_ref"]: {s["name"]: format(r[s["name"]], "f") for s in steps} for r in out.iter_rows(named=True)}


def test_test_vectors_give_every_steps_value_and_tape_equal_to_the_engine(clients, comp_a, catalog):
    hr = clients["hr"]
    plan_id = build_plan(hr, comp_a, f"Vectors {uuid.uuid4().hex[:6]}")
    res = hr.post(f"/api/v1/bonus-plans/{plan_id}/test-vectors", json={"rows": ROWS})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["steps"] == ["target", "perf_multiplier", "bonus"]
    engine = _engine_values(STEPS)
    for row, sent in zip(body["rows"], ROWS, strict=True):
        assert row["values"] == engine[row["employee_ref"]]
        assert Decimal(row["values"]["bonus"]) == _bonus(sent)
        tape = row["tape"]
        assert [s["name"] for s in tape["steps"]] == ["target", "perf_multiplier", "bonus"]
        assert tape["steps"][-1]["result"] == row["values"]["bonus"]
        assert tape["steps"][0]["refs"] == {"salary": row["inputs"]["salary"]}
    e2 = next(r for r in body["rows"] if r["employee_ref"] == "E2")
    assert e2["tape"]["steps"][1]["status"] == "skipped" and e2["inputs"]["fund_return"] == "-0.0100000000"
    e3 = next(r for r in body["rows"] if r["employee_ref"] == "E3")
    assert e3["tape"]["steps"][2]["status"] == "skipped"
    # a manager (comp.read) may run them too; bad values name the row and the input
    assert (
        clients["manager"].post(f"/api/v1/bonus-plans/{plan_id}/test-vectors", json={"rows": ROWS[:1]}).status_code
        == 200
    )
    for bad, field in (
        ({"salary": "12,5", "employee_score": "0.5"}, "rows.2.salary"),
        ({"salary": "100", "employee_score": "1.5"}, "rows.2.employee_score"),
        ({"salary": "100"}, "rows.2.employee_score"),
    ):
        err = api_error(
            hr.post(f"/api/v1/bonus-plans/{plan_id}/test-vectors", json={"rows": [ROWS[0], bad]}),
            422,
            "validation_error",
        )
        assert field in err["fields"], err
    err = api_error(
        hr.post(f"/api/v1/bonus-plans/{plan_id}/test-vectors", json={"rows": [{"salary": 1.5}]}),
        422,
        "validation_error",
    )
    assert any(k.startswith("rows.0.salary") for k in err["fields"]), err
    api_error(hr.post(f"/api/v1/bonus-plans/{plan_id}/test-vectors", json={"rows": []}), 422, "validation_error")


def _v2(hr, comp_a) -> tuple[str, str]:
    """A locked v1 (pool 50000 USD) and a draft v2 whose top multiplier is 1.3 (pool 60000 USD)."""
    v1 = build_plan(hr, comp_a, f"Impact {uuid.uuid4().hex[:6]}")
    hr.put(f"/api/v1/bonus-plans/{v1}/pool", json={"currency": "USD", "amount": "50000"}).raise_for_status()
    hr.post(f"/api/v1/bonus-plans/{v1}/lock").raise_for_status()
    v2 = hr.post(f"/api/v1/bonus-plans/{v1}/versions").json()
    step = next(s for s in v2["steps"] if s["name"] == "perf_multiplier")
    hr.patch(
        f"/api/v1/bonus-plans/{v2['id']}/steps/{step['id']}",
        json={"expr": "if(employee_score >= 0.8) then 1.3 else 0.9"},
    ).raise_for_status()
    hr.put(f"/api/v1/bonus-plans/{v2['id']}/pool", json={"currency": "USD", "amount": "60000"}).raise_for_status()
    return v1, v2["id"]


def test_impact_preview_figures_match_an_independent_computation(clients, comp_a, catalog):
    hr = clients["hr2"]
    v1, v2 = _v2(hr, comp_a)
    res = hr.post(f"/api/v1/bonus-plans/{v2}/impact-preview", json={"against": v1, "rows": ROWS, "movers": 2})
    assert res.status_code == 200, res.text
    got = res.json()
    base = {r["employee_ref"]: _bonus(r) for r in ROWS}
    new = {r["employee_ref"]: _bonus(r, top="1.3") for r in ROWS}
    moved = {k: new[k] - base[k] for k in base if new[k] != base[k]}
    assert got["rows"] == 4 and got["changed"] == len(moved) == 2 and got["increased"] == 2
    assert Decimal(got["base_total"]) == sum(base.values()) and Decimal(got["new_total"]) == sum(new.values())
    assert Decimal(got["total_delta"]) == sum(moved.values())
    assert got["pool_delta"] == "10000.0000000000" and got["base_pool"] == "50000.0000000000"
    assert Decimal(got["new_pool_share"]) == (sum(new.values()) / Decimal(60000)).quantize(Decimal("1E-10"))
    assert [m["employee_ref"] for m in got["movers"]] == sorted(moved, key=lambda k: -moved[k])
    top = got["movers"][0]
    assert Decimal(top["delta"]) == max(moved.values())
    assert top["why"].startswith("starts at step 'perf_multiplier' (its rule changed): 1.2000000000 → 1.3000000000")
    assert [s["name"] for s in top["steps"]] == ["perf_multiplier", "bonus"]
    assert top["base_tape"]["steps"][1]["result"] == "1.2000000000"
    assert top["new_tape"]["steps"][1]["result"] == "1.3000000000"

    err = api_error(hr.post(f"/api/v1/bonus-plans/{v2}/impact-preview", json={"against": v1}), 422, "validation_error")
    assert err["fields"] == {"rows": "required"}
    body = {"against": str(uuid.uuid4()), "rows": ROWS}
    err = api_error(hr.post(f"/api/v1/bonus-plans/{v2}/impact-preview", json=body), 422, "validation_error")
    assert err["fields"] == {"against": "not found"}


def test_impact_preview_reads_an_uploaded_sample(clients, comp_a, catalog):
    hr = clients["hr3"]
    v1, v2 = _v2(hr, comp_a)
    csv = "Emp ID,salary,employee_score,dept\nE1,100000,0.85,research\nE2,80000,0.5,research\nE3,70000,0.95,interns\n"
    upload = hr.post(
        "/api/v1/uploads", data={"target": "comp.sample"}, files={"file": ("s.csv", csv.encode(), "text/csv")}
    )
    assert upload.status_code == 201, upload.text
    upload_id = upload.json()["upload_id"]
    body = {"against": v1, "upload_id": upload_id, "employee_ref_column": "Emp ID"}
    got = hr.post(f"/api/v1/bonus-plans/{v2}/impact-preview", json=body).json()
    assert got["rows"] == 3 and got["changed"] == 1
    assert Decimal(got["total_delta"]) == _bonus({"salary": "100000", "employee_score": "0.85"}, "1.3") - _bonus(
        {"salary": "100000", "employee_score": "0.85"}
    )
    err = api_error(
        hr.post(f"/api/v1/bonus-plans/{v2}/impact-preview", json={"against": v1, "upload_id": upload_id}),
        422,
        "validation_error",
    )
    assert "no 'employee_ref' column" in err["message"]
    other = clients["b_owner"].post(f"/api/v1/bonus-plans/{v2}/impact-preview", json=body)
    api_error(other, 404, "not_found")
