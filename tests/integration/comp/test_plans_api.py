"""The §15 contract of compensation plans over REST (compensation-platform-prd.md §6, §15.1-15.3):
201 draft; 422s naming step, line and column; lock 200; lock twice and PATCH after lock 409 with an
audit row; another tenant's plan and a foreign {tid} 404; a role without comp.plans.write 403 with
nothing changed; versions and their diff."""

from __future__ import annotations

import uuid

from sqlmodel import col, select

from tests.integration.comp.conftest import STEPS, build_plan
from tests.support.api_clients import api_error
from tests.support.effects import rows, trail, unchanged


def _audit(tenant, entity_id) -> list[tuple[str, dict | None]]:
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    with tenant_session(tenant.ctx()) as session:
        found = session.exec(
            select(AuditEvent).where(AuditEvent.entity_id == str(entity_id)).order_by(col(AuditEvent.seq))
        ).all()
    return [(e.action, e.after) for e in found]


def _name() -> str:
    return f"Plan {uuid.uuid4().hex[:8]}"


def test_create_plan_answers_201_with_status_draft(clients, comp_a):
    hr = clients["hr"]
    body = {"name": _name(), "version": 1, "effective_from": "2025-01-01", "notes": "initial"}
    res = hr.post(f"/api/v1/tenants/{comp_a.tenant_id}/bonus-plans", json=body)
    assert res.status_code == 201, res.text
    plan = res.json()
    assert plan["status"] == "draft" and plan["version"] == 1 and plan["effective_from"] == "2025-01-01"
    assert plan["family_id"] == plan["id"] and plan["notes"] == "initial"
    assert plan["editable"] is True and plan["can_lock"] is False  # no step yet
    assert plan["validation"]["issues"][0]["message"] == "a plan needs at least one step"
    assert {a["action"] for a in plan["actions"]} == {"approve", "lock", "archive"}
    assert [a for a, _ in _audit(comp_a, plan["id"])] == ["bonus_plan.create"]
    # the same name and version twice: 409; the spec's tenant_id in the body must be the path's
    api_error(hr.post(f"/api/v1/tenants/{comp_a.tenant_id}/bonus-plans", json=body), 409, "conflict")
    again = {**body, "version": 2, "tenant_id": str(comp_a.tenant_id)}
    assert hr.post(f"/api/v1/tenants/{comp_a.tenant_id}/bonus-plans", json=again).status_code == 201
    for bad, field in (
        ({"name": ""}, "name"),
        ({"version": 0}, "version"),
        ({"version": "1"}, "version"),
        ({"effective_from": "2025-13-01"}, "effective_from"),
        ({"effective_from": 1735689600}, "effective_from"),
        ({"status": "locked"}, "status"),
    ):
        err = api_error(
            hr.post(f"/api/v1/tenants/{comp_a.tenant_id}/bonus-plans", json={**body, "name": _name(), **bad}),
            422,
            "validation_error",
        )
        assert field in err["fields"], (bad, err)
    window = {**body, "name": _name(), "effective_to": "2024-12-31"}
    err = api_error(hr.post(f"/api/v1/tenants/{comp_a.tenant_id}/bonus-plans", json=window), 422, "validation_error")
    assert err["fields"] == {"effective_to": "before effective_from"}


def test_a_tid_other_than_the_callers_tenant_is_404(clients, comp_a, comp_b):
    hr = clients["hr"]
    for tid in (comp_b.tenant_id, uuid.uuid4()):
        for method, path, body in (
            ("get", f"/api/v1/tenants/{tid}/bonus-plans", None),
            ("post", f"/api/v1/tenants/{tid}/bonus-plans", {"name": _name()}),
            ("get", f"/api/v1/tenants/{tid}/input-catalog", None),
            ("post", f"/api/v1/tenants/{tid}/input-catalog", {"key": "k", "label": "K", "dtype": "int"}),
        ):
            res = getattr(hr, method)(path, **({"json": body} if body else {}))
            api_error(res, 404, "not_found")
    body = {"name": _name(), "tenant_id": str(comp_b.tenant_id)}
    api_error(hr.post(f"/api/v1/tenants/{comp_a.tenant_id}/bonus-plans", json=body), 404, "not_found")
    assert rows(comp_b.ctx(), "bonus_plans") == 0 and rows(comp_b.ctx(), "input_catalog") == 0


