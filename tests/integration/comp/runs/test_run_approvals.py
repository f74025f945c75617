"""Approvals through the decision path: role gates (403) and order (409) with nothing changed, the
frozen snapshot re-verified (a tampered result is named), two approvers racing, a finalized run
refusing and auditing every change, and other tenants' run, plan and upload ids (404)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text

from models.core.db import owner_session
from tests.support.api_clients import api_error
from tests.support.comp_runs import employees_csv, import_employees, start_run, upload_employees
from tests.support.effects import trail, unchanged


@pytest.fixture(scope="module")
def upload(comp):
    upload_id = upload_employees(comp["hr"], comp["plan"].plan_id, employees_csv(12, seed=3))
    import_employees(comp["hr"], comp["tenant"], upload_id)
    return upload_id


def _run(comp, upload) -> str:
    return start_run(comp["hr"], comp["tenant"], comp["plan"].plan_id, upload)["run_id"]


def _approve(client, run_id, action):
    return client.post(f"/api/v1/runs/{run_id}/approve", json={"action": action})


def test_only_the_permitted_role_in_order_and_nothing_changes_on_refusal(comp, upload):
    run_id = _run(comp, upload)
    ctx = comp["tenant"].ctx()
    state = lambda: comp["hr"].get(f"/api/v1/runs/{run_id}").json()["status"]  # noqa: E731
    with unchanged(state, lambda: trail(ctx, run_id)):
        api_error(_approve(comp["hr"], run_id, "manager_approve"), 403, "forbidden")  # HR is not the manager
        api_error(_approve(comp["finance"], run_id, "manager_approve"), 403, "forbidden")
        api_error(_approve(comp["manager"], run_id, "hr_approve"), 409, "invalid_transition")  # out of order
        api_error(comp["finance"].post(f"/api/v1/runs/{run_id}/finalize", json={}), 409, "invalid_transition")
        api_error(_approve(comp["viewer"], run_id, "manager_approve"), 403, "forbidden")
        api_error(_approve(comp["manager"], run_id, "approve_everything"), 422, "validation_error")
    assert _approve(comp["manager"], run_id, "manager_approve").status_code == 200
    with unchanged(state, lambda: trail(ctx, run_id)):
        api_error(_approve(comp["manager"], run_id, "manager_approve"), 409, "invalid_transition")  # twice
        api_error(_approve(comp["finance"], run_id, "finance_approve"), 409, "invalid_transition")


def test_two_managers_racing_exactly_one_wins(comp, upload, api):
    from tests.support.api_clients import login_client
    from tests.support.users import add_user

    run_id = _run(comp, upload)
    second = login_client(api, add_user(comp["tenant"], "manager"))
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def press(client):
        barrier.wait()
        answers.append(_approve(client, run_id, "manager_approve").status_code)

    threads = [threading.Thread(target=press, args=(c,)) for c in (comp["manager"], second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 409]
    run = comp["hr"].get(f"/api/v1/runs/{run_id}").json()
    assert run["status"] == "manager_approved" and len(run["approvals"]) == 1
    assert trail(comp["tenant"].ctx(), run_id)["decision_events"] == 1


def test_a_result_changed_after_the_first_approval_is_named_and_refused(comp, upload):
    run_id = _run(comp, upload)
    assert _approve(comp["manager"], run_id, "manager_approve").status_code == 200
    with owner_session() as session:  # someone edits a stored figure behind the application's back
        session.execute(
            text("update comp_run_results set payout = payout + 1 where run_id = :r and row_no = 2"), {"r": run_id}
        )
    err = api_error(_approve(comp["hr"], run_id, "hr_approve"), 409, "conflict")
    assert err["message"] == "the stored results changed since the manager's approval: the run cannot be approved"
    assert comp["hr"].get(f"/api/v1/runs/{run_id}").json()["status"] == "manager_approved"


def test_a_finalized_run_refuses_and_audits_every_change(comp, upload):
    run_id = _run(comp, upload)
    for client, action in (
        (comp["manager"], "manager_approve"),
        (comp["hr"], "hr_approve"),
        (comp["finance"], "finance_approve"),
    ):
        assert _approve(client, run_id, action).status_code == 200
    done = comp["finance"].post(f"/api/v1/runs/{run_id}/finalize", json={})
    assert done.status_code == 200 and done.json()["status"] == "finalized"
    assert done.json()["verification"] == "nothing changed since finance's approval"

    def refusals() -> int:
        with owner_session() as s:
            return s.execute(
                text("select count(*) from audit_events where entity_id = :e and action = 'comp_run.change_refused'"),
                {"e": str(run_id)},
            ).scalar_one()

    before = refusals()
    api_error(comp["finance"].post(f"/api/v1/runs/{run_id}/finalize", json={}), 409, "invalid_transition")
    api_error(_approve(comp["manager"], run_id, "manager_approve"), 409, "invalid_transition")
    api_error(comp["hr"].patch(f"/api/v1/runs/{run_id}", json={"scenario_name": "Changed"}), 409, "conflict")
    assert refusals() == before + 3
    run = comp["hr"].get(f"/api/v1/runs/{run_id}").json()
    assert run["status"] == "finalized" and run["scenario_name"] == "Base" and run["actions"] == []


def test_other_tenants_run_plan_and_upload_ids_are_not_found(comp, upload):
    run_id = _run(comp, upload)
    b_owner, b_hr, tenant = comp["b_owner"], comp["b_hr"], comp["tenant"]
    for path in (f"/api/v1/runs/{run_id}", f"/api/v1/runs/{run_id}/results", f"/api/v1/runs/{run_id}/export.csv"):
        api_error(b_owner.get(path), 404, "not_found")
    api_error(b_owner.get(f"/api/v1/runs/{run_id}/results", params={"employee_ref": "E000001"}), 404, "not_found")
    api_error(_approve(b_owner, run_id, "manager_approve"), 404, "not_found")
    api_error(
        b_owner.post("/api/v1/reports/individual-statement", json={"run_id": run_id, "employee_ref": "E000001"}),
        404,
        "not_found",
    )
    body = {"plan_id": str(comp["b_plan"].plan_id), "upload_id": upload, "scenario_name": "x"}
    api_error(b_hr.post("/api/v1/runs", json=body), 404, "not_found")  # their plan, our upload
    body = {"plan_id": str(comp["plan"].plan_id), "upload_id": upload, "scenario_name": "x"}
    api_error(b_hr.post("/api/v1/runs", json=body), 404, "not_found")  # our plan and upload
    body = {"tenant_id": str(tenant.tenant_id), "plan_id": str(comp["b_plan"].plan_id), "upload_id": upload}
    api_error(b_hr.post("/api/v1/runs", json=body), 404, "not_found")
    api_error(comp["hr"].get(f"/api/v1/runs/{uuid.uuid4()}"), 404, "not_found")


def test_statement_pdf_holds_the_payout_as_text(comp, upload):
    import io

    from pypdf import PdfReader

    run_id = _run(comp, upload)
    tape = comp["hr"].get(f"/api/v1/runs/{run_id}/results", params={"employee_ref": "E000002"}).json()
    res = comp["hr"].post("/api/v1/reports/individual-statement", json={"run_id": run_id, "employee_ref": "E000002"})
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(res.content)).pages)
    assert f"Exact value: {tape['payout']}" in words
    for step in tape["steps"]:
        assert f"{step['name']} = {step['value']}" in words
    api_error(
        comp["manager"].post(
            "/api/v1/reports/individual-statement", json={"run_id": run_id, "employee_ref": "E000002"}
        ),
        403,
        "forbidden",
    )
    api_error(
        comp["hr"].post("/api/v1/reports/individual-statement", json={"run_id": run_id, "employee_ref": "nobody"}),
        404,
        "not_found",
    )
