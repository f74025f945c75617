"""Every payment and match-pack decision × role × status through `POST /api/payments/{id}/update`
and `POST /api/match-packs/{id}/update`: a legal one passes and leaves one event, one audit row
and one outbox row; every other one fails with the expected code and writes nothing (status,
events, audit, outbox, reconciliations unchanged). Expectations come from the machines and the
RBAC matrix."""

from __future__ import annotations

import pytest

from engine.cases.machines import MATCH_DECISIONS, MATCH_MACHINE, PAYMENT_DECISIONS, PAYMENT_MACHINE
from engine.rbac import Role, has_permission
from tests.integration.cases import money
from tests.integration.cases.money import money_trail, ok
from tests.support.effects import unchanged
from tests.support.env import script_write_budgets


@pytest.fixture(autouse=True, scope="module")
def _many_writes():
    """The matrix sends hundreds of writes a minute as a few users on purpose."""
    with script_write_budgets():
        yield


ROLES = ("owner", "admin", "ops", "finance", "sales", "viewer", "auditor", "vendor1", "vendor2")


def expected(machine, role: str, status: str, action: str) -> int:
    if role == "vendor2":
        return 404  # another vendor's record does not exist for it
    transition = next((t for t in machine.transitions if t.action == action and status in t.sources), None)
    if transition is None:
        return 409
    as_role = Role.VENDOR if role.startswith("vendor") else Role(role)
    if not has_permission(as_role, transition.permission):
        return 403
    if transition.owner_only and role != "vendor1":
        return 403
    return 200


def make_payment(world, status: str) -> str:
    """A payment of vendor 1 brought to `status` through the product's own paths."""
    made = money.simple_pack(world, variance=False)
    pay = money.payment(world, made["invoice"])["id"]
    ops = world.clients["ops"]
    moves = {
        "on_hold": [("ops", f"/api/payments/{pay}/hold", {"note": "bank details to check"})],
        "approved": [("finance", f"/api/payments/{pay}/update", {"action": "approve"})],
        "rejected": [("finance", f"/api/payments/{pay}/update", {"action": "reject", "note": "duplicate"})],
        "withdrawn": [("vendor1", f"/api/payments/{pay}/update", {"action": "withdraw"})],
        "cancelled": [
            ("finance", f"/api/payments/{pay}/update", {"action": "approve"}),
            ("ops", f"/api/payments/{pay}/update", {"action": "cancel", "note": "wrong account"}),
        ],
        "paid": [
            ("finance", f"/api/payments/{pay}/update", {"action": "approve"}),
            ("finance", f"/api/payments/{pay}/settlement", {"reference": "UTR-9"}),
        ],
    }
    for who, url, body in moves.get(status, []):
        ok(world.clients[who].post(url, json=body))
    assert ok(ops.get(f"/api/payments/{pay}"))["payment"]["status"] == status
    return pay


def make_pack(world, status: str) -> str:
    pack = money.simple_pack(world)["id"]
    moves = {
        "matched": ("ops", {"action": "confirm_match", "note": "price list agreed"}),
        "mismatch": ("ops", {"action": "mark_mismatch", "note": "price above contract"}),
        "evidence_requested": ("ops", {"action": "request_evidence", "note": "send the price list"}),
        "cancelled": ("ops", {"action": "cancel", "note": "wrong invoices"}),
    }
    if status in moves:
        who, body = moves[status]
        ok(world.clients[who].post(f"/api/match-packs/{pack}/update", json=body))
    assert ok(world.clients["ops"].get(f"/api/match-packs/{pack}"))["pack"]["status"] == status
    return pack


CASES = [("payments", PAYMENT_MACHINE, PAYMENT_DECISIONS, make_payment, s) for s in PAYMENT_MACHINE.statuses] + [
    ("match-packs", MATCH_MACHINE, MATCH_DECISIONS, make_pack, s) for s in MATCH_MACHINE.statuses
]