def test_input_catalog_create_list_and_refusals(clients, comp_a, catalog):
    hr, url = clients["hr"], f"/api/v1/tenants/{comp_a.tenant_id}/input-catalog"
    listed = clients["auditor"].get(url, params={"limit": 200}).json()
    assert {i["key"] for i in listed["items"]} >= set(catalog)
    assert clients["viewer"].get(url, params={"q": "salary"}).json()["items"][0]["key"] == "salary"
    api_error(hr.post(url, json={"key": "salary", "label": "Again", "dtype": "decimal"}), 409, "conflict")
    for bad, field in (
        ({"key": "Salary"}, "key"),
        ({"key": "total"}, "key"),
        ({"dtype": "money"}, "dtype"),
        ({"default_value": "abc"}, "default_value"),
        ({"validation": {"min": "x"}}, "validation.min"),
        ({"validation": {"choices": ["a"]}}, "validation.choices"),
    ):
        body = {"key": f"k_{uuid.uuid4().hex[:6]}", "label": "K", "dtype": "decimal", **bad}
        err = api_error(hr.post(url, json=body), 422, "validation_error")
        assert field in err["fields"], (bad, err)
    made = hr.post(url, json={"key": "tenure_years", "label": "Tenure", "dtype": "int", "default_value": "0"})
    assert made.status_code == 201 and made.json()["dtype"] == "int"


def test_steps_are_validated_at_save_naming_step_line_and_column(clients, comp_a, catalog):
    hr = clients["hr"]
    plan_id = build_plan(hr, comp_a, _name(), steps=STEPS[:2])
    url = f"/api/v1/bonus-plans/{plan_id}/steps"
    cases = [
        ({"name": "bonus", "expr": "round2(target *\n perf_multipler)"}, "steps.bonus.expr", "line 2, column 2"),
        ({"name": "bonus", "expr": "target = 2"}, "steps.bonus.expr", "line 1, column 8"),
        ({"name": "bonus", "expr": "mim(target, 1)"}, "steps.bonus.expr", "line 1, column 1"),
        (
            {"name": "bonus", "expr": "target", "condition_expr": "dept > 1"},
            "steps.bonus.condition",
            "line 1, column 1",
        ),
        ({"name": "Bonus", "expr": "target"}, "steps.Bonus.name", None),
        ({"name": "salary", "expr": "target"}, "steps.salary.name", None),
        ({"name": "bonus", "expr": "target", "outputs": ["bonus", "extra"]}, "steps.bonus.outputs", None),
    ]
    before = hr.get(url).json()
    for body, field, where in cases:
        err = api_error(hr.post(url, json={"step_order": 30, **body}), 422, "validation_error")
        assert field in err["fields"], (body, err)
        if where:
            assert err["fields"][field].startswith(where + ":"), err
            step = field.split(".")[1]
            assert f"step '{step}' ({field.split('.')[2]}), {where}:" in err["message"]
    unknown = api_error(
        hr.post(url, json={"step_order": 30, "name": "bonus", "expr": "salry * 2"}), 422, "validation_error"
    )
    assert "did you mean 'salary'?" in unknown["fields"]["steps.bonus.expr"]
    assert hr.get(url).json() == before  # nothing was saved
    # a cycle: an edit that makes target read perf_multiplier, which now reads target
    steps = {s["name"]: s["id"] for s in before}
    ok = hr.post(url, json={"step_order": 30, "name": "bonus", "expr": "target * perf_multiplier"})
    assert ok.status_code == 201 and ok.json()["outputs"] == ["bonus"]
    hr.patch(f"{url}/{steps['perf_multiplier']}", json={"expr": "target / 1000"}).raise_for_status()
    err = api_error(hr.patch(f"{url}/{steps['target']}", json={"expr": "perf_multiplier * 2"}), 422, "validation_error")
    assert err["fields"] == {"steps.target": "steps form a cycle: target -> perf_multiplier -> target"}
    # a step others read cannot be deleted; an input a step reads cannot be removed
    err = api_error(hr.delete(f"{url}/{steps['target']}"), 422, "validation_error")
    assert "unknown name 'target'" in err["message"]
    err = api_error(hr.delete(f"/api/v1/bonus-plans/{plan_id}/inputs/salary"), 422, "validation_error")
    assert "steps.target.expr" in err["fields"]
    api_error(hr.post(url, json={"step_order": 30, "name": "again", "expr": "1"}), 409, "conflict")  # order taken


