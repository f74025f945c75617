"""Payout history across runs (GET /api/v1/reports/payout-history): only finalized runs, one cell per
run and team / fund / role, each sum equal to the exact sum of that run's stored payouts (read back
through the results API); another tenant sees none of it; a bad dimension is a 422 naming `by`."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from tests.support.api_clients import api_error
from tests.support.comp_runs import HEADER, MAPPING, import_employees, start_run, upload_employees

FUNDS = ("Global Macro", "Credit")
ROLES = ("Analyst", "Associate", "")  # "" → no role: its own group (null)


def _csv(n: int, *, salary_step: int) -> tuple[bytes, dict[str, dict[str, str | None]]]:
    """`n` employees with a team, fund and role each (every third without a role); the divisor of
    employee 4 is 0 (a row error: no payout, still counted)."""
    lines = [",".join([*HEADER, "Fund", "Role"])]
    dims: dict[str, dict[str, str | None]] = {}
    for i in range(1, n + 1):
        ref = f"E{i:06d}"
        team, fund, role = ("Alpha", "Beta")[i % 2], FUNDS[i % 3 % 2], ROLES[i % 3]
        divisor = "0" if i == 4 else "1"
        salary = Decimal(50_000 + salary_step * i) + Decimal("0.37")
        lines.append(f"{ref},Person {i},{team},{salary},{1 + i % 5},{divisor},research,true,{fund},{role}")
        dims[ref] = {"team": team, "fund": fund, "role": role or None}
    return ("\r\n".join(lines) + "\r\n").encode(), dims


def _results(client, run_id: str) -> list[dict]:
    found, cursor = [], None
    while True:
        page = client.get(f"/api/v1/runs/{run_id}/results", params={"limit": 200, "cursor": cursor}).json()
        found += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


def _finalize(comp, run_id: str) -> None:
    for who, action in (("manager", "manager_approve"), ("hr", "hr_approve"), ("finance", "finance_approve")):
        assert comp[who].post(f"/api/v1/runs/{run_id}/approve", json={"action": action}).status_code == 200
    assert comp["finance"].post(f"/api/v1/runs/{run_id}/finalize", json={}).json()["status"] == "finalized"


@pytest.fixture(scope="module")
def runs(comp):
    """Two finalized runs over two uploads and a third run left as a draft."""
    made = []
    for step, scenario in ((1_000, "FY24"), (1_700, "FY25")):
        data, dims = _csv(9, salary_step=step)
        upload = upload_employees(comp["hr"], comp["plan"].plan_id, data)
        import_employees(comp["hr"], comp["tenant"], upload, {**MAPPING, "fund": "Fund", "role": "Role"})
        run_id = start_run(comp["hr"], comp["tenant"], comp["plan"].plan_id, upload, scenario)["run_id"]
        _finalize(comp, run_id)
        made.append((run_id, dims))
    draft = start_run(comp["hr"], comp["tenant"], comp["plan"].plan_id, upload, "Draft")["run_id"]
    return made, draft


def _expected(comp, made, by: str) -> dict[tuple[str, str | None], tuple[int, Decimal, Decimal]]:
    sums: dict[tuple[str, str | None], list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for run_id, dims in made:
        for row in _results(comp["hr"], run_id):
            cell = sums[(run_id, dims[row["employee_ref"]][by])]
            cell[0] += 1
            cell[1] += Decimal(row["payout"] or 0)
            cell[2] += Decimal(row["allocated"] or 0)
    return {k: (n, p, a) for k, (n, p, a) in sums.items()}


@pytest.mark.parametrize("by", ["team", "fund", "role"])
def test_history_sums_each_finalized_runs_payouts_per_group_exactly(comp, runs, by):
    made, draft = runs
    res = comp["viewer"].get("/api/v1/reports/payout-history", params={"by": by})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["by"] == by
    assert [r["run_id"] for r in body["runs"]] == [run_id for run_id, _ in made]  # oldest first; no draft
    assert draft not in {c["run_id"] for c in body["cells"]}
    expected = _expected(comp, made, by)
    got = {
        (c["run_id"], c["group"]): (c["employees"], Decimal(c["payout"]), Decimal(c["allocated"]))
        for c in body["cells"]
    }
    assert got == expected
    for run in body["runs"]:
        mine = [v for (rid, _g), v in expected.items() if rid == run["run_id"]]
        assert run["employees"] == 9 and run["errors"] == 1  # employee 4's divisor of 0
        assert Decimal(run["payout"]) == sum((p for _n, p, _a in mine), Decimal(0))
        assert Decimal(run["allocated"]) == sum((a for _n, _p, a in mine), Decimal(0))
        assert run["allocated"] == "10000.0000000000"  # the pool, to the cent (largest remainder)
    for group in body["groups"]:
        mine = [v for (_rid, g), v in expected.items() if g == group["group"]]
        assert group["runs"] == len(mine) and group["employees"] == sum(n for n, _p, _a in mine)
        assert Decimal(group["payout"]) == sum((p for _n, p, _a in mine), Decimal(0))
    assert [Decimal(g["payout"]) for g in body["groups"]] == sorted(
        (Decimal(g["payout"]) for g in body["groups"]), reverse=True
    )
    assert Decimal(body["payout"]) == sum((Decimal(r["payout"]) for r in body["runs"]), Decimal(0))
    assert body["allocated"] == "20000.0000000000"


def test_role_without_a_value_is_its_own_group(comp, runs):
    body = comp["hr"].get("/api/v1/reports/payout-history", params={"by": "role"}).json()
    assert {g["group"] for g in body["groups"]} == {"Analyst", "Associate", None}


def test_plan_filter_limit_and_bad_input(comp, runs):
    made, _ = runs
    hr = comp["hr"]
    one = hr.get("/api/v1/reports/payout-history", params={"limit": 1}).json()
    assert [r["run_id"] for r in one["runs"]] == [made[-1][0]]  # the latest
    mine = hr.get("/api/v1/reports/payout-history", params={"plan_id": str(comp["plan"].plan_id)}).json()
    assert len(mine["runs"]) == 2
    err = api_error(hr.get("/api/v1/reports/payout-history", params={"by": "salary"}), 422, "validation_error")
    assert "by" in str(err)
    api_error(hr.get("/api/v1/reports/payout-history", params={"limit": 0}), 422, "validation_error")


def test_other_tenants_see_none_of_it(comp, runs):
    for client, params in (
        (comp["b_owner"], {}),
        (comp["b_owner"], {"plan_id": str(comp["plan"].plan_id)}),  # our plan's id: not theirs
        (comp["hr"], {"plan_id": str(comp["b_plan"].plan_id)}),  # their plan's id
    ):
        body = client.get("/api/v1/reports/payout-history", params=params).json()
        assert body["runs"] == [] and body["cells"] == [] and body["payout"] == "0.0000000000"
