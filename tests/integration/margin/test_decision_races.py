"""Concurrent and stale decisions through the REST API (issue 17, items 1 and 9).

20 identical decisions sent at once (20 threads, a TestClient each) answer 200 once and 409 for the
rest, never 5xx, on every decision route: alert, task, dealer status (including a dealer whose
status row does not exist yet) and organization status. A decision carrying the status the user
saw (`expected_status`) is refused with 409 `stale_status`, naming the current status, once someone
else decided first: a duplicated `step_down` moves a dealer one rung, not two. A refused decision
writes nothing (no decision event, no note, no field update).
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text

from models.core.db import tenant_session
from tests.integration.margin.conftest import MarginTenant, build
from tests.support.api_clients import create_test_api

PARALLEL = 20
WAIT = 30.0  # upper bound of every wait; none is a timing assertion


@pytest.fixture(scope="module")
def tenant() -> MarginTenant:
    from models.core.flags import set_flags

    built = build("decrace")
    ctx = built.ctx()
    with tenant_session(ctx) as s:
        set_flags(s, ctx, {"ENABLE_ORG": True})
    return built


@pytest.fixture(scope="module")
def clients(tenant: MarginTenant):
    """PARALLEL TestClients of the owner (one per thread, one login)."""
    from fastapi.testclient import TestClient

    api = create_test_api()
    first = TestClient(api, raise_server_exceptions=False)
    res = first.post("/api/auth/login", json={"email": tenant.tenant.owner_email, "password": tenant.tenant.password})
    assert res.status_code == 200, res.text
    made = []
    for _ in range(PARALLEL):
        client = TestClient(api, raise_server_exceptions=False)
        client.headers["Authorization"] = f"Bearer {res.json()['token']}"
        made.append(client)
    return made


def _call(client, method: str, url: str, body: dict, barrier: threading.Barrier, out: list) -> None:
    barrier.wait(WAIT)
    res = client.request(method, url, json=body)
    out.append((res.status_code, res.json()))  # list.append is atomic


def _all_at_once(clients, method: str, url: str, body: dict) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(clients))
    out: list[tuple[int, dict]] = []
    threads = [threading.Thread(target=_call, args=(c, method, url, body, barrier, out), daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert len(out) == len(clients), "a request did not finish"
    return out


def _one_winner(answers: list[tuple[int, dict]], loser_code: str) -> dict:
    """Exactly one 200; every other answer a 409 with `loser_code`; returns the winner's body."""
    codes = sorted(code for code, _ in answers)
    assert codes == [200] + [409] * (len(answers) - 1), answers
    assert {body["error"]["code"] for code, body in answers if code == 409} == {loser_code}, answers
    return next(body for code, body in answers if code == 200)


def _events(ctx, entity_id: str, action: str) -> int:
    with tenant_session(ctx) as s:
        return s.execute(
            text("select count(*) from decision_events where entity_id = :e and action = :a"),
            {"e": entity_id, "a": action},
        ).scalar()


def _dealer_row_id(ctx, dealer_id: str) -> str:
    with tenant_session(ctx) as s:
        return str(
            s.execute(text("select id from margin_dealer_status where dealer_id = :d"), {"d": dealer_id}).scalar()
        )


def _open_alert(client) -> str:
    return client.get("/api/alerts", params={"status": "open", "limit": 1}).json()["items"][0]["id"]


def test_twenty_identical_decisions_answer_200_once_and_409_for_the_rest(tenant, clients):
    ctx, owner = tenant.ctx(), clients[0]
    # alert, without expected_status: the machine refuses the 19 late ones (acknowledged already)
    alert_id = _open_alert(owner)
    won = _one_winner(
        _all_at_once(clients, "PATCH", f"/api/alerts/{alert_id}", {"action": "acknowledge"}), "invalid_transition"
    )
    assert won["status"] == "acknowledged" and _events(ctx, alert_id, "acknowledge") == 1
    # task, with the status the user saw
    task = owner.get("/api/tasks", params={"status": "open", "limit": 1}).json()["items"][0]
    won = _one_winner(
        _all_at_once(clients, "PATCH", f"/api/tasks/{task['id']}", {"action": "complete", "expected_status": "open"}),
        "stale_status",
    )
    assert won["status"] == "done" and _events(ctx, task["id"], "complete") == 1
    # a new dealer (no status row yet): 20 first decisions make one row and one decision
    org = owner.post(
        "/api/orgs", json={"type": "dealer", "code": f"RACE-{uuid.uuid4().hex[:6]}", "name": "Race Meds", "profile": {}}
    )
    assert org.status_code == 201, org.text
    dealer_id = org.json()["id"]
    body = {"action": "warn", "reason": "MAP breach", "expected_status": "active"}
    won = _one_winner(_all_at_once(clients, "PATCH", f"/api/dealers/{dealer_id}/status", body), "stale_status")
    assert won["status"] == "warned"
    with tenant_session(ctx) as s:
        rows = s.execute(text("select count(*) from margin_dealer_status where dealer_id = :d"), {"d": dealer_id})
        assert rows.scalar() == 1
    assert _events(ctx, _dealer_row_id(ctx, dealer_id), "warn") == 1
    # organization status
    body = {"action": "hold", "reason": "audit", "expected_status": "active"}
    won = _one_winner(_all_at_once(clients, "POST", f"/api/orgs/{dealer_id}/status", body), "stale_status")
    assert won["status"] == "on_hold" and _events(ctx, dealer_id, "hold") == 1