def test_lock_200_then_lock_twice_and_patch_after_lock_are_409_and_audited(clients, comp_a, catalog):
    hr = clients["hr2"]
    plan_id = build_plan(hr, comp_a, _name())
    plan = hr.get(f"/api/v1/bonus-plans/{plan_id}").json()
    assert plan["validation"]["ok"] and plan["can_lock"]
    assert [g["ok"] for g in plan["validation"]["guards"]] == [True] * 7
    assert plan["validation"]["order"] == ["target", "perf_multiplier", "bonus"]
    res = hr.post(f"/api/v1/bonus-plans/{plan_id}/lock")
    assert res.status_code == 200, res.text
    locked = res.json()
    assert locked["status"] == "locked" and locked["locked_at"] and locked["locked_by"] == hr.user_id
    assert locked["editable"] is False and [a["action"] for a in locked["actions"]] == ["archive"]

    err = api_error(hr.post(f"/api/v1/bonus-plans/{plan_id}/lock"), 409, "invalid_transition")
    assert "'lock' is not allowed from status 'locked'" in err["message"]
    err = api_error(hr.patch(f"/api/v1/bonus-plans/{plan_id}", json={"notes": "edited"}), 409, "plan_immutable")
    assert "new version" in err["message"]
    step_id = locked["steps"][0]["id"]
    api_error(hr.patch(f"/api/v1/bonus-plans/{plan_id}/steps/{step_id}", json={"expr": "1"}), 409, "plan_immutable")
    api_error(
        hr.post(f"/api/v1/bonus-plans/{plan_id}/steps", json={"step_order": 99, "name": "x", "expr": "1"}),
        409,
        "plan_immutable",
    )
    api_error(hr.delete(f"/api/v1/bonus-plans/{plan_id}/steps/{step_id}"), 409, "plan_immutable")
    api_error(
        hr.put(f"/api/v1/bonus-plans/{plan_id}/pool", json={"currency": "USD", "amount": "1"}), 409, "plan_immutable"
    )
    assert hr.get(f"/api/v1/bonus-plans/{plan_id}").json()["notes"] is None  # unchanged

    actions = _audit(comp_a, plan_id)
    assert actions[0][0] == "bonus_plan.create" and "bonus_plan.lock" in [a for a, _ in actions]
    refused = [after or {} for action, after in actions if action == "bonus_plan.change_refused"]
    assert [(r["attempt"], r["status"]) for r in refused] == [
        ("lock", "locked"),
        ("update", "locked"),
        ("update_step", "locked"),
        ("add_step", "locked"),
        ("delete_step", "locked"),
        ("set_pool", "locked"),
    ]


def test_lock_422_lists_every_problem_when_the_plan_does_not_validate(clients, comp_a):
    hr = clients["hr2"]
    plan_id = hr.post(f"/api/v1/tenants/{comp_a.tenant_id}/bonus-plans", json={"name": _name()}).json()["id"]
    with unchanged(lambda: trail(comp_a.ctx(), plan_id)):
        err = api_error(hr.post(f"/api/v1/bonus-plans/{plan_id}/lock"), 422, "validation_error")
    assert err["fields"] == {"plan": "a plan needs at least one step"}
    assert hr.get(f"/api/v1/bonus-plans/{plan_id}").json()["status"] == "draft"


def test_another_tenants_plan_is_404_and_untouched(clients, comp_a, catalog):
    plan_id = build_plan(clients["hr"], comp_a, _name())
    other = clients["b_owner"]
    step_id = clients["hr"].get(f"/api/v1/bonus-plans/{plan_id}/steps").json()[0]["id"]
    with unchanged(
        lambda: trail(comp_a.ctx(), plan_id), lambda: clients["hr"].get(f"/api/v1/bonus-plans/{plan_id}").json()
    ):
        for method, path, body in (
            ("get", "", None),
            ("patch", "", {"notes": "x"}),
            ("post", "/lock", None),
            ("get", "/steps", None),
            ("post", "/steps", {"step_order": 99, "name": "x", "expr": "1"}),
            ("patch", f"/steps/{step_id}", {"expr": "2"}),
            ("delete", f"/steps/{step_id}", None),
            ("post", "/versions", None),
            ("post", "/validate", None),
            ("post", "/test-vectors", {"rows": [{"salary": "1"}]}),
            ("get", "/inputs", None),
            ("put", "/pool", {"currency": "USD", "amount": "1"}),
            ("post", "/update", {"action": "archive", "reason": "x"}),
        ):
            res = getattr(other, method)(f"/api/v1/bonus-plans/{plan_id}{path}", **({"json": body} if body else {}))
            api_error(res, 404, "not_found")
    b_plan = clients["b_owner"].post(f"/api/v1/tenants/{uuid.UUID(int=0)}/bonus-plans", json={"name": "x"})
    api_error(b_plan, 404, "not_found")