@pytest.mark.parametrize(
    ("route", "machine", "decisions", "make", "status"), CASES, ids=[f"{c[0]}-{c[4]}" for c in CASES]
)
def test_every_decision_by_every_role_in_every_status(world, route, machine, decisions, make, status):
    entity = make(world, status)
    passed = []
    for action in decisions:
        for role in ROLES:
            want = expected(machine, role, status, action)
            body = {"action": action.upper(), "note": "checked by the matrix", "expected_status": status}
            if want == 200:
                before = money_trail(world, entity)
                res = world.clients[role].post(f"/api/{route}/{entity}/update", json=body)
                assert res.status_code == 200, (role, status, action, res.text)
                after = money_trail(world, entity)
                target = res.json()["status"]
                assert after["status"] == target
                assert after[machine.events] == before[machine.events] + 1
                assert after["audit_events"] >= before["audit_events"] + 1
                assert after["outbox_events"] == before["outbox_events"] + 1
                last = ok(world.clients["owner"].get(f"/api/{route}/{entity}/events"))["items"][-1]
                assert (last["action"], last["from_status"], last["to_status"]) == (action, status, target)
                assert last["reason"] == "checked by the matrix"
                passed.append((role, action))
                entity = make(world, status)
                continue
            with unchanged(lambda e=entity: money_trail(world, e)):
                res = world.clients[role].post(f"/api/{route}/{entity}/update", json=body)
                assert res.status_code == want, (role, status, action, res.text)
    legal = {(r, a) for a in decisions for r in ROLES if expected(machine, r, status, a) == 200}
    assert set(passed) == legal


@pytest.mark.parametrize(("action", "status"), [("hold", "submitted"), ("release", "on_hold"), ("settle", "approved")])
def test_the_system_moves_are_never_decisions(world, action, status):
    pay = make_payment(world, status)
    with unchanged(lambda: money_trail(world, pay)):
        res = world.clients["owner"].post(f"/api/payments/{pay}/update", json={"action": action})
        assert res.status_code == 403, res.text


def test_hold_release_and_settlement_refusals_write_nothing(world):
    pay = make_payment(world, "submitted")
    with unchanged(lambda: money_trail(world, pay)):
        for who in ("sales", "viewer", "auditor", "vendor1", "vendor2"):  # refused before any lookup
            res = world.clients[who].post(f"/api/payments/{pay}/hold", json={"note": "x"})
            assert res.status_code == 403, (who, res.text)
        assert world.clients["ops"].post(f"/api/payments/{pay}/release", json={"note": "x"}).status_code == 409
        assert world.clients["ops"].post(f"/api/payments/{pay}/settlement", json={"reference": "x"}).status_code == 409
        assert world.clients["ops"].post(f"/api/payments/{pay}/hold", json={"note": ""}).status_code == 422
        res = world.clients["ops"].post(f"/api/payments/{pay}/update", json={"action": "pay"})
        assert res.status_code == 422 and res.json()["error"]["fields"] == {"action": "unknown action"}


def test_a_cancelled_pack_frees_its_invoices_for_a_new_pack(world):
    made = money.simple_pack(world)
    invoice = made["invoice"]["id"]
    res = world.clients["ops"].post("/api/match-packs", json={"vendor_id": str(world.org1), "invoice_ids": [invoice]})
    assert res.status_code == 409 and "invoice_ids[0]" in res.json()["error"]["fields"], res.text
    ok(world.clients["ops"].post(f"/api/match-packs/{made['id']}/update", json={"action": "cancel", "note": "redo"}))
    assert ok(world.clients["ops"].get(f"/api/invoices/{invoice}"))["invoice"]["state"] == "unmatched"
    again = money.pack(world, [invoice])
    assert again["status"] == "open"


def test_at_most_four_buttons_and_only_legal_ones(world):
    pack = make_pack(world, "open")
    pay = make_payment(world, "submitted")
    for role in ROLES[:-1]:
        shown = ok(world.clients[role].get(f"/api/match-packs/{pack}"))["actions"]
        assert len(shown) <= 4
        assert {a["action"] for a in shown} == {
            a for a in MATCH_DECISIONS if expected(MATCH_MACHINE, role, "open", a) == 200
        }
        shown = ok(world.clients[role].get(f"/api/payments/{pay}"))["actions"]
        assert len(shown) <= 4
        assert {a["action"] for a in shown} == {
            a for a in PAYMENT_DECISIONS if expected(PAYMENT_MACHINE, role, "submitted", a) == 200
        }
