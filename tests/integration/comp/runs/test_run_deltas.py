"""Scenario deltas (GET /api/v1/runs/{id}/deltas?baseline_id=): per employee and in total, every delta
equal to the exact difference of the two runs' stored payouts and pool shares (read back through the
results API); employees only in one run are added / removed; paging covers everyone once, largest
change first; other tenants' runs are 404, a run not computed yet 409, the run as its own baseline 422."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.api_clients import api_error
from tests.support.comp_runs import STEPS, build_plan, employees_csv, import_employees, start_run, upload_employees

RICHER = [(10, "base", "salary * 0.12", None), *STEPS[1:]]


def _results(client, run_id: str) -> dict[str, dict]:
    found, cursor = {}, None
    while True:
        page = client.get(f"/api/v1/runs/{run_id}/results", params={"limit": 200, "cursor": cursor}).json()
        found.update({r["employee_ref"]: r for r in page["items"]})
        cursor = page["next_cursor"]
        if not cursor:
            return found


def _all(client, run_id: str, baseline: str, **params) -> tuple[dict, list[dict]]:
    items, cursor, body = [], None, {}
    while True:
        res = client.get(
            f"/api/v1/runs/{run_id}/deltas", params={"baseline_id": baseline, "limit": 4, "cursor": cursor, **params}
        )
        assert res.status_code == 200, res.text
        body = res.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return body, items


def _d(value) -> Decimal:
    return Decimal(value or 0)


@pytest.fixture(scope="module")
def runs(comp):
    hr, tenant = comp["hr"], comp["tenant"]
    ten = upload_employees(hr, comp["plan"].plan_id, employees_csv(10, seed=3))
    import_employees(hr, tenant, ten)
    twelve = upload_employees(hr, comp["plan"].plan_id, employees_csv(12, seed=3))  # the same ten and two more
    import_employees(hr, tenant, twelve)
    richer = build_plan(tenant, name="Richer", steps=RICHER)
    return {
        "base": start_run(hr, tenant, comp["plan"].plan_id, ten, "Base")["run_id"],
        "richer": start_run(hr, tenant, richer.plan_id, ten, "Richer base")["run_id"],
        "grown": start_run(hr, tenant, comp["plan"].plan_id, twelve, "Two more")["run_id"],
        "queued": start_run(hr, tenant, comp["plan"].plan_id, ten, "Queued", compute=False)["run_id"],
    }


def _check(client, run_id: str, baseline: str) -> tuple[dict, list[dict]]:
    a, b = _results(client, run_id), _results(client, baseline)
    body, items = _all(client, run_id, baseline)
    assert sorted(i["employee_ref"] for i in items) == sorted(set(a) | set(b))  # everyone once
    mags = [abs(Decimal(i["delta"])) for i in items]
    assert mags == sorted(mags, reverse=True)
    for item in items:
        ref = item["employee_ref"]
        ra, rb = a.get(ref), b.get(ref)
        assert item["payout"] == (ra["payout"] if ra else None)
        assert item["baseline_payout"] == (rb["payout"] if rb else None)
        assert Decimal(item["delta"]) == _d(ra and ra["payout"]) - _d(rb and rb["payout"])
        assert Decimal(item["allocated_delta"]) == _d(ra and ra["allocated"]) - _d(rb and rb["allocated"])
        if rb is None:
            assert item["kind"] == "added"
        elif ra is None:
            assert item["kind"] == "removed"
        elif ra["error"] or rb["error"]:
            assert item["kind"] == "error"
        else:
            same = (ra["payout"], ra["allocated"]) == (rb["payout"], rb["allocated"])
            assert item["kind"] == ("same" if same else "changed")
    t = body["totals"]
    assert t["employees"] == len(items) == sum(t["counts"].values())
    assert Decimal(t["payout"]) == sum((_d(r["payout"]) for r in a.values()), Decimal(0))
    assert Decimal(t["baseline_payout"]) == sum((_d(r["payout"]) for r in b.values()), Decimal(0))
    assert Decimal(t["delta"]) == Decimal(t["payout"]) - Decimal(t["baseline_payout"])
    assert Decimal(t["delta"]) == sum((Decimal(i["delta"]) for i in items), Decimal(0))
    assert Decimal(t["allocated_delta"]) == sum((Decimal(i["allocated_delta"]) for i in items), Decimal(0))
    return body, items


def test_a_richer_plan_over_the_same_employees(comp, runs):
    body, items = _check(comp["viewer"], runs["richer"], runs["base"])
    assert body["same_upload"] is True and body["run_scenario"] == "Richer base"
    counts = body["totals"]["counts"]
    assert counts["added"] == counts["removed"] == 0
    assert counts["error"] == 1  # employee 3's divisor of 0, in both runs
    assert counts["changed"] >= 1
    assert Decimal(body["totals"]["delta"]) > 0
    # the pool is the same: re-allocated, never more or less than it
    assert body["totals"]["allocated"] == body["totals"]["baseline_allocated"] == "10000.0000000000"
    assert body["totals"]["allocated_delta"] == "0.0000000000"


def test_added_and_removed_employees(comp, runs):
    body, items = _check(comp["hr"], runs["grown"], runs["base"])
    assert body["same_upload"] is False
    assert {i["employee_ref"] for i in items if i["kind"] == "added"} == {"E000011", "E000012"}
    back, items_back = _check(comp["hr"], runs["base"], runs["grown"])
    assert {i["employee_ref"] for i in items_back if i["kind"] == "removed"} == {"E000011", "E000012"}
    assert Decimal(back["totals"]["delta"]) == -Decimal(body["totals"]["delta"])


def test_changed_only_leaves_out_the_unchanged(comp, runs):
    _, every = _all(comp["hr"], runs["grown"], runs["base"])
    _, changed = _all(comp["hr"], runs["grown"], runs["base"], changed_only="true")
    assert [i for i in every if i["kind"] != "same"] == changed


def test_refusals(comp, runs):
    hr = comp["hr"]
    err = api_error(
        hr.get(f"/api/v1/runs/{runs['base']}/deltas", params={"baseline_id": runs["base"]}), 422, "validation_error"
    )
    assert "baseline_id" in str(err)
    api_error(hr.get(f"/api/v1/runs/{runs['queued']}/deltas", params={"baseline_id": runs["base"]}), 409, "conflict")
    api_error(hr.get(f"/api/v1/runs/{runs['base']}/deltas", params={"baseline_id": runs["queued"]}), 409, "conflict")
    api_error(hr.get(f"/api/v1/runs/{runs['base']}/deltas"), 422, "validation_error")  # no baseline
    api_error(
        hr.get(f"/api/v1/runs/{runs['base']}/deltas", params={"baseline_id": runs["richer"], "cursor": "x"}),
        422,
        "validation_error",
    )
    other = comp["b_owner"]
    api_error(
        other.get(f"/api/v1/runs/{runs['base']}/deltas", params={"baseline_id": runs["richer"]}), 404, "not_found"
    )
    b_run = start_run(comp["b_hr"], comp["other"], comp["b_plan"].plan_id, _b_upload(comp), "B")["run_id"]
    api_error(hr.get(f"/api/v1/runs/{runs['base']}/deltas", params={"baseline_id": b_run}), 404, "not_found")
    api_error(other.get(f"/api/v1/runs/{b_run}/deltas", params={"baseline_id": runs["base"]}), 404, "not_found")


def _b_upload(comp) -> str:
    upload = upload_employees(comp["b_hr"], comp["b_plan"].plan_id, employees_csv(4, seed=1))
    import_employees(comp["b_hr"], comp["other"], upload)
    return upload