def test_a_role_without_plans_write_is_403_with_nothing_changed(clients, comp_a, catalog):
    plan_id = build_plan(clients["hr"], comp_a, _name())
    step_id = clients["hr"].get(f"/api/v1/bonus-plans/{plan_id}/steps").json()[0]["id"]
    tid = comp_a.tenant_id
    for role in ("manager", "finance", "auditor", "viewer"):
        client = clients[role]
        assert client.get(f"/api/v1/bonus-plans/{plan_id}").status_code == 200  # comp.read
        with unchanged(
            lambda: trail(comp_a.ctx(), plan_id),
            lambda: clients["owner"].get(f"/api/v1/bonus-plans/{plan_id}").json(),
            lambda: rows(comp_a.ctx(), "bonus_plans"),
            lambda: rows(comp_a.ctx(), "input_catalog"),
        ):
            for method, path, body in (
                ("post", f"/api/v1/tenants/{tid}/bonus-plans", {"name": _name()}),
                ("post", f"/api/v1/tenants/{tid}/input-catalog", {"key": "bonus_x", "label": "X", "dtype": "int"}),
                ("patch", f"/api/v1/bonus-plans/{plan_id}", {"notes": "x"}),
                ("post", f"/api/v1/bonus-plans/{plan_id}/lock", None),
                ("post", f"/api/v1/bonus-plans/{plan_id}/update", {"action": "approve"}),
                ("post", f"/api/v1/bonus-plans/{plan_id}/steps", {"step_order": 99, "name": "x", "expr": "1"}),
                ("patch", f"/api/v1/bonus-plans/{plan_id}/steps/{step_id}", {"expr": "2"}),
                ("delete", f"/api/v1/bonus-plans/{plan_id}/steps/{step_id}", None),
                ("put", f"/api/v1/bonus-plans/{plan_id}/step-order", {"step_ids": [step_id]}),
                ("post", f"/api/v1/bonus-plans/{plan_id}/inputs", {"key": "salary"}),
                ("put", f"/api/v1/bonus-plans/{plan_id}/pool", {"currency": "USD", "amount": "1"}),
                ("post", f"/api/v1/bonus-plans/{plan_id}/versions", None),
            ):
                res = getattr(client, method)(path, **({"json": body} if body else {}))
                api_error(res, 403, "forbidden")


def test_new_version_copies_the_plan_and_the_diff_shows_what_changed(clients, comp_a, catalog):
    hr = clients["hr3"]
    v1 = build_plan(hr, comp_a, _name())
    hr.put(f"/api/v1/bonus-plans/{v1}/pool", json={"currency": "USD", "amount": "250000.50"}).raise_for_status()
    api_error(hr.post(f"/api/v1/bonus-plans/{v1}/versions"), 409, "conflict")  # a draft is edited, not copied
    hr.post(f"/api/v1/bonus-plans/{v1}/lock").raise_for_status()
    res = hr.post(f"/api/v1/bonus-plans/{v1}/versions", json={"notes": "v2"})
    assert res.status_code == 201, res.text
    v2 = res.json()
    assert (v2["version"], v2["status"], v2["based_on_id"], v2["notes"]) == (2, "draft", v1, "v2")
    assert [s["name"] for s in v2["steps"]] == ["target", "perf_multiplier", "bonus"]
    assert v2["pool"]["amount"] == "250000.5000000000" and len(v2["inputs"]) == 4
    assert [v["version"] for v in v2["versions"]] == [1, 2]
    api_error(hr.post(f"/api/v1/bonus-plans/{v1}/versions"), 409, "conflict")  # v2 is still open

    steps = {s["name"]: s["id"] for s in v2["steps"]}
    url = f"/api/v1/bonus-plans/{v2['id']}/steps"
    hr.patch(
        f"{url}/{steps['perf_multiplier']}", json={"expr": "if(employee_score >= 0.8) then 1.3 else 0.9"}
    ).raise_for_status()
    hr.post(url, json={"step_order": 25, "name": "uplift", "expr": "1.05"}).raise_for_status()
    hr.patch(f"{url}/{steps['bonus']}", json={"expr": "round2(target * perf_multiplier * uplift)"}).raise_for_status()
    diff = hr.get(f"/api/v1/bonus-plans/{v2['id']}/diff", params={"against": v1}).json()
    assert (diff["added"], diff["removed"], diff["changed"]) == (1, 0, 2)
    changed = {s["name"]: s for s in diff["steps"]}
    assert changed["uplift"]["change"] == "added"
    assert changed["perf_multiplier"]["expr_diff"] == [
        {"op": "equal", "text": "if(employee_score >= 0.8) then "},
        {"op": "delete", "text": "1.2"},
        {"op": "insert", "text": "1.3"},
        {"op": "equal", "text": " else 0.9"},
    ]
    assert {"field": "version", "base": 1, "new": 2} in diff["header"]
    err = api_error(
        hr.get(f"/api/v1/bonus-plans/{v2['id']}/diff", params={"against": str(uuid.uuid4())}), 422, "validation_error"
    )
    assert err["fields"] == {"against": "not found"}


