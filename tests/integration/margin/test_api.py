"""Margin REST API: every route, the role matrix (403), cross-tenant 404, reasons on dealer status."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.support.api_clients import api_error
from tests.support.effects import rows, trail, unchanged

ROLES = ("owner", "ops", "sales", "viewer")


def _tasks(clients) -> list[dict]:
    return clients["owner"].get("/api/tasks", params={"limit": 200}).json()["items"]


def _alert_id(clients, rule="map_breach", status="open") -> str:
    items = clients["owner"].get("/api/alerts", params={"rule": rule, "status": status, "limit": 1}).json()["items"]
    return items[0]["id"]


# --- reads -------------------------------------------------------------------------------------


def test_dashboard_summary_is_computed_from_the_database(clients, margin_a):
    body = clients["viewer"].get("/api/dashboard/summary").json()
    assert body["open_alerts"] == 12
    assert sum(body["open_alerts_by_rule"].values()) == 12
    assert body["open_alerts_by_rule"]["competitor_undercut"] == 2
    assert sum(body["open_alerts_by_severity"].values()) == 12
    assert Decimal(body["lost_margin_open"]) == Decimal("1534")  # Σ MAP/MRP impacts of the seed
    assert body["dealers_in_breach"] == 2
    assert body["tasks_open"] == 9
    assert len(body["breach_trend"]) == 14
    assert isinstance(body["running_batches"], int)


def test_alert_list_filters_and_paginates(clients, margin_a):
    owner = clients["owner"]
    first = owner.get("/api/alerts", params={"limit": 5}).json()
    assert len(first["items"]) == 5 and first["next_cursor"]
    seen = [a["id"] for a in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = owner.get("/api/alerts", params={"limit": 5, "cursor": cursor}).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 12
    maps = owner.get("/api/alerts", params={"rule": "map_breach"}).json()["items"]
    assert len(maps) == 6 and {a["rule"] for a in maps} == {"map_breach"}
    metro = str(margin_a.id("organization", "dealer-metro"))
    by_dealer = owner.get("/api/alerts", params={"dealer_id": metro}).json()["items"]
    assert {a["dealer_id"] for a in by_dealer} == {metro} and by_dealer[0]["dealer_name"] == "Metro Pharma Retail"
    zinc = str(margin_a.id("sku", "zinc"))
    assert {a["sku_code"] for a in owner.get("/api/alerts", params={"sku_id": zinc}).json()["items"]} == {"AUR-ZINC-30"}
    sev = owner.get("/api/alerts", params={"severity": "low"}).json()["items"]
    assert all(a["severity"] == "low" for a in sev)
    api_error(owner.get("/api/alerts", params={"rule": "nope"}), 422, "validation_error")
    api_error(owner.get("/api/alerts", params={"cursor": "garbage"}), 422, "validation_error")


def test_alert_detail_evidence_and_timeline(clients, margin_a):
    viewer = clients["viewer"]
    alert_id = _alert_id(clients)
    detail = viewer.get(f"/api/alerts/{alert_id}").json()
    assert detail["math"]["formula"] == "Σ qty × (floor − price)"
    assert Decimal(detail["math"]["total"]) == Decimal(detail["impact"])
    assert detail["floor_source"]["price_rule_id"] == detail["floor_rule_id"]
    assert detail["floor_source"]["explain_url"].startswith("/api/prices/resolve?")
    assert detail["actions"] == []  # the viewer sees no buttons
    owner_detail = clients["owner"].get(f"/api/alerts/{alert_id}").json()
    assert {a["action"] for a in owner_detail["actions"]} >= {"acknowledge", "enforce"}
    evidence = viewer.get(f"/api/alerts/{alert_id}/evidence").json()["items"]
    assert len(evidence) == detail["evidence_count"] > 0
    assert sum(Decimal(e["impact"]) for e in evidence) == Decimal(detail["impact"])
    assert all(e["kind"] == "sale_row" and e["sale_row_id"] for e in evidence)
    timeline = viewer.get(f"/api/alerts/{alert_id}/timeline").json()["items"]
    assert timeline[0]["type"] == "opened"


def _alert_untouched(clients, margin_a, alert_id):
    """The alert as the owner reads it (status, notes, timeline) and every row written about it."""
    url = f"/api/alerts/{alert_id}"
    return unchanged(
        lambda: trail(margin_a.ctx(), alert_id),
        lambda: clients["owner"].get(url).json(),
        lambda: clients["owner"].get(f"{url}/timeline").json(),
    )


def test_patch_alert_decisions_and_notes_by_role(clients, margin_a):
    alert_id = _alert_id(clients, rule="mrp_breach")
    with _alert_untouched(clients, margin_a, alert_id):
        api_error(clients["viewer"].patch(f"/api/alerts/{alert_id}", json={"note": "hi"}), 403, "forbidden")
        api_error(clients["viewer"].patch(f"/api/alerts/{alert_id}", json={"action": "acknowledge"}), 403, "forbidden")
    # Sales: notes and close the loop, but no enforcement
    res = clients["sales"].patch(f"/api/alerts/{alert_id}", json={"note": "Dealer called back"})
    assert res.status_code == 200, res.text
    with _alert_untouched(clients, margin_a, alert_id):
        api_error(clients["sales"].patch(f"/api/alerts/{alert_id}", json={"action": "enforce"}), 403, "forbidden")
    res = clients["sales"].patch(f"/api/alerts/{alert_id}", json={"action": "acknowledge"})
    assert res.status_code == 200 and res.json()["status"] == "acknowledged"
    # Ops may enforce
    res = clients["ops"].patch(f"/api/alerts/{alert_id}", json={"action": "enforce"})
    assert res.status_code == 200 and res.json()["status"] == "in_enforcement"
    # resolve needs a reason
    api_error(clients["sales"].patch(f"/api/alerts/{alert_id}", json={"action": "resolve"}), 422, "validation_error")
    res = clients["sales"].patch(
        f"/api/alerts/{alert_id}", json={"action": "resolve", "reason": "Price corrected on the listing"}
    )
    assert res.status_code == 200 and res.json()["status"] == "resolved"
    api_error(
        clients["owner"].patch(f"/api/alerts/{alert_id}", json={"action": "acknowledge"}), 409, "invalid_transition"
    )
    api_error(clients["owner"].patch(f"/api/alerts/{alert_id}", json={}), 422, "validation_error")
    timeline = clients["viewer"].get(f"/api/alerts/{alert_id}/timeline").json()["items"]
    kinds = [(e["type"], e.get("action")) for e in timeline]
    assert ("note", None) in kinds
    assert [a for t, a in kinds if t == "decision"] == ["acknowledge", "enforce", "resolve"]


# --- tasks -------------------------------------------------------------------------------------


def test_tasks_list_create_patch_by_role(clients, margin_a):
    tasks = clients["viewer"].get("/api/tasks", params={"limit": 200}).json()["items"]
    assert len(tasks) == 10
    page = clients["viewer"].get("/api/tasks", params={"limit": 4}).json()
    assert len(page["items"]) == 4 and page["next_cursor"]
    assert {
        t["status"] for t in clients["viewer"].get("/api/tasks", params={"status": "in_progress"}).json()["items"]
    } == {"in_progress"}
    alert_id = _alert_id(clients)
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT09:00:00Z")  # due dates are never past
    body = {"title": "Chase the dealer", "alert_id": alert_id, "due_at": due}
    ctx = margin_a.ctx()
    with unchanged(lambda: rows(ctx, "margin_tasks"), lambda: rows(ctx, "audit_events")):
        api_error(clients["viewer"].post("/api/tasks", json=body), 403, "forbidden")
    res = clients["sales"].post("/api/tasks", json=body)
    assert res.status_code == 201, res.text
    task = res.json()
    assert task["status"] == "open" and task["dealer_id"]  # dealer taken from the alert
    task_url = f"/api/tasks/{task['id']}"
    with unchanged(lambda: trail(ctx, task["id"]), lambda: next(t for t in _tasks(clients) if t["id"] == task["id"])):
        api_error(clients["viewer"].patch(task_url, json={"action": "start"}), 403, "forbidden")
    res = clients["sales"].patch(f"/api/tasks/{task['id']}", json={"notes": "Left a voicemail", "action": "start"})
    assert (
        res.status_code == 200 and res.json()["status"] == "in_progress" and res.json()["notes"] == "Left a voicemail"
    )
    api_error(clients["sales"].patch(f"/api/tasks/{task['id']}", json={"action": "cancel"}), 422, "validation_error")
    res = clients["ops"].patch(f"/api/tasks/{task['id']}", json={"action": "complete"})
    assert res.status_code == 200 and res.json()["status"] == "done"
    api_error(
        clients["owner"].post("/api/tasks", json={**body, "alert_id": str(uuid.uuid4())}), 422, "validation_error"
    )
    api_error(clients["owner"].post("/api/tasks", json={**body, "bogus": 1}), 422, "validation_error")
    timeline = clients["viewer"].get(f"/api/alerts/{alert_id}/timeline").json()["items"]
    assert task["id"] in {e["id"] for e in timeline if e["type"] == "task"}


# --- dealers -----------------------------------------------------------------------------------


def test_dealers_list_and_summary(clients, margin_a):
    items = clients["viewer"].get("/api/dealers").json()["items"]
    assert [d["code"] for d in items] == ["DLR-COASTAL", "DLR-METRO"]
    by_code = {d["code"]: d for d in items}
    assert by_code["DLR-COASTAL"]["status"] == "warned"
    assert by_code["DLR-METRO"]["open_alerts"] >= 4
    coastal = by_code["DLR-COASTAL"]["id"]
    summary = clients["viewer"].get(f"/api/dealers/{coastal}").json()
    assert summary["status"] == "warned" and summary["actions"] == []
    assert [h["action"] for h in summary["history"]] == ["warn"]
    assert summary["history"][0]["reason"]
    assert Decimal(summary["lost_margin"]) == Decimal(by_code["DLR-COASTAL"]["lost_margin"])
    # a competitor is not a dealer
    api_error(clients["owner"].get(f"/api/dealers/{margin_a.id('organization', 'competitor')}"), 404, "not_found")


def test_dealer_status_goes_through_the_decision_path_and_needs_a_reason(clients, margin_a):
    metro = str(margin_a.id("organization", "dealer-metro"))
    url = f"/api/dealers/{metro}/status"
    ctx = margin_a.ctx()
    with unchanged(
        lambda: clients["owner"].get(f"/api/dealers/{metro}").json(),
        lambda: rows(ctx, "decision_events", "machine = 'margin_dealer'"),
        lambda: rows(ctx, "audit_events"),
    ):
        api_error(clients["sales"].patch(url, json={"action": "warn", "reason": "x"}), 403, "forbidden")
        api_error(clients["viewer"].patch(url, json={"action": "warn", "reason": "x"}), 403, "forbidden")
        api_error(clients["ops"].patch(url, json={"action": "warn"}), 422, "validation_error")
        api_error(
            clients["ops"].patch(url, json={"action": "suspend", "reason": "skip a rung"}), 409, "invalid_transition"
        )
    res = clients["ops"].patch(url, json={"action": "warn", "reason": "Third MAP breach this month"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["status"] == "warned"
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in body["history"]] == [
        ("active", "warned", "Third MAP breach this month")
    ]
    res = clients["owner"].patch(url, json={"action": "step_down", "reason": "Prices fixed"})
    assert res.json()["status"] == "active"


def test_dealer_status_reason_is_required_in_the_repository_too(margin_a):
    from engine.errors import ValidationFailed
    from models.core.db import tenant_session
    from models.margin import dealers

    with pytest.raises(ValidationFailed):
        with tenant_session(margin_a.ctx("ops")) as session:
            dealers.change_status(
                session, margin_a.ctx("ops"), margin_a.id("organization", "dealer-metro"), "warn", None
            )


# --- search and detection ----------------------------------------------------------------------


def test_search_across_alerts_dealers_skus_tasks(clients):
    def group(client, q: str, kind: str) -> list[dict]:
        body = client.get("/api/search", params={"q": q, "types": kind}).json()
        return next(g["hits"] for g in body["groups"] if g["type"] == kind)

    alerts = group(clients["viewer"], "zinc", "alerts")
    assert alerts and all(a["title"].endswith("AUR-ZINC-30") for a in alerts)
    assert [d["subtitle"] for d in group(clients["viewer"], "metro", "dealers")] == ["DLR-METRO"]
    tasks = group(clients["viewer"], "call", "tasks")
    assert tasks and all("call" in t["title"].lower() for t in tasks)
    api_error(clients["viewer"].get("/api/search"), 422, "validation_error")
    b_alerts = group(clients["b_owner"], "zinc", "alerts")
    assert b_alerts and not {a["id"] for a in alerts} & {a["id"] for a in b_alerts}


def test_detect_submits_a_job_for_ops_and_owner_only(clients, margin_a):
    with unchanged(lambda: rows(margin_a.ctx(), "jobs", "kind = 'margin.detect'")):
        for role in ("sales", "viewer"):
            api_error(clients[role].post("/api/margin/detect", json={}), 403, "forbidden")
    res = clients["ops"].post("/api/margin/detect", json={"as_of": "2026-11-20T00:00:00Z"})
    assert res.status_code == 202, res.text
    job_id = res.json()["job_id"]
    assert clients["ops"].get(f"/api/jobs/{job_id}").status_code == 200
    api_error(
        clients["owner"].post("/api/margin/detect", json={"as_of": "2026-11-20T00:00:00"}), 422, "validation_error"
    )


# --- tenancy -----------------------------------------------------------------------------------


def test_ids_of_another_tenant_answer_404(clients, margin_a):
    other = clients["b_owner"]
    alert_id = _alert_id(clients)
    for path in (f"/api/alerts/{alert_id}", f"/api/alerts/{alert_id}/evidence", f"/api/alerts/{alert_id}/timeline"):
        api_error(other.get(path), 404, "not_found")
    api_error(other.patch(f"/api/alerts/{alert_id}", json={"note": "x"}), 404, "not_found")
    task_id = clients["owner"].get("/api/tasks").json()["items"][0]["id"]
    api_error(other.patch(f"/api/tasks/{task_id}", json={"action": "start"}), 404, "not_found")
    metro = str(margin_a.id("organization", "dealer-metro"))
    api_error(other.get(f"/api/dealers/{metro}"), 404, "not_found")
    api_error(other.patch(f"/api/dealers/{metro}/status", json={"action": "warn", "reason": "x"}), 404, "not_found")
    # another tenant's alert cannot be referenced in a task either
    api_error(other.post("/api/tasks", json={"title": "x", "alert_id": alert_id}), 422, "validation_error")
    assert alert_id not in {a["id"] for a in other.get("/api/alerts", params={"limit": 200}).json()["items"]}


def test_every_read_route_answers_each_role(clients, margin_a):
    alert_id = _alert_id(clients)
    metro = str(margin_a.id("organization", "dealer-metro"))
    paths = [
        "/api/dashboard/summary",
        "/api/alerts",
        f"/api/alerts/{alert_id}",
        f"/api/alerts/{alert_id}/evidence",
        f"/api/alerts/{alert_id}/timeline",
        "/api/tasks",
        "/api/dealers",
        f"/api/dealers/{metro}",
        "/api/search?q=a",
    ]
    for role in ROLES:
        for path in paths:
            assert clients[role].get(path).status_code == 200, (role, path)
    from fastapi.testclient import TestClient

    anonymous = TestClient(clients["owner"].app, raise_server_exceptions=False)
    api_error(anonymous.get("/api/alerts"), 401, "unauthenticated")
