"""Every case decision × role × status through `POST /api/cases/{id}/update`: a legal one passes
and leaves exactly one event and one audit row; every other one fails with the expected code and
writes nothing (status, events, audit, outbox unchanged). The expectation is worked out from the
machine and the RBAC matrix, so a change to either is checked here without editing a table."""

from __future__ import annotations

import pytest

from engine.cases.machines import CASE_MACHINE, DECISIONS
from engine.rbac import Role, has_permission
from tests.integration.cases.support import case_trail
from tests.support.effects import unchanged

ROLES = ("owner", "admin", "ops", "finance", "sales", "viewer", "auditor", "vendor1", "vendor2")


def make_case(world, status: str) -> str:
    """A case of vendor 1 brought to `status` through the product's own paths."""
    c = world.clients
    answered = status == "in_review" or status.startswith("resolved")
    case_id = world.in_review() if answered else world.new_case()
    moves = {
        "waiting_vendor": ("ops", f"/api/cases/{case_id}/requests", {"body": "Please send the delivery note."}),
        "resolved_approved": ("ops", f"/api/cases/{case_id}/update", {"action": "approve"}),
        "resolved_rejected": ("ops", f"/api/cases/{case_id}/update", {"action": "reject", "note": "no proof"}),
        "withdrawn": ("vendor1", f"/api/cases/{case_id}/update", {"action": "withdraw"}),
        "cancelled": ("ops", f"/api/cases/{case_id}/update", {"action": "cancel", "note": "duplicate"}),
    }
    if status in moves:
        who, url, body = moves[status]
        res = c[who].post(url, json=body)
        assert res.status_code in (200, 201), res.text
    assert c["owner"].get(f"/api/cases/{case_id}").json()["case"]["status"] == status
    return case_id


def expected(role: str, status: str, action: str) -> int:
    if role == "vendor2":
        return 404  # another vendor's case does not exist for it
    transition = next((t for t in CASE_MACHINE.transitions if t.action == action and status in t.sources), None)
    if transition is None:
        return 409
    as_role = Role.VENDOR if role.startswith("vendor") else Role(role)
    if not has_permission(as_role, transition.permission):
        return 403
    if transition.owner_only and role != "vendor1":
        return 403
    return 200


@pytest.mark.parametrize("status", CASE_MACHINE.statuses)
def test_every_decision_by_every_role_in_every_status(world, status):
    case_id = make_case(world, status)
    passed = []
    for action in DECISIONS:
        for role in ROLES:
            want = expected(role, status, action)
            body = {"action": action, "note": "checked by the matrix", "expected_status": status}
            if want == 200:
                before = case_trail(world, case_id)
                res = world.clients[role].post(f"/api/cases/{case_id}/update", json=body)
                assert res.status_code == 200, (role, status, action, res.text)
                after = case_trail(world, case_id)
                target = res.json()["status"]
                assert after["status"] == target
                assert after["case_events"] == before["case_events"] + 1
                assert after["audit_events"] == before["audit_events"] + 1
                assert after["outbox_events"] == before["outbox_events"] + 1
                last = world.clients["owner"].get(f"/api/cases/{case_id}/events").json()["items"][-1]
                assert (last["action"], last["from_status"], last["to_status"]) == (action, status, target)
                assert last["reason"] == "checked by the matrix"
                passed.append((role, action))
                case_id = make_case(world, status)  # the next attempt starts from the same status again
                continue
            with unchanged(lambda c=case_id: case_trail(world, c)):
                res = world.clients[role].post(f"/api/cases/{case_id}/update", json=body)
                assert res.status_code == want, (role, status, action, res.text)
    legal = {(r, a) for a in DECISIONS for r in ROLES if expected(r, status, a) == 200}
    assert set(passed) == legal


def test_the_spec_who_may_act_table_holds(world):
    """§5.1: APPROVE/REJECT tenant and ops, WITHDRAW the vendor (own), CANCEL ops only."""
    assert expected("vendor1", "in_review", "approve") == 403
    assert expected("vendor1", "in_review", "withdraw") == 200
    assert expected("vendor2", "in_review", "withdraw") == 404
    assert expected("ops", "in_review", "approve") == 200
    assert expected("admin", "in_review", "reject") == 200
    assert expected("ops", "open", "withdraw") == 403
    assert expected("ops", "open", "cancel") == 200
    assert expected("admin", "open", "cancel") == 403
    assert expected("vendor1", "open", "cancel") == 403


def test_unknown_action_is_422_and_a_missing_note_is_422_nothing_written(world):
    case_id = world.in_review()
    ops = world.clients["ops"]
    with unchanged(lambda: case_trail(world, case_id)):
        res = ops.post(f"/api/cases/{case_id}/update", json={"action": "escalate"})
        assert res.status_code == 422 and res.json()["error"]["fields"] == {"action": "unknown action"}, res.text
        res = ops.post(f"/api/cases/{case_id}/update", json={"action": "reject", "note": "  "})
        assert res.status_code == 422 and res.json()["error"]["fields"] == {"reason": "required"}, res.text
        res = ops.post(f"/api/cases/{case_id}/update", json={"action": "approve", "expected_status": "open"})
        assert res.status_code == 409, res.text


def test_the_non_decision_moves_are_never_taken_through_the_decision_route(world):
    case_id = world.new_case()
    with unchanged(lambda: case_trail(world, case_id)):
        res = world.clients["vendor1"].post(f"/api/cases/{case_id}/update", json={"action": "respond"})
        assert res.status_code == 403, res.text
        res = world.clients["ops"].post(f"/api/cases/{case_id}/update", json={"action": "request_info"})
        assert res.status_code == 403, res.text


def test_staff_cannot_respond_for_the_vendor_and_vendors_cannot_ask_themselves(world):
    case_id = world.new_case()
    with unchanged(lambda: case_trail(world, case_id)):
        res = world.clients["ops"].post(f"/api/cases/{case_id}/responses", json={"body": "x"})
        assert res.status_code == 403, res.text
        res = world.clients["vendor1"].post(f"/api/cases/{case_id}/requests", json={"body": "x"})
        assert res.status_code == 403, res.text
        res = world.clients["sales"].post(f"/api/cases/{case_id}/requests", json={"body": "x"})
        assert res.status_code == 403, res.text


def test_a_closed_case_takes_no_message_and_no_response(world):
    case_id = make_case(world, "cancelled")
    with unchanged(lambda: case_trail(world, case_id)):
        assert world.clients["vendor1"].post(f"/api/cases/{case_id}/responses", json={"body": "x"}).status_code == 409
        assert world.clients["ops"].post(f"/api/cases/{case_id}/messages", json={"body": "x"}).status_code == 409


def test_at_most_four_buttons_and_only_legal_ones(world):
    for status in ("open", "in_review"):
        case_id = make_case(world, status)
        for role in ROLES[:-1]:
            shown = world.clients[role].get(f"/api/cases/{case_id}").json()["actions"]
            assert len(shown) <= 4
            assert {a["action"] for a in shown} == {a for a in DECISIONS if expected(role, status, a) == 200}, role