def test_reorder_decisions_and_pool(clients, comp_a, catalog):
    hr = clients["hr3"]
    plan_id = build_plan(hr, comp_a, _name())
    url = f"/api/v1/bonus-plans/{plan_id}"
    steps = hr.get(f"{url}/steps").json()
    reordered = hr.put(f"{url}/step-order", json={"step_ids": [steps[1]["id"], steps[0]["id"], steps[2]["id"]]})
    assert reordered.status_code == 200, reordered.text
    assert [(s["name"], s["step_order"]) for s in reordered.json()] == [
        ("perf_multiplier", 10),
        ("target", 20),
        ("bonus", 30),
    ]
    err = api_error(hr.put(f"{url}/step-order", json={"step_ids": [steps[0]["id"]]}), 422, "validation_error")
    assert "step_ids" in err["fields"]
    pool = hr.put(f"{url}/pool", json={"currency": "EUR", "amount": "1000.25", "allocation_rules": [{"team": "a"}]})
    assert pool.json()["amount"] == "1000.2500000000" and hr.get(f"{url}/pool").json()["currency"] == "EUR"
    for bad in (
        {"currency": "eur", "amount": "1"},
        {"currency": "EUR", "amount": 1.5},
        {"currency": "EUR", "amount": "-1"},
    ):
        api_error(hr.put(f"{url}/pool", json=bad), 422, "validation_error")
    # approve → reopen (a reason is required) → lock from draft
    approved = hr.post(f"{url}/update", json={"action": "approve"}).json()
    assert approved["status"] == "approved" and {a["action"] for a in approved["actions"]} == {
        "lock",
        "reopen",
        "archive",
    }
    api_error(hr.patch(url, json={"notes": "x"}), 409, "plan_immutable")
    api_error(hr.post(f"{url}/update", json={"action": "reopen"}), 422, "validation_error")
    assert hr.post(f"{url}/update", json={"action": "reopen", "reason": "one more change"}).json()["status"] == "draft"
    assert hr.patch(url, json={"notes": "changed"}).json()["notes"] == "changed"
    stale = hr.post(f"{url}/update", json={"action": "lock", "expected_status": "approved"})
    api_error(stale, 409, "conflict")
    assert hr.post(f"{url}/update", json={"action": "lock"}).json()["status"] == "locked"


def test_inbox_and_search_show_plans(clients, comp_a, catalog):
    hr = clients["hr"]
    name = f"Searchable {uuid.uuid4().hex[:6]}"
    plan_id = build_plan(hr, comp_a, name)
    found = hr.get("/api/search", params={"q": name}).json()
    hits = [h for g in found["groups"] for h in g["hits"]]
    assert any(h["id"] == plan_id and h["url"] == f"/comp/plans/{plan_id}" for h in hits), found
    inbox = hr.get("/api/inbox").json()
    assert any(i["id"] == plan_id for i in inbox["items"]), inbox
    assert not any(i["id"] == plan_id for i in clients["manager"].get("/api/inbox").json()["items"])