def test_a_duplicated_step_down_moves_a_dealer_one_rung(tenant, clients):
    ctx, owner = tenant.ctx(), clients[0]
    coastal = str(tenant.id("organization", "dealer-coastal"))
    url = f"/api/dealers/{coastal}/status"
    assert owner.get(f"/api/dealers/{coastal}").json()["status"] == "warned"  # the demo's Coastal
    res = owner.patch(url, json={"action": "final_notice", "reason": "repeat", "expected_status": "warned"})
    assert res.status_code == 200 and res.json()["status"] == "final_notice", res.text
    row_id = _dealer_row_id(ctx, coastal)
    before = _events(ctx, row_id, "step_down")
    body = {"action": "step_down", "reason": "complied", "expected_status": "final_notice"}
    won = _one_winner(_all_at_once(clients, "PATCH", url, body), "stale_status")
    assert won["status"] == "warned"  # one rung: final_notice → warned, not on to active
    assert owner.get(f"/api/dealers/{coastal}").json()["status"] == "warned"
    assert _events(ctx, row_id, "step_down") == before + 1


def test_a_stale_expected_status_is_409_naming_the_current_status_and_writes_nothing(tenant, clients):
    ctx, owner = tenant.ctx(), clients[0]
    metro = str(tenant.id("organization", "dealer-metro"))
    current = owner.get(f"/api/dealers/{metro}").json()["status"]
    stale = "suspended" if current != "suspended" else "warned"
    res = owner.patch(
        f"/api/dealers/{metro}/status", json={"action": "step_down", "reason": "x", "expected_status": stale}
    )
    assert res.status_code == 409, res.text
    error = res.json()["error"]
    assert error["code"] == "stale_status" and f"'{current}'" in error["message"]
    assert error["fields"] == {"expected_status": f"current status is '{current}'"}
    assert owner.get(f"/api/dealers/{metro}").json()["status"] == current
    # an alert decision with a note: neither the note nor the decision is written
    alert_id = _open_alert(owner)
    with tenant_session(ctx) as s:
        notes = s.execute(text("select count(*) from margin_notes where alert_id = :a"), {"a": alert_id}).scalar()
    res = owner.patch(
        f"/api/alerts/{alert_id}", json={"action": "acknowledge", "note": "seen", "expected_status": "acknowledged"}
    )
    assert res.status_code == 409 and res.json()["error"]["code"] == "stale_status", res.text
    assert "'open'" in res.json()["error"]["message"]
    with tenant_session(ctx) as s:
        assert (
            s.execute(text("select count(*) from margin_notes where alert_id = :a"), {"a": alert_id}).scalar() == notes
        )
    assert _events(ctx, alert_id, "acknowledge") == 0
    # a task decision with a field change: the field stays
    task = owner.get("/api/tasks", params={"status": "open", "limit": 1}).json()["items"][0]
    res = owner.patch(
        f"/api/tasks/{task['id']}", json={"title": "renamed", "action": "start", "expected_status": "in_progress"}
    )
    assert res.status_code == 409 and res.json()["error"]["code"] == "stale_status", res.text
    after = next(t for t in owner.get("/api/tasks", params={"limit": 200}).json()["items"] if t["id"] == task["id"])
    assert (after["title"], after["status"]) == (task["title"], "open")
    # organization
    res = owner.post(f"/api/orgs/{metro}/status", json={"action": "hold", "reason": "x", "expected_status": "on_hold"})
    assert res.status_code == 409 and res.json()["error"]["code"] == "stale_status", res.text
    # a status the entity cannot have is bad input naming the field, and the right one passes
    res = owner.patch(f"/api/dealers/{metro}/status", json={"action": "warn", "reason": "x", "expected_status": "gone"})
    assert res.status_code == 422 and "expected_status" in res.json()["error"]["fields"], res.text
    res = owner.post(f"/api/orgs/{metro}/status", json={"action": "hold", "reason": "x", "expected_status": "active"})
    assert res.status_code == 200 and res.json()["status"] == "on_hold", res.text
