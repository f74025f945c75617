"""Enforcement REST API: the flow end to end, the 403 role matrix, cross-tenant 404, the SSE
stream ending with the batch, the report + CSV and the sent-notices list."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from tests.integration.margin.conftest import MarginTenant, build
from tests.integration.margin.enforcement.conftest import run_batch
from tests.support.api_clients import role_clients


@pytest.fixture(scope="module")
def tenants():
    return build("enfapi"), build("enfapib")


@pytest.fixture(scope="module")
def clients(api, tenants):
    a, b = tenants
    return role_clients(
        api, a.tenant, ("ops", "sales", "viewer"), others={"b_owner": b.tenant}, raise_server_exceptions=False
    )


def _sse(client, batch_id):
    with client.stream("GET", "/api/execution/stream", params={"batchId": batch_id}) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [ln for ln in response.iter_lines() if ln.startswith(("event:", "data:"))]
    events = [ln.split(": ", 1)[1] for ln in lines if ln.startswith("event:")]
    data = [json.loads(ln.split(": ", 1)[1]) for ln in lines if ln.startswith("data:")]
    return events, data


def test_flow_preview_create_start_run_stream_report_csv_notices(clients, tenants):
    a: MarginTenant = tenants[0]
    ops = clients["ops"]
    body = {"action": "final_notice", "filters": {"rules": ["map_breach", "mrp_breach"]}}
    preview = ops.post("/api/enforcement/preview", json=body)
    assert preview.status_code == 200, preview.text
    assert Decimal(preview.json()["recoverable"]) == Decimal("1534")
    created = ops.post("/api/enforcement/batches", json={**body, "name": "Final notices"})
    assert created.status_code == 201, created.text
    batch = created.json()
    assert (batch["status"], batch["item_count"], Decimal(batch["expected_recoverable"])) == (
        "draft",
        2,
        Decimal("1534"),
    )
    assert ops.get("/api/execution/stream", params={"batchId": batch["id"]}).status_code == 409  # draft
    started = ops.post(f"/api/enforcement/batches/{batch['id']}/start")
    assert started.status_code == 200 and started.json()["status"] == "queued"
    assert ops.post(f"/api/enforcement/batches/{batch['id']}/start").status_code == 409  # not a draft any more
    run_batch(a, batch["id"])
    events, data = _sse(clients["viewer"], batch["id"])
    assert events[-2:] == ["batch", "end"] and events[0] == "progress"
    assert data[-2]["status"] == "completed" and data[-2]["counts"]["sent"] == 2
    detail = clients["viewer"].get(f"/api/enforcement/batches/{batch['id']}").json()
    assert detail["status"] == "completed" and detail["percent"] == 100
    assert {f["event"] for f in detail["feed"]} >= {"created", "queued", "running", "item_sent", "completed"}
    listed = clients["viewer"].get("/api/enforcement/batches").json()["items"]
    assert batch["id"] in [b["id"] for b in listed]
    report = clients["viewer"].get(f"/api/reports/enforcement/{batch['id']}").json()
    assert report["totals"]["outcomes"] == {"sent": 2}
    assert (Decimal(report["deltas"]["lost_margin_before"]), Decimal(report["deltas"]["lost_margin_after"])) == (
        Decimal("1534"),
        Decimal("1104"),
    )
    assert (report["deltas"]["breaches_before"], report["deltas"]["breaches_after"]) == (10, 5)
    res = clients["viewer"].get(f"/api/reports/enforcement/{batch['id']}.csv")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    assert "attachment" in res.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(res.text)))
    assert len(rows) == 11 and rows[1][0] == "Final notices"
    notices = clients["sales"].get("/api/notices", params={"batchId": batch["id"], "limit": 1}).json()
    assert len(notices["items"]) == 1 and notices["next_cursor"]
    more = (
        clients["sales"].get("/api/notices", params={"batchId": batch["id"], "cursor": notices["next_cursor"]}).json()
    )
    assert len(more["items"]) == 1 and more["items"][0]["id"] != notices["items"][0]["id"]


@pytest.mark.parametrize("role", ["sales", "viewer"])
def test_roles_without_enforcement_get_403_on_every_write(clients, role):
    c = clients[role]
    body = {"action": "warning_notice", "filters": {}}
    assert c.post("/api/enforcement/preview", json=body).status_code == 403
    assert c.post("/api/enforcement/batches", json=body).status_code == 403
    some = clients["owner"].get("/api/enforcement/batches").json()["items"]
    batch_id = some[0]["id"] if some else "00000000-0000-0000-0000-000000000000"
    assert c.post(f"/api/enforcement/batches/{batch_id}/start").status_code == 403
    assert c.post(f"/api/enforcement/batches/{batch_id}/cancel", json={}).status_code == 403
    # reads are allowed
    assert c.get("/api/enforcement/batches").status_code == 200
    assert c.get("/api/notices").status_code == 200


def test_owner_and_ops_may_run_enforcement_and_cancel(clients):
    for role in ("owner", "ops"):
        c = clients[role]
        res = c.post(
            "/api/enforcement/batches",
            json={"action": "request_price_correction", "filters": {"rules": ["map_breach"]}},
        )
        assert res.status_code == 201, res.text
        cancelled = c.post(f"/api/enforcement/batches/{res.json()['id']}/cancel", json={"reason": "test"})
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_other_tenant_ids_answer_404(clients):
    res = clients["owner"].post(
        "/api/enforcement/batches", json={"action": "request_price_correction", "filters": {"rules": ["mrp_breach"]}}
    )
    batch_id = res.json()["id"]
    b = clients["b_owner"]
    assert b.get(f"/api/enforcement/batches/{batch_id}").status_code == 404
    assert b.post(f"/api/enforcement/batches/{batch_id}/start").status_code == 404
    assert b.post(f"/api/enforcement/batches/{batch_id}/cancel", json={}).status_code == 404
    assert b.get("/api/execution/stream", params={"batchId": batch_id}).status_code == 404
    assert b.get(f"/api/reports/enforcement/{batch_id}").status_code == 404
    assert b.get(f"/api/reports/enforcement/{batch_id}.csv").status_code == 404
    assert batch_id not in [x["id"] for x in b.get("/api/enforcement/batches").json()["items"]]
    # tenant A's alert ids select nothing in tenant B
    alert_ids = [a["id"] for a in clients["owner"].get("/api/alerts", params={"limit": 3}).json()["items"]]
    res = b.post("/api/enforcement/preview", json={"action": "final_notice", "filters": {"alert_ids": alert_ids}})
    assert res.status_code == 200 and res.json()["totals"]["items"] == 0


def test_bad_input_is_a_validation_error(clients):
    ops = clients["ops"]
    assert ops.post("/api/enforcement/preview", json={"action": "nuke"}).status_code == 422
    assert ops.post("/api/enforcement/preview", json={"action": "final_notice", "filters": {"x": 1}}).status_code == 422
    res = ops.post("/api/enforcement/batches", json={"action": "final_notice", "filters": {"rules": ["dead_stock"]}})
    assert res.status_code == 422
